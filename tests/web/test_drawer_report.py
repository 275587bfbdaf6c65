"""Closing a drawer prints a drawer report; a blind count hides what is expected until then."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paydesk.api.app import create_app
from paydesk.cashier.models import CashDrawerSession
from paydesk.db.engine import Database
from paydesk.settings import CashierSettings, Settings
from tests.desk.helpers import build_account
from tests.web.conftest import Book, sign_in
from tests.web.test_desk_pages import _pay


def _drawer_id(db: Database) -> int:
    with db.reading() as s:
        return s.query(CashDrawerSession).filter_by(cashier="cashier").one().id


def test_the_drawer_report_lists_float_counts_differences_and_tenders(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    built = build_account(db, settings, contracts=[("service", 10)])
    token = sign_in(client, "cashier")
    client.post("/cash-drawer/open", data={"csrf_token": token, "float_amount": "50.00"})
    _pay(client, token, built.account_id, amount="100", t_cheque_amount="120",
         t_cheque_number="4242")  # fmt: skip
    drawer_id = _drawer_id(db)
    still_open = client.get(f"/cash-drawer/{drawer_id}/report")
    assert still_open.status_code == 409
    client.post(
        f"/cash-drawer/{drawer_id}/close",
        data={"csrf_token": token, "counted_cash": "29.00", "counted_cheque": "120.00",
              "confirmed": "1"},
    )  # fmt: skip
    page = client.get(f"/cash-drawer?closed={drawer_id}").text
    assert f'href="/cash-drawer/{drawer_id}/report"' in page
    report = client.get(f"/cash-drawer/{drawer_id}/report").text
    assert 'id="report-float">€50.00<' in report
    cash = report[report.index('id="report-cash"') :]
    cash = cash[: cash.index("</tr>")]
    assert "€30.00" in cash and "€29.00" in cash and "-€1.00 (short)" in cash  # 50 − 20 back
    assert "Cheque number 4242" in report and "-€20.00" in report


def test_a_blind_count_shows_no_expected_amounts_before_closing(db: Database, book: Book):
    blind = Settings(database_url=db.url, cashier=CashierSettings(blind_count=True))
    with TestClient(create_app(blind, db)) as client:
        token = sign_in(client, "cashier")
        client.post("/cash-drawer/open", data={"csrf_token": token, "float_amount": "50.00"})
        page = client.get("/cash-drawer").text
        assert 'id="blind-count"' in page
        assert 'id="expected-cash"' not in page and "€50.00</td>" not in page
        assert 'id="f-counted_cash"' in page  # still counted
