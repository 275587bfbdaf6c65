"""Users and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import Base, KeyType, UTCDateTime, created_column, id_column


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = id_column()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    #: For signing in to the web pages; API clients use keys.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_column()


class ApiKey(Base):
    """A secret for API calls. Only a hash of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(KeyType, ForeignKey("users.id"), index=True)
    #: Public part of the key (``pdk_<key_id>_<secret>``), used to find it.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in web session, kept on the server so it can be ended at once.

    The browser's cookie carries a random token; only its SHA-256 is stored. Signing out, a
    password change and deactivating the user delete the user's rows: a cookie copied before
    is worthless after.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = id_column()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(KeyType, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The client address that signed in (for the user's own information and the audit).
    address: Mapped[str] = mapped_column(String(64), default="")


class SignInThrottle(Base):
    """Failed sign-ins per user name (``user:<name>``) and per client address (``addr:<ip>``)."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
