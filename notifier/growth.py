"""The dashboard's growth chart: subscribers signed up and confirmed, day by day, as SVG.

Drawn on the server, so it needs no script and no library from a CDN; the same figures go in
a table beside it for anyone who cannot see the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from notifier.extensions import db
from notifier.models import Subscriber

WIDTH, HEIGHT, PAD = 640, 220, 40


@dataclass(frozen=True)
class Growth:
    days: list[date]
    signed_up: list[int]  # everyone created by the end of each day (erased people are gone)
    confirmed: list[int]  # of them, those confirmed by then

    def points(self, series: list[int]) -> str:
        """The series as SVG polyline points within the chart's box."""
        top = max(max(self.signed_up, default=0), 1)
        step = (WIDTH - 2 * PAD) / max(len(self.days) - 1, 1)
        return " ".join(
            f"{PAD + i * step:.1f},{HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD):.1f}"
            for i, value in enumerate(series)
        )

    @property
    def top(self) -> int:
        return max(self.signed_up, default=0)


def growth(now: datetime, days: int = 90) -> Growth:
    """Cumulative counts at the end of each of the last `days` days (UTC)."""
    start = (now - timedelta(days=days - 1)).date()
    first = datetime.combine(start, datetime.min.time(), tzinfo=now.tzinfo)
    series = []
    for column in (Subscriber.created_at, Subscriber.confirmed_at):
        before = db.session.scalar(select(func.count()).where(column < first)) or 0
        per_day = dict(
            db.session.execute(
                select(func.date(column), func.count())
                .where(column >= first)
                .group_by(func.date(column))
            ).all()
        )
        running, values = before, []
        for n in range(days):
            running += per_day.get((start + timedelta(days=n)).isoformat(), 0) or per_day.get(
                start + timedelta(days=n), 0
            )
            values.append(running)
        series.append(values)
    return Growth([start + timedelta(days=n) for n in range(days)], *series)
