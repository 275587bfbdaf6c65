"""Quick add payment event: one value, read by a distribution rule, becomes one desk payment.

A **distribution rule** turns the value the cashier typed (or scanned) into the payee account
and the match. Built in (a registry like the amount defaults, :mod:`paydesk.cashier.defaults`):

- ``rf`` — an RF payment code: its account, and the code itself (the planner pays the code,
  lists the payment on it with ``desk: <cashier>`` instead of a bank, and matches its document);
- ``document`` — a document number: its account, matched to the document;
- ``account`` — an account number: distributed by the standard rules;
- ``contract`` — a contract id: its account, matched to the contract.

The installation's ``[cashier] distribution_rules`` names the rules offered and the tender types
each accepts. The payment then goes through :func:`paydesk.cashier.service.add_one_time_payment`
— the same tender checks, cash back, drawer and intake as the one-time payment dialog.

A value that finds nothing is refused. A code that takes no payment (the rule of
:func:`paydesk.codes.status.refusal`, the same as for a bank credit) is refused too, unless
``[cashier] unpayable_code = "hold"``: the money is then taken and held as a payment in
``error`` on the code's account, for follow-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Contract
from paydesk.accounts.service import get_account
from paydesk.cashier.errors import (
    QuickValueNotFound,
    TenderNotAccepted,
    UnknownDistributionRule,
    UnpayableCode,
)
from paydesk.cashier.service import EventRequest, EventView, PaymentRequest, TenderRequest
from paydesk.cashier.service import add_one_time_payment as _take
from paydesk.codes import rf as rf_codes
from paydesk.codes.service import code_states
from paydesk.codes.status import CodeState, refusal
from paydesk.documents.models import Document
from paydesk.errors import InvalidInput
from paydesk.money import Money
from paydesk.settings import Settings

__all__ = [
    "RULES",
    "QuickRequest",
    "Target",
    "find_target",
    "quick_add",
    "register_rule",
    "rules_of",
]


@dataclass(frozen=True)
class Target:
    """What a value names: the payee account, and the match or the code it pays."""

    account_id: int
    match_type: str | None = None
    match_value: str | None = None
    code: CodeState | None = None


#: A rule reads a value (stripped, not empty) → its target, or raises
#: :class:`~paydesk.cashier.errors.QuickValueNotFound`.
Rule = Callable[[Session, str], Target]


def _not_found(rule: str, value: str, what: str) -> QuickValueNotFound:
    return QuickValueNotFound(f"there is no {what} {value}", rule=rule, value=value)


def rf_rule(session: Session, value: str) -> Target:
    """An RF payment code, typed in any spelling or scanned from the slip's QR code."""
    try:
        text = rf_codes.validate(value)
    except InvalidInput:
        raise QuickValueNotFound(
            f"{value} is not a valid RF payment code", rule="rf", value=value
        ) from None
    states = code_states(session, rfs=[text], lock=False)
    code = states.get(text)
    if code is None:
        raise _not_found("rf", text, "payment code")
    return Target(code.account_id, code=code)


def document_rule(session: Session, value: str) -> Target:
    """A document number (one document of that number)."""
    found = session.execute(
        select(Document.id, Document.account_id).where(Document.number == value).limit(2)
    ).all()
    if not found:
        raise _not_found("document", value, "document")
    if len(found) > 1:
        raise QuickValueNotFound(
            f"several documents are numbered {value}: use the payment code or the account",
            rule="document",
            value=value,
        )
    [(document_id, account_id)] = found
    return Target(account_id, "invoice", str(document_id))


def account_rule(session: Session, value: str) -> Target:
    """An account number."""
    account_id = session.scalar(select(Account.id).where(Account.number == value))
    if account_id is None:
        raise _not_found("account", value, "account")
    return Target(account_id)


def contract_rule(session: Session, value: str) -> Target:
    """A contract id."""
    contract = session.get(Contract, int(value)) if value.isdigit() and len(value) < 18 else None
    if contract is None:
        raise _not_found("contract", value, "contract")
    return Target(contract.account_id, "contract", str(contract.id))


