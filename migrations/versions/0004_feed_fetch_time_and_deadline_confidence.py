"""How long each feed's last fetch took, and a flag on deadlines read with low confidence.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("feeds", sa.Column("last_fetch_seconds", sa.Float(), nullable=True))
    op.add_column(
        "deadlines",
        sa.Column("low_confidence", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("low_confidence")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("last_fetch_seconds")
