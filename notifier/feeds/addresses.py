"""Which network addresses a feed fetch may connect to, judged when it connects."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

PUBLIC = "public"


class RefusedAddress(Exception):
    """A connection would reach an address this fetch may not; the message says which."""


def kind(address: str) -> str:
    """Name the kind of an address: public, loopback, private, link-local or reserved."""
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, however it is written
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"  # cloud metadata services live here (169.254.169.254)
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "reserved"  # 0.0.0.0 connects to this machine on Linux
    if ip.is_global:
        return PUBLIC
    return "private"


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name (or literal) resolves to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedAddress(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressPolicy:
    """Public addresses always; a non-public kind only if the feed's own URL is of that kind.

    A feed configured on loopback (the tests, a local proxy) may redirect within loopback,
    yet not to the private network or a metadata service; a public feed reaches public
    addresses only, whatever its redirects or its DNS say at connect time.
    """

    def __init__(self, allowed: Iterable[str], resolver: Resolver = resolve):
        self.allowed = frozenset(allowed) | {PUBLIC}
        self._resolve = resolver

    @classmethod
    def for_origin(cls, host: str, port: int, resolver: Resolver = resolve) -> AddressPolicy:
        """The policy for a fetch whose own URL names this host."""
        return cls({kind(address) for address in resolver(host, port)}, resolver)

    def addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses this fetch may connect to; RefusedAddress if there are none."""
        found = self._resolve(host, port)
        permitted = [address for address in found if kind(address) in self.allowed]
        if not permitted:
            kinds = sorted({kind(address) for address in found})
            raise RefusedAddress(
                f"refused to connect to {host}: it is a {' and '.join(kinds)} address, "
                "and the feed's own URL is not"
            )
        return permitted
