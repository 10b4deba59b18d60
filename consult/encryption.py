"""The key for text encrypted at rest: set up from configuration, and rotated.

DATA_ENCRYPTION_KEYS lists Fernet keys. The first encrypts everything written; all of them
decrypt, so a new key can be put first, `flask --app consult rotate-key` run to re-encrypt
every row with it, and only then the old key removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, Text, select, update

from consult.extensions import db
from consult.models.encrypted import CIPHER, EncryptedJSON, EncryptedText


def init_app(app: Flask) -> None:
    app.extensions[CIPHER] = MultiFernet(
        [Fernet(key.encode("ascii")) for key in app.config["DATA_ENCRYPTION_KEYS"]])


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    column: str


def encrypted_columns() -> list[EncryptedColumn]:
    """Every column of the model stored encrypted, found rather than listed by hand."""
    return [EncryptedColumn(table.name, column.name)
            for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, EncryptedText | EncryptedJSON)]


def raw_table(found: EncryptedColumn) -> Table:
    """The column as the database holds it, ciphertext and all, with the row's id."""
    return Table(found.table, MetaData(), Column("id", Integer, primary_key=True),
                 Column(found.column, Text))


def rotate(cipher: MultiFernet, batch_size: int = 500) -> int:
    """Re-encrypt every encrypted value with the first key; returns how many were rewritten."""
    rewritten = 0
    for found in encrypted_columns():
        table = raw_table(found)
        value = table.c[found.column]
        last_id = 0
        while True:
            rows = db.session.execute(
                select(table.c.id, value).where(table.c.id > last_id, value.is_not(None))
                .order_by(table.c.id).limit(batch_size)).all()
            if not rows:
                break
            for row_id, token in rows:
                db.session.execute(update(table).where(table.c.id == row_id).values(
                    {found.column: cipher.rotate(token.encode("ascii")).decode("ascii")}))
            rewritten += len(rows)
            last_id = rows[-1][0]
    return rewritten
