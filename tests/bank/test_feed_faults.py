"""A poisoned feed document never stops the feed: it is put aside with its error, the host
system is told by webhook, the cursor moves on, and a person retries it by hand (command,
API, web page). The feed is the real simulator process; the importer is the real one."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from paydesk.bank import set_aside
from paydesk.bank.connector import FeedConnector, load_cursor
from paydesk.bank.feed_failure import BankFeedFailure
from paydesk.bank.importer import import_document
from paydesk.bank.models import BankFile
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.bank.test_importer import camt054, code, credit
from tests.conftest import auth
from tests.e2e.conftest import paydesk_env
from tests.gateway.conftest import start_banksim, stop
from tests.web.conftest import make_users, sign_in

MALFORMED = "<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.08'>"


class Feed:
    """The simulator's feed, with documents a careless bank wrote straight into it."""

    def __init__(self, url: str, path: Path) -> None:
        self.url = f"{url}/api/feed"
        self.path = path

    def publish(self, *documents: str) -> None:
        with sqlite3.connect(self.path) as conn:
            for i, document in enumerate(documents):
                conn.execute(
                    "INSERT INTO feed (kind, bank_reference, document, created_at)"
                    " VALUES ('camt.054', ?, ?, ?)",
                    (f"T{i}", document, datetime.now(UTC).isoformat()),
                )


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    process, url = start_banksim(data_dir=tmp_path / "banksim")
    yield Feed(url, tmp_path / "banksim" / "banksim.db")
    stop(process)


@pytest.fixture
def subscribed(db) -> None:
    """A host system listening to every event (its deliveries are looked at in the outbox)."""
    with db.transaction() as session:
        session.add(
            WebhookSubscription(
                url="https://host.example/hooks", secret="s" * 32, event_types=["*"], active=True
            )
        )


def _doc(rf: str, amount: str, ref: str) -> str:
    return camt054(credit(rf, amount, ref)).decode("utf-8")


def _failures(db) -> list[BankFeedFailure]:
    with db.reading() as session:
        return list(session.scalars(select(BankFeedFailure).order_by(BankFeedFailure.id)))


def _count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_malformed_document_is_put_aside_and_the_documents_behind_it_import(
    db, settings, world, feed, subscribed
):
    feed.publish(_doc(world["open"], "10.00", "F1"), MALFORMED, _doc(world["fixed"], "45.90", "F3"))
    polled = FeedConnector(db, settings, feed_url=feed.url).poll()
    assert (polled.documents, polled.cursor) == (3, "3")
    assert load_cursor(db, feed.url) == "3"
    assert code(db, world["open"]).paid_minor == 1000
    assert code(db, world["fixed"]).status == "paid"  # behind the bad one, imported all the same
    [failure] = _failures(db)
    assert (failure.status, failure.cursor, failure.error_type) == (
        "failed",
        "2",
        "invalid-bank-file",
    )
    assert "not well-formed" in failure.error and failure.document == MALFORMED
    with db.reading() as session:
        [told] = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event_type == "bank_document.failed")
        ).all()
    assert told.payload["failure_id"] == failure.id and told.payload["cursor"] == "2"
    assert told.payload["error_type"] == "invalid-bank-file"

    # The next polls neither read it again nor record it again.
    files = _count(db, BankFile)
    assert FeedConnector(db, settings, feed_url=feed.url).poll().documents == 0
    assert len(_failures(db)) == 1 and _count(db, BankFile) == files


