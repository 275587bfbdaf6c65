"""Cash drawer: open a session with a float, see the session's tenders and what is expected per
tender type, close it by counting — expected, counted and the difference are shown and kept."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.datastructures import FormData

from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import drawers
from paydesk.cashier.errors import DrawerNotYours
from paydesk.cashier.models import CashDrawerSession
from paydesk.errors import InvalidInput
from paydesk.money import Money
from paydesk.payments.models import Tender
from paydesk.reporting import drawers as drawer_list
from paydesk.reporting import export
from paydesk.web import i18n, listing
from paydesk.web.pages import PageError, PageRoute, Web, confirmed, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

RECENT = 5
NOTE_LIMIT = 500


def _context(web: Web, closed: int | None = None) -> dict[str, object]:
    assert web.user is not None
    with web.db.reading() as s:
        drawer = drawers.open_drawer_of(s, web.user.username)
        tenders: list[Tender] = []
        expected = None
        if drawer is not None:
            tenders = list(
                s.scalars(
                    select(Tender).where(Tender.drawer_session_id == drawer.id).order_by(Tender.id)
                )
            )
            expected = drawers.reconciliation(s, drawer, {})
        recent = list(
            s.scalars(
                select(CashDrawerSession)
                .where(
                    CashDrawerSession.cashier == web.user.username,
                    CashDrawerSession.status == "closed",
                )
                .order_by(CashDrawerSession.id.desc())
                .limit(RECENT)
            )
        )
        shown = None
        if closed is not None:
            shown = drawers.get_drawer(s, closed)
            if shown.cashier != web.user.username and not web.may(SUPERVISORS):
                raise PageError(403, web._("Your role may not do this."))
    return {
        "drawer": drawer,
        "tenders": tenders,
        "expected": expected,
        "recent": recent,
        "shown": shown,
        "errors": {},
        "values": {},
    }


def _drawer_query(
    web: Web = Depends(page(CASHIER_DESK)),
    status: str = "",
    cashier: str = "",
    dated: listing.DatedQuery = Depends(),
) -> tuple[Web, listing.ListQuery, drawer_list.DrawerFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors. A
    cashier sees their own drawers; supervisors and admins everyone's (or one cashier's)."""
    assert web.user is not None
    if not web.may(SUPERVISORS):
        cashier = web.user.username
    chosen = {
        "status": status if status in drawer_list.STATUSES else "",
        "cashier": cashier.strip()[:64],
    }
    query = listing.read_dated(web, drawer_list.SORTS, dated, chosen)
    filters = drawer_list.DrawerFilter(
        chosen["status"] or None, chosen["cashier"] or None, query.days["from"], query.days["to"]
    )
    return web, query, filters


listing.register(
    router,
    "/cash-drawers",
    "web.cash_drawers",
    asked=_drawer_query,
    lister=drawer_list.list_drawers,
    template="drawer/list.html",
    to_csv=export.DRAWERS.csv,
    context=lambda web, s, found, filters: {
        "drawers": found,
        "statuses": drawer_list.STATUSES,
        "any_cashier": web.may(SUPERVISORS),
    },
)


@router.get("/cash-drawer/{drawer_id}/report", name="web.cash_drawer_report")
def drawer_report(drawer_id: int, web: Web = Depends(page(CASHIER_DESK))):
    """The printable drawer report of a closed drawer: float, per tender type expected, counted
    and difference, and every tender of the session."""
    assert web.user is not None
    with web.db.reading() as s:
        drawer = drawers.get_drawer(s, drawer_id)
        if drawer.cashier != web.user.username and not web.may(SUPERVISORS):
            raise PageError(
                403, web._("This cash drawer is %(cashier)s's.", cashier=drawer.cashier)
            )
        if drawer.status != "closed":
            raise PageError(
                409,
                web._("Cash drawer %(id)s is still open: count and close it first.", id=drawer_id),
            )
        tenders = list(
            s.scalars(
                select(Tender).where(Tender.drawer_session_id == drawer.id).order_by(Tender.id)
            )
        )
    return web.render("drawer/report.html", drawer=drawer, tenders=tenders)


