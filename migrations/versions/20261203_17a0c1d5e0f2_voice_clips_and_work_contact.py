"""Recorded voice clips for what a child hears, and an IRO's work phone and email.

Revision ID: 17a0c1d5e0f2
Revises: c0c3e1a6f00d
Create Date: 2026-12-03 13:45:00.000000

`voice_clips` holds one recording per string a child hears (by slot) and language, with
the SHA-256 of the English and translated words it was recorded from, so a change of
either marks it out of date. staff_users gains work_phone and work_email (both optional,
printed on the invitation letter); adding nullable columns rebuilds no table.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '17a0c1d5e0f2'
down_revision = 'c0c3e1a6f00d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('voice_clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('english_digest', sa.String(length=64), nullable=False),
    sa.Column('text_digest', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('audio', sa.LargeBinary(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_voice_clips_recorded_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_clips')),
    sa.UniqueConstraint('slot', 'language', name=op.f('uq_voice_clips_slot_language'))
    )
    op.create_index('ix_voice_clips_content_hash', 'voice_clips', ['content_hash'], unique=False)
    op.add_column('staff_users', sa.Column('work_phone', sa.String(length=40), nullable=True))
    op.add_column('staff_users', sa.Column('work_email', sa.String(length=254), nullable=True))


def downgrade():
    op.drop_index('ix_voice_clips_content_hash', table_name='voice_clips')
    op.drop_table('voice_clips')
    # ALTER TABLE ... DROP COLUMN, which SQLite has had since 3.35: a batch rebuild of
    # staff_users would drop a table every child, review and audit row refers to.
    op.execute('ALTER TABLE staff_users DROP COLUMN work_email')
    op.execute('ALTER TABLE staff_users DROP COLUMN work_phone')
