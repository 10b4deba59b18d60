"""Sign-in throttle: repeated failures at one account from one address slow that pair down.

Counted per account AND address together, under a hash of the email typed (whether or not
an account has it, so a slowed message says nothing about who has an account) and the
address, in the rate limiter's storage (Redis in production, so every instance sees the
same count). Someone guessing from their own address never holds up the account's owner
at theirs: lockout cannot be used against anyone.

It slows rather than locks, and more the longer it goes on: 5 failures within 15 minutes
wait until the oldest is 15 minutes old; 10 within an hour, until the oldest is an hour
old; 20 within a day, a day. A refused attempt is not counted, so a wait always ends.
Guessing from many addresses is held by the per-address rate limit on every sign-in step
and, above all, by the second factor: a password alone never signs anyone in.
"""

from __future__ import annotations

import hashlib
import time

from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.strategies import MovingWindowRateLimiter

from consult.extensions import limiter

FAILURES_ALLOWED = 5
FIRST_WAIT_MINUTES = 15
_LIMITS = (RateLimitItemPerMinute(FAILURES_ALLOWED, FIRST_WAIT_MINUTES),
           RateLimitItemPerHour(FAILURES_ALLOWED * 2), RateLimitItemPerDay(FAILURES_ALLOWED * 4))
_NAMESPACE = "staff-sign-in-failures"
# The owner is told by email when a pair is slowed, at most once an hour.
_TOLD = RateLimitItemPerHour(1)
_TOLD_NAMESPACE = "staff-sign-in-owner-told"


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _key(email: str, address: str | None) -> str:
    return hashlib.sha256(
        f"{_email_key(email)} {address or ''}".encode()).hexdigest()


def _counter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def is_slowed(email: str, address: str | None) -> bool:
    """Whether attempts at this account from this address must wait for now."""
    counter, key = _counter(), _key(email, address)
    return not all(counter.test(item, _NAMESPACE, key) for item in _LIMITS)


def record_failure(email: str, address: str | None) -> bool:
    """Count one failure; True when this one makes the pair wait."""
    counter, key = _counter(), _key(email, address)
    for item in _LIMITS:
        counter.hit(item, _NAMESPACE, key)
    return is_slowed(email, address)


def clear(email: str, address: str | None) -> None:
    counter, key = _counter(), _key(email, address)
    for item in _LIMITS:
        counter.clear(item, _NAMESPACE, key)


def wait_minutes(email: str, address: str | None) -> int:
    """Whole minutes until this pair may try again (at least 1)."""
    counter, key = _counter(), _key(email, address)
    resets = [counter.get_window_stats(item, _NAMESPACE, key).reset_time
              for item in _LIMITS if not counter.test(item, _NAMESPACE, key)]
    return max(1, int((max(resets, default=time.time()) - time.time() + 59) // 60))


def may_tell_owner(email: str) -> bool:
    """True at most once an hour per account: whether to email its owner now."""
    return _counter().hit(_TOLD, _TOLD_NAMESPACE, _email_key(email))
