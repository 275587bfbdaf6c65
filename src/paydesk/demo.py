"""Demo data, so a newcomer sees paydesk work: customers, accounts, documents, codes, users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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
    today = today or date.today()
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
    eur = settings.currency

    def money(text: str) -> Money:
        return Money.parse(text, eur)

    garage = accounts.create_customer(
        session, name="Γιώργος Παπαδόπουλος", email="george@example.com", language="el"
    )
    a1 = accounts.create_account(
        session,
        customer=garage,
        number="DEMO-0001",
        currency=eur,
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
        currency=eur,
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
        currency=eur,
        customer_class="non_cis",
        contracts=[ContractSpec("counter", payment_priority=10)],
    )
    actor = "demo"
    ro = documents.create(
        session,
        settings,
        account=a1,
        kind="repair_order",
        number="RO-1001",
        amount=money("100.00"),
        issue_date=today - timedelta(days=3),
        actor=actor,
    )
    documents.change_status(session, settings, ro.document.id, "ready_for_invoicing", actor=actor)
    documents.create(
        session,
        settings,
        account=a1,
        kind="counter_invoice",
        number="CI-2001",
        amount=money("45.90"),
        issue_date=today - timedelta(days=1),
        status="issued",
        actor=actor,
    )
    documents.create(
        session,
        settings,
        account=a2,
        kind="invoice",
        number="INV-3001",
        amount=money("250.00"),
        issue_date=today - timedelta(days=40),
        status="issued",
        actor=actor,
    )
    documents.create(
        session,
        settings,
        account=a2,
        kind="invoice",
        number="INV-3002",
        amount=money("120.00"),
        issue_date=today - timedelta(days=10),
        status="issued",
        actor=actor,
    )
    vo = documents.create(
        session,
        settings,
        account=a1,
        kind="vehicle_order",
        number="VO-4001",
        amount=money("18500.00"),
        issue_date=today,
        actor=actor,
    )
    codes.issue_for_document(session, settings, vo.document, actor=actor)
    documents.create(
        session,
        settings,
        account=a2,
        kind="securities_batch",
        number="SB-5001",
        amount=None,
        issue_date=today,
        issue_payment_code=True,
        actor=actor,
        securities=[
            SecuritySpec("cheque", "CH-778812", today + timedelta(days=30), money("500.00")),
            SecuritySpec("promissory_note", "PN-0042", today + timedelta(days=60), money("750.00")),
        ],
    )
    return DemoResult(True, keys)
