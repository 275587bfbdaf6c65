"""The feed connector against the real simulator process: every document once, in order."""

from __future__ import annotations

import io

import httpx
import pytest

from paydesk.bank import set_aside
from paydesk.bank.camt import parse_camt
from paydesk.bank.connector import FeedConnector, FeedUnavailable, load_cursor
from tests.conftest import auth
from tests.gateway.conftest import start_banksim, stop
from tests.gateway.helpers import fixed_code


def _pay(banksim_url: str, code: str, amount: str = "100.00") -> dict:
    response = httpx.post(
        f"{banksim_url}/api/payments",
        json={"rf": code, "amount": amount, "bank_bic": "ETHNGRAA"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _rf_of(document: bytes) -> str:
    [entry] = list(parse_camt(io.BytesIO(document)))
    return entry.rf


def test_the_connector_hands_each_document_on_and_resumes_from_its_cursor(
    client, keys, db, settings, banksim_url, recorder
):
    key = keys["integration"]
    feed = f"{banksim_url}/api/feed"
    codes = [fixed_code(client, key) for _ in range(5)]
    for code in codes[:3]:
        _pay(banksim_url, code)

    first = FeedConnector(db, settings, handler=recorder, feed_url=feed, page_size=2).poll()
    assert (first.documents, first.cursor) == (3, "3")  # two pages of two, one short
    assert [_rf_of(d) for d in recorder.documents] == codes[:3]
    assert {c["source"] for c in recorder.calls} == {f"feed:{feed}"}
    assert load_cursor(db, feed) == "3"

    # A new connector (another worker, after a restart) starts where the last one stopped.
    assert FeedConnector(db, settings, handler=recorder, feed_url=feed).poll().documents == 0
    for code in codes[3:]:
        _pay(banksim_url, code)
    resumed = FeedConnector(db, settings, handler=recorder, feed_url=feed).poll()
    assert (resumed.documents, resumed.cursor) == (2, "5")
    assert [_rf_of(d) for d in recorder.documents] == codes


def test_a_document_the_handler_fails_on_is_put_aside_and_the_cursor_moves_on(
    client, keys, db, settings, banksim_url, recorder
):
    feed = f"{banksim_url}/api/feed"
    codes = [fixed_code(client, keys["integration"]) for _ in range(3)]
    for code in codes:
        _pay(banksim_url, code)
    recorder.fail_on = 2
    polled = FeedConnector(db, settings, handler=recorder, feed_url=feed).poll()
    assert (polled.documents, load_cursor(db, feed)) == (3, "3")
    assert [_rf_of(d) for d in recorder.documents] == [codes[0], codes[2]]
    with db.reading() as session:
        [failure], _ = set_aside.list_failures(session)
    assert (failure.cursor, failure.error) == ("2", "RuntimeError: import failed")
    assert FeedConnector(db, settings, handler=recorder, feed_url=feed).poll().documents == 0


def test_an_unreachable_feed_is_a_typed_error_and_keeps_the_cursor(db, settings, recorder):
    connector = FeedConnector(
        db, settings, handler=recorder, feed_url="http://127.0.0.1:9/api/feed", timeout=1
    )
    with pytest.raises(FeedUnavailable):
        connector.poll()
    assert load_cursor(db, "http://127.0.0.1:9/api/feed") is None


def test_refresh_of_a_code_reads_the_feed_now(client, keys, banksim_url, recorder):
    key = keys["integration"]
    code = fixed_code(client, key)
    receipt = _pay(banksim_url, code)
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"bank_feed_url": f"{banksim_url}/api/feed"}
    )
    refreshed = client.post(f"/v1/payment-codes/{code}/refresh", headers=auth(keys["cashier"]))
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert (body["polled"], body["documents"], body["code"]["rf"]) == (True, 1, code)
    assert receipt["bank_reference"].encode() in recorder.documents[0]
    again = client.post(f"/v1/payment-codes/{code}/refresh", headers=auth(keys["cashier"]))
    assert again.json()["documents"] == 0


