"""Accounts: two-step sign-in secrets encrypted at rest (core/encryption.py).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 05:45:00.000000

The column widens to hold a Fernet token, and every stored secret is encrypted with the
app's first data encryption key (downgrade decrypts them back). The keys come from the
app's configuration, as `flask db upgrade` runs inside the app.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

USER = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _rewrite(change):
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(USER.c.id, USER.c.totp_secret).where(USER.c.totp_secret.is_not(None))
    ).all()
    for row in rows:
        connection.execute(
            USER.update().where(USER.c.id == row.id).values(totp_secret=change(row.totp_secret))
        )


def upgrade():
    from clerkship.core.encryption import encrypt

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
    _rewrite(encrypt)


def downgrade():
    from clerkship.core.encryption import decrypt

    _rewrite(decrypt)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
