"""Secret links: the unguessable tokens in invitation and staff set-up URLs.

A token is 256 random bits in URL-safe base64. Only its SHA-256 is stored: the token has
far too much entropy to guess or brute-force from the hash, so a slow password hash would
add nothing but latency on every link opened.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def fingerprint(digest: str) -> str:
    """Enough of a stored hash for a session to notice that its link was replaced."""
    return digest[:16]


def hash_if_well_formed(candidate: str) -> str | None:
    """The hash to look up, or None for anything that cannot be one of our tokens.

    Malformed input is turned away before it reaches the database, so odd bytes in a URL
    can neither raise nor cost a query.
    """
    if not _TOKEN_SHAPE.fullmatch(candidate):
        return None
    return token_hash(candidate)
