"""The meeting record holds the review: views by several channels, the child's social worker,
an advocate and an interpreter among who attended, the decisions and "you said, we did".

Revision ID: 20d1e5c0a7b1
Revises: 17a0c1d5e0f2
Create Date: 2026-12-03 13:45:00.000000

review_views keys on (review, role, channel): each row of today is one role's one channel,
and is carried over as it is. review_attendance accepts three more roles. Both tables carry
figures triggers; SQLite rebuilds them for the new key and CHECK and drops those triggers,
so they are made again.

review_figures holds a flag per role and channel instead of one channel per role, and
three more attendance groups; its sums gain those groups and each role's views by any
channel. review_figures is worked out from the meeting records, so it and its sums are made
again empty, with their triggers, and every held review is marked for the reports to work
out again (as revision 7b1364f06402 did).

review_decisions and review_wish_answers are new; what people wrote there is encrypted.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20d1e5c0a7b1'
down_revision = '17a0c1d5e0f2'
branch_labels = None
depends_on = None

OLD_ATTENDEES = ['child', 'foster_carer', 'parent', 'family_member',
                 'supervising_social_worker', 'partner_agency']
NEW_ATTENDEES = OLD_ATTENDEES + ['social_worker', 'advocate', 'interpreter']
VIEWS_ROLES = ['child', 'foster_carer', 'parent_or_family']
VIEWS_GIVEN = ['online', 'paper', 'verbal', 'advocate']
PARTICIPATION_CODES = ['PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7']
OLD_ATTENDANCE = ['att_child', 'att_foster_carer', 'att_parent_or_family',
                  'att_supervising_social_worker', 'att_partner_agency']
NEW_ATTENDANCE = OLD_ATTENDANCE + ['att_social_worker', 'att_advocate', 'att_interpreter']
FLAGS = [f'views_{role}_{channel}' for role in VIEWS_ROLES for channel in VIEWS_GIVEN]
CODES = {
    **{f'pn_{code.lower()}': f"CASE WHEN {{r}}.participation_code = '{code}' THEN 1 ELSE 0 END"
       for code in PARTICIPATION_CODES},
    'pn_none': 'CASE WHEN {r}.participation_code IS NULL THEN 1 ELSE 0 END',
    'unrecorded': '{r}.unrecorded',
}
# measure -> what one review_figures row {r} adds to it: as in revision 9c03a1e5b903 ...
BEFORE = {
    'held': '1', 'in_time': '{r}.in_time', **{name: '{r}.' + name for name in OLD_ATTENDANCE},
    **{f'views_{role}_{channel}': f"CASE WHEN {{r}}.views_{role} = '{channel}' THEN 1 ELSE 0 END"
       for role in VIEWS_ROLES for channel in VIEWS_GIVEN},
    **CODES,
}
# ... and from here (the models' MONTHLY_MEASURES, in their order).
AFTER = {
    'held': '1', 'in_time': '{r}.in_time', **{name: '{r}.' + name for name in NEW_ATTENDANCE},
    **{name: '{r}.' + name for name in FLAGS},
    **{f'views_{role}_any': 'CASE WHEN ' + ' + '.join(
        f'{{r}}.views_{role}_{channel}' for channel in VIEWS_GIVEN) + ' > 0 THEN 1 ELSE 0 END'
       for role in VIEWS_ROLES},
    **CODES,
}
# table of sums -> the columns it is summed by besides the month (or the day)
SUMS = {
    'review_figures_monthly': ['review_type', 'age_band', 'language'],
    'review_figures_daily': ['review_type', 'age_band', 'language'],
    'review_figures_iro_monthly': ['iro_id'],
}
# the figures triggers on the two tables SQLite rebuilds (revision 7b1364f06402)
MARKED = ['review_attendance', 'review_views']
# the channel kept for a role when going back to one channel per role: the first of these
CHANNEL_ORDER = ['online', 'paper', 'verbal', 'advocate', 'none']


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


def _drop_figures():
    for event in ('insert', 'delete', 'update'):
        if _postgresql():
            op.execute(f'DROP TRIGGER review_figures_sum_{event} ON review_figures')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS review_figures_sum_{event}')
    if _postgresql():
        op.execute('DROP FUNCTION review_figures_sum()')
    for table in SUMS:
        op.drop_table(table)
    op.drop_index('ix_review_figures_iro_id_held_on', table_name='review_figures')
    op.drop_index('ix_review_figures_held_on', table_name='review_figures')
    op.drop_table('review_figures')


def _create_figures(attendance, views, measures):
    """review_figures (with `views`: its view columns) and its sums, empty, with the triggers
    that keep the sums; every held review marked for the reports to work out again."""
    op.create_table(
        'review_figures',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('review_type', sa.String(length=12), nullable=False),
        sa.Column('in_time', sa.SmallInteger(), nullable=False),
        sa.Column('participation_code', sa.String(length=3), nullable=True),
        sa.Column('iro_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('age_band', sa.String(length=12), nullable=False),
        *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in attendance),
        *views,
        sa.Column('unrecorded', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                name=op.f('fk_review_figures_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('review_id', name=op.f('pk_review_figures')))
    covered = ['review_type', 'in_time', 'participation_code', 'iro_id', 'language',
               'age_band', *attendance, *(column.name for column in views)]
    op.create_index('ix_review_figures_held_on', 'review_figures', ['held_on'],
                    postgresql_include=covered)
    op.create_index('ix_review_figures_iro_id_held_on', 'review_figures',
                    ['iro_id', 'held_on'])
    def sums():
        return [sa.Column(name, sa.Integer(), nullable=False) for name in measures]

    def breakdown():
        return [sa.Column('review_type', sa.String(length=12), nullable=False),
                sa.Column('age_band', sa.String(length=12), nullable=False),
                sa.Column('language', sa.String(length=10), nullable=False)]

    op.create_table('review_figures_monthly', sa.Column('month', sa.Date(), nullable=False),
                    *breakdown(), *sums(),
                    sa.PrimaryKeyConstraint('month', 'review_type', 'age_band', 'language',
                                            name=op.f('pk_review_figures_monthly')))
    op.create_table('review_figures_daily', sa.Column('held_on', sa.Date(), nullable=False),
                    *breakdown(), *sums(),
                    sa.PrimaryKeyConstraint('held_on', 'review_type', 'age_band', 'language',
                                            name=op.f('pk_review_figures_daily')))
    op.create_table('review_figures_iro_monthly', sa.Column('month', sa.Date(), nullable=False),
                    sa.Column('iro_id', sa.Integer(), autoincrement=False, nullable=False),
                    *sums(),
                    sa.PrimaryKeyConstraint('month', 'iro_id',
                                            name=op.f('pk_review_figures_iro_monthly')))
    _create_sum_triggers(measures)
    op.execute("DELETE FROM review_figures_stale")
    op.execute("INSERT INTO review_figures_stale (review_id) "
               "SELECT id FROM reviews WHERE status = 'held'")


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


def _mark_triggers_again():
    """SQLite dropped the figures triggers of the tables it rebuilt: make them again."""
    if _postgresql():
        return
    for table in MARKED:
        for event, rows in (('update', ('OLD', 'NEW')), ('insert', ('NEW',)),
                            ('delete', ('OLD',))):
            body = ' '.join(f'INSERT OR IGNORE INTO review_figures_stale (review_id) '
                            f'SELECT {row}.review_id;' for row in rows)
            op.execute(f'DROP TRIGGER IF EXISTS review_figures_mark_{table}_{event}')
            op.execute(f"""
                CREATE TRIGGER review_figures_mark_{table}_{event} AFTER {event.upper()} ON {table}
                BEGIN {body} END""")


def _attendee_roles(roles):
    with op.batch_alter_table('review_attendance', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_review_attendance_attendee_role'), type_='check')
        batch_op.create_check_constraint('attendee_role', sa.column('role').in_(roles))


def _views_key(columns):
    with op.batch_alter_table('review_views', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('pk_review_views'), type_='primary')
        batch_op.create_primary_key('pk_review_views', columns)


def upgrade():
    _attendee_roles(NEW_ATTENDEES)
    _views_key(['review_id', 'role', 'channel'])
    _mark_triggers_again()
    _drop_figures()
    _create_figures(NEW_ATTENDANCE, [sa.Column(name, sa.SmallInteger(), nullable=False)
                                     for name in FLAGS], AFTER)
    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('who', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_decisions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions'))
    )
    op.create_index(op.f('ix_review_decisions_review_id'), 'review_decisions', ['review_id'], unique=False)
    op.create_table('review_wish_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_wish_answers_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_wish_answers')),
    sa.UniqueConstraint('review_id', 'question_key', name=op.f('uq_review_wish_answers_review_id_question_key'))
    )


def downgrade():
    op.drop_table('review_wish_answers')
    op.drop_index(op.f('ix_review_decisions_review_id'), table_name='review_decisions')
    op.drop_table('review_decisions')
    # Back to one channel per role (the first of CHANNEL_ORDER) and the six roles.
    rank = 'CASE {0} ' + ' '.join(f"WHEN '{channel}' THEN {number}"
                                  for number, channel in enumerate(CHANNEL_ORDER)) + ' END'
    op.execute(f"DELETE FROM review_views WHERE EXISTS (SELECT 1 FROM review_views o "
               f"WHERE o.review_id = review_views.review_id AND o.role = review_views.role "
               f"AND {rank.format('o.channel')} < {rank.format('review_views.channel')})")
    op.execute("DELETE FROM review_attendance WHERE role NOT IN ("
               + ', '.join(f"'{role}'" for role in OLD_ATTENDEES) + ")")
    _drop_figures()
    _create_figures(OLD_ATTENDANCE, [sa.Column(f'views_{role}', sa.String(length=10),
                                               nullable=True) for role in VIEWS_ROLES], BEFORE)
    _views_key(['review_id', 'role'])
    _attendee_roles(OLD_ATTENDEES)
    _mark_triggers_again()
