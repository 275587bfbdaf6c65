"""Fixtures: the bank simulator in-process (fast) and as a real process, paydesk over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from paydesk.banksim.app import create_app as create_banksim
from paydesk.banksim.config import BankSimSettings

SRC = Path(__file__).resolve().parents[2] / "src"


class Recorder:
    """A document handler that remembers what it was given (stands in for the importer)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail_on: int | None = None  # raise on the n-th call (1-based), once
        self.arrived = threading.Event()

    def __call__(self, db, settings, data: bytes, *, source: str, actor: str) -> dict:
        if self.fail_on is not None and len(self.calls) + 1 == self.fail_on:
            self.fail_on = None
            raise RuntimeError("import failed")
        self.calls.append({"data": data, "source": source, "actor": actor})
        self.arrived.set()
        return {"entries": 1}

    @property
    def documents(self) -> list[bytes]:
        return [c["data"] for c in self.calls]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    """Wait for a server to answer; generous, as a loaded 2-core machine starts Python slowly.
    Gives up at once if the server process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sim(client: TestClient, keys, tmp_path: Path) -> Iterator[TestClient]:
    """The simulator app in this process, asking paydesk's TestClient for inquiries."""
    config = BankSimSettings(
        paydesk_url="http://testserver",
        api_key=keys["integration"],
        data_dir=str(tmp_path / "banksim"),
    )
    with TestClient(create_banksim(config, client=client)) as sim_client:
        yield sim_client


@pytest.fixture
def paydesk_url(client: TestClient, recorder: Recorder) -> Iterator[str]:
    """paydesk served over real HTTP (uvicorn in a thread), importing with ``recorder``."""
    app = client.app
    app.state.bank_handler = recorder
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/v1/health")
    yield url
    server.should_exit = True
    thread.join(10)


def start_banksim(*args: str, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paydesk.cli.main",
            "banksim",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            *args,
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process=process)
    except RuntimeError:
        process.kill()
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def banksim_url(paydesk_url: str, keys, tmp_path: Path) -> Iterator[str]:
    """The bank simulator as a separate process, asking the real paydesk for inquiries."""
    process, url = start_banksim(
        "--paydesk-url",
        paydesk_url,
        "--api-key",
        keys["integration"],
        data_dir=tmp_path / "banksim",
    )
    yield url
    stop(process)
