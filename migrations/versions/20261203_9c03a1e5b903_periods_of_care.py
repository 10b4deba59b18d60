"""Periods of care; who wrote a held review's meeting record; reviews whose attendance and
views are not recorded, counted in the figures.

Revision ID: 9c03a1e5b903
Revises: b22a5e7a11c0
Create Date: 2026-12-03 10:40:00.000000

care_periods holds each period a child was looked after; today's data moves to one period
per child, from its looked_after_since and ceased_on. reviews gains record_source (staff or
import; left empty for records kept before, which an import treats as the IRO's own). The
reviews table carries figures triggers, so it is altered in place, never rebuilt (SQLite
would drop its triggers with the old table).

review_figures and its monthly and daily sums gain `unrecorded`: a held review whose
meeting record was imported with neither attendance nor views (the 903 return holds
only the date and PN code). The triggers that keep the sums are made again with it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c03a1e5b903'
down_revision = 'b22a5e7a11c0'
branch_labels = None
depends_on = None


VIEWS_ROLES = ['child', 'foster_carer', 'parent_or_family']
VIEWS_GIVEN = ['online', 'paper', 'verbal', 'advocate']
PARTICIPATION_CODES = ['PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7']
ATTENDANCE = ['att_child', 'att_foster_carer', 'att_parent_or_family',
              'att_supervising_social_worker', 'att_partner_agency']
# measure -> what one review_figures row {r} adds to it (as in revision 5e2b8c41d7a9)
BEFORE = {
    'held': '1',
    'in_time': '{r}.in_time',
    **{name: '{r}.' + name for name in ATTENDANCE},
    **{f'views_{role}_{channel}': f"CASE WHEN {{r}}.views_{role} = '{channel}' THEN 1 ELSE 0 END"
       for role in VIEWS_ROLES for channel in VIEWS_GIVEN},
    **{f'pn_{code.lower()}': f"CASE WHEN {{r}}.participation_code = '{code}' THEN 1 ELSE 0 END"
       for code in PARTICIPATION_CODES},
    'pn_none': 'CASE WHEN {r}.participation_code IS NULL THEN 1 ELSE 0 END',
}
AFTER = {**BEFORE, 'unrecorded': '{r}.unrecorded'}
# table of sums -> the columns it is summed by besides the month (or the day)
SUMS = {
    'review_figures_monthly': ['review_type', 'age_band', 'language'],
    'review_figures_daily': ['review_type', 'age_band', 'language'],
    'review_figures_iro_monthly': ['iro_id'],
}


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def _first(table, day):
    if table == 'review_figures_daily':
        return 'held_on', day
    if _postgresql():
        return 'month', f"CAST(date_trunc('month', {day}) AS date)"
    return 'month', f"date({day}, 'start of month')"


def _upsert(table, measures, rows, sign, aggregate):
    """Add what `rows` of review_figures add (sign 1) to, or take away (-1) from, `table`."""
    keys = SUMS[table]
    row = 'r' if aggregate else rows
    first, period = _first(table, f'{row}.held_on')
    if aggregate:
        values = [f'{sign} * sum({expression.format(r="r")})' for expression in measures.values()]
        source = f"FROM {rows} r GROUP BY {', '.join(str(n) for n in range(1, len(keys) + 2))}"
    else:
        values = [f'{sign} * ({expression.format(r=rows)})' for expression in measures.values()]
        source = 'WHERE true'  # SQLite needs a WHERE before ON CONFLICT
    return (f"INSERT INTO {table} ({first}, {', '.join(keys)}, {', '.join(measures)}) "
            f"SELECT {period}, {', '.join(f'{row}.{key}' for key in keys)}, "
            f"{', '.join(values)} {source} ON CONFLICT ({first}, {', '.join(keys)}) DO UPDATE SET "
            + ', '.join(f'{name} = {table}.{name} + excluded.{name}' for name in measures))


def _drop_sum_triggers():
    for event in ('insert', 'delete', 'update'):
        if _postgresql():
            op.execute(f'DROP TRIGGER review_figures_sum_{event} ON review_figures')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS review_figures_sum_{event}')
    if _postgresql():
        op.execute('DROP FUNCTION review_figures_sum()')


def _create_sum_triggers(measures):
    if _postgresql():
        body = []
        for table in SUMS:
            body.append(f"IF TG_OP <> 'INSERT' THEN "
                        f"{_upsert(table, measures, 'old_rows', -1, True)}; END IF;")
            body.append(f"IF TG_OP <> 'DELETE' THEN "
                        f"{_upsert(table, measures, 'new_rows', 1, True)}; END IF;")
        op.execute(f"""
            CREATE FUNCTION review_figures_sum() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {' '.join(body)} RETURN NULL; END $$""")
        for event, transition in (('INSERT', 'NEW TABLE AS new_rows'),
                                  ('DELETE', 'OLD TABLE AS old_rows'),
                                  ('UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows')):
            op.execute(f"""
                CREATE TRIGGER review_figures_sum_{event.lower()} AFTER {event} ON review_figures
                REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION review_figures_sum()""")
        return
    for event, changes in (('insert', (('NEW', 1),)), ('delete', (('OLD', -1),)),
                           ('update', (('OLD', -1), ('NEW', 1)))):
        body = ' '.join(f'{_upsert(table, measures, row, sign, False)};'
                        for row, sign in changes for table in SUMS)
        op.execute(f"""
            CREATE TRIGGER review_figures_sum_{event} AFTER {event.upper()} ON review_figures
            BEGIN {body} END""")


def upgrade():
    op.create_table('care_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=8), nullable=True),
    sa.Column('short_breaks_only', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_care_periods_child_id_children'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_periods')),
    sa.UniqueConstraint('child_id', 'started_on', name=op.f('uq_care_periods_child_id_started_on'))
    )
    with op.batch_alter_table('care_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_periods_child_id'), ['child_id'], unique=False)
    # A record closed by hand ended for a reason staff did not give: "closed".
    op.execute(
        "INSERT INTO care_periods (child_id, started_on, ended_on, end_reason, short_breaks_only) "
        "SELECT id, looked_after_since, ceased_on, "
        "CASE WHEN ceased_on IS NULL THEN NULL ELSE 'closed' END, false FROM children")
    op.execute(
        "ALTER TABLE reviews ADD COLUMN record_source VARCHAR(6) "
        "CONSTRAINT ck_reviews_record_source CHECK (record_source IN ('staff', 'import'))")
    # Added in place: review_figures carries the triggers, and the sums are their targets.
    op.execute("ALTER TABLE review_figures ADD COLUMN unrecorded SMALLINT NOT NULL DEFAULT 0")
    for table in SUMS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN unrecorded INTEGER NOT NULL DEFAULT 0")
    _drop_sum_triggers()
    _create_sum_triggers(AFTER)


def downgrade():
    _drop_sum_triggers()
    for table in ('review_figures', *SUMS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN unrecorded")
    _create_sum_triggers(BEFORE)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE reviews DROP CONSTRAINT ck_reviews_record_source")
    op.execute("ALTER TABLE reviews DROP COLUMN record_source")
    with op.batch_alter_table('care_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_periods_child_id'))
    op.drop_table('care_periods')
