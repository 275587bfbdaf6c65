"""Accounts, documents, imported files and cash drawers as lists to work through: sorted,
paged, by date range, exported as CSV, and the same over the API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.bank.models import BankFile
from paydesk.cashier.models import CashDrawerSession
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.settings import Settings
from tests.conftest import auth
from tests.web.conftest import Book, sign_in


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def second_account(db: Database, settings: Settings, book: Book) -> int:
    """A second account, opened in 2025, in open-item class, with one invoice of 2026-05-20."""
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Łukasz Żółć", language="pl")
        account = accounts.create_account(
            s,
            customer=customer,
            number="WEB-0002",
            currency="EUR",
            customer_class="open_item",
            contracts=[ContractSpec("service", 10)],
        )
        account.created_at = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
        documents.create(
            s,
            settings,
            account=account,
            kind="invoice",
            number="INV-9001",
            amount=Money.parse("10.00", "EUR"),
            issue_date=date(2026, 5, 20),
            actor="test",
        )
        return account.id


def test_the_accounts_list_sorts_filters_pages_and_exports(
    client: TestClient, book: Book, second_account: int
):
    sign_in(client, "cashier")
    page = client.get("/accounts", params={"sort": "-number"}).text
    assert page.index('id="account-' + str(second_account)) < page.index(
        f'id="account-{book.account_id}"'
    )
    assert 'aria-sort="descending"' in page
    narrowed = client.get("/accounts", params={"customer_class": "open_item"}).text
    assert "Łukasz Żółć" in narrowed and "Eleni Georgiou" not in narrowed
    by_name = client.get("/accounts", params={"q": "lukasz"}).text
    assert "WEB-0002" in by_name and "WEB-0001" not in by_name
    opened_2025 = client.get("/accounts", params={"from": "2025-01-01", "to": "2025-12-31"})
    assert "WEB-0002" in opened_2025.text and "WEB-0001" not in opened_2025.text
    bad = client.get("/accounts", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert client.get("/accounts.csv", params={"from": "x"}).status_code == 422
    rows = _rows(client.get("/accounts.csv", params={"sort": "balance"}).text)
    assert [r["account"] for r in rows] == ["WEB-0002", "WEB-0001"]
    assert rows[1]["balance"] == "45.90"  # the issued counter invoice is charged


def test_the_documents_list_sorts_by_amount_and_exports_an_issue_date_range(
    client: TestClient, book: Book, second_account: int
):
    sign_in(client, "cashier")
    page = client.get("/documents", params={"sort": "amount"}).text
    assert page.index("INV-9001") < page.index("CI-7002") < page.index("RO-7001")
    march = client.get("/documents", params={"from": "2026-03-01", "to": "2026-03-31"}).text
    assert "RO-7001" in march and "INV-9001" not in march
    assert "2 documents" in march
    rows = _rows(client.get("/documents.csv", params={"kind": "invoice"}).text)
    assert rows == [
        {
            "document": "INV-9001",
            "kind": "invoice",
            "account": "WEB-0002",
            "issue_date": "2026-05-20",
            "due_date": "",
            "status": rows[0]["status"],
            "currency": "EUR",
            "amount": "10.00",
        }
    ]


def test_the_documents_list_pages_by_fifty(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    with db.transaction() as s:
        account = accounts.get_account(s, book.account_id)
        for n in range(55):
            documents.create(
                s,
                settings,
                account=account,
                kind="invoice",
                number=f"P-{n:03d}",
                amount=Money.parse("1.00", "EUR"),
                issue_date=date(2026, 4, 1),
                actor="test",
            )
    sign_in(client, "cashier")
    first = client.get("/documents", params={"sort": "number"}).text
    # CI-7002, then P-000 … P-048: fifty; the next page goes on with P-049 and ends with RO-7001
    assert "CI-7002" in first and "P-048" in first and "P-049" not in first
    assert "offset=50" in first and "sort=number" in first
    second = client.get("/documents", params={"sort": "number", "offset": 50}).text
    assert "P-049" in second and "RO-7001" in second and "P-048" not in second


@pytest.fixture
def files(db: Database, book: Book) -> list[int]:
    with db.transaction() as s:
        made = [
            BankFile(name="march.xml", sha256="a" * 64, source="web", status="imported",
                     entries=3, matched=2, unmatched=1, imported_by="supervisor",
                     created_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
            BankFile(name="april.xml", sha256="b" * 64, source="feed:alpha", status="failed",
                     error="not camt", imported_by="feed",
                     created_at=datetime(2026, 4, 5, 10, 0, tzinfo=UTC)),
        ]  # fmt: skip
        s.add_all(made)
        s.flush()
        return [f.id for f in made]


def test_the_imported_files_list_filters_by_source_and_date_and_exports(
    client: TestClient, files: list[int]
):
    sign_in(client, "supervisor")
    assert 'href="/bank/files"' in client.get("/bank").text
    feed = client.get("/bank/files", params={"source": "feed"}).text
    assert "april.xml" in feed and "march.xml" not in feed
    march = client.get("/bank/files", params={"from": "2026-03-01", "to": "2026-03-31"}).text
    assert "march.xml" in march and "april.xml" not in march
    ordered = client.get("/bank/files", params={"sort": "-matched"}).text
    assert ordered.index("march.xml") < ordered.index("april.xml")
    rows = _rows(client.get("/bank/files.csv", params={"status": "failed"}).text)
    assert [(r["name"], r["source"], r["error"]) for r in rows] == [
        ("april.xml", "feed:alpha", "not camt")
    ]


@pytest.fixture
def drawers(db: Database, book: Book) -> list[int]:
    with db.transaction() as s:
        made = [
            CashDrawerSession(cashier="cashier", currency="EUR", status="closed",
                              float_minor=10000, opened_at=datetime(2026, 3, 1, 8, tzinfo=UTC),
                              closed_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
                              expected={"cash": 12000}, counted={"cash": 11900},
                              difference={"cash": -100}),
            CashDrawerSession(cashier="supervisor", currency="EUR", status="open",
                              float_minor=5000, opened_at=datetime(2026, 3, 2, 8, tzinfo=UTC)),
        ]  # fmt: skip
        s.add_all(made)
        s.flush()
        return [d.id for d in made]


def test_a_cashier_lists_their_own_drawers_and_a_supervisor_everyones(
    client: TestClient, drawers: list[int]
):
    sign_in(client, "cashier")
    own = client.get("/cash-drawers", params={"cashier": "supervisor"}).text
    assert f'id="drawer-{drawers[0]}"' in own and f'id="drawer-{drawers[1]}"' not in own
    rows = _rows(client.get("/cash-drawers.csv").text)
    assert [(r["drawer"], r["difference"]) for r in rows] == [(str(drawers[0]), "cash -1.00")]
    client.post("/sign-out", data={})
    sign_in(client, "supervisor")
    every = client.get("/cash-drawers", params={"sort": "-float"}).text
    assert every.index(f'id="drawer-{drawers[0]}"') < every.index(f'id="drawer-{drawers[1]}"')
    day_two = client.get("/cash-drawers", params={"from": "2026-03-02"}).text
    assert f'id="drawer-{drawers[1]}"' in day_two and f'id="drawer-{drawers[0]}"' not in day_two


def test_the_api_lists_and_exports_the_same_rows(
    client: TestClient, keys: dict[str, str], second_account: int, files: list[int],
    drawers: list[int],
):  # fmt: skip
    headers = auth(keys["supervisor"])
    listed = client.get("/v1/reports/accounts", params={"sort": "-opened", "limit": 1},
                        headers=headers).json()  # fmt: skip
    assert listed["page"] == {"total": 2, "limit": 1, "offset": 0}
    assert listed["items"][0]["account"] == "WEB-0001"
    docs = client.get("/v1/reports/documents", params={"from": "2026-05-01"}, headers=headers)
    assert [d["document"] for d in docs.json()["items"]] == ["INV-9001"]
    exported = client.get("/v1/reports/bank-files.csv", params={"sort": "name"}, headers=headers)
    assert [r["name"] for r in _rows(exported.text)] == ["april.xml", "march.xml"]
    open_ones = client.get("/v1/reports/cash-drawers", params={"status": "open"}, headers=headers)
    assert [d["drawer"] for d in open_ones.json()["items"]] == [drawers[1]]
    reversed_range = client.get(
        "/v1/reports/documents", params={"from": "2026-05-02", "to": "2026-05-01"}, headers=headers
    )
    assert reversed_range.status_code == 422
    assert (
        client.get("/v1/reports/accounts", params={"sort": "x"}, headers=headers).status_code == 422
    )
    cashier = client.get("/v1/reports/cash-drawers", headers=auth(keys["cashier"]))
    assert cashier.status_code == 403
