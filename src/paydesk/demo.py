"""Demo data, so a newcomer sees paydesk work: customers, accounts, documents, codes, users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account
from paydesk.accounts.service import ContractSpec
from paydesk.auth import service as auth
from paydesk.auth.models import User
from paydesk.codes import service as codes
from paydesk.documents import service as documents
from paydesk.documents.service import SecuritySpec
from paydesk.money import Money
from paydesk.settings import Settings

#: Demo users and their passwords for the web pages (API keys are printed by ``paydesk demo``).
DEMO_USERS = {
    "admin": ("admin", "admin-demo-pass"),
    "cashier": ("cashier", "cashier-demo-pass"),
    "supervisor": ("supervisor", "supervisor-demo-pass"),
    "integration": ("integration", None),
}


@dataclass(frozen=True)
class DemoResult:
    created: bool
    api_keys: dict[str, str]


def load(session: Session, settings: Settings, *, today: date | None = None) -> DemoResult:
    """Load the demo data once; a second call changes nothing."""
    if session.scalar(select(Account.id).where(Account.number == "DEMO-0001")) is not None:
        return DemoResult(False, {})
    keys = _users(session)
    garage, fleet = _accounts(session, settings.currency)
    _documents(session, settings, garage, fleet, today or date.today())
    return DemoResult(True, keys)


def _users(session: Session) -> dict[str, str]:
    """The demo users (kept when they exist) and a new API key each, by user name."""
    keys: dict[str, str] = {}
    for username, (role, password) in DEMO_USERS.items():
        existing = session.scalar(select(User).where(User.username == username))
        user = existing or auth.create_user(
            session,
            username=username,
            role=role,
            password=password,
            display_name=username.capitalize(),
        )
        keys[username] = auth.create_key(session, user, name="demo")
    return keys


def _accounts(session: Session, currency: str) -> tuple[Account, Account]:
    """A workshop customer (balance forward), a fleet customer (open item) and the counter's
    non-customers (non-CIS); the first two are returned."""
    garage = accounts.create_customer(
        session, name="Γιώργος Παπαδόπουλος", email="george@example.com", language="el"
    )
    a1 = accounts.create_account(
        session,
        customer=garage,
        number="DEMO-0001",
        currency=currency,
        customer_class="balance_forward",
        contracts=[
            ContractSpec("service", payment_priority=10, description="Workshop service"),
            ContractSpec("parts", payment_priority=20, description="Spare parts"),
            ContractSpec(
                "excess_credit",
                payment_priority=99,
                is_overpayment=True,
                description="Overpayments",
            ),
        ],
    )
    shop = accounts.create_customer(
        session,
        name="Kowalski Sp. z o.o.",
        kind="company",
        email="biuro@example.com",
        language="pl",
    )
    a2 = accounts.create_account(
        session,
        customer=shop,
        number="DEMO-0002",
        currency=currency,
        customer_class="open_item",
        contracts=[
            ContractSpec("fleet", payment_priority=10),
            ContractSpec("excess_credit", 99, True),
        ],
    )
    walk_in = accounts.create_customer(session, name="Counter sales (non-customers)")
    accounts.create_account(
        session,
        customer=walk_in,
        number="DEMO-NONCIS",
        currency=currency,
        customer_class="non_cis",
        contracts=[ContractSpec("counter", payment_priority=10)],
    )
    return a1, a2


def _documents(
    session: Session, settings: Settings, garage: Account, fleet: Account, today: date
) -> None:
    """One document of each kind, each with the code its rule issues: a repair order ready for
    invoicing, a counter invoice, two invoices, a vehicle order (its open code asked for), a
    securities batch with a cheque and a promissory note."""
    actor = "demo"

    def money(text: str) -> Money:
        return Money.parse(text, settings.currency)

    def create(
        account: Account, kind: str, number: str, amount: str | None, days_ago: int, **kw: Any
    ) -> documents.DocumentChange:
        return documents.create(
            session,
            settings,
            account=account,
            kind=kind,
            number=number,
            amount=None if amount is None else money(amount),
            issue_date=today - timedelta(days=days_ago),
            actor=actor,
            **kw,
        )

    ro = create(garage, "repair_order", "RO-1001", "100.00", 3)
    documents.change_status(session, settings, ro.document.id, "ready_for_invoicing", actor=actor)
    create(garage, "counter_invoice", "CI-2001", "45.90", 1, status="issued")
    create(fleet, "invoice", "INV-3001", "250.00", 40, status="issued")
    create(fleet, "invoice", "INV-3002", "120.00", 10, status="issued")
    vo = create(garage, "vehicle_order", "VO-4001", "18500.00", 0)
    codes.issue_for_document(session, settings, vo.document, actor=actor)
    create(
        fleet,
        "securities_batch",
        "SB-5001",
        None,
        0,
        issue_payment_code=True,
        securities=[
            SecuritySpec("cheque", "CH-778812", today + timedelta(days=30), money("500.00")),
            SecuritySpec("promissory_note", "PN-0042", today + timedelta(days=60), money("750.00")),
        ],
    )
