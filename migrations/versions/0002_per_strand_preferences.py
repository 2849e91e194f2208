"""Per-strand preferences: frequency, reminders and the digest cursor move onto subscriptions.

Every existing subscription takes its subscriber's frequency, reminders choice and digest
cursor, so each subscriber's mail is the same after the upgrade as before. Consent records
keep the choices per strand. The downgrade gives each subscriber the fastest frequency of
their strands, reminders if any strand had them, and the latest cursor: nobody is sent an
update twice, and nobody who wanted reminders loses them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FREQUENCY_CHECK = "frequency IN ('immediate', 'daily', 'weekly')"
# The subscriber's fastest frequency, in SQL both databases run.
FASTEST = (
    "(SELECT CASE min(CASE s.frequency WHEN 'immediate' THEN 0 WHEN 'daily' THEN 1 ELSE 2 END)"
    " WHEN 0 THEN 'immediate' WHEN 1 THEN 'daily' WHEN 2 THEN 'weekly' END"
    " FROM subscriptions s WHERE s.subscriber_id = subscribers.id)"
)
BATCH = 1000

consent = sa.table(
    "consent_records",
    sa.column("id", sa.Integer),
    sa.column("strands", sa.JSON),
    sa.column("frequency", sa.String),
    sa.column("reminders", sa.Boolean),
    sa.column("preferences", sa.JSON),
)


def upgrade():
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("frequency", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reminders", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("digested_until", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE subscriptions SET"
        " frequency = (SELECT frequency FROM subscribers WHERE id = subscriber_id),"
        " reminders = (SELECT reminders FROM subscribers WHERE id = subscriber_id),"
        " digested_until = (SELECT digested_until FROM subscribers WHERE id = subscriber_id)"
    )
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column("frequency", existing_type=sa.String(20), nullable=False)
        batch.alter_column("reminders", existing_type=sa.Boolean(), nullable=False)
        batch.create_check_constraint(op.f("ck_subscriptions_frequency"), FREQUENCY_CHECK)

    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(sa.Column("preferences", sa.JSON(), nullable=True))
    _rewrite_consent(
        lambda row: [
            {"strand": slug, "frequency": row.frequency, "reminders": row.reminders}
            for slug in row.strands or []
        ]
    )
    with op.batch_alter_table("consent_records") as batch:
        batch.alter_column("preferences", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("frequency")
        batch.drop_column("reminders")

    with op.batch_alter_table("subscribers") as batch:
        batch.drop_constraint(op.f("ck_subscribers_frequency"), type_="check")
        batch.drop_column("frequency")
        batch.drop_column("reminders")
        batch.drop_column("digested_until")


def downgrade():
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("frequency", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reminders", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("digested_until", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        f"UPDATE subscribers SET frequency = COALESCE({FASTEST}, 'daily'),"  # noqa: S608
        " reminders = (EXISTS (SELECT 1 FROM subscriptions s"
        "   WHERE s.subscriber_id = subscribers.id AND s.reminders)"
        "  OR NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = subscribers.id)),"
        " digested_until = (SELECT max(s.digested_until) FROM subscriptions s"
        "   WHERE s.subscriber_id = subscribers.id)"
    )
    with op.batch_alter_table("subscribers") as batch:
        batch.alter_column("frequency", existing_type=sa.String(20), nullable=False)
        batch.alter_column("reminders", existing_type=sa.Boolean(), nullable=False)
        batch.create_check_constraint(op.f("ck_subscribers_frequency"), FREQUENCY_CHECK)

    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(sa.Column("frequency", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reminders", sa.Boolean(), nullable=True))
    _rewrite_consent(None)
    with op.batch_alter_table("consent_records") as batch:
        batch.drop_column("preferences")

    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_constraint(op.f("ck_subscriptions_frequency"), type_="check")
        batch.drop_column("digested_until")
        batch.drop_column("reminders")
        batch.drop_column("frequency")


def _rewrite_consent(preferences_of) -> None:
    """Fill preferences from the plain columns (upgrade), or the plain columns back (None)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(consent).where(consent.c.id > last).order_by(consent.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            if preferences_of is not None:
                values = {"preferences": preferences_of(row)}
            else:
                values = _plain(row.preferences or [])
            bind.execute(consent.update().where(consent.c.id == row.id).values(**values))
        last = rows[-1].id


def _plain(preferences: list[dict]) -> dict:
    """One frequency and reminders choice standing for per-strand ones: fastest, and any."""
    order = ("immediate", "daily", "weekly")
    frequencies = [p["frequency"] for p in preferences if p.get("frequency") in order]
    return {
        "frequency": min(frequencies, key=order.index) if frequencies else None,
        "reminders": any(p.get("reminders") for p in preferences) if preferences else None,
    }
