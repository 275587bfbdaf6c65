"""``paydesk payment`` and ``paydesk drawer`` on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from paydesk.cli.main import app
from tests.desk.helpers import build_account


@pytest.fixture
def cli_env(db, settings, monkeypatch):
    from paydesk.settings import get_settings

    monkeypatch.setenv("PAYDESK_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_payment_add_with_a_cheque_prints_the_cash_back_and_frozen_payment(db, settings, cli_env):
    acc = build_account(db, settings, invoices=[("service", "INV-1", "100.00", date(2026, 1, 2))])
    runner = CliRunner()
    opened = runner.invoke(app, ["drawer", "open", "--cashier", "anna", "--float", "50.00"])
    assert opened.exit_code == 0, opened.output
    result = runner.invoke(
        app,
        [
            "payment",
            "add",
            str(acc.account_id),
            "--amount",
            "100.00",
            "--tender",
            "cheque:120.00",
            "--cheque",
            "77",
            "--cashier",
            "anna",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cheque" in result.output and "-20.00" in result.output
    assert "frozen" in result.output
    card = runner.invoke(
        app, ["payment", "add", str(acc.account_id), "--amount", "1.00", "--tender", "card"]
    )
    assert card.exit_code == 2 and "card processor" in card.output
    closed = runner.invoke(
        app, ["drawer", "close", "1", "--counted", "cash=30.00", "--counted", "cheque=120.00"]
    )
    assert closed.exit_code == 0, closed.output
    assert "difference" in closed.output
