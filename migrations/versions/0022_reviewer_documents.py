"""Reviews: the document kinds reviewers see per phase; documents: redacted copies.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 08:30:00.000000

A round names the document kinds its reviewers see in the first and in the second phase
(every kind, as before, for the rounds that exist). A student's redacted copy of a CV or
transcript is a document row flagged redacted: one current copy per kind beside the
current document, so the "one current per kind" index gains the flag.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

ALL_REVIEWABLE = 'cv,transcript,good_standing,letter'
CURRENT = "replaced_at IS NULL AND kind != 'letter'"


def upgrade():
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('first_phase_documents', sa.String(length=200), nullable=False,
                      server_default=ALL_REVIEWABLE)
        )
        batch_op.add_column(
            sa.Column('second_phase_documents', sa.String(length=200), nullable=False,
                      server_default=ALL_REVIEWABLE)
        )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('redacted', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_index(
            'uq_document_current_kind',
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )
        batch_op.create_index(
            'uq_document_current_kind',
            ['owner_id', 'cycle_id', 'kind', 'redacted'],
            unique=True,
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )


def downgrade():
    # Redacted copies go: the older schema has room for one current document per kind.
    op.execute(sa.text('DELETE FROM document WHERE redacted'))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_document_current_kind',
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )
        batch_op.create_index(
            'uq_document_current_kind',
            ['owner_id', 'cycle_id', 'kind'],
            unique=True,
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )
        batch_op.drop_column('redacted')
    with op.batch_alter_table('review_round', schema=None) as batch_op:
        batch_op.drop_column('second_phase_documents')
        batch_op.drop_column('first_phase_documents')
