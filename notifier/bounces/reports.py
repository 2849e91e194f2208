"""Read delivery status notifications (RFC 3464) and abuse reports (ARF, RFC 5965)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from notifier.delivery.tracking import Tracking

# Feedback types that are not complaints about our mail (RFC 6650 "not-spam" undoes one).
NOT_COMPLAINTS = frozenset({"not-spam"})
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


class ReportError(Exception):
    """The input is not a report we can act on: say why in a sentence."""


@dataclass(frozen=True)
class BounceReport:
    email: str
    kind: str  # hard, soft or complaint
    status_code: str | None = None
    diagnostic: str | None = None
    outbox_id: int | None = None


def parse_report(raw: bytes, tracking: Tracking) -> list[BounceReport]:
    """Return what a DSN or ARF report says about our recipients; raise ReportError if unusable.

    A DSN that only says "delivered" or "relayed" returns an empty list. A report's outbox id
    is set only when our signed VERP address or Message-ID in it verifies.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        raise ReportError(
            f"not a delivery or abuse report: content type is {message.get_content_type()}"
        )
    report_type = (message.get_param("report-type") or "").lower()
    outbox_id = _verp_outbox_id(message, tracking) or _message_id_outbox_id(message, tracking)
    if report_type == "delivery-status":
        reports = _delivery_status(message, outbox_id)
    elif report_type == "feedback-report":
        reports = _feedback_report(message, outbox_id)
    else:
        raise ReportError(f"unsupported report-type {report_type or '(none)'!r}")
    return reports


def _part(message: EmailMessage, content_type: str) -> EmailMessage | None:
    return next((p for p in message.iter_parts() if p.get_content_type() == content_type), None)


def _delivery_status(message: EmailMessage, outbox_id: int | None) -> list[BounceReport]:
    part = _part(message, "message/delivery-status")
    if part is None:
        raise ReportError("delivery report has no message/delivery-status part")
    blocks = part.get_payload()
    recipients = [b for b in blocks if b.get("Final-Recipient") or b.get("Original-Recipient")]
    if not recipients:
        raise ReportError("delivery report names no recipient (no Final-Recipient field)")
    reports = []
    for block in recipients:
        address = _typed_address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        if action in {"delivered", "relayed", "expanded"}:
            continue
        if action == "failed" or status.startswith("5"):
            kind = "hard"
        elif action == "delayed" or status.startswith("4"):
            kind = "soft"
        else:
            raise ReportError(f"delivery report for {address} has no usable Action or Status")
        diagnostic = str(block.get("Diagnostic-Code", "")).strip() or None
        reports.append(BounceReport(address, kind, status or None, diagnostic, outbox_id))
    return reports


def _feedback_report(message: EmailMessage, outbox_id: int | None) -> list[BounceReport]:
    part = _part(message, "message/feedback-report")
    if part is None:
        raise ReportError("abuse report has no message/feedback-report part")
    fields = part.get_payload(0)
    feedback_type = str(fields.get("Feedback-Type", "")).strip().lower()
    if not feedback_type:
        raise ReportError("abuse report has no Feedback-Type")
    if feedback_type in NOT_COMPLAINTS:
        return []
    addresses = [_plain_address(v) for v in fields.get_all("Original-Rcpt-To", [])]
    original = _original_headers(message)
    if not any(addresses) and original is not None:
        addresses = [addr for _, addr in getaddresses(original.get_all("To", []))]
    addresses = [a for a in addresses if a and _ADDRESS.fullmatch(a)]
    if not addresses:
        raise ReportError("abuse report names no recipient (no Original-Rcpt-To or To)")
    return [
        BounceReport(a.lower(), "complaint", None, f"feedback-type {feedback_type}", outbox_id)
        for a in addresses
    ]


def _typed_address(value) -> str:
    """'rfc822; user@example.org' -> 'user@example.org', or ReportError when it is not one."""
    kind, _, address = str(value).partition(";")
    address = _plain_address(address if address else kind)
    if not _ADDRESS.fullmatch(address):
        raise ReportError(f"recipient {str(value).strip()!r} is not an email address")
    return address.lower()


def _plain_address(value) -> str:
    return parseaddr(str(value).strip())[1].strip()


def _original_headers(message: EmailMessage) -> EmailMessage | None:
    for part in message.iter_parts():
        if part.get_content_type() == "message/rfc822":
            return part.get_payload(0)
        if part.get_content_type() == "text/rfc822-headers":
            return email.message_from_string(part.get_content(), policy=email.policy.default)
    return None


def _verp_outbox_id(message: EmailMessage, tracking: Tracking) -> int | None:
    """The row named by the VERP address the report was delivered to."""
    for header in ("Delivered-To", "X-Original-To", "To", "Envelope-To"):
        for value in message.get_all(header, []):
            if (row_id := tracking.row_from_address(str(value))) is not None:
                return row_id
    return None


def _message_id_outbox_id(message: EmailMessage, tracking: Tracking) -> int | None:
    """The row named by our Message-ID in the returned headers."""
    original = _original_headers(message)
    if original is None or not original["Message-ID"]:
        return None
    return tracking.row_from_message_id(str(original["Message-ID"]))