@router.get("/cash-drawer", name="web.cash_drawer")
def drawer_page(closed: int | None = None, web: Web = Depends(page(CASHIER_DESK))):
    return web.render("drawer/drawer.html", **_context(web, closed))


@router.post("/cash-drawer/open", name="web.cash_drawer_open")
def open_drawer(values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))):
    """Open the cashier's drawer session with a cash float (in the installation's currency)."""
    assert web.user is not None
    typed = str(values.get("float_amount") or "").strip()[:40]
    try:
        amount = i18n.parse_amount(typed or "0", web.settings.currency, web.lang, allow_zero=True)
    except InvalidInput:
        context = _context(web)
        context["errors"] = {
            "float_amount": web._(
                "Enter the float, like %(example)s (0 for none).",
                example=i18n.decimal_hint(web.lang),
            )
        }
        context["values"] = {"float_amount": typed}
        return web.render("drawer/drawer.html", status=422, **context)
    with web.db.transaction() as s:
        drawer = drawers.open_drawer(s, cashier=web.user.username, float_amount=amount)
        drawer_id = drawer.id
    return web.redirect(
        web.url("web.cash_drawer"),
        flash=web._("Cash drawer %(id)s opened.", id=drawer_id),
    )


def _check_may_close(web: Web, drawer: CashDrawerSession) -> None:
    """Refuse another cashier's drawer before reading the form (the rule: ``drawers``)."""
    assert web.user is not None
    try:
        drawers.check_may_close(drawer, actor=web.user.username, role=web.user.role)
    except DrawerNotYours as error:
        raise PageError(
            403, web._("This cash drawer is %(cashier)s's.", cashier=error.extra["cashier"])
        ) from None


@router.post("/cash-drawer/{drawer_id}/close", name="web.cash_drawer_close")
def close_drawer(
    drawer_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """Close by counting each tender type (every one shown must be counted; 0 is a count)."""
    assert web.user is not None
    with web.db.reading() as s:
        drawer = drawers.get_drawer(s, drawer_id)
        _check_may_close(web, drawer)
        if drawer.status != "open":
            raise PageError(409, web._("Cash drawer %(id)s is already closed.", id=drawer_id))
        codes = [line.type_code for line in drawers.reconciliation(s, drawer, {}).lines]
    counted: dict[str, Money] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code in codes:
        name = f"counted_{code}"
        text = str(values.get(name) or "").strip()[:40]
        typed[name] = text
        if not text:
            errors[name] = web._("Enter what you counted (0 for nothing).")
            continue
        try:
            counted[code] = i18n.parse_amount(text, drawer.currency, web.lang, allow_zero=True)
        except InvalidInput:
            errors[name] = web._(
                "Enter an amount, like %(example)s.", example=i18n.decimal_hint(web.lang)
            )
    note = str(values.get("note") or "").strip()
    typed["note"] = note
    if len(note) > NOTE_LIMIT:
        errors["note"] = web._("The note is longer than %(n)s characters.", n=NOTE_LIMIT)
    if errors:
        context = _context(web)
        context["errors"] = errors
        context["values"] = typed
        return web.render("drawer/drawer.html", status=422, **context)
    if not confirmed(values):
        return web.confirm(
            values,
            question=web._(
                "Close cash drawer %(id)s with the amounts you counted? It cannot take tenders "
                "after closing.",
                id=drawer_id,
            ),
            button=web._("Close drawer"),
            back=web.url("web.cash_drawer"),
        )
    with web.db.transaction() as s:
        drawers.close_drawer(
            s,
            drawer_id,
            counted=counted,
            actor=web.user.username,
            role=web.user.role,
            note=note or None,
        )
    return web.redirect(
        web.url("web.cash_drawer") + f"?closed={drawer_id}",
        flash=web._("Cash drawer %(id)s closed.", id=drawer_id),
    )
