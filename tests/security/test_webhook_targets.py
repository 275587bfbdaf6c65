"""Item 6: webhooks cannot be aimed inside (SSRF) unless an admin allows the host by name."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paydesk.api.app import create_app
from paydesk.db.engine import Database
from paydesk.settings import Settings
from paydesk.webhooks import outbox
from paydesk.webhooks.delivery import deliver_pending
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from paydesk.webhooks.targets import InternalTarget, check_target
from tests.conftest import auth
from tests.webhooks.conftest import SECRET, Receiver

INSIDE = [
    "http://127.0.0.1:8000/hooks",
    "http://localhost/hooks",
    "http://LOCALHOST./hooks",
    "http://api.localhost/hooks",
    "http://[::1]/hooks",
    "http://10.0.0.5/hooks",
    "http://172.16.1.1/hooks",
    "http://192.168.1.1/hooks",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6
    "http://[fe80::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://2130706433/hooks",  # 127.0.0.1 as one number
    "http://0x7f.1/hooks",
    "http://127.1/hooks",
    "http://0.0.0.0/hooks",
    "http://100.64.0.1/hooks",  # shared address space
    "https://printer.local/hooks",
]


@pytest.mark.parametrize("url", INSIDE)
def test_internal_addresses_are_refused(url: str):
    with pytest.raises(InternalTarget):
        check_target(url)


@pytest.mark.parametrize("url", ["https://93.184.215.14/hooks", "https://[2606:4700::1111]/x"])
def test_public_addresses_are_accepted(url: str):
    assert check_target(url) == url


def test_an_admin_allows_a_named_internal_host():
    assert check_target("http://127.0.0.1:9000/hooks", ["127.0.0.1"])
    assert check_target("http://dms.internal/hooks", ["DMS.internal"])
    with pytest.raises(InternalTarget):
        check_target("http://127.0.0.2/hooks", ["127.0.0.1"])


def test_subscribing_or_moving_a_subscription_inside_is_refused(
    client: TestClient, db: Database, keys: dict[str, str]
):
    h = auth(keys["integration"])
    for url in ("http://169.254.169.254/latest/meta-data/", "http://localhost:5432/"):
        refused = client.post(
            "/v1/webhooks/subscriptions", json={"url": url, "event_types": ["*"]}, headers=h
        )
        assert refused.status_code == 422
        assert refused.json()["type"] == "urn:paydesk:problem:webhook-url-not-allowed"
    made = client.post(
        "/v1/webhooks/subscriptions",
        json={"url": "https://93.184.215.14/hooks", "event_types": ["*"]},
        headers=h,
    )
    assert made.status_code == 201
    moved = client.patch(
        f"/v1/webhooks/subscriptions/{made.json()['id']}",
        json={"url": "http://10.1.2.3/"},
        headers=h,
    )
    assert moved.status_code == 422
    with db.reading() as session:
        assert [s.url for s in session.scalars(select(WebhookSubscription))] == [
            "https://93.184.215.14/hooks"
        ]


def test_an_allowed_host_may_be_subscribed(db: Database, keys: dict[str, str]):
    settings = Settings(database_url=db.url, webhook_allowed_hosts=["127.0.0.1"])
    with TestClient(create_app(settings, db)) as client:
        made = client.post(
            "/v1/webhooks/subscriptions",
            json={"url": "http://127.0.0.1:9/hooks", "event_types": ["*"]},
            headers=auth(keys["integration"]),
        )
        assert made.status_code == 201


def test_a_stored_internal_url_is_not_called_at_delivery(db: Database):
    """A subscription made before the check (or a name that now resolves inside) is refused
    again before each delivery: the receiver hears nothing."""
    receiver = Receiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    try:
        with db.transaction() as session:
            session.add(WebhookSubscription(url=receiver.url, secret=SECRET, event_types=["*"]))
            session.flush()
            outbox.emit(session, "payment.frozen", {"payment_id": 1})
        run = deliver_pending(db, Settings(database_url=db.url))
        assert run.delivered == 0 and receiver.received == []
        with db.reading() as session:
            delivery = session.scalar(select(WebhookDelivery))
            assert delivery is not None and delivery.last_error.startswith("refused: ")
        with db.transaction() as session:  # an admin allows it: now it goes
            session.get(WebhookDelivery, delivery.id).next_attempt_at = delivery.created_at
        allowed = Settings(database_url=db.url, webhook_allowed_hosts=["127.0.0.1"])
        assert deliver_pending(db, allowed).delivered == 1
        assert len(receiver.received) == 1
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
