"""Accounts: the subject (the `sub` claim) of the staff member's account at the OpenID provider.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_linked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_sso_subject'), ['sso_subject'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_sso_subject'), type_='unique')
        batch_op.drop_column('sso_linked_at')
        batch_op.drop_column('sso_subject')
