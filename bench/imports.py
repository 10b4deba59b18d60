"""Benchmark: the CSV imports at a large council's scale, in PostgreSQL.

    .venv/bin/python bench/imports.py                          # 5,000 children, 15,000 reviews
    .venv/bin/python bench/imports.py --children 15000 --reviews-per-child 1
    .venv/bin/python bench/imports.py --sqlite

It creates and drops its own database, `consult_bench_imports`, on the server of
BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), or a
temporary SQLite file with --sqlite, brings it to the latest migration, and times, as an
administrator would run them: the children file, then the reviews file (held reviews with
attendance, PN code and views, and one booked review per child, every review_type left
empty so the import works each one out), the same reviews file again (every row
unchanged), one in which every held review changed, then two years of generated 903 files
(`--children-903`) and the first year again. Each time is the import function, its flush
and the commit, as the Import page does them. It prints the rows, the seconds, the rows
per second, the CPU time of the benchmark's own process (the app's side; on SQLite, all of
it) and the SQL statements sent (an executemany counts once), with the machine's load
average: timings on a shared machine compare only within one run. `--profile N` prints
each import's N most expensive functions (cProfile, by own time) after its line.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NAME = "consult_bench_imports"
TODAY = date(2026, 11, 25)
SINCE = date(2021, 1, 4)


def _postgres(action: str) -> None:
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        if action == "create":
            connection.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()


def children_file(children: int) -> bytes:
    lines = ["case_ref,preferred_name,date_of_birth,language,looked_after_since,ceased_on,"
             "iro_email,social_worker_email"]
    for number in range(children):
        lines.append(f"B-{number:06d},Child {number},2010-03-02,en_GB,{SINCE.isoformat()},,"
                     f"iro{number % 40}@bench.example,sw{number % 200}@bench.example")
    return ("\n".join(lines) + "\n").encode()


def reviews_file(children: int, per_child: int, *, code: str = "PN1",
                 attended: str = "child;foster_carer") -> bytes:
    lines = ["case_ref,review_date,status,review_type,attended,pn_code,consulted_child,"
             "consulted_foster_carer,consulted_parent"]
    for number in range(children):
        for index in range(per_child):
            if index == per_child - 1:  # the last one is booked, after today
                day = TODAY + timedelta(days=1 + number % 60)
                lines.append(f"B-{number:06d},{day.isoformat()},scheduled,,,,,,")
            else:
                day = SINCE + timedelta(days=20 + 150 * index + number % 30)
                lines.append(f"B-{number:06d},{day.isoformat()},held,,{attended},{code},"
                             "online,paper,none")
    return ("\n".join(lines) + "\n").encode()


def bench_903(children: int, admin, timed) -> None:
    """Two collection years of generated 903 files (tests/ssda903/generator.py), each year
    imported as a whole, then the first again."""
    from consult.extensions import db
    from consult.imports.ssda903.apply import import_903
    from consult.models import StaffRole, StaffUser
    from consult.schedule import REGULATIONS_2010
    from tests.ssda903.generator import IRO_EMAILS, SOCIAL_WORKERS, generate

    db.session.add_all(
        [StaffUser(email=email, name="IRO", role=StaffRole.IRO) for email in IRO_EMAILS]
        + [StaffUser(email=email, name="SW", role=StaffRole.SOCIAL_WORKER)
           for email in SOCIAL_WORKERS.values()])
    db.session.commit()
    generated = generate(children=children)
    for index, what in ((0, "first year"), (1, "second year"), (0, "first year again")):
        year = generated.years[index]
        header = year.tables["Header"].splitlines()[1:]
        in_year = {line.split(",")[0] for line in header}
        supplement = generated.supplement.decode().splitlines(keepends=True)
        files = [*year.csv_files().items(), ("supplement.csv", "".join(supplement[:1] + [
            line for line in supplement[1:] if line.split(",")[0] in in_year]).encode()),
            ("social_workers.csv", generated.social_workers)]
        timed(f"903 files, {what}, {len(header)} children", len(header),
              lambda files=files: import_903(files, by=admin, today=date(2025, 6, 1),
                                             timetable=REGULATIONS_2010, path="bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--reviews-per-child", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--children-903", type=int, default=2000, metavar="N",
                        help="children in the generated 903 files (0: no 903 import)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print each import's N most expensive functions")
    arguments = parser.parse_args()

    if arguments.sqlite:
        folder = tempfile.TemporaryDirectory()
        url = f"sqlite:///{folder.name}/bench.sqlite"
    else:
        _postgres("create")
        url = make_url(SERVER_URL).set(database=NAME).render_as_string(hide_password=False)
    from consult import create_app
    from consult.extensions import db
    from consult.imports import import_children, import_reviews
    from consult.models import StaffRole, StaffUser
    from consult.schedule import REGULATIONS_2010

    app = create_app({"CONSULT_ENV": "testing", "SECRET_KEY": "bench-" + "x" * 40,
                      "DATA_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
                      "DATABASE_URL": url, "AUTO_MIGRATE": "1"})
    try:
        with app.app_context():
            admin = StaffUser(email="admin@bench.example", name="Admin", role=StaffRole.ADMIN)
            db.session.add(admin)
            db.session.add_all(
                [StaffUser(email=f"iro{n}@bench.example", name=f"IRO {n}", role=StaffRole.IRO)
                 for n in range(40)]
                + [StaffUser(email=f"sw{n}@bench.example", name=f"SW {n}",
                             role=StaffRole.SOCIAL_WORKER) for n in range(200)])
            db.session.commit()
            backend = db.engine.dialect.name
            statements: list[str] = []

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(_connection, _cursor, statement, *_args) -> None:
                statements.append(statement)

            def timed(what: str, rows: int, run) -> None:
                statements.clear()
                profile = cProfile.Profile() if arguments.profile else None
                start, cpu = time.perf_counter(), time.process_time()
                if profile:
                    profile.enable()
                result = run()
                assert result.ok, result.errors[:5]
                db.session.commit()
                if profile:
                    profile.disable()
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                print(f"{backend}: {what}: {rows} rows in {seconds:.2f} s "
                      f"({rows / seconds:,.0f} rows/s; {cpu:.2f} s of this process's CPU), "
                      f"{len(statements)} SQL statements, "
                      f"load average {os.getloadavg()[0]:.1f}; {result.created} new, "
                      f"{result.updated} updated, {result.unchanged} unchanged", flush=True)
                if profile:
                    pstats.Stats(profile).sort_stats("tottime").print_stats(arguments.profile)

            children = arguments.children
            reviews = reviews_file(children, arguments.reviews_per_child)
            rows = children * arguments.reviews_per_child
            timed("children", children, lambda: import_children(
                children_file(children), by=admin, path="bench"))
            changed = reviews_file(children, arguments.reviews_per_child, code="PN6",
                                   attended="foster_carer")
            for what, data in (("reviews", reviews), ("the same reviews again", reviews),
                               ("the reviews, every held one changed", changed)):
                timed(what, rows, lambda data=data: import_reviews(
                    data, today=TODAY, timetable=REGULATIONS_2010, by=admin, path="bench"))
            if arguments.children_903:
                bench_903(arguments.children_903, admin, timed)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not arguments.sqlite:
            _postgres("drop")


if __name__ == "__main__":
    main()
