"""Several paydesk processes on one PostgreSQL database share the work and neither double nor
lose anything: two ``paydesk serve`` (one answers the bank's inquiries, the other takes its
pushes; both read the feed on "update status") and two ``paydesk worker`` (both read the
same feed every second and send webhooks), under a steady stream of payments at the bank."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from paydesk.accounts import service as accounts
from paydesk.auth import service as auth_service
from paydesk.bank.feed_cursor import BankFeedCursor
from paydesk.bank.feed_failure import BankFeedFailure
from paydesk.bank.models import BankEntry
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from paydesk.payments import invariants
from paydesk.payments.models import Payment
from paydesk.settings import Settings
from paydesk.webhooks.models import WebhookDelivery
from tests.e2e.conftest import eventually, paydesk_env, spawn
from tests.gateway.conftest import free_port, stop, wait_until_up
from tests.webhooks.conftest import SECRET, Receiver

PAYMENTS = 120
RATE = 40  # payments a second


def _count(db: Database, model, *where) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_two_servers_and_two_workers_on_one_database_post_each_payment_once(
    db: Database, tmp_path: Path
):
    if not db.is_postgresql:
        pytest.skip("several processes share one PostgreSQL database")
    with db.transaction() as session:
        bank = auth_service.create_user(session, username="bank-network", role="integration")
        key = auth_service.create_key(session, bank)
        customer = accounts.create_customer(session, name="Many Processes")
        account = accounts.create_account(
            session,
            customer=customer,
            number="MP-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[accounts.ContractSpec("service", is_overpayment=True)],
        )
        settings = Settings(database_url=db.url)
        rfs = [
            codes.issue_for_account(session, settings, account, actor="t").rf
            for _ in range(PAYMENTS)
        ]

    bank_port, inquiry_port, push_port = free_port(), free_port(), free_port()
    bank_url = f"http://127.0.0.1:{bank_port}"
    feed = f"{bank_url}/api/feed"
    env = paydesk_env(
        db.url,
        bank_feed_url=feed,
        bank_poll_seconds="1",
        webhook_poll_seconds="1",
        worker_poll_seconds="0.2",
    )
    inquiry_url, push_url = f"http://127.0.0.1:{inquiry_port}", f"http://127.0.0.1:{push_port}"
    receiver = Receiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    processes = [
        spawn(env, "serve", "--port", str(inquiry_port)),
        spawn(env, "serve", "--port", str(push_port)),
    ]
    try:
        for url, process in zip((inquiry_url, push_url), processes, strict=True):
            wait_until_up(f"{url}/v1/health", timeout=90, process=process)
        subscribed = httpx.post(
            f"{push_url}/v1/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["payment.frozen"], "secret": SECRET},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert subscribed.status_code == 201, subscribed.text
        processes.append(
            spawn(
                env,
                "banksim",
                "--port",
                str(bank_port),
                "--paydesk-url",
                inquiry_url,
                "--api-key",
                key,
                "--push-url",
                f"{push_url}/v1/bank/notifications",
                "--push-key",
                key,
                "--data-dir",
                str(tmp_path / "banksim"),
            )
        )
        wait_until_up(f"{bank_url}/health", timeout=90, process=processes[-1])
        processes += [spawn(env, "worker"), spawn(env, "worker")]

        done = threading.Event()
        answers: list[tuple[int, bool]] = []

        def update_status() -> None:  # a cashier presses "Update status" on both servers
            with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
                while not done.is_set():
                    for url in (inquiry_url, push_url):
                        answer = http.post(f"{url}/v1/payment-codes/{rfs[0]}/refresh")
                        answers.append((answer.status_code, answer.json().get("polled")))
                    done.wait(0.3)

        refresher = threading.Thread(target=update_status, daemon=True)
        refresher.start()
        with httpx.Client(base_url=bank_url, timeout=60) as sim:

            def pay(rf: str) -> int:
                answer = sim.post(
                    "/api/payments", json={"rf": rf, "amount": "10.00", "bank_bic": "ETHNGRAA"}
                )
                return answer.status_code

            with ThreadPoolExecutor(8) as pool:
                futures = []
                for rf in rfs:
                    futures.append(pool.submit(pay, rf))
                    threading.Event().wait(1 / RATE)
                assert [f.result() for f in futures] == [201] * PAYMENTS

        def all_heard() -> bool:
            with receiver.lock:
                return len({r["body"]["id"] for r in receiver.received}) >= PAYMENTS

        def progress() -> str:
            with db.reading() as session:
                statuses = Counter(session.scalars(select(WebhookDelivery.status)))
                errors = Counter(session.scalars(select(WebhookDelivery.last_error)))
            return f"payments {_count(db, Payment)}, deliveries {statuses}, errors {errors}"

        eventually(all_heard, timeout=120, what=lambda: progress())
        eventually(
            lambda: _count(db, BankFeedCursor, BankFeedCursor.cursor == str(PAYMENTS)) == 1,
            timeout=60,
            what="the feed's cursor at its last document",
        )
        done.set()
        refresher.join(30)
    finally:
        for process in reversed(processes):
            stop(process)
        receiver.server.shutdown()
        receiver.server.server_close()

    # Each payment posted once, on its code, whichever process took its document first.
    assert _count(db, Payment) == PAYMENTS
    assert _count(db, BankEntry) == PAYMENTS
    assert _count(db, PaymentCode, PaymentCode.paid_minor == 1000) == PAYMENTS
    assert _count(db, BankFeedFailure) == 0
    assert answers and set(answers) == {(200, True)}  # "update status" read the feed each time
    with db.reading() as session:
        assert invariants.violations(session) == []
        deliveries = list(session.execute(select(WebhookDelivery.event_id, WebhookDelivery.status)))
    # Each event delivered once: one delivery row per event, each sent by one process.
    assert len(deliveries) == PAYMENTS
    assert {status for _, status in deliveries} == {"delivered"}
    heard = Counter(r["body"]["id"] for r in receiver.received)
    assert set(heard) == {event_id for event_id, _ in deliveries}
    assert max(heard.values()) == 1, heard.most_common(3)
    paid = Counter(r["body"]["data"]["rf"] for r in receiver.received)
    assert paid == Counter(rfs)
    assert all(r["valid"] for r in receiver.received)
