"""A new customer and account with contracts from the pages, with the API's checks."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from paydesk.accounts import search
from paydesk.accounts.models import Account, Contract, Customer
from paydesk.db.engine import Database
from tests.web.conftest import Book, sign_in


def _form(token: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "customer_name": "Ζωή Καραγιάννη",
        "customer_kind": "person",
        "language": "el",
        "email": "zoi@example.com",
        "number": "NEW-0001",
        "currency": "EUR",
        "customer_class": "open_item",
        "c1_type": "service",
        "c1_priority": "10",
        "c2_type": "parts",
        "c2_priority": "20",
        "overpayment": "1",
        **fields,
    }


def test_a_supervisor_creates_a_customer_and_account_with_contracts(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    assert 'href="/accounts/new"' in client.get("/accounts").text
    done = client.post("/accounts/new", data=_form(token), follow_redirects=False)
    assert done.status_code == 303
    with db.reading() as s:
        account = s.scalar(select(Account).where(Account.number == "NEW-0001"))
        customer = s.get(Customer, account.customer_id)
        contracts = s.scalars(select(Contract).where(Contract.account_id == account.id)).all()
        found = search.find_customer_ids(s, "καραγιαννη", limit=5)
    assert (customer.name, customer.language, account.customer_class) == (
        "Ζωή Καραγιάννη", "el", "open_item",
    )  # fmt: skip
    assert sorted((c.contract_type, c.is_overpayment) for c in contracts) == [
        ("excess_credit", True), ("parts", False), ("service", False),
    ]  # fmt: skip
    assert found == [customer.id]  # found by name at once
    assert "Account NEW-0001 created." in client.get(done.headers["location"]).text


def test_bad_input_is_shown_by_its_field_and_creates_nothing(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    refused = client.post("/accounts/new", data=_form(token, customer_name="", c2_priority="high"))
    assert refused.status_code == 422
    assert 'id="e-customer_name"' in refused.text and 'id="e-c2_priority"' in refused.text
    assert 'value="NEW-0001"' in refused.text  # what was typed is kept
    taken = client.post("/accounts/new", data=_form(token, number=book.account_number))
    assert (
        taken.status_code == 422 and f"Account number {book.account_number} is taken." in taken.text
    )
    with db.reading() as s:
        assert s.scalar(select(Customer).where(Customer.name == "Ζωή Καραγιάννη")) is None


def test_a_cashier_may_not_create_accounts(client: TestClient, book: Book):
    token = sign_in(client, "cashier")
    assert 'href="/accounts/new"' not in client.get("/accounts").text
    assert client.post("/accounts/new", data=_form(token)).status_code == 403
