"""Every bank entry as a list: by status and booking date, sorted, paged, exported as CSV; the
same over the API (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paydesk.db.engine import Database
from tests.conftest import auth
from tests.reporting.test_collections import bank_credit
from tests.web.conftest import Book, sign_in

UNKNOWN = "RF18539007547034"


@pytest.fixture
def entries(db: Database, book: Book) -> None:
    bank_credit(db, book.counter_invoice_code, "45.90", "ETHNGRAA", date(2026, 11, 3), "L-1")
    bank_credit(db, UNKNOWN, "10.00", "PIRBGRAA", date(2026, 11, 9), "L-2", "unmatched")
    bank_credit(db, UNKNOWN, "99.00", "BPKOPLPW", date(2026, 11, 20), "L-3", "unmatched")


def test_the_list_filters_by_status_and_date_and_sorts_by_amount(client: TestClient, entries: None):
    sign_in(client, "supervisor")
    assert 'href="/bank/list"' in client.get("/bank").text
    page = client.get(
        "/bank/list", params={"status": "unmatched", "from": "2026-11-01", "sort": "amount"}
    ).text
    table = page[page.index('id="entry-table"') :]
    assert "2 bank entries" in page
    assert table.index("€10.00") < table.index("€99.00") and "€45.90" not in table
    assert 'aria-sort="ascending"' in page
    by_date = client.get("/bank/list", params={"to": "2026-11-05"}).text
    assert "€45.90" in by_date and "€10.00" not in by_date


def test_the_csv_has_every_filtered_entry(client: TestClient, entries: None):
    sign_in(client, "cashier")
    answer = client.get("/bank/list.csv", params={"status": "unmatched", "sort": "-amount"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["amount"], r["currency"], r["rf"], r["payer"]) for r in rows] == [
        ("99.00", "EUR", UNKNOWN, "Maria Papadopoulou"),
        ("10.00", "EUR", UNKNOWN, "Maria Papadopoulou"),
    ]
    assert "payer_iban" not in rows[0]  # only masked IBANs leave paydesk's pages


def test_the_api_lists_and_exports_bank_entries(
    client: TestClient, keys: dict[str, str], entries: None
):
    headers = auth(keys["supervisor"])
    listed = client.get(
        "/v1/reports/bank-entries", params={"sort": "-date", "limit": 2}, headers=headers
    ).json()
    assert listed["page"]["total"] == 3
    assert [e["amount"] for e in listed["items"]] == ["99.00", "10.00"]
    exported = client.get(
        "/v1/reports/bank-entries.csv", params={"status": "matched"}, headers=headers
    )
    assert exported.text.startswith("id,booking_date,value_date,status")
    assert len(exported.text.strip().splitlines()) == 2
    bad = client.get("/v1/reports/bank-entries", params={"status": "lost"}, headers=headers)
    assert bad.status_code == 422


LIST_PAGES = (
    "/accounts", "/documents", "/payments", "/payment-events", "/cash-drawers", "/bank/list",
    "/bank/files",
)  # fmt: skip


def test_a_list_pages_sort_headers_are_in_its_table_not_in_the_documents_head(
    client: TestClient, entries: None
):
    sign_in(client, "supervisor")
    for path in LIST_PAGES:
        page = client.get(path).text
        head = page.split("<body", 1)[0]
        assert "<th" not in head and "sort=" not in head, path
    files = client.get("/bank/files").text
    assert files.count(">Matched<") == 1  # once, in the table's head
