"""Quick add payment event: one line — rule, value, tender type, amount — taken with Enter.

The line is read into a :class:`~paydesk.cashier.quick.QuickRequest` and handed to
:func:`~paydesk.cashier.quick.quick_add` (the same service as ``POST /v1/payment-events/quick``)
in one transaction. On success the page comes back with the line cleared (rule and tender type
kept) and the payment at the top of the cashier's list of the day, with its running total; a
refusal is shown next to its field, keeps what was typed and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.datastructures import FormData

from paydesk.accounts.models import Account
from paydesk.auth.roles import CASHIER_DESK
from paydesk.cashier import quick, wallet
from paydesk.cashier import service as desk
from paydesk.cashier.errors import (
    CardTenderRefused,
    InvalidTender,
    QuickValueNotFound,
    TenderNotAccepted,
    UnknownDistributionRule,
    UnknownTenderType,
    UnpayableCode,
)
from paydesk.codes.models import PaymentCode
from paydesk.errors import CurrencyMismatch, InvalidAmount, InvalidInput, PaydeskError
from paydesk.payments.errors import InvalidMatch
from paydesk.payments.models import PaymentEvent
from paydesk.web import i18n
from paydesk.web.i18n import N_
from paydesk.web.pages import PageRoute, Web, form, page, posted_form
from paydesk.web.views.refusals import Concern, desk_refusal

router = APIRouter(route_class=PageRoute, include_in_schema=False)

RULE_LABELS: dict[str, str] = {
    "rf": N_("Payment code (RF)"),
    "document": N_("Document number"),
    "account": N_("Account number"),
    "contract": N_("Contract"),
}
UNPAYABLE: dict[str, str] = {
    "cancelled": N_("Payment code %(rf)s is cancelled."),
    "expired": N_("Payment code %(rf)s has expired."),
    "paid": N_("Payment code %(rf)s is already paid."),
    "amount_mismatch": N_("Payment code %(rf)s asks for another amount."),
    "currency_mismatch": N_("Payment code %(rf)s is in another currency."),
}


@dataclass(frozen=True)
class Line:
    """One payment event of the cashier's list of the day."""

    view: desk.EventView
    account: str
    rf: str | None


def _tender_types(web: Web) -> list:
    return [t for t in wallet.tender_types(web.settings.cashier) if not t.is_card]


def _today_list(web: Web) -> tuple[list[Line], dict[str, int]]:
    """The cashier's desk events of today, newest first, and the running total per currency."""
    assert web.user is not None
    lines: list[Line] = []
    totals: dict[str, int] = {}
    with web.db.reading() as s:
        ids = s.scalars(
            select(PaymentEvent.id)
            .where(
                PaymentEvent.created_by == web.user.username,
                PaymentEvent.source == "desk",
                PaymentEvent.event_date == date.today(),
            )
            .order_by(PaymentEvent.id.desc())
            .limit(100)
        ).all()
        for event_id in ids:
            view = desk.event_view(s, event_id)
            live = [p for p in view.payments if p.status != "cancelled"]
            first = (live or view.payments)[0] if view.payments else None
            number = s.get(Account, first.account_id).number if first else ""
            code = (
                s.get(PaymentCode, first.payment_code_id)
                if first and first.payment_code_id
                else None
            )
            lines.append(Line(view, number, code.rf if code else None))
            for p in live:
                totals[p.currency] = totals.get(p.currency, 0) + p.amount_minor
    return lines, totals


def _render(web: Web, values: dict[str, str], errors: dict[str, str], status: int = 200):
    lines, totals = _today_list(web)
    rules = [r for r in quick.rules_of(web.settings) if r in quick.RULES]
    return web.render(
        "desk/quick.html",
        status=status,
        values=values,
        errors=errors,
        rules=rules,
        rule_labels=RULE_LABELS,
        types=_tender_types(web),
        lines=lines,
        totals=totals,
    )


@router.get("/quick-add", name="web.quick_add")
def quick_page(
    rule: str = "",
    tender: str = "",
    account: str = "",
    web: Web = Depends(page(CASHIER_DESK)),
):
    values = {"rule": rule[:30] or "rf", "tender": tender[:30] or "cash"}
    if account.isdigit() and len(account) < 18:
        with web.db.reading() as s:
            found = s.get(Account, int(account))
        if found is not None:
            values.update(rule="account", value=found.number)
    return _render(web, values, {})


