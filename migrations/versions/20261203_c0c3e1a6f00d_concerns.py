"""Concerns raised by answers, and the alert that tells the child's IRO about them.

Revision ID: c0c3e1a6f00d
Revises: 16e7a1c0b5d3
Create Date: 2026-12-03 10:30:00.000000

`concerns` holds one row per concern a sent response raised, and what the IRO did about it
(encrypted). alert_outbox gains the event new_concern; it has no triggers, so rebuilding it
on SQLite for the new CHECK loses nothing. No table with figures triggers is rebuilt.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0c3e1a6f00d'
down_revision = '16e7a1c0b5d3'
branch_labels = None
depends_on = None

OLD_EVENTS = ('new_submission', 'new_request', 'new_urgent_request', 'invitation',
              'staff_welcome', 'staff_reset', 'sign_in_failures', 'code_failures')
NEW_EVENTS = OLD_EVENTS + ('new_concern',)


def _alert_events(events):
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint('alert_event', sa.column('event').in_(events))


def upgrade():
    op.create_table('concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=60), nullable=False),
    sa.Column('concern_key', sa.String(length=60), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('action_taken', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['staff_users.id'], name=op.f('fk_concerns_acknowledged_by_id_staff_users')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_concerns_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_concerns_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns')),
    sa.UniqueConstraint('response_id', 'concern_key', name=op.f('uq_concerns_response_id_concern_key'))
    )
    op.create_index('ix_concerns_child_id_acknowledged_at', 'concerns', ['child_id', 'acknowledged_at'], unique=False)
    op.create_index('ix_concerns_raised_at', 'concerns', ['raised_at'], unique=False)
    _alert_events(NEW_EVENTS)


def downgrade():
    op.execute("DELETE FROM alert_outbox WHERE event = 'new_concern'")
    _alert_events(OLD_EVENTS)
    op.drop_index('ix_concerns_raised_at', table_name='concerns')
    op.drop_index('ix_concerns_child_id_acknowledged_at', table_name='concerns')
    op.drop_table('concerns')
