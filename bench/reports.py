"""Benchmark: the participation reports on a national-scale synthetic data set in PostgreSQL.

    .venv/bin/python bench/reports.py                      # create, fill, time (about 5 min)
    .venv/bin/python bench/reports.py --reuse              # time again on the filled database
    .venv/bin/python bench/reports.py --children 100000 --runs 30

It creates (and with --drop, drops) its own database, `consult_bench` by default, on the
server of BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres),
brings it to the latest migration, fills it with generate_series in SQL (no ORM inserts):
children, 10 reviews each over five council years (2020/21 to 2024/25), attendance,
views by channel, invitations, responses, structured answers for every structured question
the questionnaire definitions hold, feedback, and help requests. Then it times each report
for the council year 2023/24 and prints p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from consult.models.encrypted import CIPHER  # noqa: E402

SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LANGUAGES = ("en_GB", "ar", "ps", "fa_AF", "fa", "ckb", "ku", "ti", "am", "so", "vi", "sq", "ro")


def database_url(name: str) -> str:
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def create_database(name: str) -> None:
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(name: str) -> None:
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: str, migrate: bool):
    from consult import create_app
    return create_app({"CONSULT_ENV": "testing", "SECRET_KEY": "bench-" + "x" * 40,
                       "DATABASE_URL": url, "AUTO_MIGRATE": "1" if migrate else "0"})


def structured_questions() -> list[tuple[str, int, str, list[str]]]:
    from consult.questionnaires import definitions
    return [(form.key, form.version, question.key, [choice.value for choice in question.choices])
            for form in definitions.ALL.values() for question in form.questions
            if not question.is_free_text and question.choices]


def questionnaire_for(role: str, purpose: str = "views", age: int = 15) -> tuple[str, int]:
    from consult.models import InvitationPurpose, InviteeRole
    from consult.questionnaires import definitions
    form = definitions.choose(InviteeRole(role), InvitationPurpose(purpose), age)
    return form.key, form.version


def fill_feedback_texts(connection, cipher, feedback_key: str) -> None:
    """Words in the feedback forms, encrypted as the app keeps them (so quotes can be read)."""
    ids = connection.execute(text(
        "SELECT id FROM responses WHERE questionnaire_key = :key ORDER BY id"),
        {"key": feedback_key}).scalars().all()
    if ids:
        connection.execute(text(
            "INSERT INTO free_text_answers (response_id, question_key, text, only_for_iro) "
            "VALUES (:id, 'review_went', :text, false)"),
            [{"id": id_, "text": cipher.encrypt(f"Synthetic feedback number {id_}".encode())
              .decode("ascii")} for id_ in ids])


def fill(connection, children: int, iros: int, cipher) -> None:
    step = _stepper()
    # The rollup's triggers are off while loading (replica role); the rollup is then built
    # in one go and timed, as after a first import.
    connection.execute(text("SET session_replication_role = replica"))
    connection.execute(text("""
        INSERT INTO staff_users (id, email, name, role, session_version, active, created_at)
        SELECT g, 'iro' || g || '@bench.example', 'IRO ' || g, 'iro', 1, true, now()
        FROM generate_series(1, :iros) g
    """), {"iros": iros})
    connection.execute(text("""
        INSERT INTO staff_users (id, email, name, role, session_version, active, created_at)
        VALUES (:id, 'manager@bench.example', 'Bench Manager', 'manager', 1, true, now())
    """), {"id": iros + 1})
    step("staff")
    # Most children are 12 to 17; a few are babies. Most speak English; the rest the 12 others.
    connection.execute(text("""
        INSERT INTO children (id, case_ref, preferred_name, date_of_birth, preferred_language,
                              looked_after_since, ceased_on, unaccompanied_asylum_seeking,
                              iro_id, created_at)
        SELECT g, 'B' || g, 'Child ' || g,
               DATE '2020-01-01' - (365 * (CASE WHEN random() < 0.15 THEN random() * 10
                                                ELSE 8 + random() * 10 END))::int,
               CASE WHEN random() < 0.6 THEN 'en_GB'
                    ELSE (CAST(:languages AS text[]))[2 + floor(random() * 12)::int] END,
               DATE '2019-12-01' + floor(random() * 240)::int,
               NULL, random() < 0.08, 1 + (g % :iros), now()
        FROM generate_series(1, :children) g
    """), {"children": children, "iros": iros, "languages": list(LANGUAGES)})
    step("children")
    # Ten reviews a child over five years: initial, second, then every six months.
    connection.execute(text("""
        INSERT INTO reviews (id, child_id, review_type, due_on, held_on, status, chair_id,
                             participation_code, created_at)
        SELECT x.id, x.child_id, x.review_type, x.due_on,
               CASE WHEN x.status = 'held' THEN x.due_on + x.late END, x.status,
               CASE WHEN x.status <> 'held' THEN NULL
                    WHEN x.r_chair < 0.95 THEN x.iro_id ELSE 1 + (x.id % :iros) END,
               CASE WHEN x.status <> 'held' THEN NULL
                    WHEN x.due_on < x.date_of_birth + INTERVAL '4 years' THEN 'PN0'
                    WHEN x.r_pn < 0.60 THEN 'PN1' WHEN x.r_pn < 0.63 THEN 'PN2'
                    WHEN x.r_pn < 0.66 THEN 'PN3' WHEN x.r_pn < 0.70 THEN 'PN4'
                    WHEN x.r_pn < 0.75 THEN 'PN5' WHEN x.r_pn < 0.90 THEN 'PN6'
                    WHEN x.r_pn < 0.98 THEN 'PN7' END,
               now()
        FROM (
            SELECT (c.id - 1) * 10 + k AS id, c.id AS child_id, c.iro_id, c.date_of_birth,
                   CASE k WHEN 1 THEN 'initial' WHEN 2 THEN 'second' ELSE 'subsequent' END
                       AS review_type,
                   c.looked_after_since + CASE k WHEN 1 THEN 28 WHEN 2 THEN 119
                                                 ELSE 119 + (k - 2) * 182 END AS due_on,
                   floor(random() * 20)::int - 17 AS late,
                   CASE WHEN random() < 0.93 THEN 'held'
                        WHEN random() < 0.6 THEN 'cancelled' ELSE 'scheduled' END AS status,
                   random() AS r_chair, random() AS r_pn
            FROM children c CROSS JOIN generate_series(1, 10) k
        ) x
    """), {"iros": iros})
    step("reviews")
    connection.execute(text("""
        INSERT INTO review_attendance (review_id, role)
        SELECT r.id, a.role
        FROM reviews r CROSS JOIN (VALUES ('child', 0.80), ('foster_carer', 0.95),
            ('parent', 0.15), ('family_member', 0.06), ('supervising_social_worker', 0.85),
            ('partner_agency', 0.20), ('social_worker', 0.60), ('advocate', 0.08),
            ('interpreter', 0.12)) a(role, p)
        WHERE r.status = 'held' AND random() < a.p + 0 * r.id
    """))
    step("attendance")
    connection.execute(text("""
        INSERT INTO review_views (review_id, role, channel)
        SELECT x.id, x.role,
               CASE WHEN x.r < 0.35 THEN 'online' WHEN x.r < 0.45 THEN 'paper'
                    WHEN x.r < 0.85 THEN 'verbal' WHEN x.r < 0.90 THEN 'advocate'
                    ELSE 'none' END
        FROM (SELECT r.id, v.role, random() AS r
              FROM reviews r CROSS JOIN (VALUES ('child', 0.7), ('foster_carer', 0.6),
                                                ('parent_or_family', 0.2)) v(role, p)
              WHERE r.status = 'held' AND random() < v.p + 0 * r.id) x
    """))
    # (Each "+ 0 * r.id" keeps PostgreSQL from drawing one random number per role for all
    # reviews at once: the draw must be per review.)
    step("views")
    # Invitations go out about two weeks before; most forms come back before the meeting,
    # some the day after (which do not count for that review).
    connection.execute(text("""
        INSERT INTO invitations (review_id, role, purpose, invitee_name, language, token_hash,
                                 expires_at, opened_at, sent_at, created_at)
        SELECT x.id, x.role, 'views', 'Invitee', 'en_GB',
               md5(x.id::text || x.role) || md5(x.role || x.id::text),
               (x.meeting + 14)::timestamp AT TIME ZONE 'UTC',
               CASE WHEN x.s < 0.7 THEN (x.meeting - 10)::timestamp AT TIME ZONE 'UTC' END,
               CASE WHEN x.s < 0.55 THEN (x.meeting - floor(x.s * 25)::int + 1)::timestamp
                                         AT TIME ZONE 'UTC' + INTERVAL '15 hours' END,
               (x.meeting - 14)::timestamp AT TIME ZONE 'UTC'
        FROM (SELECT r.id, i.role, coalesce(r.held_on, r.due_on) AS meeting, random() AS s
              FROM reviews r
              CROSS JOIN (VALUES ('child', 0.6), ('foster_carer', 0.6), ('parent', 0.12),
                                 ('family_member', 0.04)) i(role, p)
              WHERE random() < i.p + 0 * r.id) x
    """))
    connection.execute(text("""
        INSERT INTO invitations (review_id, role, purpose, invitee_name, language, token_hash,
                                 expires_at, sent_at, created_at)
        SELECT r.id, f.role, 'feedback', 'Invitee', 'en_GB',
               md5('f' || r.id::text || f.role) || md5(f.role || r.id::text || 'f'),
               (r.held_on + 30)::timestamp AT TIME ZONE 'UTC',
               (r.held_on + 3)::timestamp AT TIME ZONE 'UTC' + INTERVAL '18 hours',
               (r.held_on + 1)::timestamp AT TIME ZONE 'UTC'
        FROM reviews r CROSS JOIN (VALUES ('child', 0.03), ('foster_carer', 0.02)) f(role, p)
        WHERE r.status = 'held' AND random() < f.p + 0 * r.id
    """))
    step("invitations")
    child_form, adult_form = questionnaire_for("child"), questionnaire_for("foster_carer")
    feedback_form = questionnaire_for("child", "feedback")
    connection.execute(text("""
        INSERT INTO responses (invitation_id, questionnaire_key, questionnaire_version, language,
)
        SELECT i.id,
               CASE WHEN i.purpose = 'feedback' THEN :feedback_key
                    WHEN i.role = 'child' THEN :child_key ELSE :adult_key END,
               CASE WHEN i.purpose = 'feedback' THEN :feedback_version
                    WHEN i.role = 'child' THEN :child_version ELSE :adult_version END,
               'en_GB'
        FROM invitations i WHERE i.sent_at IS NOT NULL
    """), {"child_key": child_form[0], "child_version": child_form[1],
           "adult_key": adult_form[0], "adult_version": adult_form[1],
           "feedback_key": feedback_form[0], "feedback_version": feedback_form[1]})
    step("responses")
    questions = structured_questions()
    values = ", ".join(f"(:k{n}, :v{n}, :q{n}, CAST(:c{n} AS text[]))"
                       for n in range(len(questions)))
    parameters = {}
    for n, (key, version, question_key, choices) in enumerate(questions):
        parameters.update({f"k{n}": key, f"v{n}": version, f"q{n}": question_key,
                           f"c{n}": choices})
    connection.execute(text(f"""
        INSERT INTO answers (response_id, question_key, value)
        SELECT r.id, q.question_key,
               q.choices[1 + floor(random() * array_length(q.choices, 1))::int]
        FROM responses r
        JOIN (VALUES {values}) q(form_key, form_version, question_key, choices)
          ON q.form_key = r.questionnaire_key AND q.form_version = r.questionnaire_version
        WHERE random() < 0.85
    """), parameters)
    fill_feedback_texts(connection, cipher, feedback_form[0])
    step("answers")
    connection.execute(text("""
        INSERT INTO help_requests (kind, state, source, child_id, created_at, acknowledged_at)
        SELECT (ARRAY['independent_visitor', 'advocate', 'talk_to_iro', 'urgent'])
                   [1 + floor(random() * 4)::int],
               (ARRAY['new', 'acknowledged', 'referred', 'matched', 'resolved', 'declined',
                      'withdrawn'])[1 + floor(random() * 7)::int],
               'consultation', 1 + floor(random() * :children)::int, x.created,
               CASE WHEN random() < 0.9 THEN x.created + random() * INTERVAL '96 hours' END
        FROM (SELECT TIMESTAMPTZ '2020-04-01 00:00+00' + random() * INTERVAL '1825 days'
                     AS created
              FROM generate_series(1, :requests)) x
    """), {"children": children, "requests": children // 4})
    step("help requests")
    for table in ("staff_users", "children", "reviews", "invitations", "responses", "answers",
                  "free_text_answers", "help_requests"):
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    connection.execute(text("SET session_replication_role = DEFAULT"))
    mark_everything_stale(connection)


def mark_everything_stale(connection) -> None:
    """Every held review and every day a form was sent, for the rollups to count."""
    connection.execute(text(
        "INSERT INTO review_figures_stale (review_id) SELECT id FROM reviews "
        "WHERE status = 'held' ON CONFLICT DO NOTHING"))
    connection.execute(text(
        "INSERT INTO answer_figures_stale (sent_on) "
        "SELECT DISTINCT CAST(i.sent_at AT TIME ZONE 'UTC' AS date) FROM invitations i "
        "JOIN responses r ON r.invitation_id = i.id ON CONFLICT DO NOTHING"))


def build_rollup(app) -> None:
    from consult.figures.rollups import refresh_figures
    with app.app_context():
        started = time.perf_counter()
        refresh_figures()
        print(f"  rollups (review_figures and its monthly sums, answer_figures) built from "
              f"scratch in {time.perf_counter() - started:.1f} s", flush=True)


def _stepper():
    started = time.perf_counter()

    def step(name: str) -> None:
        print(f"  filled {name:<14} {time.perf_counter() - started:7.1f} s", flush=True)
    return step


def counts(connection) -> dict[str, int]:
    return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("children", "reviews", "review_attendance", "review_views",
                          "invitations", "responses", "answers", "help_requests")}


def timed(name: str, runs: int, work) -> tuple[str, float, float]:
    work()  # warm the caches and the statement cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    print(f"{name:<48} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
    return name, p50, p95


def time_reports(app, runs: int) -> list[tuple[str, float, float]]:
    from consult.extensions import db
    from consult.figures.export import report_csv, report_json
    from consult.figures.period import Period
    from consult.figures.quotes import consented_quotes
    from consult.figures.report import Scope, build_report, suppressed

    year = Period.council_year(2023)
    results = []
    with app.app_context():
        held = db.session.execute(text(
            "SELECT count(*) FROM reviews WHERE status = 'held' AND held_on BETWEEN :a AND :b"),
            {"a": year.start, "b": year.end}).scalar_one()
        print(f"\nTiming reports for {year.label}: {held} reviews held in that year; "
              f"{runs} runs each after one warm-up. Load average before: "
              f"{' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs.\n")

        def run(work):
            def once():
                work()
                db.session.rollback()
            return once

        service = Scope(label="the whole service", by_iro=True)
        results.append(timed("service-wide report (every table, by IRO)", runs,
                             run(lambda: build_report(year, service))))
        def after_changes():
            # 200 held reviews of the year change (untimed), then the report runs (timed),
            # bringing their rollup rows up to date first.
            db.session.execute(text(
                "UPDATE reviews SET participation_code = participation_code WHERE id IN ("
                "SELECT id FROM reviews WHERE status = 'held' AND held_on BETWEEN :a AND :b "
                "ORDER BY random() LIMIT 200)"), {"a": year.start, "b": year.end})
            db.session.commit()
            started = time.perf_counter()
            build_report(year, service)
            db.session.rollback()
            return (time.perf_counter() - started) * 1000

        samples = sorted(after_changes() for _ in range(runs))
        p50, p95 = statistics.median(samples), samples[max(0, round(0.95 * runs) - 1)]
        print(f"{'service-wide report after 200 reviews changed':<48} p50 {p50:8.1f} ms   "
              f"p95 {p95:8.1f} ms", flush=True)
        results.append(("service-wide report after 200 reviews changed", p50, p95))
        results.append(timed("one IRO's report", runs,
                             run(lambda: build_report(year, Scope(7, "IRO 7")))))
        results.append(timed("annual report pack (figures and quotes)", runs, run(
            lambda: (build_report(year, Scope(label="the whole service")),
                     consented_quotes(year)))))
        results.append(timed("export: all tables, suppressed, CSV and JSON", runs, run(
            lambda: (lambda report: (report_csv(report), report_json(report, 5)))(
                suppressed(build_report(year, service), 5)))))
        browser = app.test_client()
        manager_id = db.session.execute(text(
            "SELECT id FROM staff_users WHERE role = 'manager'")).scalar_one()
        with browser.session_transaction() as session:
            from consult.staff.access import SEEN_AT, SIGNED_IN_AT, STAFF_ID, STAFF_VERSION
            session[STAFF_ID] = manager_id
            session[STAFF_VERSION] = 1
            # Signed in now; each page seen keeps the session from going idle.
            session[SIGNED_IN_AT] = session[SEEN_AT] = int(time.time())
        results.append(timed("figures page over HTTP, manager, rendered", runs, lambda: (
            browser.get("/staff/reports/?from=2023-04-01&to=2024-03-31").status_code == 200
            or sys.exit("the figures page failed"))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="consult_bench")
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--iros", type=int, default=1_500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="time an already filled database")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    options = parser.parse_args()

    url = database_url(options.database)
    if not options.reuse:
        print(f"Creating {options.database} and filling it ({options.children} children)...")
        create_database(options.database)
        app = make_app(url, migrate=True)
        engine = create_engine(url)
        with engine.begin() as connection:
            fill(connection, options.children, options.iros, app.extensions[CIPHER])
        build_rollup(make_app(url, migrate=False))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        for table, number in counts(connection).items():
            print(f"  {table:<18} {number:>10,}")
    engine.dispose()
    time_reports(make_app(url, migrate=False), options.runs)
    print(f"\nLoad average after: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    if options.drop:
        drop_database(options.database)


if __name__ == "__main__":
    main()
