"""Payment events: the list (all, or only the unbalanced), and one event's page with its tenders,
payments, segments and service tasks, and the actions on them: distribute, freeze, manual
distribution (with a running total), cancel a payment or a tender, complete or reject a
bank-account validation. Each action calls the cashier service the API calls."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account, Contract
from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import service as desk
from paydesk.cashier import wallet
from paydesk.errors import InvalidInput, InvalidTransition, PaydeskError
from paydesk.money import Money
from paydesk.payments.errors import DistributionError, InvalidManualDistribution, InvalidMatch
from paydesk.payments.models import Payment, Tender
from paydesk.payments.service import get_payment
from paydesk.payments.states import PaymentAction, PaymentStatus, allowed_actions
from paydesk.reporting import events as reporting_events
from paydesk.reporting import export
from paydesk.web import i18n, listing, receipt
from paydesk.web.labels import status_label
from paydesk.web.pages import PageError, PageRoute, Web, confirmed, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

REASON_LIMIT = 500


@dataclass(frozen=True)
class EventRow:
    view: desk.EventView
    currency: str

    @property
    def line(self):
        return next((b for b in self.view.balance.by_currency if b.currency == self.currency), None)


def _currency(view: desk.EventView, fallback: str) -> str:
    rows = view.payments or view.tenders
    return rows[0].currency if rows else fallback


def _event_query(
    web: Web = Depends(page(CASHIER_DESK)),
    unbalanced: str = "",
    attention: str = "",
    show: str = "",
    dated: listing.DatedQuery = Depends(),
) -> tuple[Web, listing.ListQuery, reporting_events.EventFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    if unbalanced in ("1", "true", "on"):
        show = "unbalanced"
    if attention in ("1", "true", "on"):
        show = "attention"
    show = show if show in reporting_events.SHOWS else ""
    query = listing.read_dated(web, reporting_events.SORTS, dated, {"show": show})
    filters = reporting_events.EventFilter(query.days["from"], query.days["to"], show)
    return web, query, filters


def _event_lines(web: Web, s, lines: list, filters: reporting_events.EventFilter):
    return {
        "lines": lines,
        "statuses": {line.id: desk.event_view(s, line.id).status for line in lines},
        "show": filters.show,
    }


listing.register(
    router,
    "/payment-events",
    "web.payment_events",
    asked=_event_query,
    lister=reporting_events.list_events,
    template="events/list.html",
    to_csv=export.events_csv,
    context=_event_lines,
)


@dataclass
class PaymentBlock:
    payment: Payment
    account: Account
    contracts: dict[int, Contract]
    open_debt: dict[int, int]
    actions: frozenset[PaymentAction]


def _event_context(web: Web, event_id: int) -> dict[str, object]:
    with web.db.reading() as s:
        view = desk.event_view(s, event_id)
        blocks = []
        for p in view.payments:
            account = accounts.get_account(s, p.account_id)
            balances = accounts.balances(s, p.account_id)
            blocks.append(
                PaymentBlock(
                    p,
                    account,
                    {b.contract.id: b.contract for b in balances},
                    {b.contract.id: b.balance_minor for b in balances},
                    allowed_actions(PaymentStatus(p.status)),
                )
            )
    return {
        "view": view,
        "outcome": receipt.outcome(view),
        "row": EventRow(view, _currency(view, web.settings.currency)),
        "blocks": blocks,
        "errors": {},
        "values": {},
        "A": PaymentAction,
    }


@router.get("/payment-events/{event_id}", name="web.payment_event")
def event_page(event_id: int, web: Web = Depends(page(CASHIER_DESK))):
    return web.render("events/detail.html", **_event_context(web, event_id))


def _receipt(web: Web, event_id: int) -> receipt.Receipt:
    with web.db.reading() as s:
        return receipt.load(s, web.settings, event_id)


@router.get("/payment-events/{event_id}/receipt", name="web.payment_receipt")
def receipt_page(event_id: int, web: Web = Depends(page(CASHIER_DESK))):
    """The printable customer receipt, in the customer's language."""
    r = _receipt(web, event_id)
    gettext = i18n.translations(r.language).gettext
    back_label = i18n.translations(web.lang).gettext("Back to the payment event")
    return web.render(
        "receipts/receipt.html",
        lang=r.language,
        r=r,
        tender_text=lambda t: receipt.tender_text(t, gettext),
        item_text=lambda item: receipt.item_text(item, gettext),
        back=web.url("web.payment_event", event_id=event_id),
        back_label=back_label,
        pdf=web.url("web.payment_receipt_pdf", event_id=event_id),
    )


