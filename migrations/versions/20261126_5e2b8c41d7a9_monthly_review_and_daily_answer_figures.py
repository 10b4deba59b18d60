"""Monthly (and daily) sums of the review figures, kept by triggers on review_figures; structured answers
counted per day sent, kept fresh by marking the days that changed, and their monthly sums.

Revision ID: 5e2b8c41d7a9
Revises: 5e0a7c3d1b92
Create Date: 2026-11-25 21:00:00.000000

A year of the whole service then reads a few thousand rows instead of one per review and
one per answer. `review_figures` is written only when the reports bring it up to date, so
its triggers add each new row to the month's sums and take each deleted row away (a review
erased cascades to its row, and so out of the sums). Triggers on invitations, responses and
answers put the day a form was sent into `answer_figures_stale` whenever what is counted of
it may have changed; the reports count those days again before they read, and triggers on
`answer_figures` keep `answer_figures_monthly` as those rows change. An index on the time
help requests were made, which the figures count by period, and one on the day feedback
forms were sent, where the annual pack finds its quotes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e2b8c41d7a9'
down_revision = '5e0a7c3d1b92'
branch_labels = None
depends_on = None

VIEWS_ROLES = ['child', 'foster_carer', 'parent_or_family']
VIEWS_GIVEN = ['online', 'paper', 'verbal', 'advocate']
PARTICIPATION_CODES = ['PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7']
ATTENDANCE = ['att_child', 'att_foster_carer', 'att_parent_or_family',
              'att_supervising_social_worker', 'att_partner_agency']

# measure -> what one review_figures row {r} adds to it
REVIEW_MEASURES = {
    'held': '1',
    'in_time': '{r}.in_time',
    **{name: '{r}.' + name for name in ATTENDANCE},
    **{f'views_{role}_{channel}': f"CASE WHEN {{r}}.views_{role} = '{channel}' THEN 1 ELSE 0 END"
       for role in VIEWS_ROLES for channel in VIEWS_GIVEN},
    **{f'pn_{code.lower()}': f"CASE WHEN {{r}}.participation_code = '{code}' THEN 1 ELSE 0 END"
       for code in PARTICIPATION_CODES},
    'pn_none': 'CASE WHEN {r}.participation_code IS NULL THEN 1 ELSE 0 END',
}
ANSWER_KEYS = ['audience', 'questionnaire_key', 'kind', 'question_key', 'value']
# table of sums -> (the table it sums, its day column, the columns it is summed by besides
# the month (or the day, for review_figures_daily), the measures)
MONTHLY = {
    'review_figures_monthly': ('review_figures', 'held_on',
                               ['review_type', 'age_band', 'language'], REVIEW_MEASURES),
    'review_figures_daily': ('review_figures', 'held_on',
                             ['review_type', 'age_band', 'language'], REVIEW_MEASURES),
    'review_figures_iro_monthly': ('review_figures', 'held_on', ['iro_id'], REVIEW_MEASURES),
    'answer_figures_monthly': ('answer_figures', 'sent_on', ANSWER_KEYS, {'forms': '{r}.forms'}),
}
SUMMED = ['review_figures', 'answer_figures']
# table -> (the columns whose change alters the answers counted, the days to mark for {row})
ANSWER_DAYS = {
    'invitations': (['submitted_at', 'role'],
                    'SELECT {day} WHERE {row}.submitted_at IS NOT NULL'),
    'responses': (['invitation_id', 'questionnaire_key'],
                  'SELECT {day} FROM invitations i WHERE i.id = {row}.invitation_id '
                  'AND i.submitted_at IS NOT NULL'),
    'answers': (['response_id', 'question_key', 'value'],
                'SELECT {day} FROM responses r JOIN invitations i ON i.id = r.invitation_id '
                'WHERE r.id = {row}.response_id AND i.submitted_at IS NOT NULL'),
}


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def _period(table, day):
    """The first column of `table`'s key: the day itself, or the first day of its month."""
    if table == 'review_figures_daily':
        return day
    if _postgresql():
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def _utc_day(timestamp):
    if _postgresql():
        return f"CAST({timestamp} AT TIME ZONE 'UTC' AS date)"
    return f'date({timestamp})'


