"""Slip e-mail: composed in the customer's language, delivered to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from pypdf import PdfReader

from paydesk.errors import PaydeskError
from paydesk.slips.labels import LABELS
from paydesk.slips.mail import (
    InvalidEmailAddress,
    InvalidMailSettings,
    MailDeliveryFailed,
    SmtpSettings,
    compose_slip_email,
    send_email,
)
from paydesk.slips.render import SlipData

SmtpServer = Any  # the conftest fixture type: host, port, inbox, ca_file, username, password
SENDER = "Acme Motors <billing@acme.example>"
MakeSlip = Callable[..., SlipData]


def subject(message: EmailMessage) -> str:
    # A folded "Subject:" line reads back with the folding space in front; clients drop it.
    return str(message["Subject"]).strip()


def received(server: SmtpServer) -> EmailMessage:
    [envelope] = server.inbox.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def attachment(message: EmailMessage) -> tuple[str, str, bytes]:
    [part] = list(message.iter_attachments())
    return part.get_content_type(), part.get_filename() or "", part.get_content()


def test_the_slip_email_carries_the_pdf_named_after_the_rf(slip: SlipData) -> None:
    message = compose_slip_email(slip, "maria@example.com", SENDER)
    kind, name, pdf = attachment(message)
    assert (kind, name) == ("application/pdf", "RF18539007547034.pdf")
    assert pdf.startswith(b"%PDF")
    assert "RF18 5390 0754 7034" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_slip_email_is_addressed_with_the_customer_name(slip: SlipData) -> None:
    message = compose_slip_email(slip, "maria@example.com", SENDER)
    assert message["To"] == "Maria Papadopoulou <maria@example.com>"
    assert message["From"] == SENDER
    assert message["Subject"] == (
        "Payment slip for Invoice INV-2026-0042, payment code RF18 5390 0754 7034"
    )
    body = message.get_body(("plain",)).get_content()
    assert "Dear Maria Papadopoulou," in body
    assert "Payment code (RF): RF18 5390 0754 7034" in body
    assert "€1,234.56" in body


def test_the_greek_slip_email_is_written_in_greek(make_slip: MakeSlip) -> None:
    message = compose_slip_email(make_slip(language="el"), "maria@example.com", SENDER)
    assert message["Subject"].startswith("Δελτίο πληρωμής για Τιμολόγιο INV-2026-0042")
    assert message["Content-Language"] == "el"
    body = message.get_body(("plain",)).get_content()
    assert LABELS["el"]["instructions"] in body
    assert "1.234,56\xa0€" in body


def test_the_polish_slip_email_is_written_in_polish(make_slip: MakeSlip) -> None:
    message = compose_slip_email(make_slip(language="pl"), "jan@example.pl", SENDER)
    assert message["Subject"].startswith("Dane do płatności za Faktura INV-2026-0042")
    body = message.get_body(("plain",)).get_content()
    assert "Kod płatności (RF): RF18 5390 0754 7034" in body
    assert "1\xa0234,56\xa0€" in body


@pytest.mark.parametrize(
    "address", ["", "maria", "maria@", "maria@example", "a b@example.com", "x@y.com\nBcc: z@y.com"]
)
def test_a_bad_recipient_address_is_refused(slip: SlipData, address: str) -> None:
    with pytest.raises(InvalidEmailAddress):
        compose_slip_email(slip, address, SENDER)


def test_the_slip_email_reaches_a_real_smtp_server_with_its_attachment(
    slip: SlipData, smtp_server: SmtpServer
) -> None:
    message = compose_slip_email(slip, "maria@example.com", SENDER)
    send_email(message, SmtpSettings(smtp_server.host, smtp_server.port, security="none"))
    [envelope] = smtp_server.inbox.envelopes
    assert envelope.mail_from == "billing@acme.example"
    assert envelope.rcpt_tos == ["maria@example.com"]
    got = received(smtp_server)
    assert subject(got) == message["Subject"]
    assert attachment(got) == attachment(message)


def test_a_greek_subject_and_body_arrive_intact(
    make_slip: MakeSlip, smtp_server: SmtpServer
) -> None:
    message = compose_slip_email(make_slip(language="el"), "maria@example.com", SENDER)
    send_email(message, SmtpSettings(smtp_server.host, smtp_server.port, security="none"))
    got = received(smtp_server)
    assert subject(got) == message["Subject"]
    assert LABELS["el"]["greeting"].format(name="Maria Papadopoulou") in (
        got.get_body(("plain",)).get_content()
    )


def test_starttls_with_login_delivers_the_slip(slip: SlipData, starttls_server: SmtpServer) -> None:
    settings = SmtpSettings(
        starttls_server.host,
        starttls_server.port,
        security="starttls",
        username=starttls_server.username,
        password=starttls_server.password,
        ca_file=starttls_server.ca_file,
    )
    send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)
    assert starttls_server.inbox.logins == [starttls_server.username]
    assert attachment(received(starttls_server))[1] == "RF18539007547034.pdf"


def test_implicit_tls_with_login_delivers_the_slip(slip: SlipData, tls_server: SmtpServer) -> None:
    settings = SmtpSettings(
        tls_server.host,
        tls_server.port,
        security="tls",
        username=tls_server.username,
        password=tls_server.password,
        ca_file=tls_server.ca_file,
    )
    send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)
    assert tls_server.inbox.logins == [tls_server.username]
    assert len(tls_server.inbox.envelopes) == 1


def test_a_wrong_password_is_a_delivery_failure_naming_the_user(
    slip: SlipData, starttls_server: SmtpServer
) -> None:
    settings = SmtpSettings(
        starttls_server.host,
        starttls_server.port,
        username="billing",
        password="wrong",
        ca_file=starttls_server.ca_file,
    )
    with pytest.raises(MailDeliveryFailed, match="refused the login of 'billing'"):
        send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)
    assert starttls_server.inbox.envelopes == []


def test_an_untrusted_certificate_is_a_delivery_failure(
    slip: SlipData, starttls_server: SmtpServer
) -> None:
    settings = SmtpSettings(starttls_server.host, starttls_server.port, security="starttls")
    with pytest.raises(MailDeliveryFailed, match=r"TLS with mail server \S+ failed"):
        send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)


def test_starttls_against_a_server_without_it_is_a_delivery_failure(
    slip: SlipData, smtp_server: SmtpServer
) -> None:
    settings = SmtpSettings(smtp_server.host, smtp_server.port, security="starttls")
    with pytest.raises(MailDeliveryFailed, match="STARTTLS"):
        send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)


def test_an_unreachable_server_is_a_delivery_failure_naming_it(
    slip: SlipData, closed_port: int
) -> None:
    port = closed_port
    settings = SmtpSettings("127.0.0.1", port, security="none", timeout=5)
    with pytest.raises(MailDeliveryFailed, match=f"cannot reach mail server 127.0.0.1:{port}") as e:
        send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)
    assert isinstance(e.value, PaydeskError)
    assert (e.value.status, e.value.slug) == (502, "mail-delivery-failed")


def test_a_refused_recipient_is_a_delivery_failure_naming_it(
    slip: SlipData, smtp_server: SmtpServer
) -> None:
    message = compose_slip_email(slip, "ghost@nowhere.example", SENDER)
    settings = SmtpSettings(smtp_server.host, smtp_server.port, security="none")
    with pytest.raises(MailDeliveryFailed, match=r"ghost@nowhere\.example \(550"):
        send_email(message, settings)
    assert smtp_server.inbox.envelopes == []


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"host": ""}, "not a host name"),
        ({"host": "mail example.com"}, "not a host name"),
        ({"host": "mail.example.com", "port": 0}, "between 1 and 65535"),
        ({"host": "mail.example.com", "port": 70000}, "between 1 and 65535"),
        ({"host": "mail.example.com", "port": "25"}, "between 1 and 65535"),
        ({"host": "mail.example.com", "security": "ssl"}, "none, starttls, tls"),
        ({"host": "mail.example.com", "timeout": 0}, "positive"),
        ({"host": "mail.example.com", "password": "x"}, "without a user name"),
        ({"host": "mail.example.com", "security": "none", "username": "u"}, "unencrypted"),
    ],
)
def test_bad_mail_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidMailSettings, match=message):
        SmtpSettings(**settings)  # type: ignore[arg-type]


def test_a_missing_ca_file_is_a_settings_error(slip: SlipData) -> None:
    settings = SmtpSettings("mail.example.com", ca_file="/nonexistent/ca.pem")
    with pytest.raises(InvalidMailSettings, match="CA file"):
        send_email(compose_slip_email(slip, "maria@example.com", SENDER), settings)


def test_the_port_follows_the_security_by_default() -> None:
    securities = ("none", "starttls", "tls")
    ports = [SmtpSettings("m.example.com", security=s).effective_port for s in securities]
    assert ports == [25, 587, 465]


def test_the_password_is_not_shown_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(SmtpSettings("m.example.com", username="u", password="s3cret"))
