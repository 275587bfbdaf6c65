"""A payment at the simulator reaches the host system as a signed webhook, with no worker."""

from __future__ import annotations

import io
import threading

import httpx
import pytest

from paydesk.bank.camt import parse_camt
from paydesk.settings import Settings
from paydesk.webhooks import outbox
from paydesk.webhooks.models import WebhookSubscription
from tests.gateway.conftest import start_banksim, stop
from tests.gateway.helpers import fixed_code
from tests.webhooks.conftest import SECRET, Receiver


@pytest.fixture
def settings(db) -> Settings:
    return Settings(database_url=db.url, webhook_allowed_hosts=["127.0.0.1"])  # local receiver


def test_a_pushed_payment_is_told_to_the_host_system_by_webhook(
    client, keys, db, paydesk_url, tmp_path
):
    def import_and_emit(db_, settings, data: bytes, *, source: str, actor: str) -> dict:
        entries = list(parse_camt(io.BytesIO(data)))
        with db_.transaction() as session:
            for entry in entries:
                outbox.emit(session, "payment_code.paid", {"rf": entry.rf})
        return {"entries": len(entries)}

    client.app.state.bank_handler = import_and_emit
    receiver = Receiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    with db.transaction() as session:
        session.add(
            WebhookSubscription(url=receiver.url, secret=SECRET, event_types=["payment_code.paid"])
        )
    key = keys["integration"]
    process, url = start_banksim(
        "--paydesk-url", paydesk_url, "--api-key", key,
        "--push-url", f"{paydesk_url}/v1/bank/notifications", "--push-key", key,
        data_dir=tmp_path / "e2e",
    )  # fmt: skip
    try:
        code = fixed_code(client, key)
        paid = httpx.post(
            f"{url}/api/payments", json={"rf": code, "amount": "100.00", "bank_bic": "ERBKGRAA"}
        )
        assert paid.status_code == 201, paid.text
        assert receiver.arrived.wait(10)
    finally:
        stop(process)
        receiver.server.shutdown()
        receiver.server.server_close()
    [got] = receiver.received
    assert got["valid"] and got["event"] == "payment_code.paid"
    assert got["body"]["data"] == {"rf": code}
