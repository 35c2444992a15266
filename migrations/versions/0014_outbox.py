"""Outbox: every email as a row, queued in the transaction it announces, then delivered.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('to_address', sa.String(length=2000), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('contains_secret', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sending', 'sent', 'failed', name='messagestate', native_enum=False, create_constraint=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=40), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_messages_state_valid')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_messages_attempts_nonnegative')),
    sa.CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name=op.f('ck_outbox_messages_sent_has_time')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_outbox_messages_application_id_application'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_outbox_messages_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_outbox_messages_department_id_department'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_outbox_messages_recipient_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_application', ['application_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_pick', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_messages_recipient', ['recipient_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_recipient')
        batch_op.drop_index('ix_outbox_messages_pick')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_department_id'))
        batch_op.drop_index('ix_outbox_messages_application')

    op.drop_table('outbox_messages')
