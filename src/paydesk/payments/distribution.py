"""Distribution: how one payment is split over the account's contracts into segments.

:func:`distribute` is the standard logic:

- With a match, the payment goes where the customer said:
  ``contract`` — only to that contract, up to what it owes;
  ``invoice`` — to the invoice's contract, up to the invoice's open amount (and no more than
  the contract owes); an empty invoice value means the latest open invoice; an invoice already
  paid takes nothing more (all of the payment is excess).
- Without a match, contracts are paid in payment-priority order (lower number first), then
  oldest debt first, then by contract id; each is paid in full before the next gets anything.
- What is left after that — the **excess** — goes, per ``excess_policy``, to the account's
  overpayment (excess credit) contract, or fails with :class:`DistributionError` (the payment
  goes to status ``error`` with its message). The excess of a matched payment follows the same
  policy; it is never spread over other contracts the customer did not name.
- No contract receives more than it owes, except the overpayment contract. Segments sum to the
  payment exactly, one per contract, in the order paid; zero segments are left out.

:func:`manual_distribution` checks amounts a user set by hand: they must be in the payment's
currency, not negative, and sum to the payment exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple, get_args

from paydesk.errors import CurrencyMismatch, InvalidAmount
from paydesk.money import Money
from paydesk.payments.errors import DistributionError, InvalidManualDistribution, InvalidMatch

__all__ = [
    "ContractDebt",
    "ContractView",
    "ExcessPolicy",
    "ItemView",
    "Match",
    "MatchType",
    "OpenItem",
    "Segment",
    "distribute",
    "distribute_minor",
    "manual_distribution",
    "resolve_invoice_match",
    "view_of",
]

MatchType = Literal["invoice", "contract"]
ExcessPolicy = Literal["overpayment_contract", "error"]
_EXCESS_POLICIES = get_args(ExcessPolicy)


@dataclass(frozen=True, slots=True)
class Match:
    """Where the customer wants the payment to go. A blank value is kept as ``None``."""

    type: MatchType
    value: str | None = None

    def __post_init__(self) -> None:
        if self.type not in get_args(MatchType):
            raise InvalidMatch(
                f"match type must be one of {get_args(MatchType)}, not {self.type!r}"
            )
        value = self.value.strip() if isinstance(self.value, str) else self.value
        if value is not None and not isinstance(value, str):
            raise InvalidMatch("match value must be text")
        object.__setattr__(self, "value", value or None)
        if self.type == "contract" and self.value is None:
            raise InvalidMatch("match type 'contract' needs the contract id as match value")


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A document (invoice) of a contract, with what is still open on it."""

    document_id: str
    contract_id: str
    issue_date: date
    open_amount: Money
    due_date: date | None = None

    @property
    def debt_date(self) -> date:
        """The date its debt counts from: the due date, or the issue date when there is none."""
        return self.due_date or self.issue_date


@dataclass(frozen=True, slots=True)
class ContractDebt:
    """A contract as distribution sees it: what it owes and in what order it is paid.

    ``open_debt`` is the contract's balance (negative for a credit, which owes nothing).
    ``oldest_debt_date`` defaults to the earliest debt date of its open items.
    """

    contract_id: str
    contract_type: str
    payment_priority: int
    open_debt: Money
    oldest_debt_date: date | None = None
    is_overpayment_contract: bool = False
    open_items: tuple[OpenItem, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "open_items", tuple(self.open_items))
        for item in self.open_items:
            if item.contract_id != self.contract_id:
                raise ValueError(
                    f"open item {item.document_id} belongs to {item.contract_id}, "
                    f"not {self.contract_id}"
                )
            if item.open_amount.currency != self.open_debt.currency:
                raise CurrencyMismatch(
                    f"open item {item.document_id} is in {item.open_amount.currency}, "
                    f"contract {self.contract_id} in {self.open_debt.currency}"
                )
        if self.oldest_debt_date is None:
            dates = [i.debt_date for i in self.open_items if i.open_amount.amount > 0]
            if dates:
                object.__setattr__(self, "oldest_debt_date", min(dates))

    @property
    def owed(self) -> Money:
        """What the contract may receive: its open debt, or zero when it is in credit."""
        return max(self.open_debt, Money.zero(self.open_debt.currency))


