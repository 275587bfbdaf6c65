"""The payment codes list: sort by any column, CSV export of the filtered rows; the same over
the API (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient

from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.settings import Settings
from tests.conftest import auth
from tests.web.conftest import Book, sign_in


def _open_code(db: Database, settings: Settings, book: Book) -> str:
    from paydesk.accounts import service as accounts
    from paydesk.money import Money

    with db.transaction() as s:
        made = documents.create(
            s,
            settings,
            account=accounts.get_account(s, book.account_id),
            kind="vehicle_order",
            number="VO-LIST-1",
            amount=Money.parse("9000.00", "EUR"),
            issue_date=date(2026, 11, 2),
            actor="test",
        )
        return codes.issue_for_document(s, settings, made.document, actor="t").code.rf


def test_the_codes_list_sorts_by_a_column_and_exports_csv(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    vehicle = _open_code(db, settings, book)
    sign_in(client, "cashier")
    by_rf = client.get("/codes", params={"sort": "rf"}).text
    first, second = sorted([vehicle, book.counter_invoice_code])
    assert by_rf.index(f'href="/codes/{first}"') < by_rf.index(f'href="/codes/{second}"')
    by_kind = client.get("/codes", params={"sort": "-kind"}).text  # vehicle_order, counter_…
    assert by_kind.index(f'href="/codes/{vehicle}"') < by_kind.index(
        f'href="/codes/{book.counter_invoice_code}"'
    )
    assert 'aria-sort="descending"' in by_kind

    exported = client.get("/codes.csv", params={"kind": "counter_invoice"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["rf"], r["account"], r["amount"], r["paid"]) for r in rows] == [
        (book.counter_invoice_code, book.account_number, "45.90", "0.00")
    ]
    open_rows = list(csv.DictReader(io.StringIO(client.get("/codes.csv").text)))
    line = next(r for r in open_rows if r["rf"] == vehicle)
    assert (line["amount_type"], line["amount"]) == ("open", "9000.00")  # open, up to a ceiling


def test_the_api_sorts_codes_and_exports_them_as_csv(
    client: TestClient, db: Database, settings: Settings, keys: dict[str, str], book: Book
):
    vehicle = _open_code(db, settings, book)
    headers = auth(keys["cashier"])
    listed = client.get("/v1/payment-codes", params={"sort": "-amount"}, headers=headers).json()
    assert listed["items"][0]["rf"] == vehicle
    exported = client.get("/v1/reports/payment-codes.csv", headers=headers)
    assert exported.status_code == 200 and exported.text.startswith("rf,account,kind,status")
    assert vehicle in exported.text and book.counter_invoice_code in exported.text
    bad = client.get("/v1/payment-codes", params={"sort": "nope"}, headers=headers)
    assert bad.status_code == 422
