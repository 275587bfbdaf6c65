"""Slips of stored codes over the API: PDF and HTML, e-mail to a real local SMTP server,
recorded sendings, retries after a failure, and sendings queued when a code is issued."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from pyzbar.pyzbar import ZBarSymbol, decode
from tests.api.helpers import make_account, make_document
from tests.conftest import auth

from paydesk.api.app import create_app
from paydesk.audit import trail
from paydesk.codes import service as codes
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.money import Money
from paydesk.settings import Settings
from paydesk.slips import outbox
from paydesk.slips.epc import parse_epc_payload
from paydesk.slips.labels import LABELS
from paydesk.slips.service import retry_due_sendings, slip_for

SmtpServer = Any  # conftest: host, port, inbox
IBAN = "GR1601101250000000012300695"
SENDER = "Acme Motors <billing@acme.example>"


def mail_settings(db: Database, port: int | None, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db.url,
        "business_name": "Acme Motors S.A.",
        "business_iban": IBAN,
        "smtp_host": "127.0.0.1" if port else None,
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_sender": SENDER,
        "smtp_timeout": 5,
    }
    return Settings(**{**values, **changes})


@contextmanager
def api(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db)) as client:
        yield client


def issue_code(
    client: TestClient,
    key: str,
    *,
    language: str = "pl",
    email_address: str | None = "jan@example.com",
    amount: str = "250.40",
) -> str:
    """A repair order made ready for invoicing: its fixed-amount code's RF."""
    customer = {"name": "Jan Kowalski", "language": language, "email": email_address}
    account = make_account(client, key, customer=customer)
    order = make_document(client, key, account["id"], amount=amount, due_date="2026-12-15")
    ready = client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "ready_for_invoicing"},
        headers=auth(key),
    )
    assert ready.status_code == 200, ready.text
    return ready.json()["payment_code"]["rf"]


def received(server: SmtpServer) -> list[EmailMessage]:
    return [
        email.message_from_bytes(e.content, policy=email.policy.default)  # type: ignore[misc]
        for e in server.inbox.envelopes
    ]


def pdf_attachment(message: EmailMessage) -> bytes:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    return part.get_content()