@router.get("/payment-events/{event_id}/receipt.pdf", name="web.payment_receipt_pdf")
def receipt_pdf(event_id: int, web: Web = Depends(page(CASHIER_DESK))):
    r = _receipt(web, event_id)
    return Response(
        receipt.render_pdf(r, web.settings.timezone),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{event_id}.pdf"'},
    )


def _refused(web: Web, event_id: int, key: str, field: str, message: str, typed: dict[str, str]):
    """The event page again, ``message`` next to ``field`` of the form ``key``; nothing changed."""
    context = _event_context(web, event_id)
    context["errors"] = {key: {field: message}}
    context["values"] = {key: typed}
    return web.render("events/detail.html", status=422, **context)


def _payment(web: Web, payment_id: int) -> Payment:
    with web.db.reading() as s:
        return get_payment(s, payment_id)


def _back(web: Web, event_id: int, message: str):
    return web.redirect(web.url("web.payment_event", event_id=event_id), flash=message)


def _reason(values: FormData) -> str:
    return str(values.get("reason") or "").strip()


def _reason_problem(web: Web, reason: str) -> str | None:
    if not reason:
        return web._("Give the reason.")
    if len(reason) > REASON_LIMIT:
        return web._("The reason is longer than %(n)s characters.", n=REASON_LIMIT)
    return None


def _transition_message(web: Web, payment: Payment) -> str:
    return web._(
        "Payment %(id)s is %(status)s: this is not possible now.",
        id=payment.id,
        status=web._(status_label(payment.status)).lower(),
    )


