"""Webhook signatures: ``Paydesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The signed text is ``f"{t}.{body}"``: the timestamp binds the signature to one moment, so a
receiver that checks it within a tolerance refuses replays of old deliveries.

>>> header = sign("whsec_test", b'{"id":"1"}', timestamp=1700000000)
>>> header.startswith("t=1700000000,v1=")
True
>>> verify_signature("whsec_test", header, b'{"id":"1"}', now=1700000010)
True
>>> verify_signature("whsec_test", header, b'{"id":"2"}', now=1700000010)
False
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

__all__ = ["new_secret", "sign", "verify_signature"]

#: Seconds a receiver accepts between the signature's time and its own clock.
DEFAULT_TOLERANCE = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The ``Paydesk-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(secret, t, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` is a valid signature of ``body`` made within ``tolerance`` seconds.

    For receivers: pass the raw request body, exactly as received. Several ``v1`` values
    (during a secret rotation) are accepted if any matches.
    """
    if not header:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