def test_a_document_that_fails_for_any_other_reason_is_put_aside_too(db, settings, world, feed):
    feed.publish(_doc(world["open"], "10.00", "G1"), _doc(world["open"], "20.00", "G2"))

    def broken(db, settings, data, *, source, actor):
        if b"G1" in data:
            raise RuntimeError("the importer broke on this one")
        return import_document(db, settings, data, source=source, actor=actor)

    assert FeedConnector(db, settings, feed_url=feed.url, handler=broken).poll().documents == 2
    [failure] = _failures(db)
    assert failure.error_type == "internal-error"
    assert failure.error == "RuntimeError: the importer broke on this one"
    assert code(db, world["open"]).paid_minor == 2000

    # Retried by hand once the importer is fixed: imported, and the code has both payments.
    retried = set_aside.retry(db, settings, failure.id, actor="anna")
    assert (retried.status, retried.attempts, retried.retried_by) == ("imported", 2, "anna")
    assert retried.file_id is not None
    assert code(db, world["open"]).paid_minor == 3000
    with pytest.raises(set_aside.Conflict):
        set_aside.retry(db, settings, failure.id, actor="anna")


def test_a_database_outage_keeps_the_cursor_and_puts_nothing_aside(db, settings, world, feed):
    feed.publish(_doc(world["open"], "10.00", "H1"))

    def down(db, settings, data, *, source, actor):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with pytest.raises(OperationalError):
        FeedConnector(db, settings, feed_url=feed.url, handler=down).poll()
    assert load_cursor(db, feed.url) is None and _failures(db) == []
    assert FeedConnector(db, settings, feed_url=feed.url).poll().documents == 1
    assert code(db, world["open"]).paid_minor == 1000


def test_a_retry_that_fails_again_keeps_the_document_aside_with_the_new_error(
    db, settings, world, feed
):
    feed.publish(MALFORMED)
    FeedConnector(db, settings, feed_url=feed.url).poll()
    [failure] = _failures(db)
    again = set_aside.retry(db, settings, failure.id, actor="anna")
    assert (again.status, again.attempts, again.error_type) == ("failed", 2, "invalid-bank-file")


def test_the_api_lists_shows_and_retries_documents_put_aside(client, keys, db, settings, feed):
    feed.publish(MALFORMED)
    FeedConnector(db, settings, feed_url=feed.url).poll()
    listed = client.get("/v1/bank/feed-failures", headers=auth(keys["cashier"]))
    assert listed.status_code == 200
    [item] = listed.json()
    assert (item["status"], item["cursor"], item["error_type"]) == (
        "failed",
        "1",
        "invalid-bank-file",
    )
    document = client.get(
        f"/v1/bank/feed-failures/{item['id']}/document", headers=auth(keys["cashier"])
    )
    assert document.text == MALFORMED
    assert document.headers["content-type"].startswith("application/xml")
    refused = client.post(
        f"/v1/bank/feed-failures/{item['id']}/retry", headers=auth(keys["cashier"])
    )
    assert refused.status_code == 403
    retried = client.post(
        f"/v1/bank/feed-failures/{item['id']}/retry", headers=auth(keys["supervisor"])
    )
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("failed", 2)
    missing = client.post("/v1/bank/feed-failures/999/retry", headers=auth(keys["supervisor"]))
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:paydesk:problem:not-found"
    imported = client.get(
        "/v1/bank/feed-failures?status=imported", headers=auth(keys["cashier"])
    ).json()
    assert imported == []


def _paydesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paydesk.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_paydesk_bank_failed_lists_them_and_bank_retry_imports_them_again(
    db, settings, world, feed
):
    feed.publish(MALFORMED)

    def once_broken(db, settings, data, *, source, actor):
        raise RuntimeError("broken")

    FeedConnector(db, settings, feed_url=feed.url, handler=once_broken).poll()
    feed.publish(_doc(world["open"], "10.00", "K1"))

    def broken_on_k1(db, settings, data, *, source, actor):
        raise RuntimeError("broken on K1")

    FeedConnector(db, settings, feed_url=feed.url, handler=broken_on_k1).poll()
    first, second = _failures(db)
    env = paydesk_env(db.url)
    listed = _paydesk(env, "bank", "failed")
    assert listed.returncode == 0, listed.stderr
    assert "RuntimeError: broken on K1" in listed.stdout and "2 of 2" in listed.stdout
    retried = _paydesk(env, "bank", "retry", str(second.id))
    assert retried.returncode == 0, retried.stderr
    assert f"{second.id}: imported" in retried.stdout
    assert code(db, world["open"]).paid_minor == 1000
    still = _paydesk(env, "bank", "retry", str(first.id))
    assert still.returncode == 1 and "failed again" in still.stderr
    assert "1 of 1" in _paydesk(env, "bank", "failed").stdout


