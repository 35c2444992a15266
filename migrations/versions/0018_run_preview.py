"""Allocation runs keep their preview: a summary the run page reads, and the long lists apart.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('allocation_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('preview_lists', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('allocation_run', schema=None) as batch_op:
        batch_op.drop_column('preview_lists')
        batch_op.drop_column('preview')
