"""Staff two-factor sign-in, free text encrypted at rest, audit events append-only.

Revision ID: a08328d566f6
Revises: 7b1364f06402
Create Date: 2026-11-25 17:47:29.137995

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'a08328d566f6'
down_revision = '7b1364f06402'
branch_labels = None
depends_on = None

ENCRYPTED = (('free_text_answers', 'text'), ('help_requests', 'message'),
             ('help_requests', 'contact_name'), ('help_requests', 'contact_detail'),
             ('response_drafts', 'answers'))

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  -- The one change allowed: an erased invitation's id cleared by ON DELETE SET NULL.
  IF TG_OP = 'UPDATE' AND OLD.actor_invitation_id IS NOT NULL
     AND NEW.actor_invitation_id IS NULL
     AND (NEW.id, NEW.occurred_at, NEW.action, NEW.actor_staff_id, NEW.subject_type,
          NEW.subject_id, NEW.details::text)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.occurred_at, OLD.action, OLD.actor_staff_id, OLD.subject_type,
          OLD.subject_id, OLD.details::text) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END
$$ LANGUAGE plpgsql
"""


def _recode(table, column, change):
    """Encrypt or decrypt what is already stored, with the app's configured keys."""
    rows = sa.table(table, sa.column('id', sa.Integer()), sa.column(column, sa.Text()))
    connection = op.get_bind()
    for row_id, value in connection.execute(
            sa.select(rows.c.id, rows.c[column]).where(rows.c[column].is_not(None))).all():
        connection.execute(rows.update().where(rows.c.id == row_id)
                           .values({column: change(value)}))


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_actor_invitation_id_invitations'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_actor_invitation_id_invitations'), 'invitations', ['actor_invitation_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.alter_column('contact_name',
               existing_type=sa.VARCHAR(length=120),
               type_=sa.Text(),
               existing_nullable=True)
        batch_op.alter_column('contact_detail',
               existing_type=sa.VARCHAR(length=254),
               type_=sa.Text(),
               existing_nullable=True)

    with op.batch_alter_table('response_drafts', schema=None) as batch_op:
        batch_op.alter_column('answers',
               existing_type=sa.JSON(),
               type_=sa.Text(),
               existing_nullable=False,
               postgresql_using='answers::text')

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    cipher = current_app.extensions['consult.data_encryption']
    for table, column in ENCRYPTED:
        _recode(table, column,
                lambda value: cipher.encrypt(value.encode('utf-8')).decode('ascii'))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute('CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE '
                   'ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION audit_events_append_only()')

    cipher = current_app.extensions['consult.data_encryption']
    for table, column in ENCRYPTED:
        _recode(table, column,
                lambda value: cipher.decrypt(value.encode('ascii')).decode('utf-8'))

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_confirmed_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('response_drafts', schema=None) as batch_op:
        batch_op.alter_column('answers',
               existing_type=sa.Text(),
               type_=sa.JSON(),
               existing_nullable=False,
               postgresql_using='answers::json')

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.alter_column('contact_detail',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=254),
               existing_nullable=True)
        batch_op.alter_column('contact_name',
               existing_type=sa.Text(),
               type_=sa.VARCHAR(length=120),
               existing_nullable=True)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_actor_invitation_id_invitations'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_actor_invitation_id_invitations'), 'invitations', ['actor_invitation_id'], ['id'])
