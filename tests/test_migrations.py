"""The migrations build exactly the models' schema, and every revision can be undone."""

from __future__ import annotations

from collections import Counter

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from consult.config import PROJECT_ROOT
from consult.extensions import db
from tests.conftest import empty_database, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path_factory):
    with empty_database(request.param, tmp_path_factory) as url:
        app = make_app(url)
        with app.app_context():
            yield app
            db.engine.dispose()


def _schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_on_an_empty_database_gives_exactly_the_models_schema(empty_app):
    upgrade()

    assert _schema_differences() == []


def test_every_revision_downgrades_to_an_empty_database(empty_app):
    upgrade()
    revisions = list(ScriptDirectory(str(PROJECT_ROOT / "migrations")).walk_revisions())

    for _revision in revisions:
        downgrade(revision="-1")

    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _schema_differences() == []


def test_a_development_app_brings_an_empty_sqlite_database_to_the_latest_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"

    app = make_app(url, CONSULT_ENV="development", AUTO_MIGRATE="")

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"staff_users", "children", "reviews", "invitations", "responses", "answers",
            "free_text_answers", "audit_events", "alembic_version"} <= tables


def test_the_comparison_notices_a_schema_that_differs(empty_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_answers_question_key_value")

    assert [difference[0] for difference in _schema_differences()] == ["add_index"]


def test_the_figures_rollup_triggers_survive_every_revision(empty_app):
    # SQLite drops a table's triggers when a later batch migration rebuilds the table; the
    # participation figures would silently go stale, so their triggers are checked at head.
    upgrade()
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:  # one row per trigger and event
            rows = connection.exec_driver_sql(
                "SELECT trigger_name, event_object_table FROM information_schema.triggers")
        found = Counter(f"{name.split('_')[0]}_{table}" for name, table in rows
                        if name.startswith(("review_figures_", "answer_figures_")))
    # review: insert, update, delete on five tables, update on children; answer days on
    # three tables, three events; review_figures and answer_figures summed (by month, by day) on
    # insert, update and delete.
    assert found == Counter({
        **{f"review_{table}": 3 for table in (
            "reviews", "review_attendance", "review_views", "invitations", "responses")},
        "review_children": 1,
        **{f"answer_{table}": 3 for table in ("invitations", "responses", "answers")},
        "review_review_figures": 3,
        "answer_answer_figures": 3,
    })


def test_periods_of_care_start_as_one_period_per_child(empty_app):
    upgrade(revision="5e2b8c41d7a9")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO staff_users (id, email, name, role, active, created_at) VALUES "
            "(1, 'iro@example.org', 'An IRO', 'iro', true, CURRENT_TIMESTAMP)")
        connection.exec_driver_sql(
            "INSERT INTO children (id, case_ref, preferred_name, date_of_birth, "
            "preferred_language, looked_after_since, ceased_on, unaccompanied_asylum_seeking, "
            "iro_id, created_at) VALUES "
            "(1, 'A1', 'Ann', '2010-01-01', 'en_GB', '2020-02-03', NULL, false, 1, "
            "CURRENT_TIMESTAMP), "
            "(2, 'B2', 'Bo', '2012-05-06', 'en_GB', '2019-07-08', '2021-09-10', false, 1, "
            "CURRENT_TIMESTAMP)")

    upgrade()

    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT child_id, started_on, ended_on, end_reason, short_breaks_only "
            "FROM care_periods ORDER BY child_id").all()
    assert [(row[0], str(row[1]), row[2] and str(row[2]), row[3], bool(row[4]))
            for row in rows] == [(1, "2020-02-03", None, None, False),
                                 (2, "2019-07-08", "2021-09-10", "closed", False)]


def test_staff_accounts_keep_everything_and_start_with_no_work_contact(empty_app):
    upgrade(revision="c0c3e1a6f00d")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO staff_users (id, email, name, role, active, created_at) VALUES "
            "(1, 'iro@example.org', 'An IRO', 'iro', true, CURRENT_TIMESTAMP)")

    upgrade(revision="17a0c1d5e0f2")

    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, email, name, role, work_phone, work_email FROM staff_users").all()
        clips = connection.exec_driver_sql("SELECT count(*) FROM voice_clips").scalar()
    assert [tuple(row) for row in rows] == [(1, "iro@example.org", "An IRO", "iro", None, None)]
    assert clips == 0

    downgrade(revision="c0c3e1a6f00d")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT email FROM staff_users").all() == [
            ("iro@example.org",)]
    assert "voice_clips" not in inspect(db.engine).get_table_names()


