"""Text encrypted at rest, so a database dump or backup alone does not reveal what anyone wrote.

The cipher comes from the running app (`consult.encryption` puts it there from
DATA_ENCRYPTION_KEYS): rows can only be read or written where the key is configured.
Fernet is authenticated encryption (AES-128-CBC with HMAC-SHA256), so a changed row fails
to decrypt rather than reading as something else.
"""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

CIPHER = "consult.data_encryption"


def _cipher():
    return current_app.extensions[CIPHER]


class EncryptedText(TypeDecorator):
    """A str in Python, a Fernet token in the database. Never compared or searched in SQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return _cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return _cipher().decrypt(value.encode("ascii")).decode("utf-8")


class EncryptedJSON(TypeDecorator):
    """JSON in Python, a Fernet token of its text in the database: for drafts of answers."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: object, dialect) -> str | None:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return _cipher().encrypt(text.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect) -> object:
        if value is None:
            return None
        return json.loads(_cipher().decrypt(value.encode("ascii")).decode("utf-8"))
