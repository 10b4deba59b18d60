"""One sent_at: the time a form was sent is kept on the invitation only.

Revision ID: 21e0a5e7c0d3
Revises: 20d1e5c0a7b1
Create Date: 2026-12-03 13:40:00.000000

The time was stored three times: invitations.submitted_at (set by the claim that lets one
send through, and counted by the figures), responses.submitted_at (read by the staff
pages) and paper_responses.typed_in_at; all three were written with the same value in the
same transaction. invitations.submitted_at becomes invitations.sent_at, the one every
reader uses; an invitation with a response but no time of its own first takes the
response's (or the paper record's), so no sent form is lost. responses.started_at was
written and never read. All three go.

The triggers that mark the days whose answer figures changed name the column, so they are
made again with the new name. No table with figures triggers is rebuilt (SQLite would drop
their triggers with the old table): columns are renamed and dropped in place.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '21e0a5e7c0d3'
down_revision = '20d1e5c0a7b1'
branch_labels = None
depends_on = None

# table -> (the columns whose change alters the answers counted, the days to mark for {row});
# {sent} is the invitations' column holding when a form was sent (as in 5e2b8c41d7a9).
ANSWER_DAYS = {
    'invitations': (['{sent}', 'role'],
                    'SELECT {day} WHERE {row}.{sent} IS NOT NULL'),
    'responses': (['invitation_id', 'questionnaire_key'],
                  'SELECT {day} FROM invitations i WHERE i.id = {row}.invitation_id '
                  'AND i.{sent} IS NOT NULL'),
    'answers': (['response_id', 'question_key', 'value'],
                'SELECT {day} FROM responses r JOIN invitations i ON i.id = r.invitation_id '
                'WHERE r.id = {row}.response_id AND i.{sent} IS NOT NULL'),
}
EVENTS = ('insert', 'update', 'delete')


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def _utc_day(timestamp):
    if _postgresql():
        return f"CAST({timestamp} AT TIME ZONE 'UTC' AS date)"
    return f'date({timestamp})'


def _day(table, row, sent):
    return _utc_day(f'{row}.{sent}' if table == 'invitations' else f'i.{sent}')


def _drop_answer_day_triggers():
    for table in ANSWER_DAYS:
        if _postgresql():
            op.execute(f'DROP TRIGGER answer_figures_mark ON {table}')
            op.execute(f'DROP FUNCTION answer_figures_mark_{table}()')
        else:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER answer_figures_mark_{table}_{event}')


def _create_answer_day_triggers(sent):
    for table, (columns, select) in ANSWER_DAYS.items():
        columns = [column.format(sent=sent) for column in columns]

        def marks(row, table=table, select=select):
            return (select.format(day=_day(table, row, sent), row=row, sent=sent))

        if _postgresql():
            unchanged = ' AND '.join(f'OLD.{column} IS NOT DISTINCT FROM NEW.{column}'
                                     for column in columns)
            insert = 'INSERT INTO answer_figures_stale (sent_on) {} ON CONFLICT DO NOTHING'
            op.execute(f"""
                CREATE FUNCTION answer_figures_mark_{table}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND {unchanged} THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP <> 'INSERT' THEN {insert.format(marks('OLD'))}; END IF;
                    IF TG_OP <> 'DELETE' THEN {insert.format(marks('NEW'))}; END IF;
                    RETURN NULL;
                END $$""")
            op.execute(f"""
                CREATE TRIGGER answer_figures_mark AFTER INSERT OR UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION answer_figures_mark_{table}()""")
            continue
        changed = ' OR '.join(f'OLD.{column} IS NOT NEW.{column}' for column in columns)
        for event, rows, when in (('insert', ('NEW',), ''), ('delete', ('OLD',), ''),
                                  ('update', ('OLD', 'NEW'), f'WHEN {changed}')):
            body = ' '.join(f'INSERT OR IGNORE INTO answer_figures_stale (sent_on) {marks(row)};'
                            for row in rows)
            op.execute(f"""
                CREATE TRIGGER answer_figures_mark_{table}_{event} AFTER {event.upper()} ON {table}
                {when} BEGIN {body} END""")


def _rename_sent_column(old, new):
    op.execute(f'ALTER TABLE invitations RENAME COLUMN {old} TO {new}')
    if _postgresql():
        op.execute(f'ALTER INDEX ix_invitations_{old} RENAME TO ix_invitations_{new}')
        op.execute(f'ALTER INDEX ix_invitations_feedback_{old} '
                   f'RENAME TO ix_invitations_feedback_{new}')
        return
    # SQLite cannot rename an index: it is made again, on the column's new name.
    op.execute(f'DROP INDEX ix_invitations_{old}')
    op.execute(f'DROP INDEX ix_invitations_feedback_{old}')
    op.create_index(f'ix_invitations_{new}', 'invitations', [new], unique=False)
    op.create_index(f'ix_invitations_feedback_{new}', 'invitations', [new], unique=False,
                    sqlite_where=sa.text("purpose = 'feedback'"))


def upgrade():
    # A response whose invitation holds no time (never written so by the app, but possible in
    # data typed in by hand): the invitation takes the response's time, so it stays sent.
    op.execute(
        "UPDATE invitations SET submitted_at = ("
        " SELECT COALESCE(r.submitted_at, p.typed_in_at) FROM responses r"
        " LEFT JOIN paper_responses p ON p.response_id = r.id"
        " WHERE r.invitation_id = invitations.id) "
        "WHERE submitted_at IS NULL AND EXISTS ("
        " SELECT 1 FROM responses r LEFT JOIN paper_responses p ON p.response_id = r.id"
        " WHERE r.invitation_id = invitations.id"
        " AND COALESCE(r.submitted_at, p.typed_in_at) IS NOT NULL)")
    _drop_answer_day_triggers()
    _rename_sent_column('submitted_at', 'sent_at')
    _create_answer_day_triggers('sent_at')
    for table, column in (('responses', 'started_at'), ('responses', 'submitted_at'),
                          ('paper_responses', 'typed_in_at')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def downgrade():
    timestamp = 'TIMESTAMP WITH TIME ZONE' if _postgresql() else 'DATETIME'
    # SQLite adds a NOT NULL column only with a constant default; every row gets its value
    # just below, and the app always gives one.
    started_default = 'now()' if _postgresql() else "'1970-01-01 00:00:00'"
    op.execute(f'ALTER TABLE responses ADD COLUMN started_at {timestamp} NOT NULL '
               f'DEFAULT {started_default}')
    op.execute(f'ALTER TABLE responses ADD COLUMN submitted_at {timestamp}')
    op.execute(f'ALTER TABLE paper_responses ADD COLUMN typed_in_at {timestamp}')
    sent = 'SELECT i.sent_at FROM invitations i WHERE i.id = responses.invitation_id'
    op.execute(f'UPDATE responses SET submitted_at = ({sent}), '
               f'started_at = COALESCE(({sent}), started_at)')
    op.execute('UPDATE paper_responses SET typed_in_at = ('
               'SELECT COALESCE(i.sent_at, r.started_at) FROM responses r '
               'JOIN invitations i ON i.id = r.invitation_id '
               'WHERE r.id = paper_responses.response_id)')
    # paper_responses has no triggers and nothing refers to it: rebuilt on SQLite safely.
    with op.batch_alter_table('paper_responses', schema=None) as batch_op:
        batch_op.alter_column('typed_in_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
    _drop_answer_day_triggers()
    _rename_sent_column('sent_at', 'submitted_at')
    _create_answer_day_triggers('submitted_at')
