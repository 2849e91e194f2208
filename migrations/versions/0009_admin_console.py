"""Admin console: announcement drafts and their send, outbox rows per announcement, admin roles.

Revision ID: 0009
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

STATES = "('draft', 'scheduled', 'sending', 'queued', 'cancelled')"


def upgrade():
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=20), nullable=False, server_default="draft")
        )
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("confirmed_by", sa.String(length=320)))
        batch.add_column(sa.Column("recipients_confirmed", sa.Integer()))
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("cancelled_by", sa.String(length=320)))
    # What existed before drafts was sent or scheduled as soon as it was written.
    op.execute(
        "UPDATE announcements SET state = CASE"
        " WHEN cancelled_at IS NOT NULL THEN 'cancelled'"
        " WHEN queued_at IS NOT NULL THEN 'queued' ELSE 'scheduled' END,"
        " confirmed_at = created_at, started_at = queued_at"
    )
    with op.batch_alter_table("announcements") as batch:
        batch.create_check_constraint(op.f("ck_announcements_state"), f"state IN {STATES}")
        batch.create_index("ix_announcements_state", ["state"])

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("announcement_id", sa.Integer()))
        batch.create_index(
            "ix_outbox_announcement_id",
            ["announcement_id", "status"],
            sqlite_where=sa.text("announcement_id IS NOT NULL"),
            postgresql_where=sa.text("announcement_id IS NOT NULL"),
        )
    op.execute(
        "UPDATE outbox SET announcement_id = CAST(substr(key, 14, instr(substr(key, 14), ':') - 1)"
        " AS INTEGER) WHERE kind = 'announcement' AND key LIKE 'announcement:%'"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE outbox SET announcement_id = split_part(key, ':', 2)::integer"
        " WHERE kind = 'announcement' AND key LIKE 'announcement:%'"
    )

    with op.batch_alter_table("admins") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="owner")
        )
        batch.create_check_constraint(op.f("ck_admins_role"), "role IN ('owner', 'editor')")


def downgrade():
    with op.batch_alter_table("admins") as batch:
        batch.drop_constraint(op.f("ck_admins_role"), type_="check")
        batch.drop_column("role")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_announcement_id")
        batch.drop_column("announcement_id")
    with op.batch_alter_table("announcements") as batch:
        batch.drop_index("ix_announcements_state")
        batch.drop_constraint(op.f("ck_announcements_state"), type_="check")
        for column in (
            "cancelled_by",
            "started_at",
            "recipients_confirmed",
            "confirmed_by",
            "confirmed_at",
            "revision",
            "state",
        ):
            batch.drop_column(column)
