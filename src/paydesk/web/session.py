"""The web session: a cookie signed with the installation's secret key, and its CSRF token.

The cookie holds a random CSRF token and, once signed in, a random session token whose hash
the server keeps (table ``web_sessions``, :func:`paydesk.auth.service.start_web_session`). The
user (and their role) is read through that row on each request, so signing out, a password
change or deactivating the user ends the session at once, even for a copy of the cookie taken
before. Every POST form carries the CSRF token (field ``csrf_token``, or header
``X-CSRF-Token`` from htmx).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from paydesk.settings import Settings

COOKIE: str = "paydesk_session"
LANGUAGE_COOKIE: str = "paydesk_lang"
CSRF_FIELD: str = "csrf_token"
CSRF_HEADER: str = "X-CSRF-Token"
_SALT = "paydesk.web.session"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class WebSession:
    """What the browser's cookie says: who signed in (if anyone) and the CSRF token."""

    csrf: str = field(default_factory=_new_token)
    #: The server-side session's token (``None``: signed out).
    token: str | None = None
    #: The signed-in user, once the token was found live on the server.
    user_id: int | None = None
    #: True when the cookie must be (re)written on the response.
    changed: bool = True

    def sign_in(self, user_id: int, token: str) -> None:
        """A new CSRF token on sign-in, so a token seen before signing in is worthless after."""
        self.user_id = user_id
        self.token = token
        self.csrf = _new_token()
        self.changed = True

    def sign_out(self) -> None:
        self.user_id = None
        self.token = None
        self.csrf = _new_token()
        self.changed = True

    def csrf_matches(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret, salt=_SALT)


def load(request: Request, settings: Settings) -> WebSession:
    """The session of the request's cookie; a new, signed-out one when it is absent, forged or
    older than ``web_session_minutes``."""
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(settings).loads(raw, max_age=settings.web_session_minutes * 60)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("csrf"), str):
            token = data.get("sid")
            return WebSession(
                csrf=data["csrf"], token=token if isinstance(token, str) else None, changed=False
            )
    return WebSession()


def store(response: Response, session: WebSession, settings: Settings) -> None:
    """Write the cookie when the session changed (HttpOnly, SameSite=Lax)."""
    if not session.changed:
        return
    value = _serializer(settings).dumps({"sid": session.token, "csrf": session.csrf})
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.web_session_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.web_secure_cookies,
        path="/",
    )
