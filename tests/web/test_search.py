"""The search box: RF in any spacing, documents, accounts, cheques, bank references, IBANs,
and names without regard to case and accents, Greek too (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paydesk.accounts import search as names
from paydesk.accounts import service as accounts
from paydesk.accounts.models import CustomerNameTerm
from paydesk.accounts.service import ContractSpec
from paydesk.codes import rf
from paydesk.db.engine import Database
from paydesk.settings import Settings
from tests.desk.helpers import build_account
from tests.reporting.test_collections import bank_credit
from tests.web.conftest import Book, sign_in
from tests.web.test_desk_pages import IBAN, _pay


@pytest.fixture
def giorgos(db: Database, book: Book) -> int:
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Γιώργος Παπαδόπουλος", language="el")
        account = accounts.create_account(
            s,
            customer=customer,
            number="GR-0042",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service", 10)],
        )
        return account.id


@pytest.mark.parametrize(
    "typed", ["παπαδοπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "Παπαδόπουλος", "γιωργ παπα", "Παπα"]
)
def test_a_greek_name_is_found_in_any_case_and_without_accents(
    client: TestClient, giorgos: int, typed: str
):
    sign_in(client, "cashier")
    page = client.get("/search", params={"q": typed}).text
    found = page[page.index('id="found-accounts"') :]
    assert "GR-0042" in found and "Γιώργος Παπαδόπουλος" in found


def test_a_name_that_is_not_there_finds_nothing(client: TestClient, giorgos: int):
    sign_in(client, "cashier")
    page = client.get("/search", params={"q": "παπαδακης"}).text
    assert "GR-0042" not in page and "Nothing found" in page


def test_polish_letters_fold_to_their_base_letter(db: Database, book: Book):
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Łukasz Żółć")
    with db.reading() as s:
        assert names.find_customer_ids(s, "lukasz zolc", limit=5) == [customer.id]
        assert names.find_customer_ids(s, "ŻÓŁĆ", limit=5) == [customer.id]
        terms = set(
            s.scalars(
                select(CustomerNameTerm.term).where(CustomerNameTerm.customer_id == customer.id)
            )
        )
    assert terms == {"lukasz", "zolc"}


def test_an_rf_code_is_found_in_any_spacing_and_case(client: TestClient, book: Book):
    sign_in(client, "cashier")
    code = book.counter_invoice_code
    for typed in (code, rf.format(code).lower(), " ".join(code)):
        page = client.get("/search", params={"q": typed}).text
        assert f'href="/codes/{code}"' in page, typed


def test_a_document_and_an_account_number_are_found_as_typed(client: TestClient, book: Book):
    sign_in(client, "cashier")
    assert 'href="/documents/' in client.get("/search", params={"q": "ro-7001"}).text
    page = client.get("/search", params={"q": "web-0001"}).text
    assert f'href="/accounts/{book.account_id}"' in page


def test_a_cheque_number_and_an_iban_lead_to_their_payment_event(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    built = build_account(db, settings, contracts=[("service", 10)])
    token = sign_in(client, "cashier")
    cheque = _pay(
        client, token, built.account_id, amount="10", t_cheque_amount="10",
        t_cheque_number="778899",
    )  # fmt: skip
    page = client.get("/search", params={"q": "778899"}).text
    assert f'href="/payment-events/{cheque}"' in page
    by_bank = _pay(
        client, token, built.account_id, amount="5", t_bank_amount="5", t_bank_iban=IBAN,
        t_bank_holder="Maria Nikolaou",
    )  # fmt: skip
    spaced = " ".join(IBAN[i : i + 4] for i in range(0, len(IBAN), 4))
    for typed in (spaced, "GR16 **** **** 0695"):
        page = client.get("/search", params={"q": typed}).text
        assert f'href="/payment-events/{by_bank}"' in page, typed
        assert IBAN not in page  # only the masked form is shown


def test_a_payer_and_a_bank_reference_find_the_bank_entry(
    client: TestClient, db: Database, book: Book
):
    bank_credit(db, "RF18539007547034", "10.00", "ETHNGRAA", date.today(), "SRCH-1", "unmatched")
    sign_in(client, "supervisor")
    for typed in ("maria papadopoulou", "E2E-SRCH-1", "ASR-SRCH-1"):
        page = client.get("/search", params={"q": typed}).text
        assert "Maria Papadopoulou" in page[page.index('id="found-entries"') :], typed


def test_the_header_has_the_search_box_on_every_page(client: TestClient, book: Book):
    sign_in(client, "cashier")
    page = client.get("/accounts").text
    assert 'action="/search"' in page and 'role="search"' in page
