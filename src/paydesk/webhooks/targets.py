"""Where webhooks may be sent: never inside (SSRF), unless an admin names the host.

A subscription URL is refused when its host is, or resolves to, an address that is not
globally routable: loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7),
link-local (169.254/16 — the cloud metadata service 169.254.169.254 — and fe80::/10),
shared (100.64/10), unspecified, multicast or reserved; IPv4 written as a number, in hex or
short (``2130706433``, ``0x7f.1``, ``127.1``) and IPv4 inside IPv6 (``::ffff:127.0.0.1``) are
read as what they are. ``localhost`` and names under ``.localhost``, ``.internal`` and
``.local`` are refused without a look-up. The setting ``webhook_allowed_hosts`` (host names or
addresses, exactly as in the URL) lets an admin allow named internal receivers.

The check runs when a subscription is created or changed, and again before every delivery
(a name may resolve elsewhere later). A name that cannot be resolved when subscribing is
accepted then and checked at delivery.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from paydesk.errors import InvalidInput

_INTERNAL_NAMES = ("localhost",)
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local")


class InternalTarget(InvalidInput):
    slug = "webhook-url-not-allowed"
    title = "Webhook URL not allowed"


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _addresses(host: str, port: int) -> list[str] | None:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError, OSError):
        return None


def check_target(url: str, allowed_hosts: Iterable[str] = (), *, unresolved_ok: bool = True) -> str:
    """``url`` when a webhook may be sent there; :class:`InternalTarget` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput(f"{url!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("a webhook URL starts with https:// (or http://) and names a host")
    host = parts.hostname.rstrip(".").lower()
    if host in {h.strip().rstrip(".").lower() for h in allowed_hosts}:
        return url
    refused = InternalTarget(
        f"webhooks are not sent to {host}: it is an internal address (loopback, private, "
        "link-local or metadata); an admin can allow it by name in webhook_allowed_hosts"
    )
    if host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES):
        raise refused
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if _internal(host):
            raise refused
        return url
    addresses = _addresses(host, port)
    if addresses is None:
        if unresolved_ok:
            return url
        raise InternalTarget(f"the webhook host {host} cannot be resolved")
    if not addresses or any(_internal(a) for a in addresses):
        raise refused
    return url