def _sums_from(table, rows, sign, aggregate):
    """INSERT ... SELECT of what `rows` add (sign 1) to or take from (sign -1) `table`."""
    _source, day, keys, measures = MONTHLY[table]
    if aggregate:
        values = [f'{sign} * sum({expression.format(r="r")})' for expression in measures.values()]
        source = f"FROM {rows} r GROUP BY {', '.join(str(n) for n in range(1, len(keys) + 2))}"
    else:
        values = [f'{sign} * ({expression.format(r=rows)})' for expression in measures.values()]
        source = 'WHERE true'  # SQLite needs a WHERE before ON CONFLICT
    row = 'r' if aggregate else rows
    return (f"INSERT INTO {table} ({_first_key(table)}, {', '.join(keys)}, "
            f"{', '.join(measures)}) "
            f"SELECT {_period(table, f'{row}.{day}')}, "
            f"{', '.join(f'{row}.{key}' for key in keys)}, {', '.join(values)} {source}")


def _first_key(table):
    return 'held_on' if table == 'review_figures_daily' else 'month'


def _upsert(table, rows, sign, aggregate):
    _source, _day, keys, measures = MONTHLY[table]
    return (_sums_from(table, rows, sign, aggregate)
            + f" ON CONFLICT ({_first_key(table)}, {', '.join(keys)}) DO UPDATE SET "
            + ', '.join(f'{name} = {table}.{name} + excluded.{name}' for name in measures))


def _monthly_of(source):
    return [table for table, (summed, *_rest) in MONTHLY.items() if summed == source]


def _postgresql_triggers():
    for source in SUMMED:
        body = []
        for table in _monthly_of(source):
            body.append(f"IF TG_OP <> 'INSERT' THEN {_upsert(table, 'old_rows', -1, True)}; END IF;")
            body.append(f"IF TG_OP <> 'DELETE' THEN {_upsert(table, 'new_rows', 1, True)}; END IF;")
        op.execute(f"""
            CREATE FUNCTION {source}_sum() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {' '.join(body)} RETURN NULL; END $$""")
        for event, transition in (('INSERT', 'NEW TABLE AS new_rows'),
                                  ('DELETE', 'OLD TABLE AS old_rows'),
                                  ('UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows')):
            op.execute(f"""
                CREATE TRIGGER {source}_sum_{event.lower()} AFTER {event} ON {source}
                REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {source}_sum()""")

    for table, (columns, select) in ANSWER_DAYS.items():
        unchanged = ' AND '.join(f'OLD.{column} IS NOT DISTINCT FROM NEW.{column}'
                                 for column in columns)
        day = _utc_day('{row}.submitted_at' if table == 'invitations' else 'i.submitted_at')
        marks = {row: f"INSERT INTO answer_figures_stale (sent_on) "
                      f"{select.format(day=day.format(row=row), row=row)} ON CONFLICT DO NOTHING"
                 for row in ('OLD', 'NEW')}
        op.execute(f"""
            CREATE FUNCTION answer_figures_mark_{table}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND {unchanged} THEN
                    RETURN NULL;
                END IF;
                IF TG_OP <> 'INSERT' THEN {marks['OLD']}; END IF;
                IF TG_OP <> 'DELETE' THEN {marks['NEW']}; END IF;
                RETURN NULL;
            END $$""")
        op.execute(f"""
            CREATE TRIGGER answer_figures_mark AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION answer_figures_mark_{table}()""")


def _sqlite_triggers():
    for source in SUMMED:
        for event, changes in (('insert', (('NEW', 1),)), ('delete', (('OLD', -1),)),
                               ('update', (('OLD', -1), ('NEW', 1)))):
            body = ' '.join(f'{_upsert(table, row, sign, False)};'
                            for row, sign in changes for table in _monthly_of(source))
            op.execute(f"""
                CREATE TRIGGER {source}_sum_{event} AFTER {event.upper()} ON {source}
                BEGIN {body} END""")

    for table, (columns, select) in ANSWER_DAYS.items():
        changed = ' OR '.join(f'OLD.{column} IS NOT NEW.{column}' for column in columns)
        for event, rows, when in (('insert', ('NEW',), ''), ('delete', ('OLD',), ''),
                                  ('update', ('OLD', 'NEW'), f'WHEN {changed}')):
            body = ' '.join(
                'INSERT OR IGNORE INTO answer_figures_stale (sent_on) '
                + select.format(day=_utc_day(f'{row}.submitted_at' if table == 'invitations'
                                             else 'i.submitted_at'), row=row) + ';'
                for row in rows)
            op.execute(f"""
                CREATE TRIGGER answer_figures_mark_{table}_{event} AFTER {event.upper()} ON {table}
                {when} BEGIN {body} END""")


