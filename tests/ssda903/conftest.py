"""The generated 903 files and the staff their supplement names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from consult.models import StaffRole
from tests import factories
from tests.ssda903.generator import IRO_EMAILS, SOCIAL_WORKERS, Generated, generate

TODAY = date(2025, 6, 1)  # after both generated years


@pytest.fixture(scope="session")
def generated() -> Generated:
    return generate()


@pytest.fixture
def council(app):
    """The IROs, social workers and administrator the generated files need."""
    for email in IRO_EMAILS:
        factories.staff(StaffRole.IRO, email=email)
    for email in SOCIAL_WORKERS.values():
        factories.staff(StaffRole.SOCIAL_WORKER, email=email)
    return factories.staff(StaffRole.ADMIN, email="admin@council.example")


def year_files(generated: Generated, index: int, *, xml: bool = False,
               supplement: bool = True) -> list[tuple[str, bytes]]:
    year = generated.years[index]
    # The XML form carries Header, Episodes and Reviews; SWEpisodes comes beside it.
    files = ([(f"ssda903_{year.start_year}.xml", generated.xml[year.start_year]),
              (f"swepisodes_{year.start_year}.csv", year.tables["SWEpisodes"].encode())]
             if xml else list(year.csv_files().items()))
    if supplement:
        files += [("supplement.csv", generated.supplement),
                  ("social_workers.csv", generated.social_workers)]
    return files


def write(tmp_path: Path, files: list[tuple[str, bytes]]) -> list[str]:
    paths = []
    for name, data in files:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    return paths
