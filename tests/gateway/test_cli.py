"""``paydesk code refresh`` and ``paydesk worker --once`` from the command line."""

from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from paydesk.cli.main import app
from paydesk.settings import get_settings
from tests.gateway.helpers import fixed_code


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("PAYDESK_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_code_refresh_reads_the_feed_then_shows_the_code(
    cli_env, client, keys, banksim_url, recorder, monkeypatch
):
    code = fixed_code(client, keys["integration"])
    paid = httpx.post(
        f"{banksim_url}/api/payments",
        json={"rf": code, "amount": "100.00", "bank_bic": "CRBAGRAA"},
    )
    assert paid.status_code == 201
    cli_env.setenv("PAYDESK_BANK_FEED_URL", f"{banksim_url}/api/feed")
    monkeypatch.setattr("paydesk.bank.connector.default_handler", lambda: recorder)
    result = CliRunner().invoke(app, ["code", "refresh", code])
    assert result.exit_code == 0, result.output
    assert "bank feed: 1 new notifications" in result.output
    assert "active" in result.output
    assert len(recorder.calls) == 1


def test_code_refresh_of_a_malformed_code_fails_with_the_reason(cli_env):
    result = CliRunner().invoke(app, ["code", "refresh", "RF00XYZ"])
    assert result.exit_code == 2


def test_worker_once_runs_the_periodic_tasks(cli_env):
    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "4 jobs run" in result.output  # code_expiry, webhook_delivery, job_purge, session_purge
