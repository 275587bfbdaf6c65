"""Users and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
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