def pdf_text(pdf: bytes) -> str:
    """The PDF's words, whatever the line breaks, joined by single spaces."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def sendings(client: TestClient, key: str, code: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/payment-codes/{code}/sendings", headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


def test_sending_delivers_the_pdf_in_the_customer_language_and_records_it_sent(
    db: Database, keys: dict[str, str], smtp_server: SmtpServer
) -> None:
    with api(mail_settings(db, smtp_server.port), db) as client:
        code = issue_code(client, keys["integration"], language="pl")
        response = client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"]))
        assert response.status_code == 201, response.text
        sent = response.json()
        assert (sent["status"], sent["attempts"], sent["to_address"]) == (
            "sent",
            1,
            "jan@example.com",
        )
        assert sent["language"] == "pl" and sent["sent_at"] and sent["last_error"] is None
        assert sendings(client, keys["cashier"], code) == [sent]

    [message] = received(smtp_server)
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["jan@example.com"]
    assert message["To"] == "Jan Kowalski <jan@example.com>"
    assert message["Message-ID"] == sent["message_id"]
    assert str(message["Subject"]).strip().startswith("Dane do płatności za Zlecenie naprawy RO-1")
    assert message["Content-Language"] == "pl"
    text = pdf_text(pdf_attachment(message))
    assert LABELS["pl"]["payment_code"] in text
    assert "250,40 €" in text
    assert "15 grudnia 2026" in text


def test_an_unreachable_server_answers_502_records_the_failure_and_a_retry_delivers_it(
    db: Database, keys: dict[str, str], closed_port: int, smtp_server: SmtpServer
) -> None:
    with api(mail_settings(db, closed_port), db) as client:
        code = issue_code(client, keys["integration"], language="el")
        before = utcnow()
        response = client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"]))
        assert response.status_code == 502, response.text
        problem = response.json()
        assert problem["type"] == "urn:paydesk:problem:mail-delivery-failed"
        assert f"cannot reach mail server 127.0.0.1:{closed_port}" in problem["detail"]
        [failed] = sendings(client, keys["cashier"], code)
    assert problem["sending_id"] == failed["id"]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert "cannot reach mail server" in failed["last_error"]
    next_attempt = datetime.fromisoformat(failed["next_attempt_at"])
    assert before + timedelta(seconds=60) <= next_attempt <= utcnow() + timedelta(seconds=61)
    assert problem["next_attempt_at"] == next_attempt.isoformat()

    # The server is up now; not due yet, so nothing is attempted; once due it is delivered.
    working = mail_settings(db, smtp_server.port)
    early = retry_due_sendings(db, working, next_attempt - timedelta(seconds=1))
    assert (early.sent, early.failed, smtp_server.inbox.envelopes) == ([], [], [])
    report = retry_due_sendings(db, working, next_attempt + timedelta(seconds=1))
    assert report.sent == [failed["id"]] and report.failed == []
    [message] = received(smtp_server)
    assert message["Content-Language"] == "el"
    with api(working, db) as client:
        [done] = sendings(client, keys["cashier"], code)
    assert (done["status"], done["attempts"], done["next_attempt_at"]) == ("sent", 2, None)
    with db.reading() as session:
        history = trail.history(session, outbox.ENTITY, done["id"])
    assert [(e.from_status, e.to_status) for e in history] == [
        (None, "sending"),
        ("sending", "failed"),
        ("failed", "sending"),
        ("sending", "sent"),
    ]


def test_failed_attempts_back_off_exponentially_and_give_up_after_the_last(
    db: Database, keys: dict[str, str], closed_port: int
) -> None:
    settings = mail_settings(db, closed_port, smtp_max_attempts=3, smtp_retry_seconds=10)
    with api(settings, db) as client:
        code = issue_code(client, keys["integration"])
        first = client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"]))
        assert first.status_code == 502
        now = utcnow()
        waits = []
        for _ in range(2):
            [row] = sendings(client, keys["cashier"], code)
            due = datetime.fromisoformat(row["next_attempt_at"])
            waits.append(due - now)
            now = due + timedelta(seconds=1)
            assert retry_due_sendings(db, settings, now).failed == [row["id"]]
        [row] = sendings(client, keys["cashier"], code)
    assert timedelta(seconds=9) < waits[0] <= timedelta(seconds=11)
    assert timedelta(seconds=19) < waits[1] <= timedelta(seconds=21)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("failed", 3, None)
    assert retry_due_sendings(db, settings, now + timedelta(days=1)).failed == []
    assert outbox.backoff(30, 60) == outbox.MAX_DELAY


def test_mail_not_configured_is_a_clear_problem_and_nothing_is_recorded(
    db: Database, keys: dict[str, str]
) -> None:
    with api(mail_settings(db, None), db) as client:
        code = issue_code(client, keys["integration"])
        response = client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"]))
        assert response.status_code == 503
        assert response.json()["type"] == "urn:paydesk:problem:mail-not-configured"
        assert response.json()["detail"].startswith("e-mail is not configured")
        assert sendings(client, keys["cashier"], code) == []
    assert retry_due_sendings(db, mail_settings(db, None)).not_configured


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"smtp_sender": None}, "smtp_sender"),
        ({"smtp_security": "ssl"}, "SMTP security 'ssl' is not one of none, starttls, tls"),
        ({"smtp_username": "billing"}, "credentials would travel unencrypted"),
    ],
)
def test_bad_mail_settings_are_a_clear_problem_and_a_recorded_retriable_failure(
    db: Database,
    keys: dict[str, str],
    smtp_server: SmtpServer,
    changes: dict[str, Any],
    reason: str,
) -> None:
    with api(mail_settings(db, smtp_server.port, **changes), db) as client:
        code = issue_code(client, keys["integration"])
        response = client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"]))
        assert response.status_code == 503, response.text
        assert response.json()["type"] == "urn:paydesk:problem:mail-not-configured"
        assert response.json()["detail"].startswith("e-mail is not configured correctly: ")
        assert reason in response.json()["detail"]
        [row] = sendings(client, keys["cashier"], code)
    assert row["status"] == "failed" and reason in row["last_error"]
    assert row["next_attempt_at"] is not None
    assert smtp_server.inbox.envelopes == []
    # Settings fixed: the recorded sending goes out at its next attempt.
    due = datetime.fromisoformat(row["next_attempt_at"])
    fixed = mail_settings(db, smtp_server.port)
    assert retry_due_sendings(db, fixed, due).sent == [row["id"]]
    assert len(smtp_server.inbox.envelopes) == 1


def test_a_retry_with_the_same_idempotency_key_sends_once(
    db: Database, keys: dict[str, str], smtp_server: SmtpServer
) -> None:
    with api(mail_settings(db, smtp_server.port), db) as client:
        code = issue_code(client, keys["integration"])
        headers = auth(keys["cashier"], **{"Idempotency-Key": "send-1"})
        first = client.post(f"/v1/payment-codes/{code}/send", headers=headers)
        again = client.post(f"/v1/payment-codes/{code}/send", headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert len(sendings(client, keys["cashier"], code)) == 1
    assert len(smtp_server.inbox.envelopes) == 1


def test_the_to_address_overrides_and_is_needed_when_the_customer_has_none(
    db: Database, keys: dict[str, str], smtp_server: SmtpServer
) -> None:
    with api(mail_settings(db, smtp_server.port), db) as client:
        code = issue_code(client, keys["integration"], email_address=None)
        url = f"/v1/payment-codes/{code}/send"
        refused = client.post(url, headers=auth(keys["cashier"]))
        assert refused.status_code == 409
        assert refused.json()["type"] == "urn:paydesk:problem:no-email-address"
        assert "'Jan Kowalski' has no e-mail address" in refused.json()["detail"]
        bad = client.post(url, json={"to": "not an address"}, headers=auth(keys["cashier"]))
        assert bad.status_code == 422
        assert bad.json()["type"] == "urn:paydesk:problem:invalid-email-address"
        override = {"to": "accounts@firm.example", "language": "en"}
        sent = client.post(url, json=override, headers=auth(keys["cashier"]))
        assert sent.status_code == 201, sent.text
        assert len(sendings(client, keys["cashier"], code)) == 1
    [message] = received(smtp_server)
    assert smtp_server.inbox.envelopes[0].rcpt_tos == ["accounts@firm.example"]
    assert str(message["Subject"]).strip().startswith("Payment slip for Repair order RO-1")


def test_a_cancelled_code_gets_no_slip_and_no_sending(
    db: Database, keys: dict[str, str], smtp_server: SmtpServer
) -> None:
    with api(mail_settings(db, smtp_server.port), db) as client:
        code = issue_code(client, keys["integration"])
        cancelled = client.post(
            f"/v1/payment-codes/{code}/cancel",
            json={"reason": "paid in cash"},
            headers=auth(keys["supervisor"]),
        )
        assert cancelled.status_code == 200, cancelled.text
        for response in (
            client.post(f"/v1/payment-codes/{code}/send", headers=auth(keys["cashier"])),
            client.get(f"/v1/payment-codes/{code}/slip.pdf", headers=auth(keys["cashier"])),
        ):
            assert response.status_code == 409
            assert response.json()["type"] == "urn:paydesk:problem:code-not-payable"
            assert "is cancelled" in response.json()["detail"]
        assert sendings(client, keys["cashier"], code) == []
    assert smtp_server.inbox.envelopes == []


def scan_pdf(pdf: bytes) -> str:
    [image] = PdfReader(io.BytesIO(pdf)).pages[0].images
    [symbol] = decode(image.image, symbols=[ZBarSymbol.QRCODE])
    return symbol.data.decode("utf-8")


def test_the_pdf_slip_of_a_stored_code_scans_to_an_epc_payload_with_rf_amount_and_iban(
    db: Database, keys: dict[str, str]
) -> None:
    with api(mail_settings(db, None), db) as client:
        code = issue_code(client, keys["integration"], amount="1234.56")
        response = client.get(f"/v1/payment-codes/{code}/slip.pdf", headers=auth(keys["cashier"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{code}.pdf"' in response.headers["content-disposition"]
    payload = parse_epc_payload(scan_pdf(response.content))
    assert payload.reference == code
    assert payload.amount == Money.parse("1234.56", "EUR")
    assert payload.iban == IBAN
    assert payload.name == "Acme Motors S.A."


def test_an_open_amount_code_slip_says_what_may_still_be_paid_and_its_qr_has_no_amount(
    db: Database, keys: dict[str, str]
) -> None:
    key = keys["integration"]
    with api(mail_settings(db, None), db) as client:
        account = make_account(client, key, customer={"name": "Eleni", "language": "el"})
        order = make_document(client, key, account["id"], kind="vehicle_order", number="VO-7")
        issued = client.post(f"/v1/documents/{order['id']}/payment-code", headers=auth(key))
        code = issued.json()["payment_code"]["rf"]
        html = client.get(f"/v1/payment-codes/{code}/slip.html", headers=auth(key))
        pdf = client.get(f"/v1/payment-codes/{code}/slip.pdf", headers=auth(key))
        english = client.get(f"/v1/payment-codes/{code}/slip.pdf?language=en", headers=auth(key))
    assert html.status_code == pdf.status_code == 200
    # A vehicle order's open code has the order's amount as its ceiling: the slip says so.
    up_to = LABELS["el"]["open_up_to"].format(amount="100,00\u00a0€")
    assert up_to in html.text
    assert up_to.replace("\u00a0", " ") in pdf_text(pdf.content).replace("\u00a0", " ")
    assert "Open amount: you may pay up to €100.00" in pdf_text(english.content)
    payload = parse_epc_payload(scan_pdf(pdf.content))
    assert payload.amount is None and payload.reference == code


def test_a_rule_with_send_slip_queues_a_sending_at_issue_that_the_retry_run_delivers(
    db: Database, keys: dict[str, str], smtp_server: SmtpServer
) -> None:
    settings = mail_settings(db, smtp_server.port, issuing={"repair_order": {"send_slip": True}})
    with api(settings, db) as client:
        code = issue_code(client, keys["integration"], language="el")
        [queued] = sendings(client, keys["cashier"], code)
        assert (queued["status"], queued["attempts"], queued["to_address"]) == (
            "queued",
            0,
            "jan@example.com",
        )
        assert queued["language"] == "el" and queued["created_by"] == "integration-user"
        assert smtp_server.inbox.envelopes == []  # nothing goes out inside the issuing request

        report = retry_due_sendings(db, settings)
        assert report.sent == [queued["id"]]
        [sent] = sendings(client, keys["cashier"], code)
    assert (sent["status"], sent["attempts"]) == ("sent", 1)
    [message] = received(smtp_server)
    assert message["Content-Language"] == "el"
    assert code in pdf_text(pdf_attachment(message)).replace(" ", "")


def test_send_slip_off_queues_nothing_and_a_customer_without_address_is_recorded(
    db: Database, keys: dict[str, str]
) -> None:
    with api(mail_settings(db, None), db) as client:
        code = issue_code(client, keys["integration"], email_address=None)
        assert sendings(client, keys["cashier"], code) == []
    settings = mail_settings(db, None, issuing={"repair_order": {"send_slip": True}})
    with api(settings, db) as client:
        key = keys["integration"]
        account = make_account(client, key, number="ACC-2", customer={"name": "Nikos"})
        order = make_document(client, key, account["id"], number="RO-2")
        ready = client.post(
            f"/v1/documents/{order['id']}/status",
            json={"status": "ready_for_invoicing"},
            headers=auth(key),
        )
        [row] = sendings(client, key, ready.json()["payment_code"]["rf"])
    assert (row["status"], row["next_attempt_at"]) == ("failed", None)
    assert row["last_error"] == "customer 'Nikos' has no e-mail address"


def test_sending_needs_a_desk_role_and_the_slip_any_role(
    db: Database, keys: dict[str, str]
) -> None:
    with api(mail_settings(db, None), db) as client:
        code = issue_code(client, keys["integration"])
        slip = client.get(f"/v1/payment-codes/{code}/slip.html", headers=auth(keys["cashier"]))
        assert slip.status_code == 200
        assert "RF" in slip.text
        missing = client.post(f"/v1/payment-codes/{code}/send")
        assert missing.status_code == 401


def test_a_partly_paid_fixed_code_slip_asks_for_what_is_still_due(
    db: Database, keys: dict[str, str]
) -> None:
    settings = mail_settings(db, None)
    with api(settings, db) as client:
        code = issue_code(client, keys["integration"], amount="250.40")
    with db.transaction() as session:
        stored = codes.get(session, code, lock=True)
        stored.paid_minor, stored.status = 10040, "partially_paid"
    with db.reading() as session:
        slip = slip_for(session, settings, code)
    assert slip.amount == Money.parse("150.00", "EUR")
    assert slip.document_kind == "repair_order" and slip.document_number == "RO-1"
    assert slip.due_date == date(2026, 12, 15)


def test_an_account_level_code_slip_names_the_account(db: Database, keys: dict[str, str]) -> None:
    key = keys["integration"]
    with api(mail_settings(db, None), db) as client:
        account = make_account(client, key, customer={"name": "Anna", "language": "en"})
        issued = client.post(f"/v1/accounts/{account['id']}/payment-codes", headers=auth(key))
        code = issued.json()["rf"]
        html = client.get(f"/v1/payment-codes/{code}/slip.html", headers=auth(key))
    assert html.status_code == 200
    assert "Account ACC-1" in html.text
    assert LABELS["en"]["open_amount"] in html.text
