"""Addresses on the wire: an IDN domain as its A-label, and whether the local part needs SMTPUTF8.

Policy (docs/adr/0020-internationalised-addresses.md): people with internationalised addresses
may subscribe. A non-ASCII domain is always sent as its A-label (xn--…), which every relay
takes. A non-ASCII local part can only travel with SMTPUTF8 (RFC 6531): sent with it when the
relay offers it, otherwise that one email fails permanently with a reason saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import idna


class AddressError(ValueError):
    """The address cannot be written on an SMTP connection at all."""


@dataclass(frozen=True)
class WireAddress:
    address: str
    # True when the local part is not ASCII: only a relay offering SMTPUTF8 can take it.
    needs_smtputf8: bool


def on_the_wire(address: str) -> WireAddress:
    """The form of an address to put in RCPT TO and the To header; raise AddressError if none."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{address!r} is not an email address")
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise AddressError(f"the domain of {address!r} is not a valid IDN: {exc}") from None
    return WireAddress(f"{local}@{domain}", needs_smtputf8=not local.isascii())
