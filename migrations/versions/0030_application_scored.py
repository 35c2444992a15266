"""Applications carry when they were first scored; memberships are found by user (issue 15).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 15:30:00.000000

The directors' count of applications without a score read every application of the
season against the scored assignments; it now reads the unscored rows alone, through a
partial index. application.scored_at is filled here from the assignments' submitted_at
(the earliest); reviews.assignment.services.mark_scored keeps it, the doctor checks it.
Every request loads the signed-in user's memberships, which no index served.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE application SET scored_at = ("
        "SELECT min(review_assignment.submitted_at) FROM review_assignment"
        " WHERE review_assignment.application_id = application.id)"
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(
            'ix_application_unscored',
            ['department_id', 'cycle_id', 'state'],
            unique=False,
            sqlite_where=sa.text('scored_at IS NULL'),
            postgresql_where=sa.text('scored_at IS NULL'),
        )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_user_id', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_user_id')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_unscored')
        batch_op.drop_column('scored_at')
