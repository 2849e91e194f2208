"""What each process counts as it works: emails by outcome, SMTP replies, job durations.

Counters live in prometheus-client's default registry, or in PROMETHEUS_MULTIPROC_DIR when it
is set (before the process starts), so /metrics adds up every gunicorn worker, delivery worker
and clock on the machine that share the folder. What the database knows (queue depth,
subscribers, feeds, the heartbeat) is read at scrape time instead: see observe/gauges.py.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

EMAILS = Counter(
    "notifier_emails",
    "Emails whose send came to an outcome, by kind and outcome (sent, retried, failed, cancelled)",
    ["kind", "outcome"],
)
SMTP_REPLIES = Counter(
    "notifier_smtp_replies",
    "What the SMTP relay answered a send with: 2xx, 4xx, 5xx, or connection (lost or refused)",
    ["reply"],
)
JOB_SECONDS = Histogram(
    "notifier_job_seconds",
    "How long each of the clock's jobs took (poll, digests, reminders, ...)",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300),
)


def count_outcome(kind: str, outcome: str, reply: str) -> None:
    EMAILS.labels(kind or "unknown", outcome).inc()
    if reply != "none":
        SMTP_REPLIES.labels(reply).inc()


def process_metrics() -> bytes:
    """The counters in Prometheus text: every process's on the machine in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)
