"""Deliver pending webhook events: signed POSTs, retried with exponential back-off.

:func:`deliver_pending` runs as a periodic worker task and also right after a commit that
emitted events, so the host system hears of a payment within a second. Deliveries are
claimed like jobs (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and leased by pushing their
``next_attempt_at`` past the request timeout, so two deliverers never send the same one at
once; the HTTP requests run outside any transaction.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import urllib3
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from paydesk import __version__, retry
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput, NotFound
from paydesk.settings import Settings
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from paydesk.webhooks.signing import sign
from paydesk.webhooks.targets import check_target

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
#: The longest wait between two attempts of a delivery.
MAX_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class _Claimed:
    id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    url: str
    secret: str


@dataclass(frozen=True)
class _Outcome:
    id: int
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class DeliveryRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def body_of(event_id: str, event_type: str, created_at: datetime, payload: dict) -> bytes:
    """The JSON body of an event (the same bytes on every attempt)."""
    event = {
        "id": event_id,
        "type": event_type,
        "created_at": created_at.isoformat(timespec="seconds"),
        "data": payload,
    }
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


#: Due deliveries with their subscription, oldest first; the deliveries' rows are locked
#: (rows another deliverer holds are skipped), the subscriptions' are not.
_DUE = (
    select(
        WebhookDelivery.id,
        WebhookDelivery.event_id,
        WebhookDelivery.event_type,
        WebhookDelivery.payload,
        WebhookDelivery.created_at,
        WebhookDelivery.attempts,
        WebhookSubscription.url,
        WebhookSubscription.secret,
        WebhookSubscription.active,
    )
    .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
    .where(
        WebhookDelivery.status == PENDING,
        WebhookDelivery.next_attempt_at <= bindparam("now"),
    )
    .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=WebhookDelivery)
)
_LEASE = (
    update(WebhookDelivery)
    .where(WebhookDelivery.id.in_(bindparam("ids", expanding=True)))
    .values(next_attempt_at=bindparam("until"))
)
_INACTIVE = (
    update(WebhookDelivery)
    .where(WebhookDelivery.id == bindparam("b_id"))
    .values(status=FAILED, last_error="the subscription is not active")
)


def _claim(db: Database, limit: int, now: datetime, lease: timedelta) -> list[_Claimed]:
    """Take up to ``limit`` due deliveries (rows others hold are skipped) and lease them."""
    with db.transaction() as session:
        connection = session.connection()
        rows = connection.execute(_DUE, {"now": now, "limit": limit}).all()
        if not rows:
            return []
        connection.execute(_LEASE, {"ids": [row.id for row in rows], "until": now + lease})
        claimed, inactive = [], []
        for row in rows:
            if not row.active:
                inactive.append({"b_id": row.id})
                continue
            claimed.append(
                _Claimed(
                    row.id,
                    row.event_id,
                    row.event_type,
                    dict(row.payload),
                    row.created_at,
                    row.attempts,
                    row.url,
                    row.secret,
                )
            )
        if inactive:
            connection.execute(_INACTIVE, inactive)
        return claimed


def http_client(timeout: float, connections: int = 8) -> urllib3.PoolManager:
    """The HTTP client webhooks leave by: keeps up to ``connections`` open per receiver, never
    follows a redirect (a 3xx is a failed attempt) and never retries on its own (retries are
    the outbox's, with back-off)."""
    return urllib3.PoolManager(
        num_pools=64,
        maxsize=connections,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        retries=False,
    )


def _send(
    client: urllib3.PoolManager, item: _Claimed, allowed_hosts: Sequence[str] = ()
) -> _Outcome:
    try:  # again at each delivery: a name may point inside by now
        check_target(item.url, allowed_hosts, unresolved_ok=False)
    except InvalidInput as refused:
        return _Outcome(item.id, None, f"refused: {refused.detail}"[:1000])
    body = body_of(item.event_id, item.event_type, item.created_at, item.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"paydesk-webhooks/{__version__}",
        "Paydesk-Event": item.event_type,
        "Paydesk-Delivery": str(item.id),
        "Paydesk-Event-Id": item.event_id,
        "Paydesk-Signature": sign(item.secret, body),
    }
    try:
        response = client.request("POST", item.url, body=body, headers=headers, redirect=False)
    except urllib3.exceptions.HTTPError as error:
        return _Outcome(item.id, None, f"{type(error).__name__}: {error}"[:1000])
    if 200 <= response.status < 300:
        return _Outcome(item.id, response.status, None)
    return _Outcome(item.id, response.status, f"HTTP {response.status}")


_OUTCOME = (
    update(WebhookDelivery)
    .where(WebhookDelivery.id == bindparam("b_id"))
    .values(
        attempts=bindparam("attempts"),
        last_status_code=bindparam("code"),
        last_error=bindparam("error"),
        status=bindparam("status"),
        # Set for a delivered one (and a retry's next attempt); otherwise kept as it was.
        delivered_at=func.coalesce(
            bindparam("delivered_at", type_=WebhookDelivery.__table__.c.delivered_at.type),
            WebhookDelivery.delivered_at,
        ),
        next_attempt_at=func.coalesce(
            bindparam("next_at", type_=WebhookDelivery.__table__.c.next_attempt_at.type),
            WebhookDelivery.next_attempt_at,
        ),
    )
)


def _record(
    db: Database, settings: Settings, claimed: list[_Claimed], outcomes: list[_Outcome]
) -> DeliveryRun:
    """Store each attempt's outcome (one statement for the batch)."""
    attempts = {c.id: c.attempts + 1 for c in claimed}
    now = utcnow()
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        n = attempts[outcome.id]
        row: dict[str, Any] = {
            "b_id": outcome.id,
            "attempts": n,
            "code": outcome.status_code,
            "error": outcome.error,
            "status": PENDING,
            "delivered_at": None,
            "next_at": None,
        }
        if outcome.ok:
            row.update(status=DELIVERED, delivered_at=now)
            counts["delivered"] += 1
        elif n >= settings.webhook_max_attempts:
            row.update(status=FAILED)
            counts["failed"] += 1
        else:
            row.update(next_at=now + retry.backoff(n, settings.webhook_backoff_seconds, MAX_DELAY))
            counts["retrying"] += 1
        rows.append(row)
    with db.transaction() as session:
        session.connection().execute(_OUTCOME, rows)
    return DeliveryRun(**counts)


def deliver_pending(
    db: Database,
    settings: Settings,
    limit: int = 100,
    *,
    client: urllib3.PoolManager | None = None,
    concurrency: int = 8,
    senders: ThreadPoolExecutor | None = None,
) -> DeliveryRun:
    """Send every due delivery (up to ``limit``); returns what happened.

    ``senders`` (threads kept by the caller) send a batch in parallel; without it a pool of
    up to ``concurrency`` threads is made for this batch."""
    timeout = settings.webhook_timeout_seconds
    lease = timedelta(seconds=timeout * 2 + 30)
    claimed = _claim(db, limit, utcnow(), lease)
    if not claimed:
        return DeliveryRun()
    allowed = settings.webhook_allowed_hosts
    own_client = client is None
    http = client or http_client(timeout, max(1, concurrency))

    def send(item: _Claimed) -> _Outcome:
        return _send(http, item, allowed)

    try:
        if len(claimed) == 1 or concurrency <= 1:
            outcomes = [send(item) for item in claimed]
        else:
            with ExitStack() as stack:
                pool = senders or stack.enter_context(
                    ThreadPoolExecutor(max_workers=min(concurrency, len(claimed)))
                )
                outcomes = list(pool.map(send, claimed))
    finally:
        if own_client:
            http.clear()
    run = _record(db, settings, claimed, outcomes)
    if run.failed or run.retrying:
        log.warning("webhooks: %s", run)
    return run


#: Most deliveries a :class:`Deliverer` claims at a time.
BATCH = 100


class Deliverer:
    """A background thread that sends due deliveries whenever it is woken.

    Wake-ups coalesce: a burst of commits costs one claim of a batch, not one per commit,
    and the HTTP client (its connections) and the sending threads are kept between batches.
    """

    #: Requests of one batch in flight at once.
    CONCURRENCY = 8

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._wake = threading.Event()
        self._client = http_client(settings.webhook_timeout_seconds, self.CONCURRENCY)
        self._senders = ThreadPoolExecutor(self.CONCURRENCY, thread_name_prefix="paydesk-send")
        self._thread = threading.Thread(target=self._loop, name="paydesk-webhooks", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        if not self._wake.is_set():  # already woken: setting again would only take a lock
            self._wake.set()

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                # Again at once only after a full batch: what was committed after this wake-up
                # woke it again, so a batch that was not full leaves nothing due behind.
                while True:
                    run = deliver_pending(
                        self.db,
                        self.settings,
                        BATCH,
                        client=self._client,
                        concurrency=self.CONCURRENCY,
                        senders=self._senders,
                    )
                    if run.delivered + run.retrying + run.failed < BATCH:
                        break
            except Exception:
                log.exception("webhook delivery failed")


_deliverers: dict[int, Deliverer] = {}
_deliverers_lock = threading.Lock()


def deliver_soon(db: Database, settings: Settings) -> None:
    """Send due deliveries now, in the background (call after a commit that emitted events)."""
    with _deliverers_lock:
        deliverer = _deliverers.get(id(db))
        if deliverer is None or deliverer.db is not db:
            deliverer = _deliverers[id(db)] = Deliverer(db, settings)
    deliverer.kick()


def redeliver(session: Session, delivery_id: int) -> WebhookDelivery:
    """Queue a delivery again now (whatever its status); it keeps its event id and body."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    delivery.status = PENDING
    delivery.next_attempt_at = utcnow()
    delivery.delivered_at = None
    session.flush()
    return delivery
