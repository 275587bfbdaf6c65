"""Fixtures for the web pages: users with passwords, a small book of accounts, signed-in clients."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import pytest
from fastapi.testclient import TestClient

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.auth import service as auth
from paydesk.auth.secrets import hash_password
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.settings import Settings

PASSWORDS = {
    "cashier": "cashier-pass-1",
    "supervisor": "supervisor-pass-1",
    "admin": "admin-pass-1",
}

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Book:
    account_id: int
    account_number: str
    repair_order_id: int
    counter_invoice_id: int
    counter_invoice_code: str


@cache
def _password_hash(password: str) -> str:
    """scrypt is slow on purpose: hash each test password once per process."""
    return hash_password(password)


def make_users(db: Database) -> None:
    with db.transaction() as session:
        for role, password in PASSWORDS.items():
            user = auth.create_user(
                session, username=role, role=role, display_name=role.capitalize()
            )
            user.password_hash = _password_hash(password)


def make_book(db: Database, settings: Settings) -> Book:
    """One account with two contracts, an open repair order and an issued counter invoice."""
    with db.transaction() as session:
        customer = accounts.create_customer(
            session, name="Eleni Georgiou", language="el", email="eleni@example.com"
        )
        account = accounts.create_account(
            session,
            customer=customer,
            number="WEB-0001",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[
                ContractSpec("service", 10, description="Workshop service"),
                ContractSpec("excess_credit", 99, True),
            ],
        )
        ro = documents.create(
            session,
            settings,
            account=account,
            kind="repair_order",
            number="RO-7001",
            amount=Money.parse("1234.56", "EUR"),
            issue_date=date(2026, 3, 2),
            actor="test",
        )
        ci = documents.create(
            session,
            settings,
            account=account,
            kind="counter_invoice",
            number="CI-7002",
            amount=Money.parse("45.90", "EUR"),
            issue_date=date(2026, 3, 3),
            status="issued",
            actor="test",
        )
        assert ci.code is not None
        return Book(account.id, account.number, ro.document.id, ci.document.id, ci.code.rf)


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str | None = None) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "username": username,
            "password": password or PASSWORDS[username],
            "next": "/accounts",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_token(client.get("/accounts").text)


@pytest.fixture
def book(db: Database, settings: Settings) -> Book:
    make_users(db)
    return make_book(db, settings)
