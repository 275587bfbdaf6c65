"""The payment form's layout: the summary (proposal and button) in one block that stays in
view, the tender types not in use folded, open invoices picked from a list."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from paydesk.db.engine import Database
from paydesk.settings import Settings
from tests.desk.helpers import build_account
from tests.web.conftest import Book, sign_in


def test_the_summary_holds_the_proposal_and_the_button(client: TestClient, book: Book):
    sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={book.account_id}").text
    start = page.index('id="pay-summary"')
    summary = page[start : page.index("</form>", start)]
    assert 'id="cash-back"' in summary and 'type="submit"' in summary
    css = client.get("/static/paydesk.css").text
    assert ".pay-summary {" in css and "position: sticky" in css.split(".pay-summary {")[1]


def test_tender_types_not_in_use_are_folded_until_one_is_used(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    token = sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={book.account_id}").text
    assert '<details id="other-tenders">' in page  # closed
    folded = page[page.index('id="other-tenders"') :]
    assert 'id="f-t_bank_iban"' in folded and 'id="f-t_cash_amount"' not in folded
    assert 'id="f-t_cash_amount"' in page and 'id="f-t_cheque_amount"' in page
    refused = client.post(
        "/one-time-payment",
        data={
            "csrf_token": token,
            "account_id": str(book.account_id),
            "event_date": "2026-11-30",
            "amount": "10.00",
            "t_bank_amount": "10.00",
            "t_bank_iban": "GR00 nonsense",
            "t_bank_holder": "Eleni Georgiou",
            "t_bank_kind": "checking",
            "distribution": "distribute_and_freeze",
        },
    )
    assert refused.status_code == 422
    assert '<details id="other-tenders" open>' in refused.text  # the row in use shows its error


def test_an_open_item_account_lists_only_invoices_with_money_open(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    built = build_account(
        db, settings, customer_class="open_item",
        invoices=[("service", "A", "80.00", date(2026, 11, 1)),
                  ("parts", "B", "25.50", date(2026, 11, 5))],
    )  # fmt: skip
    sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={built.account_id}").text
    picker = page[page.index('id="invoice-picker"') :]
    assert picker.count("€80.00 open") == 1 and picker.count("€25.50 open") == 1
    assert picker.index("€80.00 open") < picker.index("€25.50 open")  # oldest first
    assert '<option value="invoice" selected>' in page  # the match type goes with the pick
