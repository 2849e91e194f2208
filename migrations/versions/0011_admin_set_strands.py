"""Strands an admin chose for an update, which later polls keep.

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("updates") as batch:
        batch.add_column(sa.Column("strands_set_by", sa.String(length=320)))
        batch.add_column(sa.Column("strands_set_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("updates") as batch:
        batch.drop_column("strands_set_at")
        batch.drop_column("strands_set_by")
