"""A named lease in the locks table: whoever holds it acts; it lapses if they stop renewing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update

from notifier.database import insert_ignoring_duplicates
from notifier.extensions import db
from notifier.models import Lock

L = Lock.__table__
# The row whose `until` is the acting clock's last heartbeat (see beat).
HEARTBEAT = "scheduler:heartbeat"


def acquire(name: str, holder: str, now: datetime, ttl_seconds: float) -> bool:
    """Take or renew the lease; True when holder has it until now + ttl.

    Works the same on SQLite and PostgreSQL: the insert and the guarded update are each
    atomic, so of two contenders exactly one sees its row change.
    """
    until = now + timedelta(seconds=ttl_seconds)
    taken = db.session.execute(
        insert_ignoring_duplicates(L)
        .values(name=name, holder=holder, until=until)
        .execution_options(preserve_rowcount=True)
    ).rowcount
    if not taken:
        taken = db.session.execute(
            update(L)
            .where(L.c.name == name, or_(L.c.holder == holder, L.c.until < now))
            .values(holder=holder, until=until)
        ).rowcount
    db.session.commit()
    return bool(taken)


def release(name: str, holder: str) -> None:
    """Give the lease up so another process can take it at once."""
    db.session.execute(delete(L).where(L.c.name == name, L.c.holder == holder))
    db.session.commit()


def beat(name: str, holder: str, now: datetime) -> None:
    """Record that holder was alive at now, in a row never released: its age is the heartbeat's.

    Kept apart from the lease, which a clean shutdown deletes: a clock that stopped, cleanly
    or not, shows as a heartbeat growing old.
    """
    row = {"name": name, "holder": holder, "until": now}
    if not db.session.execute(
        insert_ignoring_duplicates(L).values(**row).execution_options(preserve_rowcount=True)
    ).rowcount:
        db.session.execute(update(L).where(L.c.name == name).values(holder=holder, until=now))
    db.session.commit()
