"""The code page says what is still due (fixed) or may still be paid (open, with a ceiling),
and *Take payment* opens the desk for the code's account and document."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from paydesk.accounts import service as accounts
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.settings import Settings
from paydesk.slips.render import SlipData, render_html
from tests.web.conftest import Book, sign_in


def _pay_on_code(db: Database, rf_code: str, minor: int) -> None:
    from sqlalchemy import select

    from paydesk.codes.models import CodePayment, PaymentCode

    with db.transaction() as s:
        code = s.scalar(select(PaymentCode).where(PaymentCode.rf == rf_code))
        s.add(CodePayment(code_id=code.id, paid_on=date(2026, 11, 3), amount_minor=minor,
                          currency="EUR"))  # fmt: skip
        code.paid_minor += minor


def test_a_fixed_code_shows_what_is_still_due(client: TestClient, db: Database, book: Book):
    _pay_on_code(db, book.counter_invoice_code, 2000)
    sign_in(client, "cashier")
    page = client.get(f"/codes/{book.counter_invoice_code}").text
    assert 'id="code-still-due">€25.90<' in page


def test_an_open_code_shows_what_may_still_be_paid_up_to_its_ceiling(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    with db.transaction() as s:
        order = documents.create(
            s,
            settings,
            account=accounts.get_account(s, book.account_id),
            kind="vehicle_order",
            number="VO-DUE-1",
            amount=Money.parse("9000.00", "EUR"),
            issue_date=date(2026, 11, 2),
            actor="test",
        )
        rf_code = codes.issue_for_document(s, settings, order.document, actor="t").code.rf
    _pay_on_code(db, rf_code, 150000)
    sign_in(client, "cashier")
    page = client.get(f"/codes/{rf_code}").text
    assert "May still be paid" in page and "up to €7,500.00" in page


def test_take_payment_opens_the_desk_for_the_codes_account_and_document(
    client: TestClient, book: Book
):
    sign_in(client, "cashier")
    page = client.get(f"/codes/{book.counter_invoice_code}").text
    assert f'href="/one-time-payment?code={book.counter_invoice_code}"' in page
    form = client.get("/one-time-payment", params={"code": book.counter_invoice_code}).text
    assert f'name="account_id" value="{book.account_id}"' in form
    assert 'id="f-amount" name="amount"' in form and 'value="45.90"' in form
    assert 'value="CI-7002"' in form  # matched to the code's document
    assert 'id="paying-code"' in form
    missing = client.get("/one-time-payment", params={"code": "RF18539007547034"})
    assert missing.status_code == 404


def test_an_open_slip_with_a_ceiling_says_what_may_still_be_paid():
    slip = SlipData(
        business_name="Acme",
        business_iban="GR1601101250000000012300695",
        customer_name="Ζωή",
        document_kind="vehicle_order",
        document_number="VO-1",
        rf_code="RF18539007547034",
        ceiling=Money.parse("7500.00", "EUR"),
        language="pl",
    )
    assert "Kwota dowolna: możesz wpłacić do 7\u00a0500,00\u00a0€" in render_html(slip)
