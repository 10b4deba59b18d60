"""Password hashing with argon2id, its parameters written out so a change is deliberate."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id recommendation (m=19 MiB, t=2, p=1), rounded up to 64 MiB and t=3:
# about 60 ms here, affordable for staff sign-in and expensive for an offline attacker.
PRODUCTION = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
# For CONSULT_ENV=testing only (create_app chooses it): argon2id at its least cost, so that
# the test suite's hundreds of sign-ins take microseconds rather than 60 ms each. A hash made
# with it is upgraded to PRODUCTION's at its next sign-in in any other process.
TESTING = PasswordHasher(
    time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
HASHER = PRODUCTION

MIN_LENGTH = 12
MAX_LENGTH = 128

# Verified against when the email is unknown, so that an unknown email takes as long to
# refuse as a wrong password and sign-in does not reveal who has an account: a hash of
# "not a password anyone has" with each hasher's parameters. Written here rather than made
# at import, which cost every process 0.2 s as it started (each gunicorn worker, each
# command); tests/staff/test_sign_in_security.py checks that each is a real hash with its
# hasher's parameters, so a change of parameters fails there until it is made anew.
DUMMY_HASHES = {
    "production": "$argon2id$v=19$m=65536,t=3,p=1$lV/re+gfjQfmrsSuQRGC9g$"
                  "qo1j+EcDB19CPuz3jfWk7acXlyEFwXl0RU7pN7XcFc0",
    "testing": "$argon2id$v=19$m=8,t=1,p=1$5s9aeVfqDFGcWMf5XH41WQ$"
               "3btsjGJoqI0Ph9IrALZ8z/zZEcsQt4x8WnwvtBS/gfw",
}


def use_testing_parameters() -> None:
    """From now on this process hashes with TESTING: called by create_app for tests only."""
    global HASHER
    HASHER = TESTING


def _dummy_hash() -> str:
    return DUMMY_HASHES["testing" if HASHER is TESTING else "production"]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


@cache
def _common_passwords() -> frozenset[str]:
    lines = (Path(__file__).with_name("common_passwords.txt").read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def problem_with(password: str) -> str | None:
    """Why a new password cannot be used, or None.

    Length and a list of passwords attackers try first; no composition rules, which push
    people towards predictable substitutions rather than longer passwords (NIST SP 800-63B).
    """
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if is_common(password):
        return "That password is one of the most common, so it is among the first tried. " \
            "Choose another: a few unrelated words make a good one."
    return None
