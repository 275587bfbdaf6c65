"""E-mail a payment slip: compose the message in the customer's language, send it over SMTP.

Every failure to deliver becomes :class:`MailDeliveryFailed` (HTTP 502) naming the server and
what it said; settings that can never work are refused earlier as :class:`InvalidMailSettings`.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal

from paydesk.errors import InvalidInput, UpstreamFailed
from paydesk.slips.labels import document_kind, label
from paydesk.slips.render import SlipData, format_amount, format_date, render_pdf

__all__ = [
    "InvalidEmailAddress",
    "InvalidMailSettings",
    "MailDeliveryFailed",
    "SmtpSettings",
    "check_email_address",
    "compose_slip_email",
    "send_email",
]

Security = Literal["none", "starttls", "tls"]
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "tls": 465}

# local@domain, no spaces or angle brackets; the SMTP server has the last word.
_ADDR_SPEC = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")


class InvalidEmailAddress(InvalidInput):
    slug = "invalid-email-address"
    title = "Invalid e-mail address"


class InvalidMailSettings(InvalidInput):
    slug = "invalid-mail-settings"
    title = "Invalid mail server settings"


class MailDeliveryFailed(UpstreamFailed):
    """The mail server could not be reached, or refused the message."""

    slug = "mail-delivery-failed"
    title = "Mail delivery failed"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the outgoing mail server.

    ``security``: ``'none'`` (plain SMTP), ``'starttls'`` (upgrade after connecting) or ``'tls'``
    (implicit TLS, "SMTPS"). ``port`` defaults to 25, 587 or 465 accordingly. Credentials are
    only sent over an encrypted connection. ``ca_file`` adds a trusted CA (an internal relay).
    """

    host: str
    port: int | None = None
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if (
            not isinstance(self.host, str)
            or not self.host.strip()
            or any(c.isspace() for c in self.host)
        ):
            raise InvalidMailSettings(f"SMTP host {self.host!r} is not a host name")
        if self.port is not None and (
            isinstance(self.port, bool)
            or not isinstance(self.port, int)
            or not 0 < self.port < 65536
        ):
            raise InvalidMailSettings(f"SMTP port {self.port!r} is not between 1 and 65535")
        if self.security not in DEFAULT_PORTS:
            raise InvalidMailSettings(
                f"SMTP security {self.security!r} is not one of {', '.join(DEFAULT_PORTS)}"
            )
        if (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, int | float)
            or not (self.timeout > 0)
        ):
            raise InvalidMailSettings(
                f"SMTP timeout {self.timeout!r} must be a positive number of seconds"
            )
        if self.password and not self.username:
            raise InvalidMailSettings("an SMTP password is given without a user name")
        if self.username and self.security == "none":
            raise InvalidMailSettings(
                "SMTP credentials would travel unencrypted; use security 'starttls' or 'tls'"
            )

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]

    def ssl_context(self) -> ssl.SSLContext:
        """Verifying TLS context: the system's CAs, plus ``ca_file`` when given."""
        context = ssl.create_default_context()
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise InvalidMailSettings(
                    f"cannot load SMTP CA file {self.ca_file!r}: {exc}"
                ) from None
        return context


def _address(value: str, what: str, display_name: str = "") -> Address:
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise InvalidEmailAddress(f"{what} {value!r} is not an e-mail address")
    name, addr = parseaddr(value)
    if not _ADDR_SPEC.fullmatch(addr):
        raise InvalidEmailAddress(f"{what} {value!r} is not an e-mail address")
    username, domain = addr.rsplit("@", 1)
    return Address(display_name=name or display_name, username=username, domain=domain)


def check_email_address(value: str, what: str = "e-mail address") -> str:
    """The bare address (``local@domain``) in ``value``, which may carry a display name; raises
    :class:`InvalidEmailAddress`."""
    return _address(value, what).addr_spec


def _body(slip: SlipData) -> str:
    lang = slip.language
    document = f"{document_kind(lang, slip.document_kind)} {slip.document_number}"
    amount = label(lang, "open_amount") if slip.amount is None else format_amount(slip.amount, lang)
    facts = [
        f"{label(lang, 'payment_code')}: {slip.rf_formatted}",
        f"{label(lang, 'amount')}: {amount}",
        f"{label(lang, 'beneficiary')}: {slip.business_name}",
        f"{label(lang, 'iban')}: {slip.iban_formatted}",
    ]
    if slip.business_bic:
        facts.append(f"{label(lang, 'bic')}: {slip.business_bic}")
    if slip.due_date:
        facts.append(f"{label(lang, 'due_date')}: {format_date(slip.due_date, lang)}")
    if slip.expires_on:
        facts.append(f"{label(lang, 'expires_on')}: {format_date(slip.expires_on, lang)}")
    return (
        "\n\n".join(
            [
                label(lang, "greeting", name=slip.customer_name),
                label(lang, "body", document=document),
                "\n".join(facts),
                label(lang, "instructions"),
                f"{label(lang, 'closing')}\n{slip.business_name}",
            ]
        )
        + "\n"
    )


def compose_slip_email(
    slip: SlipData, to_address: str, sender: str, *, pdf: bytes | None = None
) -> EmailMessage:
    """The slip e-mail in the customer's language, with the PDF (named ``<RF>.pdf``) attached.

    ``to_address`` and ``sender`` may carry a display name (``"Acme <billing@acme.example>"``);
    the customer's name is used when ``to_address`` has none. ``pdf`` reuses a rendered slip.
    """
    recipient = _address(to_address, "recipient", slip.customer_name)
    origin = _address(sender, "sender", slip.business_name)
    document = f"{document_kind(slip.language, slip.document_kind)} {slip.document_number}"
    message = EmailMessage()
    message["Subject"] = label(slip.language, "subject", document=document, code=slip.rf_formatted)
    message["From"] = origin
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=origin.domain)
    message.set_content(_body(slip))
    message.add_attachment(
        pdf if pdf is not None else render_pdf(slip),
        maintype="application",
        subtype="pdf",
        filename=f"{slip.rf_code}.pdf",
    )
    # After the parts exist: set_content and add_attachment move Content-* headers into them.
    message["Content-Language"] = slip.language
    return message


def send_email(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Send ``message`` through the server in ``smtp``; raise :class:`MailDeliveryFailed` if not
    every recipient was accepted."""
    server = f"{smtp.host}:{smtp.effective_port}"
    context = smtp.ssl_context() if smtp.security != "none" else None
    try:
        if smtp.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            refused = client.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise MailDeliveryFailed(f"mail server {server} does not support it: {exc}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailDeliveryFailed(
            f"mail server {server} refused the login of {smtp.username!r}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailDeliveryFailed(
            f"mail server {server} refused every recipient: {_refusals(exc.recipients)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailDeliveryFailed(
            f"mail server {server} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPException as exc:
        raise MailDeliveryFailed(f"mail server {server} failed: {exc}") from exc
    except ssl.SSLError as exc:
        raise MailDeliveryFailed(f"TLS with mail server {server} failed: {exc}") from exc
    except OSError as exc:
        raise MailDeliveryFailed(f"cannot reach mail server {server}: {exc}") from exc
    if refused:
        raise MailDeliveryFailed(
            f"mail server {server} refused some recipients: {_refusals(refused)}",
            refused=sorted(refused),
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({code} {_text(reply)})" for addr, (code, reply) in refused.items())
