"""paydesk, its worker and the bank simulator as real processes on free 127.0.0.1 ports."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from paydesk.auth import service as auth_service
from paydesk.db.engine import Database
from tests.conftest import TEST_SECRET
from tests.gateway.conftest import free_port, stop, wait_until_up
from tests.webhooks.conftest import SECRET, Receiver

SRC = Path(__file__).resolve().parents[2] / "src"


def paydesk_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a ``paydesk`` process: settings as ``PAYDESK_*`` variables only."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PAYDESK_") or k.startswith("PAYDESK_TEST")
    }
    env.update(
        PYTHONPATH=str(SRC),
        PAYDESK_CONFIG="/nonexistent/paydesk.toml",
        PAYDESK_DATABASE_URL=database_url,
        PAYDESK_SECRET_KEY=TEST_SECRET,  # `paydesk serve` refuses to start without one
        PAYDESK_WEBHOOK_ALLOWED_HOSTS='["127.0.0.1"]',  # the webhook receiver is local
    )
    env.update({f"PAYDESK_{name.upper()}": value for name, value in settings.items()})
    return env


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``paydesk ARGS`` and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "paydesk.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def spawn(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paydesk.cli.main", *args], env=env)


def eventually(
    check: Callable[[], object], timeout: float = 60.0, what: str | Callable[[], str] = ""
) -> object:
    """Call ``check`` until it answers something true, for at most ``timeout`` seconds
    (``what`` says what was awaited; a function of it is called when it was not met)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not within {timeout} s: {said or check}")
        time.sleep(0.2)


@dataclass
class Stack:
    paydesk: str  # paydesk's base URL
    bank: str  # the simulator's base URL
    api: httpx.Client  # paydesk's API as the back office (admin key)
    sim: httpx.Client
    receiver: Receiver
    db: Database
    integration_key: str
    admin_key: str


@pytest.fixture
def stack(db: Database, tmp_path: Path) -> Iterator[Stack]:
    """``paydesk serve``, ``paydesk worker`` (feed every second) and ``paydesk banksim``, and a
    webhook receiver subscribed to every event."""
    with start_stack(db, tmp_path) as started:
        yield started


@contextmanager
def start_stack(db: Database, tmp_path: Path, **settings: str) -> Iterator[Stack]:
    """The processes of :func:`stack`, with ``settings`` given to paydesk's server and worker."""
    env = paydesk_env(db.url, **settings)
    cli(env, "user", "create", "bank-network", "--role", "integration")
    integration_key = cli(env, "key", "create", "bank-network").strip()
    with db.transaction() as session:
        admin = auth_service.create_user(session, username="backoffice", role="admin")
        admin_key = auth_service.create_key(session, admin)

    paydesk_port, bank_port = free_port(), free_port()
    paydesk, bank = f"http://127.0.0.1:{paydesk_port}", f"http://127.0.0.1:{bank_port}"
    processes = [spawn(env, "serve", "--port", str(paydesk_port))]
    receiver = Receiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    api = httpx.Client(
        base_url=paydesk, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30
    )
    sim = httpx.Client(base_url=bank, timeout=30)
    try:
        wait_until_up(f"{paydesk}/v1/health", timeout=60)
        banksim = ["banksim", "--port", str(bank_port), "--paydesk-url", paydesk]
        banksim += ["--api-key", integration_key, "--data-dir", str(tmp_path / "banksim")]
        processes.append(spawn(env, *banksim))
        wait_until_up(f"{bank}/health", timeout=60)
        worker_env = paydesk_env(
            db.url,
            **settings,
            bank_feed_url=f"{bank}/api/feed",
            bank_poll_seconds="1",
            webhook_poll_seconds="1",
            worker_poll_seconds="0.2",
        )
        processes.append(spawn(worker_env, "worker"))
        subscribed = httpx.post(
            f"{paydesk}/v1/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["*"], "secret": SECRET},
            headers={"Authorization": f"Bearer {integration_key}"},
        )
        assert subscribed.status_code == 201, subscribed.text
        yield Stack(paydesk, bank, api, sim, receiver, db, integration_key, admin_key)
    finally:
        for process in reversed(processes):
            stop(process)
        api.close()
        sim.close()
        receiver.server.shutdown()
        receiver.server.server_close()
