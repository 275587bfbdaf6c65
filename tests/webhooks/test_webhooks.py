"""Webhooks: emitted with the change, signed, retried with back-off, logged, redeliverable."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from paydesk.db.base import utcnow
from paydesk.errors import InvalidInput
from paydesk.webhooks import outbox
from paydesk.webhooks.delivery import deliver_pending, deliver_soon
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from paydesk.webhooks.signing import sign, verify_signature
from tests.conftest import auth
from tests.webhooks.conftest import SECRET

PAID = {"rf": "RF18539007547034", "status": "paid", "paid": "100.00", "currency": "EUR"}


def _subscribe(db, url, types=("payment_code.paid",), active=True) -> int:
    with db.transaction() as session:
        sub = WebhookSubscription(url=url, secret=SECRET, event_types=list(types), active=active)
        session.add(sub)
        session.flush()
        return sub.id


def _deliveries(db) -> list[WebhookDelivery]:
    with db.reading() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _due_now(db) -> None:
    with db.transaction() as session:
        session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))


def test_emit_queues_one_delivery_per_interested_subscription(db, receiver):
    paid_only = _subscribe(db, receiver.url)
    everything = _subscribe(db, receiver.url, types=("*",))
    _subscribe(db, receiver.url, types=("payment.frozen",))
    _subscribe(db, receiver.url, active=False)
    with db.transaction() as session:
        event_id = outbox.emit(session, "payment_code.paid", PAID)
    rows = _deliveries(db)
    assert sorted(d.subscription_id for d in rows) == [paid_only, everything]
    assert {(d.event_id, d.status, d.attempts) for d in rows} == {(event_id, "pending", 0)}


def test_an_event_of_a_rolled_back_change_is_never_sent(db, receiver):
    _subscribe(db, receiver.url)
    with pytest.raises(RuntimeError), db.transaction() as session:
        outbox.emit(session, "payment_code.paid", PAID)
        raise RuntimeError("the change failed")
    assert _deliveries(db) == []


def test_unknown_event_types_are_refused(db):
    with pytest.raises(InvalidInput), db.transaction() as session:
        outbox.emit(session, "payment_code.sold", {})


def test_a_delivery_is_signed_and_logged(db, settings, receiver):
    _subscribe(db, receiver.url)
    with db.transaction() as session:
        event_id = outbox.emit(session, "payment_code.paid", PAID)
    assert deliver_pending(db, settings).delivered == 1
    [got] = receiver.received
    assert got["valid"] is True
    assert got["event"] == "payment_code.paid"
    assert got["body"]["id"] == event_id and got["body"]["data"] == PAID
    [row] = _deliveries(db)
    assert got["delivery"] == str(row.id)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert row.delivered_at is not None
    assert deliver_pending(db, settings).delivered == 0  # nothing is sent twice


def test_a_failed_delivery_is_retried_with_back_off_until_it_gives_up(db, settings, receiver):
    settings = settings.model_copy(update={"webhook_max_attempts": 3})
    _subscribe(db, receiver.url)
    receiver.statuses = [500, 503, 500]
    with db.transaction() as session:
        outbox.emit(session, "payment_code.paid", PAID)
    before = utcnow()
    assert deliver_pending(db, settings).retrying == 1
    [row] = _deliveries(db)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.next_attempt_at >= before + timedelta(seconds=settings.webhook_backoff_seconds)
    assert deliver_pending(db, settings).retrying == 0  # not due yet
    _due_now(db)
    deliver_pending(db, settings)
    first_gap = _deliveries(db)[0].next_attempt_at - utcnow()
    assert first_gap > timedelta(seconds=settings.webhook_backoff_seconds * 1.5)  # doubled
    _due_now(db)
    assert deliver_pending(db, settings).failed == 1
    [row] = _deliveries(db)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "HTTP 500")


def test_an_unreachable_receiver_is_a_logged_failed_attempt(db, settings):
    _subscribe(db, "http://127.0.0.1:9/hooks")
    with db.transaction() as session:
        outbox.emit(session, "payment_code.paid", PAID)
    assert deliver_pending(db, settings).retrying == 1
    [row] = _deliveries(db)
    assert row.last_status_code is None and "Connection refused" in row.last_error


def test_concurrent_deliverers_send_each_delivery_once(db, settings, receiver):
    _subscribe(db, receiver.url)
    with db.transaction() as session:
        for n in range(60):
            outbox.emit(session, "payment_code.paid", {**PAID, "n": n})

    def drain():
        while deliver_pending(db, settings, limit=7).delivered:
            pass

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = Counter(r["delivery"] for r in receiver.received)
    assert set(counts.values()) == {1}  # no delivery was sent twice
    # Under load an attempt can fail (it is then retried later, with its error recorded);
    # every delivery was either received once or is waiting for its retry.
    waiting = [d for d in _deliveries(db) if d.status != "delivered"]
    assert all(d.status == "pending" and d.last_error for d in waiting)
    assert len(counts) + len(waiting) == 60


def test_deliver_soon_sends_right_after_the_commit(db, settings, receiver):
    _subscribe(db, receiver.url)
    with db.transaction() as session:
        outbox.emit(session, "payment_code.paid", PAID)
    deliver_soon(db, settings)
    assert receiver.arrived.wait(10)
    deliver_soon(db, settings)  # woken again: nothing is due, nothing is sent twice
    time.sleep(0.2)
    assert len(receiver.received) == 1


def test_a_subscription_switched_off_before_delivery_gets_nothing(db, settings, receiver):
    sub = _subscribe(db, receiver.url)
    with db.transaction() as session:
        outbox.emit(session, "payment_code.paid", PAID)
        session.get(WebhookSubscription, sub).active = False
    deliver_pending(db, settings)
    assert receiver.received == []
    assert _deliveries(db)[0].status == "failed"


def test_signatures_bind_body_secret_and_time():
    body = b'{"a":1}'
    header = sign(SECRET, body, timestamp=1_700_000_000)
    assert verify_signature(SECRET, header, body, now=1_700_000_100)
    assert not verify_signature(SECRET, header, b'{"a":2}', now=1_700_000_100)
    assert not verify_signature("whsec_other", header, body, now=1_700_000_100)
    assert not verify_signature(SECRET, header, body, now=1_700_000_400)  # stale: replay
    assert not verify_signature(SECRET, "t=abc,v1=00", body)
    assert not verify_signature(SECRET, None, body)


def test_a_code_status_event_is_built_only_when_the_status_changed(db, receiver):
    from paydesk.codes.status import CodeState
    from paydesk.payments import events

    _subscribe(db, receiver.url, types=("*",))
    code = CodeState(1, "RF18539007547034", "paid", "fixed", 100, 100, "EUR", 1, 1, None)
    assert events.code_status(code, "paid") is None
    event = events.code_status(code, "partially_paid")
    assert event is not None
    with db.transaction() as session:
        outbox.emit_many(session, [event])
    [row] = _deliveries(db)
    assert row.event_type == "payment_code.paid"
    assert row.payload["paid"] == "1.00"
    assert row.payload["previous_status"] == "partially_paid"


# API --------------------------------------------------------------------------------------


def test_subscriptions_can_be_created_read_changed_and_switched_off(client, keys, receiver):
    headers = auth(keys["integration"])
    created = client.post(
        "/v1/webhooks/subscriptions",
        json={"url": receiver.url, "event_types": ["payment_code.paid", "payment.frozen"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["secret"].startswith("whsec_") and sub["active"] is True
    listed = client.get("/v1/webhooks/subscriptions", headers=headers).json()
    assert [s["secret"] for s in listed] == [None]  # shown once, at creation
    changed = client.patch(
        f"/v1/webhooks/subscriptions/{sub['id']}",
        json={"event_types": ["*"]},
        headers=headers,
    ).json()
    assert changed["event_types"] == ["*"]
    off = client.delete(f"/v1/webhooks/subscriptions/{sub['id']}", headers=headers).json()
    assert off["active"] is False
    assert client.get("/v1/webhooks/subscriptions/999", headers=headers).status_code == 404


def test_subscriptions_refuse_unknown_events_and_non_http_urls(client, keys):
    headers = auth(keys["integration"])
    bad_type = client.post(
        "/v1/webhooks/subscriptions",
        json={"url": "https://host.example/h", "event_types": ["payment_code.sold"]},
        headers=headers,
    )
    bad_url = client.post(
        "/v1/webhooks/subscriptions",
        json={"url": "ftp://host.example/h", "event_types": ["payment.frozen"]},
        headers=headers,
    )
    assert (bad_type.status_code, bad_url.status_code) == (422, 422)
    cashier = client.get("/v1/webhooks/subscriptions", headers=auth(keys["cashier"]))
    assert cashier.status_code == 403


def test_a_failed_delivery_can_be_redelivered_from_the_log(client, keys, db, settings, receiver):
    headers = auth(keys["integration"])
    client.post(
        "/v1/webhooks/subscriptions",
        json={"url": receiver.url, "event_types": ["bank_entry.unmatched"], "secret": SECRET},
        headers=headers,
    )
    receiver.statuses = [500]
    once = settings.model_copy(update={"webhook_max_attempts": 1})
    with db.transaction() as session:
        outbox.emit(session, "bank_entry.unmatched", {"bank_entry_id": 5})
    assert deliver_pending(db, once).failed == 1
    log = client.get("/v1/webhooks/deliveries", params={"status": "failed"}, headers=headers)
    [failed] = log.json()["items"]
    assert (failed["attempts"], failed["last_status_code"]) == (1, 500)
    again = client.post(f"/v1/webhooks/deliveries/{failed['id']}/redeliver", headers=headers)
    assert again.status_code == 200, again.text
    shown = client.get(f"/v1/webhooks/deliveries/{failed['id']}", headers=headers).json()
    assert (shown["status"], shown["attempts"]) == ("delivered", 2)
    assert [r["body"]["id"] for r in receiver.received] == [failed["event_id"]] * 2
    assert all(r["valid"] for r in receiver.received)
