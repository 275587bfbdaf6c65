"""The first five minutes: `paydesk demo` (as `make run` calls it) ends with what a newcomer
needs — address, users and passwords, API keys, how to get a key again and use the CLI — and
a key made later with `paydesk key create` opens the API. Real processes, real SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from paydesk.api.app import create_app
from paydesk.settings import Settings

SRC = Path(__file__).resolve().parents[2] / "src"


def _paydesk(database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "PAYDESK_DATABASE_URL": database_url,
        "PAYDESK_CONFIG": "/nonexistent/paydesk.toml",
        "PYTHONPATH": str(SRC),
    }
    done = subprocess.run(
        [sys.executable, "-m", "paydesk.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_first_run_ends_with_the_address_users_keys_and_how_to_use_the_cli(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'paydesk.db'}"
    first = _paydesk(url, "demo")
    block = first[first.index("paydesk: open") :]
    assert "http://127.0.0.1:8000/" in block
    assert "cashier      cashier-demo-pass" in block and "admin        admin-demo-pass" in block
    assert "integration  pdk_" in block  # the API keys, this once
    assert ".venv/bin/paydesk key create integration" in block
    assert "http://127.0.0.1:8000/openapi.json" in block
    assert "source .venv/bin/activate" in block

    again = _paydesk(url, "demo")
    assert "pdk_" not in again  # keys are not stored in clear: not shown again
    assert "already loaded" in again and "paydesk key create integration" in again

    key = _paydesk(url, "key", "create", "integration").strip()
    assert key.startswith("pdk_")
    client = TestClient(create_app(Settings(database_url=url)))
    answer = client.get("/v1/payment-codes", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200 and answer.json()


def test_the_openapi_document_is_also_at_the_usual_address(client: TestClient):
    moved = client.get("/openapi.json", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/v1/openapi.json"
    assert client.get("/openapi.json").json()["info"]["title"] == "paydesk"
