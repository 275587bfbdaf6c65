"""Concurrent identical pushes and uploads answer success with the duplicates counted, never 500
(a real HTTP server with the real importer, on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from paydesk.bank.models import BankEntry
from paydesk.payments.models import Payment
from tests.bank.test_importer import camt054, code, credit
from tests.conftest import auth
from tests.gateway.conftest import free_port, wait_until_up

REQUESTS = 24
CREDITS = 40


@pytest.fixture
def server(client) -> Iterator[str]:
    """paydesk over real HTTP (uvicorn in a thread of this process, many request threads)."""
    port = free_port()
    config = uvicorn.Config(client.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/v1/health")
    yield url
    server.should_exit = True
    thread.join(10)


def _all_at_once(url: str, path: str, key: str, data: bytes) -> list[httpx.Response]:
    start = threading.Barrier(REQUESTS)
    headers = auth(key, **{"Content-Type": "application/xml"})

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=120) as http:
            start.wait()
            return http.post(path, content=data, headers=headers)

    with ThreadPoolExecutor(REQUESTS) as pool:
        return list(pool.map(send, range(REQUESTS)))


@pytest.mark.parametrize(
    ("path", "status", "counts"),
    [
        ("/v1/bank/notifications", 200, lambda body: body["result"]),
        ("/v1/bank/files?name=same.xml", 201, lambda body: body),
    ],
    ids=["push", "upload"],
)
def test_the_same_document_sent_many_times_at_once_is_posted_once(
    db, world, keys, server, path, status, counts
):
    data = camt054(*(credit(world["open"], "1.00", f"C{i}") for i in range(CREDITS)))
    answers = _all_at_once(server, path, keys["integration"], data)
    assert [a.status_code for a in answers] == [status] * REQUESTS, [
        a.text for a in answers if a.status_code != status
    ]
    results = [counts(a.json()) for a in answers]
    assert sum(r["matched"] for r in results) == CREDITS
    assert sum(r["duplicates"] for r in results) == CREDITS * (REQUESTS - 1)
    assert code(db, world["open"]).paid_minor == CREDITS * 100
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BankEntry)) == CREDITS
        assert session.scalar(select(func.count()).select_from(Payment)) == CREDITS
