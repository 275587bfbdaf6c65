"""After a payment: the result panel (cash to give back) and the customer's receipt, as HTML
and PDF, in the customer's language."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from paydesk.accounts.models import Customer
from paydesk.db.engine import Database
from paydesk.settings import Settings
from tests.desk.helpers import Built, build_account
from tests.web.conftest import Book, sign_in
from tests.web.test_desk_pages import _pay


@pytest.fixture
def owing(db: Database, settings: Settings, book: Book) -> Built:
    """A Greek customer owing 100.00 on an issued invoice."""
    built = build_account(
        db,
        settings,
        contracts=[("service", 10)],
        invoices=[("service", "INV", "100.00", date(2026, 11, 2))],
        name="Γιώργος Παπαδόπουλος",
    )
    with db.transaction() as s:
        s.execute(update(Customer).values(language="el").where(Customer.name.like("Γιώργος%")))
    return built


def test_a_cheque_over_the_debt_tells_the_cashier_to_give_back_the_difference_in_cash(
    client: TestClient, owing: Built
):
    token = sign_in(client, "cashier")
    event_id = _pay(
        client, token, owing.account_id, amount="100.00", t_cheque_amount="120.00",
        t_cheque_number="1001",
    )  # fmt: skip
    page = client.get(f"/payment-events/{event_id}").text
    assert 'id="result-received">€120.00<' in page
    assert 'id="result-paid">€100.00<' in page
    assert "Give back €20.00 in cash" in page
    assert f'href="/payment-events/{event_id}/receipt"' in page


def test_the_exact_amount_in_cash_has_nothing_to_give_back(client: TestClient, owing: Built):
    token = sign_in(client, "cashier")
    event_id = _pay(client, token, owing.account_id, amount="100.00", t_cash_amount="100.00")
    page = client.get(f"/payment-events/{event_id}").text
    assert 'id="result-paid">€100.00<' in page
    assert "Give back" not in page


def test_the_receipt_is_in_the_customers_language_with_tenders_documents_and_cashier(
    client: TestClient, owing: Built
):
    token = sign_in(client, "cashier")
    event_id = _pay(
        client, token, owing.account_id, amount="100.00", t_cheque_amount="120.00",
        t_cheque_number="1001",
    )  # fmt: skip
    html = client.get(f"/payment-events/{event_id}/receipt").text
    assert '<html lang="el">' in html
    assert "paydesk demo business" in html
    assert "Γιώργος Παπαδόπουλος" in html
    assert 'id="receipt-cashier">Cashier<' in html
    assert "1001" in html and "120,00\u00a0€" in html and "-20,00\u00a0€" in html
    paid_for = html[html.index('id="receipt-paid-for"') :]
    assert "service" in paid_for and "100,00 €" in paid_for  # on account, to its contract
    assert "Απόδειξη" in html  # "Receipt", in Greek

    pdf = client.get(f"/payment-events/{event_id}/receipt.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Απόδειξη" in text and f"{event_id}" in text
    assert "Γιώργος Παπαδόπουλος" in text and "Cashier" in text
    assert "20,00 €" in text.replace("\u00a0", " ")


def test_a_receipt_of_an_unknown_event_is_a_not_found_page(client: TestClient, book: Book):
    sign_in(client, "cashier")
    assert client.get("/payment-events/999999/receipt").status_code == 404
