"""Strands an admin chose for an update, which later polls keep; each clock job's last run.

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
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("next_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_runs")),
    )


def downgrade():
    op.drop_table("job_runs")
    with op.batch_alter_table("updates") as batch:
        batch.drop_column("strands_set_at")
        batch.drop_column("strands_set_by")
