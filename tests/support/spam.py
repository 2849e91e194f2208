"""Score a message with Debian's SpamAssassin, offline (-L), the way a receiving server would."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile


def spam_score(message_bytes: bytes) -> float:
    """Return SpamAssassin's score for the message; local tests only, no network lookups."""
    output = _run(message_bytes)
    match = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"spamassassin gave no score:\n{output[-500:]}")
    return float(match[1])


def spam_report(message_bytes: bytes) -> str:
    """The rules that fired, to show in a failing assertion."""
    output = _run(message_bytes)
    return output[output.find("Content analysis details") :][:3000]


def _run(message_bytes: bytes) -> str:
    if shutil.which("spamassassin") is None:
        raise RuntimeError("spamassassin is not installed: apt-get install -y spamassassin")
    # A fresh HOME keeps each run from learning from or writing to the others.
    with tempfile.TemporaryDirectory() as home:
        result = subprocess.run(
            ["spamassassin", "-t", "-L", "--cf=bayes_auto_learn 0"],
            input=message_bytes,
            capture_output=True,
            env={"HOME": home, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
            timeout=120,
            check=False,
        )
    return result.stdout.decode("utf-8", "replace")