def _field(values: FormData, name: str, limit: int = 64) -> str:
    return str(values.get(name) or "").strip()[:limit]


def _plain(web: Web, text: str, name: str, errors: dict[str, str]) -> str | None:
    """A typed amount (local or plain spelling) as a plain decimal; ``None`` when blank."""
    if not text:
        return None
    try:
        return str(i18n.parse_amount(text, web.settings.currency, web.lang).amount)
    except InvalidInput:
        errors[name] = web._(
            "Enter an amount greater than zero, like %(example)s.",
            example=i18n.decimal_hint(web.lang),
        )
        return None


#: Where the line shows each refusal both desk pages share.
_FIELD_OF: dict[Concern, str] = {
    "cash_back": "tendered",
    "balance": "tendered",
    "drawer": "problem",
    "tender": "cheque_number",
}


def refusal(web: Web, error: PaydeskError, values: dict[str, str]) -> dict[str, str]:
    """The service's refusal, next to the field it concerns."""
    if isinstance(error, UnpayableCode):
        message = UNPAYABLE.get(str(error.extra.get("reason")))
        rf = str(error.extra.get("rf", ""))
        return {"value": web._(message, rf=rf) if message else error.detail}
    if isinstance(error, QuickValueNotFound):
        if not values.get("value"):
            return {"value": web._("Enter the value the rule reads.")}
        return {"value": web._("Nothing was found for %(value)s.", value=values["value"])}
    if isinstance(error, UnknownDistributionRule):
        return {"rule": web._("Choose one of the distribution rules.")}
    if isinstance(error, TenderNotAccepted):
        return {"tender": web._("This rule does not take this tender type.")}
    if isinstance(error, CardTenderRefused):
        return {"tender": web._("Card payments go through the external card processor.")}
    if isinstance(error, UnknownTenderType):
        return {"tender": web._("Choose one of the tender types.")}
    if isinstance(error, InvalidTender) and error.extra.get("field") != "cheque_number":
        return {"problem": error.detail}
    shared = desk_refusal(web, error)
    if shared is not None:
        concern, message = shared
        return {_FIELD_OF[concern]: message}
    if isinstance(error, (InvalidAmount, CurrencyMismatch)):
        return {"amount": web._("Enter the payment amount.")}
    if isinstance(error, InvalidMatch):
        return {"value": web._("The account is open-item: use the document or the payment code.")}
    return {"problem": error.detail}


@router.post("/quick-add", name="web.quick_add_take")
def take(values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))):
    """Take the line; on success the page comes back with the line cleared."""
    assert web.user is not None
    typed = {
        name: _field(values, name)
        for name in ("rule", "value", "tender", "amount", "tendered", "cheque_number")
    }
    errors: dict[str, str] = {}
    amount = _plain(web, typed["amount"], "amount", errors)
    tendered = _plain(web, typed["tendered"], "tendered", errors)
    if not typed["value"]:
        errors["value"] = web._("Enter the value the rule reads.")
    if errors:
        return _render(web, typed, errors, status=422)
    needs_cheque = {t.code for t in _tender_types(web) if t.requires_cheque_number}
    cheque = typed["cheque_number"] if typed["tender"] in needs_cheque else ""
    request = quick.QuickRequest(
        rule=typed["rule"],
        value=typed["value"],
        amount=amount,
        tenders=[desk.TenderRequest(typed["tender"], tendered, cheque_number=cheque or None)],
    )
    try:
        with web.db.transaction() as s:
            view = quick.quick_add(s, web.settings, request, actor=web.user.username)
            event_id, tasks = view.event.id, [t.id for t in view.tasks]
    except PaydeskError as error:
        return _render(web, typed, refusal(web, error, typed), status=422)
    if tasks:
        desk.run_validations(web.db, web.settings, tasks)
    query = urlencode({"rule": typed["rule"], "tender": typed["tender"]})
    return web.redirect(
        f"{web.url('web.quick_add')}?{query}",
        flash=web._("Payment event %(id)s saved.", id=event_id),
    )


@router.get("/make-payment", name="web.make_payment")
def make_payment(account: str = "", web: Web = Depends(page(CASHIER_DESK))):
    """*Make payment*: the page ``[cashier] default_method`` names."""
    route = (
        "web.quick_add"
        if web.settings.cashier.default_method == "distribution_rules"
        else "web.one_time_payment"
    )
    query = f"?account={account}" if account.isdigit() and len(account) < 18 else ""
    return web.redirect(web.url(route) + query)
