"""Fixtures for payment slips: a slip, a real local SMTP server (plain, STARTTLS, TLS)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from paydesk.money import Money
from paydesk.slips.render import SlipData

IBAN = "GR1601101250000000012300695"
RF_CODE = "RF18539007547034"
USER, PASSWORD = "billing", "s3cret"


@pytest.fixture
def slip() -> SlipData:
    return SlipData(
        business_name="Acme Motors S.A.",
        business_iban=IBAN,
        business_bic="ETHNGRAA",
        customer_name="Maria Papadopoulou",
        customer_address="5 Ermou Street\n105 63 Athens",
        document_kind="invoice",
        document_number="INV-2026-0042",
        rf_code=RF_CODE,
        amount=Money.parse("1234.56", "EUR"),
        due_date=date(2026, 6, 30),
        language="en",
    )


@pytest.fixture
def make_slip(slip: SlipData) -> Callable[..., SlipData]:
    def make(**changes: Any) -> SlipData:
        return replace(slip, **changes)

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the local SMTP server received."""

    envelopes: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.endswith("@nowhere.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USER, PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox
    ca_file: str | None = None
    username: str = USER
    password: str = PASSWORD


def _serve(inbox: Inbox, **kwargs: Any) -> Iterator[SmtpServer]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago: nothing listens there."""
    return free_port()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 that keeps what it receives."""
    yield from _serve(Inbox())


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """SMTP with STARTTLS and AUTH (user ``billing``, password ``s3cret``)."""
    inbox = Inbox()
    for server in _serve(
        inbox,
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_exclude_mechanism=["LOGIN"],
    ):
        server.ca_file = str(certificate[0])
        yield server


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """SMTP over implicit TLS with AUTH."""
    inbox = Inbox()
    for server in _serve(
        inbox,
        ssl_context=_server_context(certificate),
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # the whole connection is TLS; aiosmtpd only knows STARTTLS
        auth_exclude_mechanism=["LOGIN"],
    ):
        server.ca_file = str(certificate[0])
        yield server
