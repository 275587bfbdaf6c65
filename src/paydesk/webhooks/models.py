"""Webhook subscriptions and the log of every delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paydesk.db.base import (
    Base,
    KeyType,
    UTCDateTime,
    created_column,
    id_column,
    updated_column,
    utcnow,
)


class WebhookSubscription(Base):
    """An endpoint of the host system and the event types it wants."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = id_column()
    url: Mapped[str] = mapped_column(String(500))
    #: Shared secret for the HMAC signature (needed in clear to sign).
    secret: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()


class WebhookDelivery(Base):
    """One event for one subscription: pending → delivered | failed, with every attempt counted."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = id_column()
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    subscription_id: Mapped[int] = mapped_column(
        KeyType, ForeignKey("webhook_subscriptions.id"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_column()
