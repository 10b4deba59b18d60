"""Per-account sign-in throttle: after repeated failures an email address is locked for a while.

Counted in the rate limiter's storage (Redis in production, so every instance sees the same
count) under a hash of the email typed, whether or not an account has it: a locked message
therefore says nothing about who has an account.
"""

from __future__ import annotations

import hashlib
import time

from limits import RateLimitItemPerMinute
from limits.strategies import MovingWindowRateLimiter

from consult.extensions import limiter

FAILURES_ALLOWED = 5
LOCKOUT_MINUTES = 15
_FAILURES = RateLimitItemPerMinute(FAILURES_ALLOWED, LOCKOUT_MINUTES)
_NAMESPACE = "staff-sign-in-failures"


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _counter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def is_locked(email: str) -> bool:
    return not _counter().test(_FAILURES, _NAMESPACE, _key(email))


def record_failure(email: str) -> bool:
    """Count one failure; True when this one locks the account."""
    _counter().hit(_FAILURES, _NAMESPACE, _key(email))
    return is_locked(email)


def clear(email: str) -> None:
    _counter().clear(_FAILURES, _NAMESPACE, _key(email))


def unlocks_in_minutes(email: str) -> int:
    reset_at = _counter().get_window_stats(_FAILURES, _NAMESPACE, _key(email)).reset_time
    return max(1, int((reset_at - time.time() + 59) // 60))
