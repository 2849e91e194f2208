"""Score real message bytes with Debian's SpamAssassin, offline (no network tests)."""

from __future__ import annotations

import re
import subprocess
import tempfile


def spam_score(message: bytes) -> tuple[float, str]:
    """Return SpamAssassin's score for a message and the rules that fired."""
    with tempfile.TemporaryDirectory() as home:
        result = subprocess.run(
            ["spamassassin", "-t", "-L", "--cf=bayes_auto_learn 0"],
            input=message,
            capture_output=True,
            env={"HOME": home, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
            timeout=120,
            check=True,
        )
    output = result.stdout.decode("utf-8", "replace")
    match = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", output, re.M)
    if match is None:
        raise AssertionError("SpamAssassin gave no X-Spam-Status header")
    tests = re.search(r"tests=([^\n]*(?:\n\s+[^\n]*)*)", output[match.start() :])
    return float(match[1]), " ".join(tests[1].split()) if tests else ""
