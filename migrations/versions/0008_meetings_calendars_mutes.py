"""Working-group meetings, private calendar links, and muted updates.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("registration_url", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'cancelled', 'rejected')",
            name=op.f("ck_meetings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["strand_id"], ["strands.id"], name=op.f("fk_meetings_strand_id_strands"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name=op.f("fk_meetings_update_id_updates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint(
            "update_id", "source_key", name=op.f("uq_meetings_update_id_source_key")
        ),
    )
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_starts_at"), ["starts_at"])
        batch_op.create_index(batch_op.f("ix_meetings_status"), ["status"])
        batch_op.create_index(batch_op.f("ix_meetings_strand_id"), ["strand_id"])
        batch_op.create_index(batch_op.f("ix_meetings_update_id"), ["update_id"])

    op.create_table(
        "calendar_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"],
            name=op.f("fk_calendar_tokens_subscriber_id_subscribers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_tokens_subscriber_id"), ["subscriber_id"])

    op.create_table(
        "mutes",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"],
            name=op.f("fk_mutes_subscriber_id_subscribers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name=op.f("fk_mutes_update_id_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "update_id", name=op.f("pk_mutes")),
    )
    with op.batch_alter_table("mutes") as batch_op:
        batch_op.create_index(batch_op.f("ix_mutes_update_id"), ["update_id"])


def downgrade():
    op.drop_table("mutes")
    op.drop_table("calendar_tokens")
    op.drop_table("meetings")