def _measure_columns():
    return [sa.Column(name, sa.Integer(), nullable=False) for name in REVIEW_MEASURES]


def upgrade():
    op.create_table('answer_figures',
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('questionnaire_key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('forms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sent_on', 'audience', 'questionnaire_key', 'kind', 'question_key', 'value', name=op.f('pk_answer_figures'))
    )
    op.create_table('answer_figures_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('questionnaire_key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('forms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'audience', 'questionnaire_key', 'kind', 'question_key', 'value', name=op.f('pk_answer_figures_monthly'))
    )
    op.create_table('answer_figures_stale',
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('sent_on', name=op.f('pk_answer_figures_stale'))
    )
    op.create_table('review_figures_iro_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('iro_id', sa.Integer(), autoincrement=False, nullable=False),
    *_measure_columns(),
    sa.PrimaryKeyConstraint('month', 'iro_id', name=op.f('pk_review_figures_iro_monthly'))
    )
    op.create_table('review_figures_daily',
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('review_type', sa.String(length=12), nullable=False),
    sa.Column('age_band', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    *_measure_columns(),
    sa.PrimaryKeyConstraint('held_on', 'review_type', 'age_band', 'language', name=op.f('pk_review_figures_daily'))
    )
    op.create_table('review_figures_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('review_type', sa.String(length=12), nullable=False),
    sa.Column('age_band', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    *_measure_columns(),
    sa.PrimaryKeyConstraint('month', 'review_type', 'age_band', 'language', name=op.f('pk_review_figures_monthly'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_created_at', ['created_at'], unique=False)
    op.create_index('ix_invitations_feedback_submitted_at', 'invitations', ['submitted_at'],
                    unique=False, postgresql_where=sa.text("purpose = 'feedback'"),
                    sqlite_where=sa.text("purpose = 'feedback'"))

    # The sums of the rows review_figures already holds; the triggers keep them from here.
    for table in _monthly_of('review_figures'):
        op.execute(_sums_from(table, 'review_figures', 1, True))
    if _postgresql():
        _postgresql_triggers()
    else:
        _sqlite_triggers()
    # Forms sent before this revision are counted when a report first asks.
    op.execute(f"INSERT INTO answer_figures_stale (sent_on) "
               f"SELECT DISTINCT {_utc_day('i.submitted_at')} FROM invitations i "
               f"JOIN responses r ON r.invitation_id = i.id WHERE i.submitted_at IS NOT NULL")


def downgrade():
    if _postgresql():
        for source in SUMMED:
            for event in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER {source}_sum_{event} ON {source}')
            op.execute(f'DROP FUNCTION {source}_sum()')
        for table in ANSWER_DAYS:
            op.execute(f'DROP TRIGGER answer_figures_mark ON {table}')
            op.execute(f'DROP FUNCTION answer_figures_mark_{table}()')
    else:
        for event in ('insert', 'delete', 'update'):
            for source in SUMMED:
                op.execute(f'DROP TRIGGER IF EXISTS {source}_sum_{event}')
            for table in ANSWER_DAYS:
                op.execute(f'DROP TRIGGER IF EXISTS answer_figures_mark_{table}_{event}')
    op.drop_index('ix_invitations_feedback_submitted_at', table_name='invitations')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_created_at')

    op.drop_table('review_figures_monthly')
    op.drop_table('review_figures_daily')
    op.drop_table('review_figures_iro_monthly')
    op.drop_table('answer_figures_stale')
    op.drop_table('answer_figures_monthly')
    op.drop_table('answer_figures')
