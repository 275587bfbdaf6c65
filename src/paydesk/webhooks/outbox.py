"""Emit webhook events in the caller's transaction (the outbox pattern).

:func:`emit` writes one pending delivery per matching subscription in the same transaction
as the change it reports: the event exists exactly when the change was committed. Delivery
happens afterwards (:mod:`paydesk.webhooks.delivery`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.db.base import utcnow
from paydesk.db.bulk import insert_rows
from paydesk.errors import InvalidInput
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription

#: Every event type paydesk emits.
EVENT_TYPES = (
    "payment_code.partially_paid",
    "payment_code.paid",
    "payment_code.overpaid",
    "bank_entry.unmatched",
    "bank_document.failed",
    "payment.frozen",
    "payment.error",
    "payment.cancelled",
    "direct_debit.returned",
)


def check_event_types(types: list[str]) -> list[str]:
    unknown = sorted(set(types) - set(EVENT_TYPES) - {"*"})
    if unknown:
        raise InvalidInput(f"unknown event types {unknown}; known: {list(EVENT_TYPES)} or '*'")
    return sorted(set(types))


def _wants(subscription: WebhookSubscription | Listener, event_type: str) -> bool:
    types = subscription.event_types or []
    return "*" in types or event_type in types


_ACTIVE = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))


def emit(session: Session, event_type: str, payload: dict[str, Any]) -> str:
    """Queue ``event_type`` for every active subscription that wants it; returns the event id.

    Call it inside the transaction that made the change. ``payload`` must be JSON-ready.
    """
    if event_type not in EVENT_TYPES:
        raise InvalidInput(f"unknown webhook event type {event_type!r}")
    event_id = "evt_" + uuid.uuid4().hex
    subscriptions = session.scalars(_ACTIVE)
    now = utcnow()
    for subscription in subscriptions:
        if _wants(subscription, event_type):
            session.add(
                WebhookDelivery(
                    event_id=event_id,
                    subscription_id=subscription.id,
                    event_type=event_type,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return event_id


def has_subscribers(session: Session) -> bool:
    """Whether any active subscription exists (callers may skip building events otherwise)."""
    return (
        session.scalar(
            select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True)).limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Listener:
    """An active subscription as :func:`emit_many` needs it."""

    id: int
    event_types: list[str]


#: The active subscriptions' ids and event types (see :func:`listeners`).
LISTENERS = select(WebhookSubscription.id, WebhookSubscription.event_types).where(
    WebhookSubscription.active.is_(True)
)


def listeners(session: Session) -> list[Listener]:
    """The active subscriptions (read once for a batch of events)."""
    return listeners_from(session.execute(LISTENERS))


def listeners_from(rows: Iterable[tuple[int, list[str] | None]]) -> list[Listener]:
    """:func:`listeners` from the rows of :data:`LISTENERS` (read with other statements)."""
    return [Listener(id_, types or []) for id_, types in rows]


def emit_many(
    session: Session,
    events: list[tuple[str, dict[str, Any]]],
    *,
    subscriptions: list[Listener] | None = None,
) -> None:
    """:func:`emit` for many events at once: subscriptions read once (or given, as
    :func:`listeners` read them in this transaction), deliveries bulk-written."""
    if not events:
        return
    if subscriptions is None:
        subscriptions = listeners(session)
    if not subscriptions:
        return
    now = utcnow()
    rows = []
    for event_type, payload in events:
        if event_type not in EVENT_TYPES:
            raise InvalidInput(f"unknown webhook event type {event_type!r}")
        event_id = "evt_" + uuid.uuid4().hex
        rows.extend(
            (event_id, s.id, event_type, payload, "pending", 0, now, now)
            for s in subscriptions
            if _wants(s, event_type)
        )
    insert_rows(
        session.connection(),
        WebhookDelivery.__table__,
        (
            "event_id",
            "subscription_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
        ),
        rows,
    )
