"""The web pages over HTTP (SQLite and PostgreSQL): sign-in, roles, CSRF, forms, languages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.audit.models import AuditEvent
from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from paydesk.documents.models import Document
from paydesk.web.session import COOKIE
from tests.web.conftest import Book, csrf_token, sign_in


def _code(db: Database, rf_code: str) -> PaymentCode:
    with db.reading() as session:
        found = session.scalar(select(PaymentCode).where(PaymentCode.rf == rf_code))
        assert found is not None
        return found


def _document_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client: TestClient, book: Book):
    root = client.get("/", follow_redirects=False)
    assert (root.status_code, root.headers["location"]) == (303, "/sign-in")
    page = client.get(f"/accounts/{book.account_id}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/sign-in?next=/accounts/{book.account_id}"


def test_a_wrong_password_is_refused_and_signs_nobody_in(client: TestClient, book: Book):
    token = csrf_token(client.get("/sign-in").text)
    refused = client.post(
        "/sign-in", data={"csrf_token": token, "username": "supervisor", "password": "nope-nope"}
    )
    assert refused.status_code == 401
    assert "The username or password is not right." in refused.text
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_only_to_a_page_of_this_site(client: TestClient, book: Book):
    token = csrf_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "username": "cashier",
            "password": "cashier-pass-1",
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_account_360_shows_contracts_with_balances_documents_and_codes(
    client: TestClient, book: Book
):
    sign_in(client, "supervisor")
    page = client.get(f"/accounts/{book.account_id}").text
    assert "Eleni Georgiou" in page
    assert "Workshop service" in page and "Excess credit" in page  # contract types translated
    assert "€45.90" in page  # the counter invoice's charge on the service contract
    assert "RO-7001" in page and "CI-7002" in page
    assert book.counter_invoice_code in page.replace(" ", "")


def test_marking_a_repair_order_ready_from_the_documents_list_issues_its_code(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    listing = client.get("/documents").text
    assert "Mark ready for invoicing" in listing
    row = client.post(
        f"/documents/{book.repair_order_id}/status",
        data={
            "csrf_token": token,
            "status": "ready_for_invoicing",
            "view": "row",
            "confirmed": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="document-{book.repair_order_id}"')
    with db.reading() as session:
        code = session.scalar(
            select(PaymentCode).where(PaymentCode.document_id == book.repair_order_id)
        )
    assert code is not None and code.amount_minor == 123456
    assert f"/codes/{code.rf}" in row.text
    assert "Ready for invoicing" in row.text


def test_a_supervisor_cancels_a_code_with_a_reason(client: TestClient, db: Database, book: Book):
    token = sign_in(client, "supervisor")
    page = client.get(f"/codes/{book.counter_invoice_code}").text
    assert 'id="cancel-code"' in page
    done = client.post(
        f"/codes/{book.counter_invoice_code}/cancel",
        data={"csrf_token": token, "reason": "customer paid at the counter", "confirmed": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    code = _code(db, book.counter_invoice_code)
    assert (code.status, code.cancel_reason) == ("cancelled", "customer paid at the counter")
    shown = client.get(done.headers["location"]).text
    assert f"Payment code {book.counter_invoice_code} cancelled." in shown
    assert "customer paid at the counter" in shown
    # The one-time message is gone on the next page.
    again = client.get(done.headers["location"]).text
    assert f"Payment code {book.counter_invoice_code} cancelled." not in again


def test_cancel_without_a_reason_is_refused_and_changes_nothing(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    refused = client.post(
        f"/codes/{book.counter_invoice_code}/cancel", data={"csrf_token": token, "reason": "  "}
    )
    assert refused.status_code == 422
    assert "Give the reason for cancelling." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert _code(db, book.counter_invoice_code).status == "active"


def test_a_cashier_cannot_reach_supervisor_actions(client: TestClient, db: Database, book: Book):
    token = sign_in(client, "cashier")
    page = client.get(f"/codes/{book.counter_invoice_code}").text
    assert "Cancel code" not in page and "/cancel" not in page
    refused = client.post(
        f"/codes/{book.counter_invoice_code}/cancel",
        data={"csrf_token": token, "reason": "trying anyway"},
    )
    assert refused.status_code == 403
    assert "Your role may not do this." in refused.text
    assert _code(db, book.counter_invoice_code).status == "active"


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, db: Database, book: Book
):
    sign_in(client, "supervisor")
    for data in ({"reason": "no token"}, {"reason": "forged", "csrf_token": "x" * 43}):
        refused = client.post(f"/codes/{book.counter_invoice_code}/cancel", data=data)
        assert refused.status_code == 403
        assert "did not come from paydesk" in refused.text
    assert _code(db, book.counter_invoice_code).status == "active"
    before = _document_count(db)
    refused = client.post(
        "/documents",
        data={"kind": "invoice", "account": book.account_number, "number": "X", "amount": "1"},
    )
    assert refused.status_code == 403
    assert _document_count(db) == before


def test_sign_in_itself_needs_the_csrf_token(client: TestClient, book: Book):
    client.get("/sign-in")
    refused = client.post(
        "/sign-in", data={"username": "supervisor", "password": "supervisor-pass-1"}
    )
    assert refused.status_code == 403
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_a_bad_amount_on_document_creation_is_refused_and_creates_nothing(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    before = _document_count(db)
    for amount in ("12.345", "-5", "abc", "0", ""):
        refused = client.post(
            "/documents",
            data={
                "csrf_token": token,
                "kind": "invoice",
                "account": book.account_number,
                "number": "INV-9",
                "amount": amount,
                "issue_date": "2026-03-04",
            },
        )
        assert refused.status_code == 422, amount
        assert "Enter an amount greater than zero" in refused.text
        assert 'value="INV-9"' in refused.text  # what was typed stays in the form
    assert _document_count(db) == before


def test_a_document_for_an_unknown_account_is_refused(client: TestClient, db: Database, book: Book):
    token = sign_in(client, "cashier")
    before = _document_count(db)
    refused = client.post(
        "/documents",
        data={
            "csrf_token": token,
            "kind": "repair_order",
            "account": "NO-SUCH",
            "number": "RO-1",
            "amount": "10",
            "issue_date": "2026-03-04",
        },
    )
    assert refused.status_code == 422
    assert "Enter the number of an existing account." in refused.text
    assert _document_count(db) == before


def test_a_document_created_from_the_form_in_greek_format_keeps_the_exact_amount(
    client: TestClient, db: Database, book: Book
):
    client.cookies.set("paydesk_lang", "el")
    token = sign_in(client, "cashier")
    done = client.post(
        "/documents",
        data={
            "csrf_token": token,
            "kind": "counter_invoice",
            "account": book.account_number,
            "number": "CI-8000",
            "amount": "1.234,50",
            "issue_date": "2026-03-04",
            "status": "issued",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with db.reading() as session:
        document = session.scalar(select(Document).where(Document.number == "CI-8000"))
    assert document is not None and document.amount_minor == 123450
    shown = client.get(done.headers["location"]).text
    assert "1.234,50\u00a0€" in shown
    assert "Εκδόθηκε ο κωδικός πληρωμής" in shown


def test_greek_and_polish_pages_translate_labels_and_format_amounts(client: TestClient, book: Book):
    token = sign_in(client, "supervisor")
    for lang, words, amount in (
        ("el", ("Λογαριασμός", "Συμβάσεις", "Υπόλοιπο", "Παραστατικά"), "45,90\u00a0€"),
        ("pl", ("Konto", "Umowy", "Saldo", "Dokumenty"), "45,90\u00a0€"),
    ):
        switched = client.post(
            "/language",
            data={"csrf_token": token, "lang": lang, "next": f"/accounts/{book.account_id}"},
            follow_redirects=False,
        )
        assert switched.headers["location"] == f"/accounts/{book.account_id}"
        page = client.get(f"/accounts/{book.account_id}").text
        assert f'<html lang="{lang}">' in page
        for word in words:
            assert word in page, (lang, word)
        assert amount in page
        assert "Contracts" not in page
    client.cookies.set("paydesk_lang", "pl")
    big = client.get("/documents").text
    assert "1\u00a0234,56\u00a0€" in big  # CLDR Polish: no-break space groups thousands


def test_the_browser_language_is_used_until_one_is_chosen(client: TestClient, book: Book):
    page = client.get("/sign-in", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert '<html lang="pl">' in page.text and "Zaloguj się" in page.text


def test_sign_out_ends_the_session(client: TestClient, book: Book):
    token = sign_in(client, "supervisor")
    out = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/sign-in"
    assert client.get("/accounts", follow_redirects=False).status_code == 303
    # The old token is worthless after signing out.
    refused = client.post(
        f"/codes/{book.counter_invoice_code}/cancel", data={"csrf_token": token, "reason": "x"}
    )
    assert refused.status_code in (303, 403)


def test_a_forged_session_cookie_signs_nobody_in(client: TestClient, book: Book):
    sign_in(client, "supervisor")
    real = client.cookies.get(COOKIE)
    assert real
    client.cookies.set(COOKIE, real[:-2] + ("AA" if not real.endswith("AA") else "BB"))
    assert client.get("/accounts", follow_redirects=False).status_code == 303


def test_a_web_session_does_not_open_the_api(client: TestClient, book: Book):
    sign_in(client, "admin")
    assert client.get("/v1/payment-codes").status_code == 401


def test_the_payment_code_list_filters_by_status_kind_and_account(client: TestClient, book: Book):
    sign_in(client, "cashier")
    page = client.get("/codes", params={"kind": "counter_invoice", "status": "active"}).text
    assert book.counter_invoice_code in page.replace(" ", "")
    none = client.get("/codes", params={"kind": "vehicle_order"}).text
    assert book.counter_invoice_code not in none.replace(" ", "")
    assert "0 payment codes" in none
    other = client.get("/codes", params={"account": "NO-SUCH"}).text
    assert "0 payment codes" in other
    bad = client.get("/codes", params={"issued_from": "2026-13-40"})
    assert bad.status_code == 422 and "Enter a date." in bad.text


def test_update_status_answers_the_status_panel_for_htmx(client: TestClient, book: Book):
    token = sign_in(client, "cashier")
    panel = client.post(
        f"/codes/{book.counter_invoice_code}/update-status",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith('<div id="code-status"')
    # No bank feed is configured here: the panel says no bank was asked.
    assert 'id="no-feed"' in panel.text and "no bank was asked" in panel.text
    assert "Status is up to date." not in panel.text
    # The payments received come along, swapped out of band into their own section.
    assert '<section id="code-payments"' in panel.text and 'hx-swap-oob="true"' in panel.text


def test_update_status_without_javascript_says_no_feed_is_configured(
    client: TestClient, book: Book
):
    token = sign_in(client, "cashier")
    answer = client.post(
        f"/codes/{book.counter_invoice_code}/update-status", data={"csrf_token": token}
    )
    assert answer.status_code == 200  # followed the redirect to the code's page
    assert "no bank was asked" in answer.text


def test_the_code_detail_lists_every_payment_with_date_bank_and_amount(
    client: TestClient, db: Database, book: Book
):
    from datetime import date

    from paydesk.codes.models import CodePayment

    code = _code(db, book.counter_invoice_code)
    with db.transaction() as session:
        session.add(
            CodePayment(
                code_id=code.id,
                paid_on=date(2026, 3, 5),
                bank_bic="ETHNGRAA",
                bank_name="National Bank of Greece",
                amount_minor=2000,
                currency="EUR",
                payer_name="E. Georgiou",
                bank_reference="NBG-1",
            )
        )
    sign_in(client, "cashier")
    page = client.get(f"/codes/{book.counter_invoice_code}").text
    assert "National Bank of Greece" in page and "ETHNGRAA" in page
    assert "5 Mar 2026" in page and "€20.00" in page


def test_the_slip_is_printed_in_the_customers_language(client: TestClient, book: Book):
    sign_in(client, "cashier")
    slip = client.get(f"/codes/{book.counter_invoice_code}/slip")
    assert slip.status_code == 200 and 'lang="el"' in slip.text
    assert "45,90" in slip.text
    pdf = client.get(f"/codes/{book.counter_invoice_code}/slip.pdf", params={"lang": "en"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_navigation_shows_the_pages_the_role_may_use_and_whose_routes_exist(
    client: TestClient, book: Book, monkeypatch: pytest.MonkeyPatch
):
    from paydesk.auth.roles import ANYONE
    from paydesk.web import pages

    sign_in(client, "cashier")
    page = client.get("/accounts").text
    for shown in ("Payment codes", "Documents", "Add one-time payment", "Payment events"):
        assert shown in page
    assert "Cash drawer" in page and "Bank entries" not in page  # back office only
    assert "Make payment" in client.get(f"/accounts/{book.account_id}").text
    monkeypatch.setattr(
        pages, "NAV", (*pages.NAV, pages.NavEntry("web.not_built_yet", "Not built yet", ANYONE))
    )
    assert "Not built yet" not in client.get("/accounts").text


def test_every_status_change_from_the_pages_is_audited(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    client.post(
        f"/documents/{book.repair_order_id}/status",
        data={
            "csrf_token": token,
            "status": "cancelled",
            "reason": "customer withdrew",
            "confirmed": "1",
        },
    )
    with db.reading() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "document",
                AuditEvent.entity_id == str(book.repair_order_id),
                AuditEvent.to_status == "cancelled",
            )
        )
    assert event is not None
    assert (event.actor, event.reason) == ("supervisor", "customer withdrew")


def test_cancelling_a_document_without_a_reason_is_refused(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    refused = client.post(
        f"/documents/{book.repair_order_id}/status",
        data={"csrf_token": token, "status": "cancelled"},
    )
    assert refused.status_code == 422 and "Give the reason for cancelling." in refused.text
    with db.reading() as session:
        assert session.get(Document, book.repair_order_id).status == "open"  # type: ignore[union-attr]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def test_the_slip_is_sent_to_the_customer_by_email(client: TestClient, book: Book):
    import email
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = client.app.state.settings  # type: ignore[attr-defined]
        settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", port, "none"
        settings.smtp_sender = "Garage <billing@garage.example>"
        token = sign_in(client, "cashier")
        page = client.get(f"/codes/{book.counter_invoice_code}").text
        assert "Send slip to eleni@example.com" in page
        sent = client.post(
            f"/codes/{book.counter_invoice_code}/send-slip",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        assert (
            "Payment slip sent to eleni@example.com." in client.get(sent.headers["location"]).text
        )
    finally:
        controller.stop()
    [(recipients, raw)] = inbox.messages
    assert recipients == ["eleni@example.com"]
    message = email.message_from_bytes(raw)
    assert message["Content-Language"] == "el"  # the customer's language
    assert any(part.get_filename() == f"{book.counter_invoice_code}.pdf" for part in message.walk())


def test_without_mail_settings_no_slip_is_sent(client: TestClient, book: Book):
    token = sign_in(client, "cashier")
    assert "Send slip" not in client.get(f"/codes/{book.counter_invoice_code}").text
    refused = client.post(
        f"/codes/{book.counter_invoice_code}/send-slip", data={"csrf_token": token}
    )
    assert refused.status_code == 503
    assert "not configured" in refused.text


def test_a_refused_htmx_request_shows_its_message_in_the_message_area(
    client: TestClient, book: Book
):
    token = sign_in(client, "cashier")
    refused = client.post(
        f"/documents/{book.counter_invoice_id}/status",
        data={"csrf_token": token, "status": "invoiced", "view": "row", "confirmed": "1"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == "#messages"
    assert 'role="alert"' in refused.text and "<html" not in refused.text


def test_pages_forbid_framing_and_foreign_scripts(client: TestClient, book: Book):
    cookie = client.get("/sign-in").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    sign_in(client, "cashier")
    page = client.get("/accounts")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["Cache-Control"] == "no-store"


def test_issue_payment_code_on_account_360_takes_a_local_ceiling(
    client: TestClient, db: Database, book: Book
):
    client.cookies.set("paydesk_lang", "el")
    token = sign_in(client, "cashier")
    refused = client.post(
        f"/accounts/{book.account_id}/payment-code",
        data={"csrf_token": token, "ceiling": "12,345"},
    )
    assert refused.status_code == 422
    assert "Συμπληρώστε ποσό μεγαλύτερο του μηδενός" in refused.text
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PaymentCode)) == 1
    done = client.post(
        f"/accounts/{book.account_id}/payment-code",
        data={"csrf_token": token, "ceiling": "2.500,00"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with db.reading() as session:
        code = session.scalar(select(PaymentCode).where(PaymentCode.kind == "account"))
    assert code is not None
    assert (code.amount_type, code.amount_minor, code.issued_by) == ("open", 250000, "cashier")
    assert done.headers["location"] == f"/codes/{code.rf}"


def test_a_vehicle_order_gets_its_code_on_request_from_its_page(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    created = client.post(
        "/documents",
        data={
            "csrf_token": token,
            "kind": "vehicle_order",
            "account": book.account_number,
            "number": "VO-1",
            "amount": "18500",
            "issue_date": "2026-03-04",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"]).text
    assert "Issue payment code" in page
    document_id = int(created.headers["location"].rsplit("/", 1)[1])
    issued = client.post(
        f"/documents/{document_id}/payment-code",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert issued.status_code == 303
    with db.reading() as session:
        code = session.scalar(select(PaymentCode).where(PaymentCode.document_id == document_id))
    assert code is not None and code.amount_type == "open" and code.amount_minor == 1850000
    assert "Issue payment code" not in client.get(created.headers["location"]).text


def test_a_securities_batch_from_the_form_adds_up_its_cheques_and_gets_its_code(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    form = {
        "csrf_token": token,
        "kind": "securities_batch",
        "account": book.account_number,
        "number": "SB-1",
        "issue_date": "2026-03-04",
        "security_0_instrument": "cheque",
        "security_0_number": "CH-1",
        "security_0_maturity": "2026-04-04",
        "security_0_amount": "500.00",
        "security_1_instrument": "promissory_note",
        "security_1_number": "PN-2",
        "security_1_maturity": "2026-05-04",
        "security_1_amount": "",
        "issue_payment_code": "1",
    }
    refused = client.post("/documents", data=form)
    assert refused.status_code == 422  # the second row has no amount
    assert _document_count(db) == 2
    done = client.post(
        "/documents", data={**form, "security_1_amount": "750.00"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    with db.reading() as session:
        batch = session.scalar(select(Document).where(Document.number == "SB-1"))
        assert batch is not None and batch.amount_minor == 125000
        code = session.scalar(select(PaymentCode).where(PaymentCode.document_id == batch.id))
    assert code is not None and code.amount_type == "open"
    page = client.get(done.headers["location"]).text
    assert "CH-1" in page and "PN-2" in page and "Promissory note" in page


def test_a_new_message_replaces_one_not_yet_shown(client: TestClient, book: Book):
    token = sign_in(client, "supervisor")
    client.post(
        f"/documents/{book.repair_order_id}/status",
        data={"csrf_token": token, "status": "ready_for_invoicing", "confirmed": "1"},
        follow_redirects=False,
    )
    done = client.post(
        f"/codes/{book.counter_invoice_code}/cancel",
        data={"csrf_token": token, "reason": "duplicate", "confirmed": "1"},
        follow_redirects=False,
    )
    shown = client.get(done.headers["location"]).text
    assert f"Payment code {book.counter_invoice_code} cancelled." in shown


def test_an_unknown_address_answers_a_page_in_the_language_and_the_api_problem_json(
    client: TestClient, book: Book
):
    sign_in(client, "cashier")
    page = client.get("/no-such-page", headers={"Accept": "text/html", "Accept-Language": "el"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Δεν υπάρχει σελίδα σε αυτή τη διεύθυνση." in page.text
    api = client.get("/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
