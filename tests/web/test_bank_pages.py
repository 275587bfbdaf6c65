"""The Bank entries page over HTTP (SQLite and PostgreSQL): upload, summary, held entries,
assign to a code, mark for return, roles, CSRF, refused files."""

from __future__ import annotations

import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.bank.models import BankEntry, BankFile
from paydesk.codes import rf
from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.db.engine import Database
from paydesk.money import Money
from paydesk.settings import Settings
from tests.web.conftest import Book, sign_in

IBAN = "GR1601101250000000012300695"
UNKNOWN_RF = rf.create("4242424242")
PAID_ON = date(2026, 11, 20)


def camt054(*credits: OutgoingCredit) -> bytes:
    out = io.BytesIO()
    write_camt054(list(credits), out, version="001.08", account_iban=IBAN, message_id="WEB-1")
    return out.getvalue()


def credit(rf_code: str | None, amount: str, ref: str, **extra) -> OutgoingCredit:
    return OutgoingCredit(
        amount=Money.parse(amount, "EUR"),
        booking_date=PAID_ON,
        rf=rf_code,
        debtor_name="Maria Papadopoulou",
        debtor_bic="ETHNGRAA",
        end_to_end_id=f"E2E-{ref}",
        account_servicer_ref=ref,
        **extra,
    )


def upload(client: TestClient, token: str | None, data: bytes, name: str = "notif.xml", **kw):
    fields = {"csrf_token": token} if token else {}
    return client.post(
        "/bank/files",
        data=fields,
        files={"file": (name, data, "application/xml")},
        follow_redirects=False,
        **kw,
    )


