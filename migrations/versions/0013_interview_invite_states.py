"""Interviews: the application states whose applicants a season invites (default: offered, accepted, completed).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

DEFAULT = '["offered", "accepted", "completed"]'


def upgrade():
    with op.batch_alter_table('interview_season', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'invite_states',
                sa.JSON(),
                server_default=sa.text(f"'{DEFAULT}'"),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table('interview_season', schema=None) as batch_op:
        batch_op.drop_column('invite_states')
