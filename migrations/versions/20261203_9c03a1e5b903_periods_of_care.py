"""Periods of care; who wrote a held review's meeting record.

Revision ID: 9c03a1e5b903
Revises: 5e2b8c41d7a9
Create Date: 2026-12-03 10:40:00.000000

care_periods holds each period a child was looked after; today's data moves to one period
per child, from its looked_after_since and ceased_on. reviews gains record_source (staff or
import; left empty for records kept before, which an import treats as the IRO's own). The
reviews table carries figures triggers, so it is altered in place, never rebuilt (SQLite
would drop its triggers with the old table).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c03a1e5b903'
down_revision = '5e2b8c41d7a9'
branch_labels = None
depends_on = None


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


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE reviews DROP CONSTRAINT ck_reviews_record_source")
    op.execute("ALTER TABLE reviews DROP COLUMN record_source")
    with op.batch_alter_table('care_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_periods_child_id'))
    op.drop_table('care_periods')