@router.post("/payments/{payment_id}/distribute", name="web.payment_distribute")
def distribute(
    payment_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """Redistribute by the standard rules, with the match given (or none)."""
    assert web.user is not None
    payment = _payment(web, payment_id)
    key = f"distribute-{payment_id}"
    typed = {
        "match_type": str(values.get("match_type") or "").strip(),
        "match_value": str(values.get("match_value") or "").strip()[:100],
    }
    if typed["match_type"] not in ("", "invoice", "contract"):
        return _refused(
            web, payment.event_id, key, "match_type", web._("Choose invoice or contract."), typed
        )
    if typed["match_value"] and not typed["match_type"]:
        message = web._("Choose whether the value is an invoice or a contract.")
        return _refused(web, payment.event_id, key, "match_type", message, typed)
    if len(typed["match_value"]) > 64:
        message = web._("The value is longer than %(n)s characters.", n=64)
        return _refused(web, payment.event_id, key, "match_value", message, typed)
    try:
        with web.db.transaction() as s:
            done = desk.distribute_payment(
                s,
                web.settings,
                payment_id,
                actor=web.user.username,
                match_type=typed["match_type"] or None,
                match_value=typed["match_value"] or None,
                change_match=True,
            )
            status = done.status
    except InvalidMatch:
        message = web._(
            "The account is open-item: choose invoice or contract and enter its number."
        )
        return _refused(web, payment.event_id, key, "match_value", message, typed)
    except InvalidTransition:
        raise PageError(409, _transition_message(web, payment)) from None
    if status == PaymentStatus.ERROR:
        return _back(
            web, payment.event_id, web._("Payment %(id)s could not be distributed.", id=payment_id)
        )
    return _back(web, payment.event_id, web._("Payment %(id)s distributed.", id=payment_id))


@router.post("/payments/{payment_id}/freeze", name="web.payment_freeze")
def freeze(payment_id: int, web: Web = Depends(form(CASHIER_DESK))):
    assert web.user is not None
    payment = _payment(web, payment_id)
    try:
        with web.db.transaction() as s:
            desk.freeze_payment(s, payment_id, actor=web.user.username)
    except InvalidTransition:
        raise PageError(409, _transition_message(web, payment)) from None
    return _back(web, payment.event_id, web._("Payment %(id)s frozen.", id=payment_id))


def _shares(
    web: Web, payment: Payment, contracts: list[Contract], values: FormData
) -> tuple[dict[int, Money], dict[str, str], dict[str, str]]:
    """The per-contract amounts typed (blank: nothing to that contract)."""
    shares: dict[int, Money] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for contract in contracts:
        name = f"share_{contract.id}"
        text = str(values.get(name) or "").strip()[:40]
        typed[name] = text
        if not text:
            continue
        try:
            amount = i18n.parse_amount(text, payment.currency, web.lang, allow_zero=True)
        except InvalidInput:
            errors[name] = web._(
                "Enter an amount, like %(example)s.", example=i18n.decimal_hint(web.lang)
            )
            continue
        if not amount.is_zero():
            shares[contract.id] = amount
    return shares, typed, errors


def _contracts(web: Web, payment: Payment) -> list[Contract]:
    with web.db.reading() as s:
        return accounts.contracts_of(s, payment.account_id)


@router.post("/payments/{payment_id}/manual", name="web.payment_manual")
def manual(
    payment_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """Per-contract amounts set by hand (they must add up to the payment), then freeze."""
    assert web.user is not None
    payment = _payment(web, payment_id)
    key = f"manual-{payment_id}"
    shares, typed, errors = _shares(web, payment, _contracts(web, payment), values)
    if errors:
        name, message = next(iter(errors.items()))
        return _refused(web, payment.event_id, key, name, message, typed)
    try:
        with web.db.transaction() as s:
            desk.manual_distribution(s, payment_id, dict(shares), actor=web.user.username)
    except InvalidTransition:
        raise PageError(409, _transition_message(web, payment)) from None
    except (InvalidManualDistribution, DistributionError) as refused:
        total = sum((m for m in shares.values()), Money.zero(payment.currency))
        message = web.explain(refused)
        if total.minor != payment.amount_minor:
            message = web._(
                "The amounts add up to %(total)s; the payment is %(amount)s.",
                total=i18n.format_money(total.minor, payment.currency, web.lang),
                amount=i18n.format_money(payment.amount_minor, payment.currency, web.lang),
            )
        return _refused(web, payment.event_id, key, "total", message, typed)
    return _back(
        web, payment.event_id, web._("Payment %(id)s distributed and frozen.", id=payment_id)
    )


@router.post("/payments/{payment_id}/manual-total", name="web.payment_manual_total")
def manual_total(
    payment_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """The running total of the per-contract amounts typed so far (htmx, while typing)."""
    payment = _payment(web, payment_id)
    shares, _typed, errors = _shares(web, payment, _contracts(web, payment), values)
    total = sum((m for m in shares.values()), Money.zero(payment.currency))
    return web.render(
        "events/_manual_total.html",
        payment=payment,
        total_minor=total.minor,
        invalid=bool(errors),
    )


@router.post("/payments/{payment_id}/cancel", name="web.payment_cancel")
def cancel_payment(
    payment_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """Cancel with a reason; a frozen payment is reversed in the ledger."""
    assert web.user is not None
    payment = _payment(web, payment_id)
    reason = _reason(values)
    problem = _reason_problem(web, reason)
    if problem:
        key = f"cancel-payment-{payment_id}"
        return _refused(web, payment.event_id, key, "reason", problem, {"reason": reason})
    if not confirmed(values):
        return web.confirm(
            values,
            question=web._(
                "Cancel payment %(id)s of %(amount)s (reason: %(reason)s)? A frozen payment is "
                "reversed in the ledger.",
                id=payment_id,
                amount=i18n.format_money(payment.amount_minor, payment.currency, web.lang),
                reason=reason,
            ),
            button=web._("Cancel payment"),
            back=web.url("web.payment_event", event_id=payment.event_id),
        )
    try:
        with web.db.transaction() as s:
            desk.cancel_payment(s, payment_id, reason=reason, actor=web.user.username)
    except InvalidTransition:
        raise PageError(409, _transition_message(web, payment)) from None
    return _back(web, payment.event_id, web._("Payment %(id)s cancelled.", id=payment_id))


@router.post("/tenders/{tender_id}/cancel", name="web.tender_cancel")
def cancel_tender(
    tender_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    """Cancel a tender (a bounced cheque): the event's payments are cancelled; points optional."""
    assert web.user is not None
    with web.db.reading() as s:
        tender = s.get(Tender, tender_id)
    if tender is None:
        raise PageError(404, web._("There is no tender %(id)s.", id=tender_id))
    key = f"cancel-tender-{tender_id}"
    reason = _reason(values)
    points_text = str(values.get("cash_only_points") or "0").strip()[:5]
    typed = {"reason": reason, "cash_only_points": points_text}
    problem = _reason_problem(web, reason)
    if problem:
        return _refused(web, tender.event_id, key, "reason", problem, typed)
    if not points_text.isdigit() or int(points_text) > 100:
        message = web._("Enter a whole number from 0 to 100.")
        return _refused(web, tender.event_id, key, "cash_only_points", message, typed)
    if not confirmed(values):
        return web.confirm(
            values,
            question=web._(
                "Cancel tender %(id)s of %(amount)s (reason: %(reason)s)? The payments of its "
                "event are cancelled too.",
                id=tender_id,
                amount=i18n.format_money(tender.amount_minor, tender.currency, web.lang),
                reason=reason,
            ),
            button=web._("Cancel tender"),
            back=web.url("web.payment_event", event_id=tender.event_id),
        )
    try:
        with web.db.transaction() as s:
            desk.cancel_tender(
                s,
                tender_id,
                reason=reason,
                actor=web.user.username,
                cash_only_points=int(points_text),
                points_end=wallet.points_end(web.settings.cashier.cash_only_points_months),
            )
    except InvalidTransition:
        raise PageError(409, web._("Tender %(id)s is already cancelled.", id=tender_id)) from None
    except PaydeskError as refused:
        return _refused(web, tender.event_id, key, "cash_only_points", web.explain(refused), typed)
    return _back(web, tender.event_id, web._("Tender %(id)s cancelled.", id=tender_id))


@router.post("/service-tasks/{task_id}/complete", name="web.task_complete")
def complete_task(
    task_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    """The bank account is the payer's: the event's payments are distributed and frozen."""
    assert web.user is not None
    note = str(values.get("note") or "").strip()
    with web.db.reading() as s:
        task = desk.get_task(s, task_id)
    if len(note) > REASON_LIMIT:
        message = web._("The note is longer than %(n)s characters.", n=REASON_LIMIT)
        return _refused(web, task.event_id, f"task-{task_id}", "note", message, {"note": note})
    try:
        with web.db.transaction() as s:
            desk.complete_task(
                s, web.settings, task_id, actor=web.user.username, message=note or None
            )
    except InvalidTransition:
        raise PageError(
            409, web._("Service task %(id)s is already finished.", id=task_id)
        ) from None
    return _back(
        web, task.event_id, web._("Bank account confirmed (service task %(id)s).", id=task_id)
    )


@router.post("/service-tasks/{task_id}/reject", name="web.task_reject")
def reject_task(
    task_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    """The bank account is not the payer's: the payment event is cancelled."""
    assert web.user is not None
    with web.db.reading() as s:
        task = desk.get_task(s, task_id)
    reason = _reason(values)
    problem = _reason_problem(web, reason)
    if problem:
        key = f"task-{task_id}"
        return _refused(web, task.event_id, key, "reason", problem, {"reason": reason})
    try:
        with web.db.transaction() as s:
            desk.reject_task(s, task_id, actor=web.user.username, reason=reason)
    except InvalidTransition:
        raise PageError(
            409, web._("Service task %(id)s is already finished.", id=task_id)
        ) from None
    return _back(
        web, task.event_id, web._("Bank account rejected (service task %(id)s).", id=task_id)
    )