def _count(db: Database, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _held(db: Database) -> BankEntry:
    with db.reading() as session:
        entry = session.scalar(select(BankEntry).where(BankEntry.status == "unmatched"))
        assert entry is not None
        return entry


def _uploaded_with_unknown_rf(client: TestClient, db: Database, book: Book) -> tuple[str, int]:
    token = sign_in(client, "supervisor")
    done = upload(
        client,
        token,
        camt054(credit(UNKNOWN_RF, "45.90", "B-2", remittance_text="invoice CI-7002")),
    )
    assert done.status_code == 303, done.text
    return token, _held(db).id


def test_an_upload_shows_the_import_summary_and_the_file_in_the_list(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    data = camt054(
        credit(book.counter_invoice_code, "45.90", "S-1"),
        credit(UNKNOWN_RF, "12.00", "S-2"),
    )
    done = upload(client, token, data, name="november.xml")
    assert done.status_code == 303
    assert done.headers["location"].startswith("/bank?imported=")
    page = client.get(done.headers["location"]).text
    assert "File november.xml imported." in page
    assert "Import of november.xml" in page
    assert 'id="sum-matched">1<' in page and 'id="sum-unmatched">1<' in page
    assert "camt.054 001.08" in page
    # The same file again: every entry is a duplicate, nothing changes.
    again = client.get(upload(client, token, data, name="november.xml").headers["location"]).text
    assert 'id="sum-duplicates">2<' in again and 'id="sum-matched">0<' in again
    assert _count(db, CodePayment) == 1


def test_an_unknown_rf_is_held_with_its_reason(client: TestClient, db: Database, book: Book):
    _uploaded_with_unknown_rf(client, db, book)
    page = client.get("/bank").text
    assert f"Unknown RF {UNKNOWN_RF}" in page
    assert "invoice CI-7002" in page and "Maria Papadopoulou" in page
    assert "€45.90" in page and rf.format(UNKNOWN_RF) in page
    client.cookies.set("paydesk_lang", "el")
    greek = client.get("/bank")
    assert f"Άγνωστος κωδικός RF {UNKNOWN_RF}" in greek.text


def test_a_supervisor_assigns_a_held_entry_and_the_code_shows_the_payment(
    client: TestClient, db: Database, book: Book
):
    token, entry_id = _uploaded_with_unknown_rf(client, db, book)
    done = client.post(
        f"/bank/entries/{entry_id}/assign",
        data={"csrf_token": token, "rf": rf.format(book.counter_invoice_code)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert "assigned to payment code" in client.get(done.headers["location"]).text
    with db.reading() as session:
        code = session.scalar(
            select(PaymentCode).where(PaymentCode.rf == book.counter_invoice_code)
        )
        assert code is not None and (code.paid_minor, code.status) == (4590, "paid")
        assert session.get(BankEntry, entry_id).status == "matched"
    detail = client.get(f"/codes/{book.counter_invoice_code}").text
    assert "20 Nov 2026" in detail and "ETHNGRAA" in detail and "€45.90" in detail


def test_assigning_to_a_bad_or_unknown_code_shows_the_error_by_the_field_and_changes_nothing(
    client: TestClient, db: Database, book: Book
):
    token, entry_id = _uploaded_with_unknown_rf(client, db, book)
    payments = _count(db, CodePayment)
    for typed, message in [
        ("", "Enter the RF code to assign the payment to."),
        ("RF00 1234", "RF00 1234 is not a valid RF code."),
        (UNKNOWN_RF, f"There is no payment code {UNKNOWN_RF}."),
    ]:
        refused = client.post(
            f"/bank/entries/{entry_id}/assign", data={"csrf_token": token, "rf": typed}
        )
        assert refused.status_code == 422
        assert f'id="e-rf-{entry_id}"' in refused.text and message in refused.text
    row = client.post(
        f"/bank/entries/{entry_id}/assign",
        data={"csrf_token": token, "rf": "RF00 1234"},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 422 and row.text.lstrip().startswith(f'<tr id="entry-{entry_id}"')
    assert 'value="RF00 1234"' in row.text
    assert _count(db, CodePayment) == payments
    assert _held(db).id == entry_id


def test_a_cashier_sees_no_assign_button_and_the_post_is_refused(
    client: TestClient, db: Database, book: Book
):
    _uploaded_with_unknown_rf(client, db, book)
    entry_id = _held(db).id
    client.cookies.clear()
    token = sign_in(client, "cashier")
    page = client.get("/bank")
    assert page.status_code == 200 and f"Unknown RF {UNKNOWN_RF}" in page.text
    assert "/assign" not in page.text and "/return" not in page.text
    assert 'action="/bank/files"' not in page.text
    refused = client.post(
        f"/bank/entries/{entry_id}/assign",
        data={"csrf_token": token, "rf": book.counter_invoice_code},
    )
    assert refused.status_code == 403
    assert upload(client, token, camt054(credit(UNKNOWN_RF, "1.00", "C-1"))).status_code == 403
    assert _held(db).status == "unmatched"
    assert _count(db, BankFile) == 1


def test_mark_for_return_needs_a_reason(client: TestClient, db: Database, book: Book):
    token, entry_id = _uploaded_with_unknown_rf(client, db, book)
    refused = client.post(
        f"/bank/entries/{entry_id}/return", data={"csrf_token": token, "reason": "  "}
    )
    assert refused.status_code == 422
    assert "Give the reason for returning the money." in refused.text
    assert _held(db).status == "unmatched"
    done = client.post(
        f"/bank/entries/{entry_id}/return",
        data={"csrf_token": token, "reason": "payer asked for it back"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with db.reading() as session:
        entry = session.get(BankEntry, entry_id)
        assert (entry.status, entry.reason) == ("returned", "payer asked for it back")
    assert f"Unknown RF {UNKNOWN_RF}" not in client.get("/bank").text


def test_a_malformed_or_unsafe_file_is_refused_with_the_parsers_message_and_imports_nothing(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    good = camt054(credit(UNKNOWN_RF, "5.00", "M-1"))
    broken = upload(client, token, good[: len(good) // 2], name="broken.xml")
    assert broken.status_code == 422
    assert "The file was refused. The file is not well-formed XML (line" in broken.text
    assert "The parser says: " in broken.text
    assert 'id="e-file"' in broken.text
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&x;</Document>'
    )
    unsafe = upload(client, token, xxe, name="xxe.xml", headers={"HX-Request": "true"})
    assert unsafe.status_code == 422
    assert unsafe.text.lstrip().startswith('<section class="card" id="bank-upload"')
    assert "declares a DOCTYPE" in unsafe.text
    assert "passwd" not in unsafe.text.replace("file:///etc/passwd", "")
    assert _count(db, BankEntry) == 0 and _count(db, CodePayment) == 0
    listing = client.get("/bank").text
    assert "broken.xml" in listing and "Failed" in listing
    nothing = client.post(
        "/bank/files", data={"csrf_token": token}, files={"file": ("", b"", "application/xml")}
    )
    assert nothing.status_code == 422 and "Choose a camt.053 or camt.054 file." in nothing.text


def test_a_file_over_the_size_limit_is_refused_and_imports_nothing(db: Database, book: Book):
    from paydesk.api.app import create_app

    small = Settings(database_url=db.url, web_upload_max_bytes=2048)
    with TestClient(create_app(small, db)) as client:
        token = sign_in(client, "supervisor")
        # Declared larger than the limit: refused before the body is read, nothing recorded.
        huge = camt054(*(credit(UNKNOWN_RF, "1.00", f"H-{n}") for n in range(200)))
        assert len(huge) > 2048 + 64 * 1024
        refused = upload(client, token, huge)
        assert refused.status_code == 413
        assert "The file is larger than" in refused.text
        assert _count(db, BankFile) == 0
        # Within the form's allowance but over the limit: the parser stops at the limit.
        over = camt054(*(credit(UNKNOWN_RF, "1.00", f"L-{n}") for n in range(10)))
        assert 2048 < len(over) < 64 * 1024
        stopped = upload(client, token, over)
        assert stopped.status_code == 413
        assert "The file is larger than the limit of 2 kB." in stopped.text
    assert _count(db, BankEntry) == 0 and _count(db, CodePayment) == 0


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient, db: Database, book: Book):
    sign_in(client, "supervisor")
    refused = upload(client, None, camt054(credit(UNKNOWN_RF, "5.00", "X-1")))
    assert refused.status_code == 403
    assert _count(db, BankFile) == 0 and _count(db, BankEntry) == 0
    entry_post = client.post("/bank/entries/1/return", data={"reason": "x"})
    assert entry_post.status_code == 403


def test_the_bank_entries_page_is_in_the_navigation_of_the_back_office(
    client: TestClient, book: Book
):
    sign_in(client, "supervisor")
    assert '<a href="/bank"' in client.get("/accounts").text


def test_a_refused_upload_and_a_rejected_entry_are_in_the_pages_language(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    good = camt054(credit(UNKNOWN_RF, "5.00", "G-1"))
    greek = {"Accept-Language": "el"}
    broken = upload(client, token, good[: len(good) // 2], name="broken.xml", headers=greek)
    assert broken.status_code == 422
    assert "Το αρχείο απορρίφθηκε. Το αρχείο δεν είναι σωστά δομημένο XML (γραμμή" in broken.text
    assert "well-formed" not in broken.text and "refused" not in broken.text
    polish = client.get(
        "/bank/files", params={"status": "failed"}, headers={"Accept-Language": "pl"}
    )
    assert "broken.xml" in polish.text and "Plik nie jest poprawnie zbudowanym XML" in polish.text

    zero = camt054(credit(UNKNOWN_RF, "5.00", "Z-1"), credit(UNKNOWN_RF, "6.00", "Z-2"))
    done = upload(client, token, zero.replace(b">5.00<", b">12.500<"), name="decimals.xml")
    assert done.status_code == 303
    rejected = client.get("/bank/list", params={"status": "rejected"}, headers=greek).text
    assert "Το ποσό «12.500» έχει περισσότερα δεκαδικά ψηφία από όσα έχει το EUR (2)." in rejected
    assert "more decimals" not in rejected
    english = client.get("/bank/list.csv", params={"status": "rejected"}).text
    assert "amount: 12.500 has more decimals than EUR allows (2)" in english  # the CSV: as stored


def test_the_bank_page_shows_the_recent_files_in_the_lists_table(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    upload(client, token, camt054(credit(UNKNOWN_RF, "5.00", "R-1")), name="recent.xml")
    page = client.get("/bank").text
    recent = page[page.index('id="recent-files"') :]
    listed = client.get("/bank/files").text
    table = listed[listed.index('id="file-table"') :]
    row = recent[
        recent.index('<tr id="file-') : recent.index("</tr>", recent.index('<tr id="file-'))
    ]
    assert "recent.xml" in row and "Web page" in row and row in table  # one row, one shape
    assert 'href="?' not in recent[: recent.index("</thead>")]  # the page's table does not sort
    assert 'aria-sort="descending"' not in table
    by_rejected = client.get("/bank/files", params={"sort": "-rejected"}).text
    assert 'aria-sort="descending"' in by_rejected