def test_the_bank_page_shows_documents_put_aside_and_a_supervisor_retries_them(
    client, db, settings, world, feed
):
    make_users(db)
    feed.publish(_doc(world["open"], "10.00", "W1"))

    def broken(db, settings, data, *, source, actor):
        raise RuntimeError("the importer broke on W1")

    FeedConnector(db, settings, feed_url=feed.url, handler=broken).poll()
    [failure] = _failures(db)
    retry = f"/bank/feed-failures/{failure.id}/retry"

    token = sign_in(client, "cashier")
    page = client.get("/bank").text
    assert "Feed documents put aside" in page and "RuntimeError: the importer broke on W1" in page
    assert "The import failed with an unexpected error." in page
    greek = client.get("/bank", headers={"Accept-Language": "el"}).text
    assert "Η εισαγωγή απέτυχε με απρόσμενο σφάλμα. (RuntimeError: the importer broke" in greek
    assert "The import failed" not in greek
    polish = client.get("/bank", headers={"Accept-Language": "pl"}).text
    assert "Import nie powiódł się z powodu nieoczekiwanego błędu." in polish
    assert retry not in page  # cashiers see, but do not retry
    refused = client.post(retry, data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403

    client.cookies.clear()
    token = sign_in(client, "supervisor")
    assert retry in client.get("/bank").text
    assert client.post(retry, data={}, follow_redirects=False).status_code == 403  # no CSRF token
    done = client.post(retry, data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/bank").text
    assert f"Feed document {failure.id} imported." in page
    assert "Feed documents put aside" not in page
    assert code(db, world["open"]).paid_minor == 1000
    again = client.post(retry, data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409


def test_a_document_no_database_can_store_is_put_aside_escaped(db, settings, world, feed):
    feed.publish("<Document>\x00</Document>", _doc(world["open"], "10.00", "N2"))
    assert FeedConnector(db, settings, feed_url=feed.url).poll().documents == 2
    [failure] = _failures(db)
    assert failure.document == "<Document>\\x00</Document>"
    assert code(db, world["open"]).paid_minor == 1000
    surrogate = set_aside.set_aside(db, feed.url, "9", "<a>\ud800</a>", RuntimeError("\x00"))
    with db.reading() as session:
        stored = session.get(BankFeedFailure, surrogate)
        assert (stored.document, stored.error) == ("<a>\\ud800</a>", "RuntimeError: \\x00")


def test_a_feed_whose_cursor_cannot_be_kept_is_unavailable_and_moves_nothing(db, settings):
    """A feed answering a 300-character cursor is a broken feed, not a poisoned document."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from paydesk.bank.connector import FeedUnavailable

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps([{"cursor": "c" * 300, "document": MALFORMED}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/feed"
    try:
        with pytest.raises(FeedUnavailable, match="a cursor is 1 to 200 characters"):
            FeedConnector(db, settings, feed_url=url).poll()
    finally:
        server.shutdown()
    assert load_cursor(db, url) is None and _failures(db) == []


def test_a_retry_that_fails_again_says_why_in_the_pages_language(client, db, settings, feed):
    make_users(db)
    feed.publish(MALFORMED)
    FeedConnector(db, settings, feed_url=feed.url).poll()
    [failure] = _failures(db)
    token = sign_in(client, "supervisor")
    greek = {"Accept-Language": "el"}
    done = client.post(
        f"/bank/feed-failures/{failure.id}/retry",
        data={"csrf_token": token},
        headers=greek,
        follow_redirects=True,
    )
    assert done.status_code == 200
    said = f"Το έγγραφο ροής {failure.id} απέτυχε ξανά: Αυτό δεν είναι τραπεζικό αρχείο camt"
    assert said in done.text
    assert "failed again" not in done.text and "This is not a camt" not in done.text
