"""Short codes: what a person types at /code when their invitation came on paper.

A letter cannot be clicked, and a QR code needs a camera that works, so the letter also
carries a code to type. It uses an alphabet without look-alikes (no 0/O, 1/I/L, U/V
pairs to confuse), 11 characters of 30 possible each: 11 x log2(30) = 54 bits, far beyond
guessing under the rate limit on /code. Only a keyed hash (HMAC-SHA-256 with the app's
SECRET_KEY) is stored, so a copy of the database alone is not enough to test guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 11
GROUP = 4
BITS = LENGTH * math.log2(len(ALPHABET))
_SEPARATORS = str.maketrans("", "", " -\u00a0\t")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def formatted(code: str) -> str:
    """ABCD-EFGH-JKM: groups are easier to read out and to type."""
    return "-".join(code[start:start + GROUP] for start in range(0, len(code), GROUP))


def normalised(typed: str) -> str | None:
    """The code someone typed, in canonical form, or None if it cannot be one of ours."""
    code = typed.translate(_SEPARATORS).upper()
    if len(code) != LENGTH or any(character not in ALPHABET for character in code):
        return None
    return code


def code_hash(code: str, key: str) -> str:
    return hmac.new(key.encode(), code.encode("ascii"), hashlib.sha256).hexdigest()
