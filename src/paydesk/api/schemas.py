"""Request and response bodies shared across routes.

Amounts travel as decimal strings (``"120.00"``) beside their currency, never as JSON numbers:
a JSON number is a float to most clients, and money is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from paydesk.accounts.models import Account, Customer
from paydesk.accounts.service import ContractBalance
from paydesk.api.deps import Paging
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


ItemT = TypeVar("ItemT")


class PageOf(BaseModel, Generic[ItemT]):
    """One page of a list: its items, and the list's length with the page's place in it."""

    items: list[ItemT]
    page: Page

    @classmethod
    def of(cls, items: list[ItemT], total: int, paging: Paging) -> Self:
        return cls(items=items, page=Page(total=total, limit=paging.limit, offset=paging.offset))


def _text_or_none(minor: int, currency: str | None) -> str | None:
    return None if currency is None else format_minor(minor, currency)


class Minor:
    """Marks an answer's amount: read from the row's integer minor units (``<field>_minor``
    unless ``attribute`` names another) and answered as decimal text in the row's
    ``currency``; no minor units (or no currency) is ``None``."""

    def __init__(
        self,
        attribute: str | None = None,
        write: Callable[[int, str | None], str | None] = _text_or_none,
    ) -> None:
        self.attribute = attribute
        self.write = write

    def text(self, row: Any, field: str) -> str | None:
        minor = getattr(row, self.attribute or f"{field}_minor")
        return None if minor is None else self.write(minor, row.currency)


#: An amount read from ``<field>_minor`` (see :class:`Minor`).
Amount = Annotated[str, Minor()]


class Out(BaseModel):
    """An answer read from a stored row or a domain record: where its fields map one to one,
    ``Model.model_validate(row)``; else :meth:`of_row`."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of_row(cls, row: object, **given: Any) -> Self:
        """The answer for ``row``: the fields ``given``, the amounts from their minor units
        (:class:`Minor`), every other field the row's attribute of its name (if it has one)."""
        values = dict(given)
        for name, minor in _fields(cls):
            if name in values:
                continue
            if minor is not None:
                values[name] = minor.text(row, name)
            elif (value := getattr(row, name, _ABSENT)) is not _ABSENT:
                values[name] = value
        return cls.model_validate(values)


_ABSENT = object()


@cache
def _fields(model: type[Out]) -> tuple[tuple[str, Minor | None], ...]:
    """The answer's fields, each with its :class:`Minor` marker if it is an amount."""
    return tuple(
        (name, next((m for m in field.metadata if isinstance(m, Minor)), None))
        for name, field in model.model_fields.items()
    )


class CustomerOut(Out):
    id: int
    name: str
    kind: str
    email: str | None
    language: str


class ContractOut(Out):
    id: int
    contract_type: str
    description: str
    payment_priority: int
    is_overpayment: bool
    balance: str
    currency: str

    @classmethod
    def of(cls, b: ContractBalance, currency: str) -> ContractOut:
        return cls.of_row(
            b.contract, balance=format_minor(b.balance_minor, currency), currency=currency
        )


class AccountOut(Out):
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
        return cls.of_row(
            a,
            cash_only_points=points,
            customer=CustomerOut.model_validate(customer),
            balance=format_minor(sum(b.balance_minor for b in balances), a.currency),
            contracts=[ContractOut.of(b, a.currency) for b in balances],
        )


class SecurityOut(Out):
    instrument: str
    number: str
    maturity_date: date
    amount: Amount


class CodePaymentOut(Out):
    paid_on: date
    bank_bic: str | None
    bank_name: str | None
    amount: Amount
    currency: str
    payer_name: str | None
    bank_reference: str | None
    status: str


class PaymentCodeOut(Out):
    rf: str
    rf_formatted: str
    kind: str
    document_id: int | None
    account_id: int
    amount_type: str
    amount: Annotated[
        str | None,
        Minor(),
        Field(description="Fixed: the amount due. Open: the ceiling, if any."),
    ]
    currency: str
    paid: Amount
    status: str
    expires_on: date | None
    issued_at: datetime
    issued_by: str
    cancel_reason: str | None
    payments: list[CodePaymentOut] | None = None

    @classmethod
    def of(cls, c: PaymentCode, payments: list[CodePayment] | None = None) -> PaymentCodeOut:
        return cls.of_row(
            c,
            rf_formatted=rf.format(c.rf),
            payments=None if payments is None else [CodePaymentOut.of_row(p) for p in payments],
        )


class DocumentOut(Out):
    id: int
    kind: str
    number: str
    account_id: int
    contract_id: int
    amount: Amount
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
        return cls.of_row(
            d,
            securities=[SecurityOut.of_row(s) for s in securities or []],
            payment_code=PaymentCodeOut.of(code) if code else None,
        )