@dataclass(frozen=True, slots=True)
class Segment:
    """The part of a payment applied to one contract."""

    contract_id: str
    amount: Money


def _natural_key(text: str) -> list[str | int]:
    # "INV-10" after "INV-9": digits compare as numbers. Odd positions are always digit runs.
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", text))]


def resolve_invoice_match(value: str | None, invoices: Iterable[OpenItem]) -> OpenItem:
    """The invoice a match value names; an empty value means the latest invoice.

    Latest is by issue date, then by number (digits compared as numbers).
    Raises :class:`InvalidMatch` when there is no such invoice.
    """
    invoices = list(invoices)
    wanted = value.strip() if value else ""
    if not wanted:
        if not invoices:
            raise InvalidMatch("there is no invoice to pay")
        return max(invoices, key=lambda i: (i.issue_date, _natural_key(i.document_id)))
    for invoice in invoices:
        if invoice.document_id == wanted:
            return invoice
    raise InvalidMatch(f"invoice {wanted!r} is not among the account's invoices", value=wanted)


class ContractView(NamedTuple):
    """A contract as the distribution core sees it, in minor units (see :func:`distribute`)."""

    contract_id: str
    payment_priority: int
    oldest_debt_date: date | None
    #: What it may receive: its open debt, zero when it is in credit.
    owed: int
    is_overpayment_contract: bool
    open_items: tuple[ItemView, ...] = ()


class ItemView(NamedTuple):
    """An open item as the distribution core sees it, in minor units."""

    document_id: str
    contract_id: str
    issue_date: date
    open_minor: int


def _payment_order(contract: ContractView) -> tuple[int, bool, date, str]:
    oldest = contract.oldest_debt_date
    return (contract.payment_priority, oldest is None, oldest or date.min, contract.contract_id)


def _check(amount: Money, contracts: Sequence[ContractDebt]) -> None:
    if amount.is_negative() or amount.is_zero():
        raise InvalidAmount(f"payment amount must be greater than zero, got {amount}")
    seen: set[str] = set()
    for contract in contracts:
        if contract.contract_id in seen:
            raise ValueError(f"contract {contract.contract_id} listed twice")
        seen.add(contract.contract_id)
        if contract.open_debt.currency != amount.currency:
            raise CurrencyMismatch(
                f"contract {contract.contract_id} is in {contract.open_debt.currency}, "
                f"the payment in {amount.currency}"
            )


def view_of(contract: ContractDebt) -> ContractView:
    """The distribution core's view of a contract."""
    return ContractView(
        contract.contract_id,
        contract.payment_priority,
        contract.oldest_debt_date,
        max(contract.open_debt.minor, 0),
        contract.is_overpayment_contract,
        tuple(
            ItemView(i.document_id, i.contract_id, i.issue_date, i.open_amount.minor)
            for i in contract.open_items
        ),
    )


def distribute(
    amount: Money,
    contracts: Iterable[ContractDebt],
    match: Match | None = None,
    excess_policy: ExcessPolicy = "overpayment_contract",
    settled: frozenset[str] = frozenset(),
) -> list[Segment]:
    """Split ``amount`` over ``contracts`` by the standard rules (see the module docstring).

    ``settled`` names charged documents with nothing open: an invoice match on one of them
    pays nothing on it, so the whole payment is excess."""
    contracts = list(contracts)
    _check(amount, contracts)
    shares = distribute_minor(
        amount.minor,
        amount.currency,
        [view_of(c) for c in contracts],
        match,
        excess_policy,
        settled,
    )
    return [Segment(c, Money.from_minor(m, amount.currency)) for c, m in shares]


