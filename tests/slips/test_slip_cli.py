"""``paydesk code slip|send|send-retry`` against a real database and a local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import make_account, make_document
from tests.conftest import auth
from typer.testing import CliRunner

from paydesk.api.app import create_app
from paydesk.cli.main import app
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.settings import Settings, get_settings

SmtpServer = Any


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, db: Database) -> Iterator[Any]:
    """Set ``PAYDESK_*`` variables for the command line (the settings are read afresh)."""

    def set_env(**values: object) -> None:
        for name, value in {"database_url": db.url, **values}.items():
            monkeypatch.setenv(f"PAYDESK_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()


@pytest.fixture
def code(db: Database, keys: dict[str, str]) -> str:
    key = keys["integration"]
    with TestClient(create_app(Settings(database_url=db.url), db)) as client:
        customer = {"name": "Jan Kowalski", "language": "pl", "email": "jan@example.com"}
        account = make_account(client, key, customer=customer)
        order = make_document(client, key, account["id"])
        ready = client.post(
            f"/v1/documents/{order['id']}/status",
            json={"status": "ready_for_invoicing"},
            headers=auth(key),
        )
        return ready.json()["payment_code"]["rf"]


def run(*args: str, later: timedelta = timedelta(0)) -> Any:
    """Run ``paydesk args``; its clock reads ``later`` past now."""
    return CliRunner().invoke(app, list(args), obj={"clock": lambda: utcnow() + later})


def test_code_send_emails_the_slip_and_exits_zero(
    configure: Any, code: str, smtp_server: SmtpServer
) -> None:
    configure(smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none",
              smtp_sender="billing@acme.example")  # fmt: skip
    result = run("code", "send", code)
    assert result.exit_code == 0, result.output
    assert "slip sent to jan@example.com" in result.output
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["jan@example.com"]


def test_code_send_failure_exits_one_and_send_retry_delivers_it_when_due(
    configure: Any, code: str, smtp_server: SmtpServer, closed_port: int
) -> None:
    common = {"smtp_host": "127.0.0.1", "smtp_security": "none",
              "smtp_sender": "billing@acme.example", "smtp_retry_seconds": 60}  # fmt: skip
    configure(smtp_port=closed_port, **common)
    failed = run("code", "send", code)
    assert failed.exit_code == 1
    assert "cannot reach mail server" in failed.output
    assert "recorded as failed; next attempt at" in failed.output
    configure(smtp_port=smtp_server.port, **common)
    assert "sent 0, failed 0" in run("code", "send-retry").output  # not due yet
    retried = run("code", "send-retry", later=timedelta(seconds=61))
    assert retried.exit_code == 0, retried.output
    assert "sent 1, failed 0" in retried.output
    assert len(smtp_server.inbox.envelopes) == 1


def test_code_send_without_mail_settings_is_refused(configure: Any, code: str) -> None:
    configure()
    result = run("code", "send", code)
    assert result.exit_code == 2
    assert "e-mail is not configured" in result.output
    assert "nothing attempted" in run("code", "send-retry").output


def test_code_slip_writes_the_pdf_and_the_html(configure: Any, code: str, tmp_path: Path) -> None:
    configure()
    pdf, html = tmp_path / "slip.pdf", tmp_path / "slip.html"
    assert run("code", "slip", code, "--out", str(pdf)).exit_code == 0
    assert run("code", "slip", code, "-o", str(html), "--language", "en").exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Payment slip" in html.read_text(encoding="utf-8")