def test_meeting_records_carry_over_to_views_by_several_channels(empty_app):
    # Revision 20d1e5c0a7b1: review_views keys on (review, role, channel); every row of before
    # is one role's one channel and stays as it was; review_figures is made again by channel
    # and every held review is marked for the reports to work out again.
    upgrade(revision="c0c3e1a6f00d")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO staff_users (id, email, name, role, active, created_at) VALUES "
            "(1, 'iro@example.org', 'An IRO', 'iro', true, CURRENT_TIMESTAMP)")
        connection.exec_driver_sql(
            "INSERT INTO children (id, case_ref, preferred_name, date_of_birth, "
            "preferred_language, looked_after_since, ceased_on, unaccompanied_asylum_seeking, "
            "iro_id, created_at) VALUES (1, 'A1', 'Ann', '2010-01-01', 'en_GB', '2020-02-03', "
            "NULL, false, 1, CURRENT_TIMESTAMP)")
        connection.exec_driver_sql(
            "INSERT INTO reviews (id, child_id, review_type, due_on, held_on, status, chair_id, "
            "participation_code, record_source, created_at) VALUES "
            "(1, 1, 'initial', '2020-03-02', '2020-03-01', 'held', 1, 'PN1', 'staff', "
            "CURRENT_TIMESTAMP), "
            "(2, 1, 'second', '2020-06-01', NULL, 'scheduled', NULL, NULL, NULL, "
            "CURRENT_TIMESTAMP)")
        connection.exec_driver_sql(
            "INSERT INTO review_attendance (review_id, role) VALUES (1, 'child'), "
            "(1, 'supervising_social_worker')")
        connection.exec_driver_sql(
            "INSERT INTO review_views (review_id, role, channel) VALUES (1, 'child', 'paper'), "
            "(1, 'foster_carer', 'verbal'), (1, 'parent_or_family', 'none')")
        connection.exec_driver_sql("DELETE FROM review_figures_stale")

    upgrade()

    with db.engine.begin() as connection:
        views = connection.exec_driver_sql(
            "SELECT review_id, role, channel FROM review_views ORDER BY role, channel").all()
        attendance = connection.exec_driver_sql(
            "SELECT role FROM review_attendance ORDER BY role").all()
        stale = connection.exec_driver_sql("SELECT review_id FROM review_figures_stale").all()
        # A second channel for a role, and the new attendees, are accepted now.
        connection.exec_driver_sql(
            "INSERT INTO review_views (review_id, role, channel) VALUES (1, 'child', 'verbal')")
        connection.exec_driver_sql(
            "INSERT INTO review_attendance (review_id, role) VALUES (1, 'advocate'), "
            "(1, 'interpreter'), (1, 'social_worker')")
    assert [tuple(row) for row in views] == [
        (1, "child", "paper"), (1, "foster_carer", "verbal"), (1, "parent_or_family", "none")]
    assert [row[0] for row in attendance] == ["child", "supervising_social_worker"]
    assert [row[0] for row in stale] == [1]  # the held review, not the scheduled one

    from consult.figures.rollups import refresh_figures

    refresh_figures()
    with db.engine.connect() as connection:
        flags = connection.exec_driver_sql(
            "SELECT views_child_paper, views_child_verbal, views_child_online, "
            "views_foster_carer_verbal, views_parent_or_family_online, att_child, "
            "att_supervising_social_worker, att_advocate, att_interpreter, att_social_worker "
            "FROM review_figures WHERE review_id = 1").one()
        month = connection.exec_driver_sql(
            "SELECT held, views_child_paper, views_child_verbal, views_child_any, att_advocate "
            "FROM review_figures_monthly").one()
    assert tuple(flags) == (1, 1, 0, 1, 0, 1, 1, 1, 1, 1)
    assert tuple(month) == (1, 1, 1, 1, 1)  # the child's views by two channels, once by any


def _rows(sql):
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql).all()]


def _day_of(value) -> str:
    return str(value)[:10]


