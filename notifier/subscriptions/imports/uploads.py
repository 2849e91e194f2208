"""Uploaded import files, kept on disk from their preview until they are applied.

An apply reads the very file its preview read: the file stays in the instance folder under
a random name, its SHA-256 goes into the signed preview token, and applying first renames it
(atomic), so two presses of the button, or two admins, apply it once.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

# Files older than this are swept away: a preview's token is accepted for an hour.
KEEP_SECONDS = 24 * 3600
_NAME = re.compile(r"[0-9a-f]{32}\Z")


class UploadGone(Exception):
    """The upload was applied already, swept away, or never existed."""


@dataclass(frozen=True)
class Upload:
    name: str
    sha256: str

    @property
    def path(self) -> Path:
        return folder() / f"{self.name}.csv"


def folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def keep(stream: BinaryIO) -> Upload:
    """Copy an uploaded file to disk a chunk at a time, hashing it on the way."""
    sweep()
    name = secrets.token_hex(16)
    digest = hashlib.sha256()
    path = folder() / f"{name}.csv"
    with path.open("xb") as out:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return Upload(name, digest.hexdigest())


def claim(name: str, sha256: str) -> Path:
    """Take the upload for applying, once; raise UploadGone if it is gone or not that file."""
    if not _NAME.match(name):
        raise UploadGone(name)
    source = folder() / f"{name}.csv"
    taken = source.with_suffix(".applying")
    try:
        os.rename(source, taken)
    except FileNotFoundError:
        raise UploadGone(name) from None
    if _sha256(taken) != sha256:
        taken.unlink(missing_ok=True)
        raise UploadGone(name)
    return taken


def release(taken: Path) -> Upload:
    """Put a claimed file back, under a new name, for a new preview."""
    name = secrets.token_hex(16)
    os.rename(taken, folder() / f"{name}.csv")
    return Upload(name, _sha256(folder() / f"{name}.csv"))


def discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def sweep() -> None:
    """Delete uploads left over from previews nobody applied."""
    cutoff = time.time() - KEEP_SECONDS
    for path in folder().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
