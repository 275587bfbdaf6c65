"""Webhook subscriptions (CRUD), the delivery log, and manual redelivery."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints, field_validator
from sqlalchemy import func, select

from paydesk.api.deps import Call, Paging, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Out, PageOf, Strict
from paydesk.auth.roles import INTEGRATIONS
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput, NotFound
from paydesk.webhooks.delivery import deliver_pending, redeliver
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from paydesk.webhooks.outbox import EVENT_TYPES, check_event_types
from paydesk.webhooks.signing import new_secret
from paydesk.webhooks.targets import check_target

router = APIRouter(route_class=ApiRoute, prefix="/webhooks", tags=["webhooks"])

Row = TypeVar("Row", WebhookSubscription, WebhookDelivery)

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500)]


def _check_url(url: str) -> str:
    if not (url.startswith("https://") or url.startswith("http://")):
        raise InvalidInput("a webhook URL starts with https:// (or http://)")
    return url


def _check_target(url: str, call: Call) -> str:
    """Not inside (loopback, private, link-local, metadata) unless an admin allowed the host."""
    return check_target(url, call.settings.webhook_allowed_hosts)


class SubscriptionIn(Strict):
    url: Url
    event_types: list[str] = Field(
        min_length=1, description=f"Any of {list(EVENT_TYPES)}, or '*' for all"
    )
    description: str = Field(default="", max_length=200)
    secret: str | None = Field(
        default=None, min_length=16, max_length=100, description="Generated when not given"
    )

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class SubscriptionPatch(Strict):
    url: Url | None = None
    event_types: list[str] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class SubscriptionOut(Out):
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: datetime
    #: Only in the answer that created the subscription.
    secret: str | None = None

    @classmethod
    def of(cls, s: WebhookSubscription, *, with_secret: bool = False) -> SubscriptionOut:
        return cls.of_row(
            s, event_types=list(s.event_types or []), secret=s.secret if with_secret else None
        )


class DeliveryOut(Out):
    id: int
    event_id: str
    subscription_id: int
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls.of_row(
            d,
            payload=dict(d.payload),
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        )


class DeliveryListOut(PageOf[DeliveryOut]):
    pass


def _found(session, model: type[Row], row_id: int, what: str, *, lock: bool = False) -> Row:
    """The ``model`` row ``row_id``, or ``NotFound`` (``no webhook <what> <row_id>``)."""
    found = session.get(model, row_id, with_for_update=lock or None)
    if found is None:
        raise NotFound(f"no webhook {what} {row_id}")
    return found


def _subscription(session, subscription_id: int, *, lock: bool = False) -> WebhookSubscription:
    return _found(session, WebhookSubscription, subscription_id, "subscription", lock=lock)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut)
def create_subscription(body: SubscriptionIn, call: Call = Depends(writer(INTEGRATIONS))):
    """Subscribe a URL to event types; the answer shows the signing secret, once."""
    types = check_event_types(body.event_types)
    url = _check_target(body.url, call)

    def work(session):
        subscription = WebhookSubscription(
            url=url,
            secret=body.secret or new_secret(),
            event_types=types,
            description=body.description,
            active=True,
        )
        session.add(subscription)
        session.flush()
        return SubscriptionOut.of(subscription, with_secret=True)

    return call.run(work, 201, secret_fields=("secret",))


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(db: Database = Depends(reader(INTEGRATIONS))) -> list[SubscriptionOut]:
    with db.reading() as session:
        found = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
        return [SubscriptionOut.of(s) for s in found]


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(
    subscription_id: int, db: Database = Depends(reader(INTEGRATIONS))
) -> SubscriptionOut:
    with db.reading() as session:
        return SubscriptionOut.of(_subscription(session, subscription_id))


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def update_subscription(
    subscription_id: int, body: SubscriptionPatch, call: Call = Depends(writer(INTEGRATIONS))
):
    """Change the URL, event types, description, or switch a subscription off and on."""
    types = None if body.event_types is None else check_event_types(body.event_types)
    url = None if body.url is None else _check_target(_check_url(body.url), call)

    def work(session):
        subscription = _subscription(session, subscription_id, lock=True)
        if url is not None:
            subscription.url = url
        if types is not None:
            subscription.event_types = types
        if body.description is not None:
            subscription.description = body.description
        if body.active is not None:
            subscription.active = body.active
        session.flush()
        return SubscriptionOut.of(subscription)

    return call.run(work)


@router.delete("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def delete_subscription(subscription_id: int, call: Call = Depends(writer(INTEGRATIONS))):
    """Switch the subscription off for good; its delivery log stays."""

    def work(session):
        subscription = _subscription(session, subscription_id, lock=True)
        subscription.active = False
        session.flush()
        return SubscriptionOut.of(subscription)

    return call.run(work)


@router.get("/deliveries", response_model=DeliveryListOut)
def list_deliveries(
    status: str | None = Query(None, pattern="^(pending|delivered|failed)$"),
    event_type: str | None = None,
    subscription_id: int | None = None,
    event_id: str | None = None,
    paging: Paging = Depends(),
    db: Database = Depends(reader(INTEGRATIONS)),
) -> DeliveryListOut:
    """The delivery log, newest first."""
    query = select(WebhookDelivery)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if event_type:
        query = query.where(WebhookDelivery.event_type == event_type)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if event_id:
        query = query.where(WebhookDelivery.event_id == event_id)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(WebhookDelivery.id.desc()).limit(paging.limit).offset(paging.offset)
        )
        return DeliveryListOut.of([DeliveryOut.of(d) for d in rows], int(total), paging)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def get_delivery(delivery_id: int, db: Database = Depends(reader(INTEGRATIONS))) -> DeliveryOut:
    with db.reading() as session:
        return DeliveryOut.of(_found(session, WebhookDelivery, delivery_id, "delivery"))


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut)
def redeliver_delivery(
    delivery_id: int,
    request: Request,
    background: BackgroundTasks,
    call: Call = Depends(writer(INTEGRATIONS)),
) -> JSONResponse:
    """Send a delivery again now (same event id and body, a new signature)."""
    response = call.run(lambda session: DeliveryOut.of(redeliver(session, delivery_id)))
    background.add_task(deliver_pending, request.app.state.db, request.app.state.settings)
    response.background = background
    return response
