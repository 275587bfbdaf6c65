"""The credit-rating page of an account: its cash-only point entries and the total in force.

Everyone at the desk sees it; supervisors and admins add an entry (points, reason, the last
day it counts) or cancel one with a reason, through the same services as the API
(:func:`paydesk.cashier.wallet.change_cash_only_points`, :func:`~.wallet.cancel_point_entry`).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData

from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import wallet
from paydesk.cashier.models import CashOnlyPointChange
from paydesk.errors import Conflict, PaydeskError
from paydesk.web.pages import PageError, PageRoute, Web, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _render(
    web: Web,
    account_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    with web.db.reading() as s:
        rating = wallet.credit_rating(s, web.settings.cashier, account_id)
    months = web.settings.cashier.cash_only_points_months
    default_end = wallet.points_end(months)
    return web.render(
        "accounts/credit_rating.html",
        status=status,
        rating=rating,
        values=values or {"ends_on": default_end.isoformat() if default_end else ""},
        errors=errors or {},
        months=months,
    )


@router.get("/accounts/{account_id}/credit-rating", name="web.credit_rating")
def credit_rating(account_id: int, web: Web = Depends(page(CASHIER_DESK))):
    return _render(web, account_id)


def _text(values: FormData, name: str, limit: int) -> str:
    return str(values.get(name) or "").strip()[:limit]


@router.post("/accounts/{account_id}/credit-rating", name="web.credit_rating_add")
def add_entry(
    account_id: int,
    values: FormData = Depends(posted_form),
    web: Web = Depends(form(SUPERVISORS)),
):
    """Add an entry: points (negative takes points away), reason, last day it counts."""
    assert web.user is not None
    typed = {n: _text(values, n, 500) for n in ("points", "reason", "ends_on")}
    errors: dict[str, str] = {}
    points = typed["points"].lstrip("+")
    number = int(points) if points.lstrip("-").isdigit() and len(points) < 6 else None
    if number is None or number == 0 or abs(number) > 1000:
        errors["points"] = web._("Enter a whole number from -1000 to 1000, not 0.")
    if not typed["reason"]:
        errors["reason"] = web._("Enter the reason.")
    ends_on = None
    if typed["ends_on"]:
        try:
            ends_on = date.fromisoformat(typed["ends_on"])
        except ValueError:
            errors["ends_on"] = web._("Enter a date.")
    if errors:
        return _render(web, account_id, typed, errors, status=422)
    assert number is not None
    try:
        with web.db.transaction() as s:
            wallet.change_cash_only_points(
                s,
                account_id,
                number,
                reason=typed["reason"],
                actor=web.user.username,
                ends_on=ends_on,
            )
    except Conflict:
        message = web._("The account has fewer points than that.")
        return _render(web, account_id, typed, {"points": message}, status=422)
    return web.redirect(
        web.url("web.credit_rating", account_id=account_id), flash=web._("Entry added.")
    )


@router.post("/cash-only-points/{entry_id}/cancel", name="web.credit_rating_cancel")
def cancel_entry(
    entry_id: int,
    values: FormData = Depends(posted_form),
    web: Web = Depends(form(SUPERVISORS)),
):
    """Cancel an entry with a reason: it stays in the history, marked cancelled."""
    assert web.user is not None
    with web.db.reading() as s:
        entry = s.get(CashOnlyPointChange, entry_id)
    if entry is None:
        raise PageError(404, web._("There is no entry %(id)s.", id=entry_id))
    reason = _text(values, "reason", 500)
    key = f"cancel_reason_{entry_id}"
    if not reason:
        errors = {key: web._("Enter the reason.")}
        return _render(web, entry.account_id, {key: reason}, errors, status=422)
    try:
        with web.db.transaction() as s:
            wallet.cancel_point_entry(s, entry_id, reason=reason, actor=web.user.username)
    except PaydeskError:
        raise PageError(409, web._("Entry %(id)s is already cancelled.", id=entry_id)) from None
    return web.redirect(
        web.url("web.credit_rating", account_id=entry.account_id),
        flash=web._("Entry %(id)s cancelled.", id=entry_id),
    )
