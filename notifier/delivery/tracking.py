"""Our marks on a sent message, the VERP return path and the Message-ID: built and read here.

Each names its outbox row and carries a short HMAC of that id under the secret key, so a
delivery report can point back only at a row we really sent. A forged report naming a
guessable id does not verify, and is then judged by its own Final-Recipient alone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from notifier.settings import ConfigError

# 12 hex digits, 48 bits: far more guesses than anyone can mail us, short enough for a local
# part. Hex, as some MTAs lower-case the local part of the address a bounce comes back to.
SIGNATURE_LENGTH = 12
_SIGNED_ID = rf"(\d+)[.-]([0-9a-f]{{{SIGNATURE_LENGTH}}})"


@dataclass(frozen=True)
class Tracking:
    """Builds and reads the marks; one per settings, shared by the engine and the bounce reader."""

    key: bytes
    domain: str  # the Message-ID's right-hand side: the domain of NOTIFIER_MAIL_FROM
    bounce_address: str  # the return path without VERP
    verp_local: str = ""
    verp_domain: str = ""

    def signature(self, row_id: int) -> str:
        digest = hmac.new(self.key, f"outbox:{row_id}".encode(), hashlib.sha256).hexdigest()
        return digest[:SIGNATURE_LENGTH]

    def return_path(self, row_id: int) -> str:
        """The envelope sender; with VERP it names the row, so a bounce maps back to it."""
        if not self.verp_local:
            return self.bounce_address
        return f"{self.verp_local}+{row_id}-{self.signature(row_id)}@{self.verp_domain}"

    def message_id(self, row_id: int, key: str) -> str:
        """Stable for a row, so a message re-sent after a crash is recognisably the same one."""
        # The key becomes dot-separated words, as RFC 5322 wants the part before the @.
        words = re.sub(r"[^A-Za-z0-9-]+", ".", key).strip(".") or "email"
        return f"<{row_id}.{self.signature(row_id)}.{words}@{self.domain}>"

    def row_from_address(self, text: str) -> int | None:
        """The outbox id a VERP address names, only when its signature verifies."""
        if not self.verp_local:
            return None
        local, domain = re.escape(self.verp_local), re.escape(self.verp_domain)
        match = re.search(rf"{local}\+{_SIGNED_ID}@{domain}", text, re.IGNORECASE)
        return self._verified(match)

    def row_from_message_id(self, text: str) -> int | None:
        """The outbox id one of our Message-IDs names, only when its signature verifies."""
        pattern = rf"<{_SIGNED_ID}\.[^@>]*@{re.escape(self.domain)}>"
        return self._verified(re.fullmatch(pattern, text.strip(), re.IGNORECASE))

    def _verified(self, match: re.Match | None) -> int | None:
        if match is None:
            return None
        row_id = int(match[1])
        given = match[2].lower()
        return row_id if hmac.compare_digest(given, self.signature(row_id)) else None


def tracking_from(settings) -> Tracking:
    """The marks the settings describe; ConfigError for a VERP setting that is no address."""
    verp_local, _, verp_domain = settings.verp_return_path.partition("@")
    if settings.verp_return_path and not (verp_local and "." in verp_domain):
        raise ConfigError(
            f"NOTIFIER_VERP_RETURN_PATH must be an address like bounces@example.org, "
            f"got {settings.verp_return_path!r}"
        )
    bounce_address = parseaddr(settings.mail_from)[1]
    # Its own key, derived from the secret key, so these marks can never pass for a link token.
    key = hmac.new(settings.secret_key.encode(), b"notifier.tracking", hashlib.sha256).digest()
    return Tracking(
        key=key,
        domain=bounce_address.rpartition("@")[2] or "localhost",
        bounce_address=bounce_address,
        verp_local=verp_local,
        verp_domain=verp_domain,
    )
