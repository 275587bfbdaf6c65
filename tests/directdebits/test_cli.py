"""``paydesk dd export``, ``paydesk dd status`` and ``paydesk dd list`` on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from paydesk.cli.main import app
from paydesk.directdebits import pain008
from tests.directdebits.helpers import CREDITOR_ID, dd_settings, owing, take_direct_debit
from tests.directdebits.test_returns import _pain002


@pytest.fixture
def cli_env(db, settings, monkeypatch):
    from paydesk.settings import get_settings

    monkeypatch.setenv("PAYDESK_DATABASE_URL", db.url)
    monkeypatch.setenv("PAYDESK_DIRECT_DEBIT__CREDITOR_ID", CREDITOR_ID)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_export_writes_the_file_and_a_status_report_returns_a_collection(
    db, settings, cli_env, tmp_path
):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    take_direct_debit(db, settings, acc.account_id, "12.00")
    runner = CliRunner()
    due = date.today().isoformat()
    out = tmp_path / "dd.xml"
    done = runner.invoke(app, ["dd", "export", "--due", due, "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "1 collections" in done.output and "12.00 EUR" in done.output
    pain008.validate(out.read_bytes())
    again = runner.invoke(app, ["dd", "export", "--due", due, "--out", str(tmp_path / "b.xml")])
    assert "exported before" in again.output
    assert (tmp_path / "b.xml").read_bytes() == out.read_bytes()

    listed = runner.invoke(app, ["dd", "list"])
    e2e = listed.output.split()[1]
    report = tmp_path / "pain002.xml"
    message_id = f"{settings.rf_prefix}-DD-{date.today():%Y%m%d}"
    report.write_bytes(_pain002("S1", message_id, txs=[(e2e, "AM04")]))
    applied = runner.invoke(app, ["dd", "status", str(report)])
    assert applied.exit_code == 0 and "'returned': 1" in applied.output, applied.output
    returned = runner.invoke(app, ["dd", "list", "--status", "returned"])
    assert "AM04 insufficient funds" in returned.output

    nothing = runner.invoke(app, ["dd", "export", "--due", "2030-01-02"])
    assert nothing.exit_code == 2 and "no direct debit is due" in nothing.output
