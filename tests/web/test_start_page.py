"""The start page after sign-in: collections, the daily chart with its table, work waiting."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from paydesk.cashier import service as desk
from paydesk.db.engine import Database
from paydesk.settings import Settings
from paydesk.web.views.start import today_in
from tests.desk.helpers import build_account, one, pay
from tests.reporting.test_collections import bank_credit
from tests.web.conftest import Book, sign_in


def test_signing_in_lands_on_the_start_page(client: TestClient, book: Book):
    sign_in(client, "cashier")
    assert client.get("/", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).headers["location"] == "/sign-in"


def test_the_start_page_shows_collections_by_channel_and_bank_and_the_daily_chart(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    today = today_in(settings.timezone)
    built = build_account(db, settings, contracts=[("service", 10)])
    pay(db, settings, one(built.account_id, "30.00", desk.TenderRequest("cash")))
    pay(
        db,
        settings,
        desk.EventRequest(
            payments=[desk.PaymentRequest(built.account_id, "12.50")],
            tenders=[desk.TenderRequest("cash")],
            event_date=today - timedelta(days=3),
        ),
    )
    bank_credit(db, book.counter_invoice_code, "45.90", "ETHNGRAA", today, "START-1")

    sign_in(client, "supervisor")
    page = client.get("/").text
    today_card = page[page.index('id="collections-today"') : page.index('id="collections-month"')]
    assert "€75.90" in today_card  # in all
    assert "Cashier desk" in today_card and "€30.00" in today_card
    assert "NATIONAL BANK OF GREECE S.A." in today_card and "€45.90" in today_card
    chart = page[page.index('<svg viewBox="0 0 720 240"') : page.index("</svg>")]
    assert chart.count('class="bar"') == 30
    assert 'role="img"' in chart and "In all €88.40" in chart
    table = page[page.index('id="daily-figures"') :]
    assert "€12.50" in table and "€75.90" in table and "€88.40" in table


def test_work_waiting_links_each_count_to_its_list_for_the_role(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    bank_credit(db, "RF18539007547034", "10.00", "ETHNGRAA", today_in("UTC"), "W-1", "unmatched")
    sign_in(client, "supervisor")
    page = client.get("/").text
    held = page[page.index('id="work-held_bank_entries"') :]
    assert held.index('href="/bank#unmatched"') < held.index("</li>")
    assert '<span class="count">1</span>' in held[: held.index("</li>")]
    assert 'href="/payment-events?show=attention"' in page

    sign_in(client, "cashier")
    cashier_page = client.get("/").text
    assert 'id="work-held_bank_entries"' not in cashier_page  # the bank side is not theirs
    assert 'id="work-payments_needing_attention"' in cashier_page
