"""Rollup of the participation figures (one row per held review), kept fresh by triggers;
an index on the day invitations were sent.

Revision ID: 7b1364f06402
Revises: 7c1e4d2a9b30
Create Date: 2026-11-25 18:13:52.718098

Triggers on reviews, review_attendance, review_views, invitations, responses and children
put the id of every review whose figures may have changed into review_figures_stale;
the reports work those rows out again before they count.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1364f06402'
down_revision = '7c1e4d2a9b30'
branch_labels = None
depends_on = None

FIGURE_COLUMNS = ['review_type', 'in_time', 'participation_code', 'iro_id', 'language', 'age_band', 'att_child', 'att_foster_carer', 'att_parent_or_family', 'att_supervising_social_worker', 'att_partner_agency', 'views_child', 'views_foster_carer', 'views_parent_or_family']

# table -> the expression, over NEW or OLD, that gives the review ids to mark
MARKED_BY = {
    'reviews': 'SELECT {row}.id',
    'review_attendance': 'SELECT {row}.review_id',
    'review_views': 'SELECT {row}.review_id',
    'invitations': 'SELECT {row}.review_id',
    'responses': 'SELECT review_id FROM invitations WHERE id = {row}.invitation_id',
    'children': 'SELECT id FROM reviews WHERE child_id = {row}.id',
}


def _postgresql_triggers():
    for table, select in MARKED_BY.items():
        op.execute(f"""
            CREATE FUNCTION review_figures_mark_{table}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    INSERT INTO review_figures_stale (review_id) {select.format(row='OLD')}
                    ON CONFLICT DO NOTHING;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO review_figures_stale (review_id) {select.format(row='NEW')}
                    ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$""")
        events = 'UPDATE' if table == 'children' else 'INSERT OR UPDATE OR DELETE'
        op.execute(f"""
            CREATE TRIGGER review_figures_mark AFTER {events} ON {table}
            FOR EACH ROW EXECUTE FUNCTION review_figures_mark_{table}()""")


def _sqlite_triggers():
    for table, select in MARKED_BY.items():
        events = [('update', ('OLD', 'NEW'))]
        if table != 'children':
            events += [('insert', ('NEW',)), ('delete', ('OLD',))]
        for event, rows in events:
            body = ' '.join(
                f'INSERT OR IGNORE INTO review_figures_stale (review_id) {select.format(row=row)};'
                for row in rows)
            op.execute(f"""
                CREATE TRIGGER review_figures_mark_{table}_{event} AFTER {event.upper()} ON {table}
                BEGIN {body} END""")


def upgrade():
    op.create_table('review_figures_stale',
    sa.Column('review_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('review_id', name=op.f('pk_review_figures_stale'))
    )
    op.create_table('review_figures',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('review_type', sa.String(length=12), nullable=False),
    sa.Column('in_time', sa.SmallInteger(), nullable=False),
    sa.Column('participation_code', sa.String(length=3), nullable=True),
    sa.Column('iro_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('age_band', sa.String(length=12), nullable=False),
    sa.Column('att_child', sa.SmallInteger(), nullable=False),
    sa.Column('att_foster_carer', sa.SmallInteger(), nullable=False),
    sa.Column('att_parent_or_family', sa.SmallInteger(), nullable=False),
    sa.Column('att_supervising_social_worker', sa.SmallInteger(), nullable=False),
    sa.Column('att_partner_agency', sa.SmallInteger(), nullable=False),
    sa.Column('views_child', sa.String(length=10), nullable=True),
    sa.Column('views_foster_carer', sa.String(length=10), nullable=True),
    sa.Column('views_parent_or_family', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_figures_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', name=op.f('pk_review_figures'))
    )
    with op.batch_alter_table('review_figures', schema=None) as batch_op:
        batch_op.create_index('ix_review_figures_held_on', ['held_on'], unique=False, postgresql_include=FIGURE_COLUMNS)
        batch_op.create_index('ix_review_figures_iro_id_held_on', ['iro_id', 'held_on'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_submitted_at'), ['submitted_at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_triggers()
    else:
        _sqlite_triggers()
    # Reviews held before this revision are worked out when a report first asks.
    op.execute("INSERT INTO review_figures_stale (review_id) SELECT id FROM reviews WHERE status = 'held'")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in MARKED_BY:
            op.execute(f'DROP TRIGGER review_figures_mark ON {table}')
            op.execute(f'DROP FUNCTION review_figures_mark_{table}()')
    else:
        for table in MARKED_BY:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS review_figures_mark_{table}_{event}')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_submitted_at'))

    with op.batch_alter_table('review_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_review_figures_iro_id_held_on')
        batch_op.drop_index('ix_review_figures_held_on', postgresql_include=FIGURE_COLUMNS)

    op.drop_table('review_figures')
    op.drop_table('review_figures_stale')