#: The rules by name; the settings choose among them.
RULES: dict[str, Rule] = {
    "rf": rf_rule,
    "document": document_rule,
    "account": account_rule,
    "contract": contract_rule,
}


def register_rule(name: str, rule: Rule) -> None:
    """Make ``rule`` available to ``[cashier] distribution_rules`` under ``name``."""
    RULES[name] = rule


def rules_of(settings: Settings) -> Mapping[str, list[str]]:
    """The rules the installation offers (in its order) → the tender types each accepts."""
    return {name: types for name, types in settings.cashier.distribution_rules.items()}


def find_target(session: Session, settings: Settings, rule: str, value: str) -> Target:
    """The target ``value`` names under ``rule``; an unknown rule or an empty value is refused."""
    offered = rules_of(settings)
    if rule not in offered or rule not in RULES:
        raise UnknownDistributionRule(
            f"distribution rule is one of {sorted(n for n in offered if n in RULES)}, not {rule!r}",
            rule=rule,
        )
    value = (value or "").strip()
    if not value:
        raise QuickValueNotFound("enter the value the rule reads", rule=rule, value="")
    if len(value) > 64:
        raise QuickValueNotFound("the value is longer than 64 characters", rule=rule, value="")
    return RULES[rule](session, value)


@dataclass(frozen=True)
class QuickRequest:
    """One quick-add line: rule, value, tenders (with cash back as in the dialog), amount."""

    rule: str
    value: str
    tenders: list[TenderRequest]
    #: ``None``: a fixed code's amount due, else the settings' amount default.
    amount: Money | str | None = None
    event_date: date | None = None


def _amount(request: QuickRequest, code: CodeState) -> Money | None:
    if request.amount is None:
        due = (code.amount_minor or 0) - code.paid_minor
        if code.amount_type == "fixed" and due > 0:
            return Money.from_minor(due, code.currency)
        return None
    if isinstance(request.amount, Money):
        return request.amount
    return Money.parse(request.amount, code.currency)


def _code_payment(
    session: Session, settings: Settings, request: QuickRequest, code: CodeState, day: date
) -> PaymentRequest:
    """The payment on an RF code: paid through the code, or held in ``error`` (setting)."""
    get_account(session, code.account_id, lock=True)  # accounts before codes, as the writer
    code = code_states(session, ids=[code.id])[code.id]
    amount = _amount(request, code)
    refused = refusal(
        code,
        amount_minor=amount.minor if amount is not None else 0,
        currency=amount.currency if amount is not None else code.currency,
        on=day,
    )
    if refused is None:
        return PaymentRequest(code.account_id, amount, code_id=code.id)
    if settings.cashier.unpayable_code == "hold" and amount is not None:
        document = str(code.document_id) if code.document_id is not None else None
        return PaymentRequest(
            code.account_id,
            amount,
            "invoice" if document else None,
            document,
            error=refused.message,
        )
    raise UnpayableCode(
        refused.message, rule="rf", value=code.rf, rf=code.rf, reason=refused.reason
    )


def quick_add(
    session: Session,
    settings: Settings,
    request: QuickRequest,
    *,
    actor: str,
    today: date | None = None,
) -> EventView:
    """Take one quick-add line as a desk payment event (see the module docstring)."""
    accepted = rules_of(settings).get(request.rule) or []
    for tender in request.tenders:
        if accepted and tender.type not in accepted:
            raise TenderNotAccepted(
                f"distribution rule {request.rule} takes {', '.join(accepted)}, not {tender.type}",
                rule=request.rule,
                tender_type=tender.type,
            )
    target = find_target(session, settings, request.rule, request.value)
    day = request.event_date or today or date.today()
    if target.code is not None:
        payment = _code_payment(session, settings, request, target.code, day)
    else:
        payment = PaymentRequest(
            target.account_id, request.amount, target.match_type, target.match_value
        )
    return _take(
        session,
        settings,
        EventRequest(
            payments=[payment],
            tenders=list(request.tenders),
            event_date=day,
            desk_label=f"desk: {actor}",
        ),
        actor=actor,
        today=today,
    )
