"""Item 1: no usable default secret key; forged session cookies sign nobody in."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from typer.testing import CliRunner

from paydesk.api.app import create_app
from paydesk.audit.models import AuditEvent
from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from paydesk.secret import InsecureSecret
from paydesk.settings import Settings, get_settings
from tests.conftest import TEST_SECRET
from tests.gateway.conftest import free_port, stop, wait_until_up
from tests.web.conftest import Book

SRC = Path(__file__).resolve().parents[2] / "src"
OLD_DEFAULT = "change-me-in-production"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYDESK_")}
    env.update(
        PYTHONPATH=str(SRC),
        PAYDESK_CONFIG="/nonexistent/paydesk.toml",
        PAYDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'paydesk.db'}",
        PAYDESK_SECRET_KEY_FILE=str(tmp_path / "data" / "secret_key"),
    )
    env.update(extra)
    return env


def test_there_is_no_default_secret_and_the_app_refuses_to_start(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("PAYDESK_SECRET_KEY")
    settings = Settings(secret_key_file=str(tmp_path / "missing"))
    assert settings.secret_key is None
    with pytest.raises(InsecureSecret) as refused:
        create_app(settings, Database(f"sqlite:///{tmp_path / 'x.db'}"))
    message = str(refused.value)
    assert "no secret_key is set" in message
    assert "paydesk secret create" in message and "PAYDESK_SECRET_KEY" in message


@pytest.mark.parametrize("weak", [OLD_DEFAULT, "CHANGE-ME-IN-PRODUCTION", "changeme", "short-1"])
def test_a_placeholder_or_short_secret_is_refused(weak: str, tmp_path: Path):
    with pytest.raises(InsecureSecret, match=r"placeholder|shorter"):
        create_app(Settings(secret_key=weak), Database(f"sqlite:///{tmp_path / 'x.db'}"))


@pytest.mark.parametrize("secret", [None, OLD_DEFAULT])
def test_paydesk_serve_refuses_to_start_and_says_how_to_set_a_secret(
    secret: str | None, tmp_path: Path
):
    env = _env(tmp_path, **({"PAYDESK_SECRET_KEY": secret} if secret else {}))
    done = subprocess.run(
        [sys.executable, "-m", "paydesk.cli.main", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "will not start" in done.stderr
    assert "paydesk secret create" in done.stderr and "PAYDESK_SECRET_KEY" in done.stderr


def test_demo_writes_a_random_secret_once_and_serve_starts_with_it(monkeypatch, tmp_path: Path):
    """The `make run` path: `paydesk demo` then `paydesk serve`, no secret configured."""
    secret_file = tmp_path / "data" / "secret_key"
    for name, value in _env(tmp_path).items():
        if name.startswith("PAYDESK_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("PAYDESK_SECRET_KEY")
    get_settings.cache_clear()
    try:
        from paydesk.cli.main import app

        first = CliRunner().invoke(app, ["demo"])
        assert first.exit_code == 0, first.output
        assert "secret key was written" in first.output
        kept = secret_file.read_text().strip()
        assert len(kept) >= 32 and kept != OLD_DEFAULT
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        get_settings.cache_clear()
        again = CliRunner().invoke(app, ["demo"])
        assert again.exit_code == 0, again.output
        assert secret_file.read_text().strip() == kept  # made once, never replaced
    finally:
        get_settings.cache_clear()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "paydesk.cli.main", "serve", "--port", str(port)],
        env=_env(tmp_path),
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/v1/health", timeout=60, process=server)
    finally:
        stop(server)


def _forged(secret: str, data: dict) -> str:
    return URLSafeTimedSerializer(secret, salt="paydesk.web.session").dumps(data)


def test_a_cookie_forged_for_user_1_neither_signs_in_nor_cancels_a_code(
    client: TestClient, db: Database, book: Book
):
    """The attack of the issue: a cookie signed with the old default for user 1 (admin-like
    access) — and, were the secret known, a cookie naming a user without a server session."""
    forgeries = [
        _forged(OLD_DEFAULT, {"uid": 1, "csrf": "x"}),
        _forged(TEST_SECRET, {"uid": 1, "csrf": "x"}),  # the old cookie format
        _forged(TEST_SECRET, {"sid": "made-up-session-token", "csrf": "x"}),
    ]
    for cookie in forgeries:
        client.cookies.clear()
        client.cookies.set("paydesk_session", cookie)
        page = client.get("/accounts", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
        refused = client.post(
            f"/codes/{book.counter_invoice_code}/cancel",
            data={"csrf_token": "x", "reason": "forged"},
            headers={"X-CSRF-Token": "x"},
            follow_redirects=False,
        )
        assert refused.status_code in (303, 403)
    with db.reading() as session:
        code = session.scalar(
            select(PaymentCode).where(PaymentCode.rf == book.counter_invoice_code)
        )
        assert code is not None and code.status != "cancelled"
        assert not session.scalars(select(AuditEvent).where(AuditEvent.reason == "forged")).first()
