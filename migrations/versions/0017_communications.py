"""Communications: department message templates (and own wordings of automatic emails), staff messages.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 01:00:06.980033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('automatic', sa.String(length=40), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_message_templates_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_message_templates_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates')),
    sa.UniqueConstraint('department_id', 'name', name='uq_message_template_name')
    )
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_templates_department_id'), ['department_id'], unique=False)
        batch_op.create_index('uq_message_template_automatic', ['department_id', 'automatic'], unique=True)

    op.create_table('staff_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('send_key', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('recipient_count > 0', name=op.f('ck_staff_messages_recipients')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_staff_messages_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_staff_messages_department_id_department')),
    sa.ForeignKeyConstraint(['template_id'], ['message_templates.id'], name=op.f('fk_staff_messages_template_id_message_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_messages')),
    sa.UniqueConstraint('send_key', name=op.f('uq_staff_messages_send_key'))
    )
    with op.batch_alter_table('staff_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_messages_department_id'), ['department_id'], unique=False)



def downgrade():
    with op.batch_alter_table('staff_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_messages_department_id'))

    op.drop_table('staff_messages')
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.drop_index('uq_message_template_automatic')
        batch_op.drop_index(batch_op.f('ix_message_templates_department_id'))

    op.drop_table('message_templates')
