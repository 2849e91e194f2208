"""How well the deadline reader does on real consultation text (tests/data/deadlines_*.jsonl).

Each line is a passage copied from a public page as the search tool's stored copy has it
(scraping damage kept), with its source URL, the page's publication date where it has one
(`as_of` when the page has none but the passage only makes sense from a known day), the
site's zone, and the deadline a careful reader would take from it as an exact instant, or
null when the passage names no comment deadline. The reader is tuned on the tuning file
only; the held-out file holds passages from pages the reader was never tuned on, and is run
once after each round of tuning (see the figures at the end).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from notifier.feeds.deadlines import find_deadline

DATA = Path(__file__).parent / "data"
# Passages whose page gives no date are read as if published on this day; every such
# passage that names a deadline names its year too.
NO_DATE = "2000-01-01"


@dataclass
class Score:
    deadlines: int = 0
    read: int = 0
    negatives: int = 0
    left_alone: int = 0
    failures: list[str] | None = None

    @property
    def deadline_rate(self) -> float:
        return self.read / self.deadlines

    @property
    def negative_rate(self) -> float:
        return self.left_alone / self.negatives


def score(name: str) -> Score:
    """Run the reader over one corpus file and count what it got right."""
    result = Score(failures=[])
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        tz = ZoneInfo(case["zone"])
        day = case["published"] or case["as_of"] or NO_DATE
        found = find_deadline(case["text"], datetime.fromisoformat(day).replace(tzinfo=tz), tz)
        got = found.at if found else None
        if case["expected"] is None:
            result.negatives += 1
            ok = got is None
            result.left_alone += ok
        else:
            result.deadlines += 1
            ok = got == datetime.fromisoformat(case["expected"])
            result.read += ok
        if not ok:
            shown = got.astimezone(tz).isoformat() if got else None
            result.failures.append(
                f"  [{case['kind']}] expected {case['expected']}, read {shown}: "
                f"{case['text'][:110]!r}"
            )
    return result


def _report(name: str, s: Score) -> str:
    return (
        f"{name}: deadlines read exactly {s.read}/{s.deadlines} ({s.deadline_rate:.1%}), "
        f"non-deadlines left alone {s.left_alone}/{s.negatives} ({s.negative_rate:.1%})"
    )


def test_tuning_corpus(capsys):
    s = score("deadlines_tuning.jsonl")
    with capsys.disabled():
        print("\n" + _report("tuning", s))
        print("\n".join(s.failures))
    assert s.read >= TUNING_READ and s.left_alone >= TUNING_LEFT_ALONE, _report("tuning", s)


def test_held_out_corpus(capsys):
    """The honest figure: passages from pages the reader was never tuned on (the floor is
    what the one run after tuning measured, not the target)."""
    s = score("deadlines_held_out.jsonl")
    with capsys.disabled():
        print("\n" + _report("held-out", s))
        print("\n".join(s.failures))
    assert s.read >= HELD_OUT_READ and s.left_alone >= HELD_OUT_LEFT_ALONE, _report("held-out", s)


def test_corpus_is_real_and_varied():
    """The corpus the figures rest on stays as large and as broad as the issue asks."""
    cases = [
        json.loads(line)
        for name in ("deadlines_tuning.jsonl", "deadlines_held_out.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
    ]
    hosts = {c["url"].split("/")[2].removeprefix("www.") for c in cases}
    assert len(cases) >= 200 and len(hosts) >= 40
    assert all(c["url"].startswith("http") and c["text"].strip() for c in cases)
    negatives = sum(c["expected"] is None for c in cases)
    assert 0.25 < negatives / len(cases) < 0.5


# Measured on the held-out file once, after each round of tuning; each held-out file then
# joined the tuning file and a fresh one was collected before the next round:
#   round 1, 73 passages from 53 pages:  34/40 read (85.0%), 29/33 left alone (87.9%)
#   round 2, 62 passages from 40 sites:  28/37 read (75.7%), 20/25 left alone (80.0%)
#   round 3, 46 passages from 31 sites (this file): 14/24 read (58.3%), 21/22 left alone (95.5%)
# All short of the 95% and 90%. Raise these only after measuring a fresh file, once.
HELD_OUT_READ = 14
HELD_OUT_LEFT_ALONE = 21
# Figures reached on the tuning file (counts, so a change that loses one case fails).
TUNING_READ = 188
TUNING_LEFT_ALONE = 112
