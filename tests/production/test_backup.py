"""The backup and restore commands in docs/deployment.md, run as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from consult.config import PROJECT_ROOT
from consult.extensions import db
from tests import factories
from tests.conftest import POSTGRES_REQUIRED, TEST_ENCRYPTION_KEY, empty_database, make_app

# Under pytest-xdist the module stays on one worker: its PostgreSQL database is made once.
pytestmark = pytest.mark.xdist_group("test_backup")

DEPLOYMENT = (PROJECT_ROOT / "docs" / "deployment.md").read_text()


def documented_command(marker: str) -> str:
    block = DEPLOYMENT.split(f"<!-- {marker} -->", 1)[1]
    return re.search(r"```sh\n(.*?)\n\s*```", block, re.DOTALL).group(1).strip()


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        counts = {name: connection.scalar(select(func.count()).select_from(text(f'"{name}"')))
                  for name in tables}
    engine.dispose()
    return counts


def test_a_backup_restores_into_an_empty_database_with_every_row(
        production_database, tmp_path, tmp_path_factory):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if POSTGRES_REQUIRED:
            pytest.fail("pg_dump and pg_restore are needed; CI=true requires them")
        pytest.skip("pg_dump and pg_restore are not installed")
    app = make_app(production_database)
    with app.app_context():
        invitation, _token = factories.child_with_link()
        factories.send_answers(invitation, {"went_well": "Backed up words"})
        db.engine.dispose()
    backup_file = tmp_path / "consult.dump"

    with empty_database("postgresql", tmp_path_factory) as restore_url:
        env = {**os.environ, "PG_URL": libpq_url(production_database),
               "RESTORE_URL": libpq_url(restore_url), "BACKUP_FILE": str(backup_file)}
        for marker in ("backup-command", "restore-command"):
            subprocess.run(["bash", "-c", documented_command(marker)], env=env, check=True,
                           capture_output=True, timeout=120)

        original, restored = row_counts(production_database), row_counts(restore_url)
        engine = create_engine(restore_url)
        with engine.connect() as connection:
            words = connection.scalar(text(
                "SELECT text FROM free_text_answers WHERE question_key = 'went_well'"))
        engine.dispose()

    assert original == restored
    assert original["responses"] == 1 and original["alembic_version"] == 1
    # The backup holds the words encrypted; the configured key reads them back.
    assert "Backed up" not in words
    assert Fernet(TEST_ENCRYPTION_KEY).decrypt(words.encode()).decode() == "Backed up words"
