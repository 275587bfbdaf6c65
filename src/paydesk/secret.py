"""The installation's secret key: no usable default, a random one made once for demos.

``secret_key`` signs the web session cookie and peppers the bank-account fingerprints. It is
taken from the settings (``PAYDESK_SECRET_KEY`` or ``secret_key`` in ``paydesk.toml``), else
from the file ``secret_key_file`` (``data/secret_key``), which ``paydesk demo`` (so ``make run``)
and ``paydesk secret create`` write once with a random value. ``paydesk serve`` (and the ASGI
app) refuse to start without one, or with a known placeholder, and say how to set one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Values seen in examples and old defaults: anyone could sign a cookie with them.
PLACEHOLDERS = frozenset(
    {
        "change-me-in-production",
        "change-me",
        "changeme",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "your-secret-key",
        "please-change-me",
        "insecure",
        "dev",
        "test",
        "paydesk",
    }
)
MIN_LENGTH = 32

HOW_TO = (
    "Set one: `paydesk secret create` writes a random one to {path} (kept there, read by every "
    "paydesk command started from this folder), or set PAYDESK_SECRET_KEY (or secret_key in "
    "paydesk.toml) to at least {n} random characters, e.g. the output of "
    "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
)


class InsecureSecret(RuntimeError):
    """There is no secret key, or it is one anyone could know."""


def weakness(secret: str | None) -> str | None:
    """Why ``secret`` must not be used, or ``None`` when it may."""
    if secret is None or not secret.strip():
        return "no secret_key is set"
    if secret.strip().lower() in PLACEHOLDERS:
        return f"secret_key is the known placeholder {secret.strip()!r}"
    if len(secret) < MIN_LENGTH:
        return f"secret_key is shorter than {MIN_LENGTH} characters"
    return None


def refusal(secret: str | None, path: str) -> str | None:
    """The message refusing ``secret``, with how to set one; ``None`` when it is fine."""
    reason = weakness(secret)
    if reason is None:
        return None
    return f"paydesk will not start: {reason}. " + HOW_TO.format(path=path, n=MIN_LENGTH)


def read_file(path: str | os.PathLike[str]) -> str | None:
    """The secret kept in ``path``, or ``None`` when there is no such file."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def create_file(path: str | os.PathLike[str]) -> bool:
    """Write a new random secret to ``path`` (owner-only) unless the file exists.

    Returns whether it was created. Never overwrites: the bank-account fingerprints and the
    signed-in sessions depend on the secret staying the same.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    return True