def test_the_simulator_pushes_each_notification_to_paydesk(
    client, keys, paydesk_url, recorder, tmp_path
):
    key = keys["integration"]
    process, url = start_banksim(
        "--paydesk-url",
        paydesk_url,
        "--api-key",
        key,
        "--push-url",
        f"{paydesk_url}/v1/bank/notifications",
        "--push-key",
        key,
        data_dir=tmp_path / "pushing",
    )
    try:
        code = fixed_code(client, key)
        _pay(url, code)
        assert recorder.arrived.wait(10)
    finally:
        stop(process)
    [call] = recorder.calls
    assert (call["source"], call["actor"]) == ("push", "integration-user")
    assert _rf_of(call["data"]) == code


def test_the_simulator_keeps_its_feed_across_a_restart(client, keys, paydesk_url, tmp_path):
    key = keys["integration"]
    args = ("--paydesk-url", paydesk_url, "--api-key", key)
    process, url = start_banksim(*args, data_dir=tmp_path / "kept")
    try:
        _pay(url, fixed_code(client, key))
    finally:
        stop(process)
    process, url = start_banksim(*args, data_dir=tmp_path / "kept")
    try:
        assert [i["cursor"] for i in httpx.get(f"{url}/api/feed").json()] == ["1"]
    finally:
        stop(process)


def test_refresh_without_a_feed_says_why_nothing_was_read(client, keys):
    code = fixed_code(client, keys["integration"])
    assert client.app.state.settings.bank_feed_url is None
    answer = client.post(f"/v1/payment-codes/{code}/refresh", headers=auth(keys["cashier"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["polled"], body["documents"], body["reason"]) == (False, 0, "no_feed")


def test_a_worker_started_before_the_feed_retries_quietly(db, settings, caplog, monkeypatch):
    from paydesk.worker import registry
    from paydesk.worker.registry import REGISTRY, load_builtin

    monkeypatch.setattr(registry, "_unreachable", set())  # a new worker process
    load_builtin(REGISTRY)
    poll = REGISTRY.periodic["bank_feed"].fn
    down = settings.model_copy(update={"bank_feed_url": "http://127.0.0.1:9/api/feed"})
    caplog.set_level("DEBUG", logger="paydesk")
    for _ in range(3):
        poll(db, down)  # no exception: the job does not fail, the next period tries again
    said = [
        r for r in caplog.records if r.name.startswith("paydesk") and "127.0.0.1:9" in r.message
    ]
    assert [r.levelname for r in said] == ["INFO", "DEBUG", "DEBUG"]
    assert load_cursor(db, "http://127.0.0.1:9/api/feed") is None


def test_the_cursor_is_advanced_by_one_taker_at_a_time(
    client, keys, db, settings, banksim_url, recorder
):
    """Taker A is importing the first document when taker B reads the whole feed: A must
    not move the cursor back (nor on from where B left it); it stops, B's cursor stays."""
    feed = f"{banksim_url}/api/feed"
    codes = [fixed_code(client, keys["integration"]) for _ in range(3)]
    for code in codes:
        _pay(banksim_url, code)
    other: list[int] = []

    def slow_handler(db_, settings_, data, *, source, actor):
        if not other:  # while A holds its first document, B takes the feed
            other.append(
                FeedConnector(db, settings, handler=recorder, feed_url=feed).poll().documents
            )
        return recorder(db_, settings_, data, source=source, actor=actor)

    first = FeedConnector(db, settings, handler=slow_handler, feed_url=feed).poll()
    assert other == [3]
    assert first.documents == 0  # A's document was B's first one: a duplicate, not counted
    assert load_cursor(db, feed) == "3"
    assert [_rf_of(d) for d in recorder.documents] == [*codes, codes[0]]


def test_a_document_put_aside_by_another_taker_is_not_put_aside_twice(
    client, keys, db, settings, banksim_url
):
    feed = f"{banksim_url}/api/feed"
    _pay(banksim_url, fixed_code(client, keys["integration"]))
    other: list[int] = []

    def failing(db_, settings_, data, *, source, actor):
        if not other:
            other.append(
                FeedConnector(db, settings, handler=failing, feed_url=feed).poll().documents
            )
        raise RuntimeError("import failed")

    FeedConnector(db, settings, handler=failing, feed_url=feed).poll()
    with db.reading() as session:
        _, count = set_aside.list_failures(session)
    assert (count, load_cursor(db, feed)) == (1, "1")
