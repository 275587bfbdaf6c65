"""Customers, accounts and contracts are changed on the pages with the API's checks (the same
service functions), and over the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paydesk.accounts import search
from paydesk.accounts import service as accounts
from paydesk.accounts.models import Contract
from paydesk.accounts.service import ContractSpec
from paydesk.db.engine import Database
from paydesk.errors import Conflict, InvalidInput
from tests.conftest import auth
from tests.web.conftest import Book, csrf_token, sign_in


def _contracts(db: Database, account_id: int) -> list[Contract]:
    with db.reading() as s:
        return accounts.contracts_of(s, account_id)


def _edit_form(client: TestClient, account_id: int, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it, with ``changes``."""
    html = client.get(f"/accounts/{account_id}/edit").text
    values = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(r'name="(\w+)" type="\w+" value="([^"]*)"', html):
        values[name] = value
    for name in ("customer_kind", "language", "customer_class"):
        chosen = re.search(rf'name="{name}".*?<option value="(\w+)" selected', html, re.S)
        values[name] = chosen.group(1)
    checked = re.search(r'name="overpayment" type="radio" value="(\w+)" checked', html)
    values["overpayment"] = checked.group(1)
    return {**values, **changes}


def test_a_supervisor_renames_the_customer_renumbers_the_account_and_changes_a_contract(
    client: TestClient, db: Database, book: Book
):
    sign_in(client, "supervisor")
    assert (
        f'href="/accounts/{book.account_id}/edit"'
        in client.get(f"/accounts/{book.account_id}").text
    )
    service, _excess = _contracts(db, book.account_id)
    form = _edit_form(
        client,
        book.account_id,
        customer_name="Ελένη Γεωργίου-Παππά",
        number="WEB-0001-A",
        customer_class="open_item",
        **{f"k{service.id}_priority": "5", f"k{service.id}_description": "Συνεργείο"},
        new_type="parts",
        new_priority="20",
        overpayment="new",
    )
    done = client.post(f"/accounts/{book.account_id}/edit", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert "Account WEB-0001-A saved." in client.get(done.headers["location"]).text
    changed = {c.contract_type: c for c in _contracts(db, book.account_id)}
    assert (changed["service"].payment_priority, changed["service"].description) == (
        5,
        "Συνεργείο",
    )
    assert [t for t, c in changed.items() if c.is_overpayment] == ["parts"]
    with db.reading() as s:
        account = accounts.get_account(s, book.account_id)
        assert (account.number, account.customer_class) == ("WEB-0001-A", "open_item")
        assert search.find_customer_ids(s, "παππα", limit=5) == [account.customer_id]


@pytest.mark.parametrize(
    ("lang", "taken"),
    [("en", "Account number WEB-0002 is taken."), ("el", "WEB-0002"), ("pl", "WEB-0002")],
)
def test_a_refused_edit_is_shown_by_its_field_in_the_page_language_and_changes_nothing(
    client: TestClient, db: Database, book: Book, lang: str, taken: str
):
    with db.transaction() as s:
        other = accounts.create_customer(s, name="Άλλος Πελάτης")
        accounts.create_account(
            s, customer=other, number="WEB-0002", currency="EUR",
            customer_class="balance_forward", contracts=[ContractSpec("service")],
        )  # fmt: skip
    sign_in(client, "supervisor")
    client.cookies.set("paydesk_lang", lang)
    service, _excess = _contracts(db, book.account_id)
    bad = _edit_form(client, book.account_id, customer_name="Changed", number="WEB-0002")
    refused = client.post(f"/accounts/{book.account_id}/edit", data=bad)
    assert refused.status_code == 422
    assert taken in refused.text and 'id="e-number"' in refused.text
    assert "is taken" not in refused.text or lang == "en"
    priority = _edit_form(client, book.account_id, **{f"k{service.id}_priority": "high"})
    refused = client.post(f"/accounts/{book.account_id}/edit", data=priority)
    assert refused.status_code == 422 and f'id="e-k{service.id}_priority"' in refused.text
    assert 'value="high"' in refused.text  # what was typed is kept
    with db.reading() as s:
        account = accounts.get_account(s, book.account_id)
        assert account.number == "WEB-0001"
        assert accounts.get_customer(s, account.customer_id).name == "Eleni Georgiou"


def test_a_cashier_may_not_edit(client: TestClient, book: Book):
    sign_in(client, "cashier")
    assert client.get(f"/accounts/{book.account_id}/edit").status_code == 403
    assert 'id="edit-account-link"' not in client.get(f"/accounts/{book.account_id}").text


def test_the_service_keeps_one_overpayment_contract_and_unique_numbers(db: Database, book: Book):
    service, excess = _contracts(db, book.account_id)
    with pytest.raises(Conflict), db.transaction() as s:
        accounts.update_contract(s, service.id, is_overpayment=True)
    with pytest.raises(InvalidInput), db.transaction() as s:
        accounts.update_contract(s, service.id, payment_priority=1000)
    with pytest.raises(InvalidInput), db.transaction() as s:
        accounts.update_customer(s, 1, name="  ")
    with db.transaction() as s:
        accounts.update_contract(s, excess.id, is_overpayment=False)
        accounts.update_contract(s, service.id, is_overpayment=True)
    assert [c.is_overpayment for c in _contracts(db, book.account_id)] == [True, False]


def test_the_api_changes_customers_accounts_and_contracts(
    client: TestClient, db: Database, keys: dict[str, str], book: Book
):
    headers = auth(keys["supervisor"])
    service, _excess = _contracts(db, book.account_id)
    with db.reading() as s:
        customer_id = accounts.get_account(s, book.account_id).customer_id
    renamed = client.patch(
        f"/v1/customers/{customer_id}", json={"name": "Eleni G.", "email": None}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["email"] is None
    renumbered = client.patch(
        f"/v1/accounts/{book.account_id}", json={"number": "API-1"}, headers=headers
    )
    assert renumbered.json()["number"] == "API-1"
    changed = client.patch(
        f"/v1/contracts/{service.id}", json={"payment_priority": 3}, headers=headers
    )
    assert next(c["payment_priority"] for c in changed.json()["contracts"]) == 3
    refused = client.patch(f"/v1/customers/{customer_id}", json={"language": "de"}, headers=headers)
    assert refused.status_code == 422
    cashier = client.patch(
        f"/v1/accounts/{book.account_id}", json={"number": "X"}, headers=auth(keys["cashier"])
    )
    assert cashier.status_code == 403
    with db.reading() as s:
        assert s.scalar(select(Contract.payment_priority).where(Contract.id == service.id)) == 3