def distribute_minor(
    amount: int,
    currency: str,
    contracts: Sequence[ContractView],
    match: Match | None = None,
    excess_policy: ExcessPolicy = "overpayment_contract",
    settled: frozenset[str] = frozenset(),
) -> list[tuple[str, int]]:
    """:func:`distribute` in minor units: ``(contract id, minor units)`` in the order paid.

    The one implementation of the rules; :func:`distribute` and the payment planner call it.
    """
    if excess_policy not in _EXCESS_POLICIES:
        raise ValueError(f"excess policy must be one of {_EXCESS_POLICIES}")
    ordered = sorted(contracts, key=_payment_order) if len(contracts) > 1 else contracts
    paid: dict[str, int] = {}
    remaining = amount

    def pay(contract_id: str, limit: int) -> None:
        nonlocal remaining
        share = remaining if remaining < limit else limit
        if share > 0:
            paid[contract_id] = paid.get(contract_id, 0) + share
            remaining -= share

    if match is None:
        for contract in ordered:
            pay(contract.contract_id, contract.owed)
            if not remaining:
                break
    elif match.type == "contract":
        contract = next((c for c in ordered if c.contract_id == match.value), None)
        if contract is None:
            raise DistributionError(
                f"contract {match.value!r} is not one of the account's contracts"
            )
        pay(contract.contract_id, contract.owed)
    elif match.value is not None and match.value in settled:
        pass  # the document is paid: all of the payment is excess
    else:
        items = [i for c in ordered for i in c.open_items if i.open_minor > 0]
        try:
            invoice = resolve_invoice_match(match.value, items)
        except InvalidMatch:
            named = f"invoice {match.value!r} is not open" if match.value else "no invoice is open"
            raise DistributionError(f"{named} on the account") from None
        owed = next(c.owed for c in ordered if c.contract_id == invoice.contract_id)
        pay(invoice.contract_id, min(invoice.open_minor, owed))

    if remaining > 0:
        overpayment = next((c for c in ordered if c.is_overpayment_contract), None)
        if excess_policy == "error" or overpayment is None:
            excess = Money.from_minor(remaining, currency)
            message = (
                f"payment of {Money.from_minor(amount, currency)} exceeds what it may pay by "
                f"{excess}"
            )
            if overpayment is None and excess_policy != "error":
                message += " and the account has no overpayment contract"
            raise DistributionError(message, excess=str(excess.amount))
        pay(overpayment.contract_id, remaining)

    return list(paid.items())


def manual_distribution(
    amount: Money,
    shares: Mapping[str, Money],
    contract_ids: Iterable[str] | None = None,
) -> list[Segment]:
    """Segments from amounts set by hand, refused unless they sum exactly to ``amount``.

    Every share must be ``Money`` in the payment's currency and not negative; zero shares are
    left out. With ``contract_ids`` (the account's contracts), unknown contracts are refused.
    """
    if amount.is_negative() or amount.is_zero():
        raise InvalidAmount(f"payment amount must be greater than zero, got {amount}")
    known = None if contract_ids is None else set(contract_ids)
    total = Money.zero(amount.currency)
    segments: list[Segment] = []
    for contract_id, share in shares.items():
        if known is not None and contract_id not in known:
            raise InvalidManualDistribution(f"contract {contract_id!r} is not the account's")
        if not isinstance(share, Money):
            raise InvalidManualDistribution(f"amount for contract {contract_id!r} must be Money")
        if share.currency != amount.currency:
            raise InvalidManualDistribution(
                f"amount for contract {contract_id!r} is in {share.currency}, "
                f"the payment in {amount.currency}"
            )
        if share.is_negative():
            raise InvalidManualDistribution(f"amount for contract {contract_id!r} is negative")
        total += share
        if not share.is_zero():
            segments.append(Segment(contract_id, share))
    if total != amount:
        raise InvalidManualDistribution(
            f"amounts sum to {total}, not to the payment amount {amount}",
            difference=str((amount - total).amount),
        )
    return segments
