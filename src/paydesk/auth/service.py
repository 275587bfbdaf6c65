"""Users and API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.auth.models import ApiKey, User, WebSession
from paydesk.auth.roles import Role
from paydesk.auth.secrets import (
    hash_password,
    new_api_key,
    password_matches,
    secret_matches,
    split_api_key,
)
from paydesk.db.base import utcnow
from paydesk.db.lookup import rows_of
from paydesk.db.unique import flush_unique
from paydesk.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough to authorise and to record in the audit trail."""

    user_id: int
    username: str
    role: Role


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace("-", "").replace(".", "").replace("_", "").isalnum()
    ):
        raise InvalidInput("a username is 1-64 letters, digits, '.', '-' or '_'")
    if role not in set(Role):
        raise InvalidInput(f"role {role!r} is not one of {[r.value for r in Role]}")
    if password is not None:
        check_password(password)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    if not flush_unique(session, user):
        raise Conflict(f"user {username} already exists")
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username}")
    return user


def create_key(session: Session, user: User, name: str = "") -> str:
    """Create an API key for the user; the full key is shown once and never stored."""
    full, key_id, secret_hash = new_api_key()
    session.add(ApiKey(user_id=user.id, key_id=key_id, secret_hash=secret_hash, name=name))
    session.flush()
    return full


def principal_for_key(session: Session, full_key: str) -> Principal | None:
    parts = split_api_key(full_key)
    if parts is None:
        return None
    key_id, secret = parts
    row = session.execute(
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None), User.active)
    ).first()
    if row is None or not secret_matches(secret, row.ApiKey.secret_hash):
        return None
    return Principal(row.User.id, row.User.username, Role(row.User.role))


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """Check a username and password (web sign-in).

    An unknown or inactive user costs the same password hashing as a known one, so the time
    of the answer does not tell whether the user exists.
    """
    user = session.scalar(select(User).where(User.username == username, User.active))
    if user is None or not user.password_hash:
        password_matches(password, _decoy_hash())
        return None
    if not password_matches(password, user.password_hash):
        return None
    return Principal(user.id, user.username, Role(user.role))


def check_password(password: str) -> str:
    if len(password) < 8:
        raise InvalidInput("a password has at least 8 characters")
    if len(password) > 1024:
        raise InvalidInput("a password has at most 1024 characters")
    return password


def _record_user(session: Session, user: User, to: str, *, actor: str, **change: Any) -> None:
    """Record that ``user`` went ``to`` a status (``change``: its ``from_status``, ``reason``)
    in the audit trail, which names users by their username, and flush."""
    trail.record(
        session, actor=actor, entity_type="user", entity_id=user.username, to_status=to, **change
    )
    session.flush()


def set_password(session: Session, user: User, password: str, *, actor: str) -> int:
    """Give the user a new password and end every web session they have; returns how many."""
    user.password_hash = hash_password(check_password(password))
    ended = end_sessions_of(session, user.id)
    _record_user(
        session, user, "password_changed", actor=actor, reason=f"{ended} web session(s) ended"
    )
    return ended


def deactivate_user(session: Session, user: User, *, actor: str, reason: str | None = None) -> User:
    """Switch a user off: no sign-in, no API key of theirs works, their web sessions end now.

    API keys already checked by another server process stay usable there for at most
    ``api_key_cache_seconds``.
    """
    if user.active:
        user.active = False
        ended = end_sessions_of(session, user.id)
        reason = reason or f"{ended} web session(s) ended"
        _record_user(session, user, "inactive", actor=actor, from_status="active", reason=reason)
    return user


def activate_user(session: Session, user: User, *, actor: str) -> User:
    if not user.active:
        user.active = True
        _record_user(session, user, "active", actor=actor, from_status="inactive")
    return user


def keys_of(session: Session, user: User) -> list[ApiKey]:
    """The user's API keys, oldest first (revoked ones included; no secret is stored)."""
    return rows_of(session, ApiKey, ApiKey.user_id == user.id)


def revoke_key(session: Session, user: User, key_id: str, *, actor: str) -> ApiKey:
    """Revoke one of the user's keys (``key_id`` is the public part, ``pdk_<key_id>_…``)."""
    key = session.scalar(
        select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.key_id == key_id).with_for_update()
    )
    if key is None:
        raise NotFound(f"user {user.username} has no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        trail.record(
            session,
            actor=actor,
            entity_type="api_key",
            entity_id=key.key_id,
            from_status="active",
            to_status="revoked",
            reason=f"key of {user.username}",
        )
        session.flush()
    return key


def revoke_key_id(session: Session, key_id: str, *, actor: str) -> ApiKey:
    """Revoke a key by its public id, whoever's it is."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if key is None:
        raise NotFound(f"no API key {key_id}")
    user = session.get(User, key.user_id)
    assert user is not None
    return revoke_key(session, user, key_id, actor=actor)


# Web sessions: the cookie holds a random token; the server keeps its hash.


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_web_session(
    session: Session, user_id: int, *, minutes: int, address: str = "", now: datetime | None = None
) -> str:
    """A new web session for the user; returns the token for the cookie (stored hashed)."""
    now = now or utcnow()
    session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_token_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
            address=address[:64],
        )
    )
    session.flush()
    return token


def web_session_user(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user of a live web session, or ``None`` (ended, expired, unknown)."""
    return session.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.token_hash == _token_hash(token),
            WebSession.expires_at > (now or utcnow()),
            User.active,
        )
    )


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))


def end_sessions_of(session: Session, user_id: int) -> int:
    """End every web session of the user (sign-out everywhere); returns how many."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(result.rowcount or 0)
