"""Users and API keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paydesk.auth.models import ApiKey, User
from paydesk.auth.roles import Role
from paydesk.auth.secrets import (
    hash_password,
    new_api_key,
    password_matches,
    secret_matches,
    split_api_key,
)
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
    if password is not None and len(password) < 8:
        raise InvalidInput("a password has at least 8 characters")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise Conflict(f"user {username} already exists") from None
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


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """Check a username and password (web sign-in)."""
    user = session.scalar(select(User).where(User.username == username, User.active))
    if user is None or not password_matches(password, user.password_hash):
        return None
    return Principal(user.id, user.username, Role(user.role))
