"""The credit rating on SQLite and PostgreSQL: entries end, are cancelled by a new row (the
history stays append-only), are audited; the total in force drives the cash-only warning."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from paydesk.audit.models import AuditEvent
from paydesk.cashier import wallet
from paydesk.cashier.models import CashOnlyPointChange
from paydesk.cli.main import app
from paydesk.errors import Conflict, InvalidInput, NotFound
from tests.conftest import auth
from tests.desk.helpers import build_account

TODAY = date(2026, 11, 30)


def add(db, account_id, points, reason="bounced cheque", ends_on=None, actor="sofia") -> int:
    with db.transaction() as s:
        wallet.change_cash_only_points(
            s, account_id, points, reason=reason, actor=actor, ends_on=ends_on
        )
        s.flush()
        return s.scalar(select(CashOnlyPointChange.id).order_by(CashOnlyPointChange.id.desc()))


def rating(db, settings, account_id, today=TODAY):
    with db.reading() as s:
        return wallet.credit_rating(s, settings.cashier, account_id, today=today)


def test_total_counts_entries_in_force_only(db, settings):
    acc = build_account(db, settings)
    add(db, acc.account_id, 2, "old bounce", ends_on=TODAY - timedelta(days=1))
    add(db, acc.account_id, 3, "direct debit returned AM04", ends_on=TODAY)
    add(db, acc.account_id, 1, "manual", ends_on=None)
    got = rating(db, settings, acc.account_id)
    assert got.total == 4 and got.cash_only  # threshold 3
    assert [(e.entry.reason, e.status) for e in got.entries] == [
        ("manual", "in_force"),
        ("direct debit returned AM04", "in_force"),
        ("old bounce", "ended"),
    ]
    assert rating(db, settings, acc.account_id, today=TODAY + timedelta(days=1)).total == 1
    with db.reading() as s:
        assert wallet.points_in_force(s, acc.account_id, today=TODAY) == 4


def test_cancel_appends_a_row_is_audited_and_stops_counting(db, settings):
    acc = build_account(db, settings)
    entry = add(db, acc.account_id, 4, ends_on=TODAY + timedelta(days=300))
    with db.transaction() as s:
        row = wallet.cancel_point_entry(s, entry, reason="cheque cleared after all", actor="sv")
        assert (row.change, row.cancels_id) == (-4, entry)
    got = rating(db, settings, acc.account_id)
    [shown] = got.entries
    assert (got.total, shown.status, shown.cancelled_by.reason) == (
        0,
        "cancelled",
        "cheque cleared after all",
    )
    with db.reading() as s:
        audit = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "cash_only_points")
            .order_by(AuditEvent.id)
        ).all()
        assert [(a.from_status, a.to_status, a.actor) for a in audit] == [
            (None, "added", "sofia"),
            ("added", "cancelled", "sv"),
        ]
    with pytest.raises(Conflict, match="already cancelled"), db.transaction() as s:
        wallet.cancel_point_entry(s, entry, reason="again", actor="sv")
    with pytest.raises(Conflict, match="cannot be cancelled"), db.transaction() as s:
        wallet.cancel_point_entry(s, row.id, reason="undo", actor="sv")
    with pytest.raises(InvalidInput), db.transaction() as s:
        wallet.cancel_point_entry(s, entry, reason="  ", actor="sv")
    with pytest.raises(NotFound), db.transaction() as s:
        wallet.cancel_point_entry(s, 987654, reason="x", actor="sv")


def test_the_history_stays_append_only(db, settings):
    acc = build_account(db, settings)
    entry = add(db, acc.account_id, 2)
    with pytest.raises(Exception), db.transaction() as s:  # noqa: B017 - the database refuses
        s.execute(text(f"UPDATE cash_only_point_changes SET change = 0 WHERE id = {entry}"))
    assert rating(db, settings, acc.account_id).entries[0].entry.change == 2


def test_points_end_follows_the_setting():
    assert wallet.points_end(12, date(2026, 2, 28)) == date(2027, 2, 28)
    assert wallet.points_end(1, date(2026, 1, 31)) == date(2026, 2, 28)
    assert wallet.points_end(0, TODAY) is None


def test_api_supervisors_add_and_cancel_entries_and_the_warning_follows(client, keys):
    from tests.api.helpers import make_account

    account = make_account(client, keys["integration"])
    url = f"/v1/accounts/{account['id']}/cash-only-points"
    added = client.post(
        url, json={"change": 5, "reason": "two bounced cheques"}, headers=auth(keys["supervisor"])
    )
    assert added.status_code == 200, added.text
    body = added.json()
    [entry] = body["entries"]
    assert (body["cash_only_points"], body["cash_only"], entry["status"]) == (5, True, "in_force")
    assert entry["ends_on"] == wallet.points_end(12).isoformat()
    options = f"/v1/accounts/{account['id']}/payment-options"
    warning = client.get(options, headers=auth(keys["cashier"])).json()["cash_only_warning"]
    assert warning.startswith("cash only: 5 points")
    cancel = f"/v1/cash-only-points/{entry['id']}/cancel"
    assert (
        client.post(cancel, json={"reason": "x"}, headers=auth(keys["cashier"])).status_code == 403
    )
    no_reason = client.post(cancel, json={"reason": ""}, headers=auth(keys["supervisor"]))
    assert no_reason.status_code == 422
    done = client.post(cancel, json={"reason": "cleared"}, headers=auth(keys["supervisor"]))
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["cash_only_points"], body["entries"][0]["status"]) == (0, "cancelled")
    assert body["entries"][0]["cancel_reason"] == "cleared"
    assert [h["cancels_id"] for h in body["history"]] == [None, entry["id"]]
    again = client.post(cancel, json={"reason": "again"}, headers=auth(keys["supervisor"]))
    assert again.status_code == 409
    assert client.get(options, headers=auth(keys["cashier"])).json()["cash_only_warning"] is None
    shown = client.get(f"/v1/accounts/{account['id']}", headers=auth(keys["cashier"])).json()
    assert shown["cash_only_points"] == 0
    ended = client.post(
        url,
        json={"change": 9, "reason": "old", "ends_on": "2020-01-01"},
        headers=auth(keys["supervisor"]),
    ).json()
    assert (ended["cash_only_points"], ended["entries"][0]["status"]) == (0, "ended")


@pytest.fixture
def cli_env(db, settings, monkeypatch):
    from paydesk.settings import get_settings

    monkeypatch.setenv("PAYDESK_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_shows_adds_and_cancels_entries(db, settings, cli_env):
    acc = build_account(db, settings)
    runner = CliRunner()
    added = runner.invoke(
        app, ["points", "add", str(acc.account_id), "--points", "4", "--reason", "bounced"]
    )
    assert added.exit_code == 0, added.output
    assert "4 points in force" in added.output
    shown = runner.invoke(app, ["points", "show", str(acc.account_id)])
    assert "cash only" in shown.output and "in_force" in shown.output
    entry = rating(db, settings, acc.account_id, today=date.today()).entries[0].entry.id
    cancelled = runner.invoke(app, ["points", "cancel", str(entry), "--reason", "cleared"])
    assert cancelled.exit_code == 0 and "0 points in force" in cancelled.output
    refused = runner.invoke(app, ["points", "cancel", str(entry), "--reason", "again"])
    assert refused.exit_code == 2 and "already cancelled" in refused.output
    bad_date = runner.invoke(
        app,
        ["points", "add", str(acc.account_id), "--points", "1", "--reason", "x", "--ends-on", "x"],
    )
    assert bad_date.exit_code == 2
