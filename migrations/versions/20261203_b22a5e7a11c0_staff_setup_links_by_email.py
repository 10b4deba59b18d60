"""Staff set-up links go by email through the outbox, to the account's own address.

Revision ID: b22a5e7a11c0
Revises: 5e2b8c41d7a9
Create Date: 2026-12-03 10:45:00.000000

alert_outbox gains the staff account a set-up email belongs to and two events (welcome,
reset). alert_outbox has no triggers, so rebuilding it on SQLite loses nothing.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b22a5e7a11c0'
down_revision = '5e2b8c41d7a9'
branch_labels = None
depends_on = None

OLD_EVENTS = ('new_submission', 'new_request', 'new_urgent_request', 'invitation')
NEW_EVENTS = OLD_EVENTS + ('staff_welcome', 'staff_reset')


def upgrade():
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('staff_user_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint('alert_event', sa.column('event').in_(NEW_EVENTS))
        batch_op.create_index(batch_op.f('ix_alert_outbox_staff_user_id'), ['staff_user_id'],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_alert_outbox_staff_user_id_staff_users'), 'staff_users',
            ['staff_user_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.execute("DELETE FROM alert_outbox WHERE event IN ('staff_welcome', 'staff_reset')")
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alert_outbox_staff_user_id_staff_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alert_outbox_staff_user_id'))
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint('alert_event', sa.column('event').in_(OLD_EVENTS))
        batch_op.drop_column('staff_user_id')