def test_the_time_a_form_was_sent_moves_to_the_invitation_alone(empty_app):
    upgrade(revision="c0c3e1a6f00d")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO staff_users (id, email, name, role, active, created_at) VALUES "
            "(1, 'iro@example.org', 'An IRO', 'iro', true, CURRENT_TIMESTAMP)")
        run("INSERT INTO children (id, case_ref, preferred_name, date_of_birth, "
            "preferred_language, looked_after_since, ceased_on, unaccompanied_asylum_seeking, "
            "iro_id, created_at) VALUES (1, 'A1', 'Ann', '2010-01-01', 'en_GB', '2020-02-03', "
            "NULL, false, 1, CURRENT_TIMESTAMP)")
        run("INSERT INTO reviews (id, child_id, review_type, due_on, status, created_at) "
            "VALUES (1, 1, 'initial', '2020-03-02', 'scheduled', CURRENT_TIMESTAMP)")
        # 1: sent online; 2: typed in from paper; 3: a response whose invitation holds no
        # time (typed into the database by hand); 4: not sent.
        for number, sent in ((1, "'2020-02-20 09:00:00'"), (2, "'2020-02-21 10:00:00'"),
                             (3, "NULL"), (4, "NULL")):
            run("INSERT INTO invitations (id, review_id, role, purpose, invitee_name, language, "
                "token_hash, expires_at, submitted_at, created_at) VALUES "
                f"({number}, 1, 'foster_carer', 'views', 'Pat', 'en_GB', 'hash{number}', "
                f"'2020-04-01 00:00:00', {sent}, CURRENT_TIMESTAMP)")
        for number, submitted in ((1, "'2020-02-20 09:00:00'"), (2, "'2020-02-21 10:00:00'"),
                                  (3, "'2020-02-22 11:00:00'")):
            run("INSERT INTO responses (id, invitation_id, questionnaire_key, "
                "questionnaire_version, language, started_at, submitted_at) VALUES "
                f"({number}, {number}, 'foster_carer', 1, 'en_GB', '2020-02-19 08:00:00', "
                f"{submitted})")
            run(f"INSERT INTO answers (response_id, question_key, value) VALUES "
                f"({number}, 'placement_feeling', 'happy')")
        run("INSERT INTO paper_responses (response_id, typed_in_by_id, typed_in_at) VALUES "
            "(2, 1, '2020-02-21 10:00:00')")
        run("DELETE FROM answer_figures_stale")

    upgrade()

    assert [(number, sent and _day_of(sent)) for number, sent in _rows(
        "SELECT id, sent_at FROM invitations ORDER BY id")] == [
        (1, "2020-02-20"), (2, "2020-02-21"), (3, "2020-02-22"), (4, None)]
    columns = {table: {column["name"] for column in inspect(db.engine).get_columns(table)}
               for table in ("invitations", "responses", "paper_responses")}
    assert "submitted_at" not in columns["invitations"]
    assert not {"started_at", "submitted_at"} & columns["responses"]
    assert "typed_in_at" not in columns["paper_responses"]
    # The day the third form now counts on was marked for the answer figures to count again,
    # and the remade triggers mark days by the new column.
    assert [_day_of(day) for (day,) in _rows("SELECT sent_on FROM answer_figures_stale")] == [
        "2020-02-22"]
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM answer_figures_stale")
        connection.exec_driver_sql(
            "UPDATE invitations SET sent_at = '2020-02-25 12:00:00' WHERE id = 4")
        connection.exec_driver_sql(
            "INSERT INTO answers (response_id, question_key, value) VALUES "
            "(1, 'placement_feeling', 'okay')")
    assert sorted(_day_of(day) for (day,) in _rows("SELECT sent_on FROM answer_figures_stale")
                  ) == ["2020-02-20", "2020-02-25"]

    downgrade(revision="c0c3e1a6f00d")

    assert [(number, _day_of(submitted)) for number, submitted in _rows(
        "SELECT invitation_id, submitted_at FROM responses ORDER BY id")] == [
        (1, "2020-02-20"), (2, "2020-02-21"), (3, "2020-02-22")]
    assert [_day_of(typed) for (typed,) in _rows("SELECT typed_in_at FROM paper_responses")
            ] == ["2020-02-21"]
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM answer_figures_stale")
        connection.exec_driver_sql(
            "UPDATE invitations SET submitted_at = '2020-02-26 12:00:00' WHERE id = 4")
    # Moved from one day to another: both days are counted again.
    assert sorted(_day_of(day) for (day,) in _rows("SELECT sent_on FROM answer_figures_stale")
                  ) == ["2020-02-25", "2020-02-26"]
