"""Emails telling a staff member that attempts to sign in to their account were slowed.

Revision ID: 22b5a1e7c0d4
Revises: 9c03a1e5b903
Create Date: 2026-12-03 10:00:00.000000

alert_outbox's event may be sign_in_failures or code_failures too. alert_outbox has no
triggers, so rebuilding it on SQLite for the new CHECK loses nothing.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '22b5a1e7c0d4'
down_revision = '9c03a1e5b903'
branch_labels = None
depends_on = None

OLD_EVENTS = ('new_submission', 'new_request', 'new_urgent_request', 'invitation',
              'staff_welcome', 'staff_reset')
NEW_EVENTS = OLD_EVENTS + ('sign_in_failures', 'code_failures')


def _check(events):
    with op.batch_alter_table('alert_outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_alert_outbox_alert_event'), type_='check')
        batch_op.create_check_constraint('alert_event', sa.column('event').in_(events))


def upgrade():
    _check(NEW_EVENTS)


def downgrade():
    op.execute("DELETE FROM alert_outbox WHERE event IN ('sign_in_failures', 'code_failures')")
    _check(OLD_EVENTS)
