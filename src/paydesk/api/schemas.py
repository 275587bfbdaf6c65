"""Request and response bodies shared across routes.

Amounts travel as decimal strings (``"120.00"``) beside their currency, never as JSON numbers:
a JSON number is a float to most clients, and money is exact.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from paydesk.accounts.models import Account, Customer
from paydesk.accounts.service import ContractBalance
from paydesk.codes import rf
from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.documents.models import Document, Security
from paydesk.money import format_minor

#: A decimal amount as text, by the ISO 20022 decimal grammar (checked by ``Money.parse``):
#: ASCII digits and an optional fraction no longer than the currency's minor units.
AmountText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    Field(
        examples=["120.00"],
        description='Decimal amount as a string, e.g. "120.00": ASCII digits, an optional '
        "fraction no longer than the currency allows; no exponent, sign or other digits",
    ),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class CustomerOut(BaseModel):
    id: int
    name: str
    kind: str
    email: str | None
    language: str

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(id=c.id, name=c.name, kind=c.kind, email=c.email, language=c.language)


class ContractOut(BaseModel):
    id: int
    contract_type: str
    description: str
    payment_priority: int
    is_overpayment: bool
    balance: str
    currency: str

    @classmethod
    def of(cls, b: ContractBalance, currency: str) -> ContractOut:
        c = b.contract
        return cls(
            id=c.id,
            contract_type=c.contract_type,
            description=c.description,
            payment_priority=c.payment_priority,
            is_overpayment=c.is_overpayment,
            balance=format_minor(b.balance_minor, currency),
            currency=currency,
        )


class AccountOut(BaseModel):
    id: int
    number: str
    currency: str
    customer_class: str
    cash_only_points: int = Field(description="The credit-rating total: entries in force")
    customer: CustomerOut
    balance: str
    contracts: list[ContractOut]

    @classmethod
    def of(
        cls, a: Account, customer: Customer, balances: list[ContractBalance], points: int
    ) -> AccountOut:
        return cls(
            id=a.id,
            number=a.number,
            currency=a.currency,
            customer_class=a.customer_class,
            cash_only_points=points,
            customer=CustomerOut.of(customer),
            balance=format_minor(sum(b.balance_minor for b in balances), a.currency),
            contracts=[ContractOut.of(b, a.currency) for b in balances],
        )


class SecurityOut(BaseModel):
    instrument: str
    number: str
    maturity_date: date
    amount: str

    @classmethod
    def of(cls, s: Security) -> SecurityOut:
        return cls(
            instrument=s.instrument,
            number=s.number,
            maturity_date=s.maturity_date,
            amount=format_minor(s.amount_minor, s.currency),
        )


class CodePaymentOut(BaseModel):
    paid_on: date
    bank_bic: str | None
    bank_name: str | None
    amount: str
    currency: str
    payer_name: str | None
    bank_reference: str | None
    status: str

    @classmethod
    def of(cls, p: CodePayment) -> CodePaymentOut:
        return cls(
            paid_on=p.paid_on,
            bank_bic=p.bank_bic,
            bank_name=p.bank_name,
            amount=format_minor(p.amount_minor, p.currency),
            currency=p.currency,
            payer_name=p.payer_name,
            bank_reference=p.bank_reference,
            status=p.status,
        )


class PaymentCodeOut(BaseModel):
    rf: str
    rf_formatted: str
    kind: str
    document_id: int | None
    account_id: int
    amount_type: str
    amount: str | None = Field(description="Fixed: the amount due. Open: the ceiling, if any.")
    currency: str
    paid: str
    status: str
    expires_on: date | None
    issued_at: datetime
    issued_by: str
    cancel_reason: str | None
    payments: list[CodePaymentOut] | None = None

    @classmethod
    def of(cls, c: PaymentCode, payments: list[CodePayment] | None = None) -> PaymentCodeOut:
        return cls(
            rf=c.rf,
            rf_formatted=rf.format(c.rf),
            kind=c.kind,
            document_id=c.document_id,
            account_id=c.account_id,
            amount_type=c.amount_type,
            amount=None if c.amount_minor is None else format_minor(c.amount_minor, c.currency),
            currency=c.currency,
            paid=format_minor(c.paid_minor, c.currency),
            status=c.status,
            expires_on=c.expires_on,
            issued_at=c.issued_at,
            issued_by=c.issued_by,
            cancel_reason=c.cancel_reason,
            payments=None if payments is None else [CodePaymentOut.of(p) for p in payments],
        )


class DocumentOut(BaseModel):
    id: int
    kind: str
    number: str
    account_id: int
    contract_id: int
    amount: str
    currency: str
    issue_date: date
    due_date: date | None
    status: str
    issue_payment_code: bool
    securities: list[SecurityOut] = []
    payment_code: PaymentCodeOut | None = None

    @classmethod
    def of(
        cls,
        d: Document,
        code: PaymentCode | None = None,
        securities: list[Security] | None = None,
    ) -> DocumentOut:
        return cls(
            id=d.id,
            kind=d.kind,
            number=d.number,
            account_id=d.account_id,
            contract_id=d.contract_id,
            amount=format_minor(d.amount_minor, d.currency),
            currency=d.currency,
            issue_date=d.issue_date,
            due_date=d.due_date,
            status=d.status,
            issue_payment_code=d.issue_payment_code,
            securities=[SecurityOut.of(s) for s in securities or []],
            payment_code=PaymentCodeOut.of(code) if code else None,
        )
