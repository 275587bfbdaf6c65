"""Payment codes ("interconnections"): list with filters, detail with every payment, update
status, cancel with a reason, print the slip."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account
from paydesk.audit import trail
from paydesk.auth.roles import DESK, SUPERVISORS
from paydesk.bank import connector
from paydesk.codes import rf
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.codes.status import CANCELLABLE, CodeStatus
from paydesk.documents import service as documents
from paydesk.reporting import export
from paydesk.slips import service as slips
from paydesk.slips.render import SlipData, render_html, render_pdf
from paydesk.web import listing
from paydesk.web.labels import KINDS, status_label
from paydesk.web.pages import PageError, PageRoute, Web, confirmed, form, page, posted_form
from paydesk.webhooks.delivery import deliver_soon

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


def _code_query(
    web: Web = Depends(page()),
    status: str = "",
    kind: str = "",
    account: str = "",
    issued_from: str = "",
    issued_to: str = "",
    expiring_by: str = "",
    sort: str = "",
    offset: int = 0,
) -> tuple[Web, listing.ListQuery]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    query = listing.read(
        web,
        codes.SORTS,
        sort=sort,
        offset=offset,
        values={
            "status": status if status in set(CodeStatus) else "",
            "kind": kind if kind in KINDS else "",
            "account": account.strip()[:40],
        },
        dates={"issued_from": issued_from, "issued_to": issued_to, "expiring_by": expiring_by},
        date_range=("issued_from", "issued_to"),
    )
    return web, query


def _search(
    web: Web, query: listing.ListQuery, *, limit: int, offset: int
) -> tuple[list[PaymentCode], int, dict[int, str]]:
    """The codes the list asks for and their account numbers."""
    with web.db.transaction() as s:
        codes.expire_due(s)
    if query.errors:
        return [], 0, {}
    params, days = query.values, query.days
    with web.db.reading() as s:
        account_id = None
        if params["account"]:
            match = accounts.search_accounts(s, query=params["account"], limit=1, offset=0)
            account_id = match[0][0].id if match else -1
        found, total = codes.search(
            s,
            codes.CodeFilter(
                status=params["status"] or None,
                kind=params["kind"] or None,
                account_id=account_id,
                issued_from=days["issued_from"],
                issued_to=days["issued_to"],
                expiring_by=days["expiring_by"],
            ),
            limit=limit,
            offset=offset,
            sort=query.sort,
        )
        return found, total, _account_numbers(s, {c.account_id for c in found})


def _account_numbers(s, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = s.execute(select(Account.id, Account.number).where(Account.id.in_(ids)))
    return {i: number for i, number in rows}


@router.get("/codes", name="web.codes")
def code_list(request: Request, asked=Depends(_code_query)):
    web, query = asked
    found, total, numbers = _search(web, query, limit=PAGE_SIZE, offset=query.offset)
    template = "codes/list.html"
    if web.is_htmx and request.headers.get("HX-Target") == "code-results":
        template = "codes/_results.html"
    return listing.render(
        web,
        template,
        query,
        total=total,
        csv_route="web.codes_csv",
        found=found,
        numbers=numbers,
        statuses=list(CodeStatus),
        kinds=list(KINDS),
    )


@router.get("/codes.csv", name="web.codes_csv")
def code_list_csv(asked=Depends(_code_query)):
    """The filtered codes (every page, at most :data:`export.MAX_ROWS`) as CSV."""
    web, query = asked
    query.refuse_errors()
    found, _total, numbers = _search(web, query, limit=export.MAX_ROWS, offset=0)
    return listing.csv_response(export.codes_csv(found, numbers), "payment-codes.csv")


def _detail_context(web: Web, rf_text: str) -> dict[str, object]:
    with web.db.reading() as s:
        code = codes.get(s, rf_text)
        account = accounts.get_account(s, code.account_id)
        customer = accounts.get_customer(s, account.customer_id)
        document = documents.get(s, code.document_id) if code.document_id else None
        return {
            "code": code,
            "account": account,
            "customer": customer,
            "document": document,
            "payments": codes.payments_of(s, code.id),
            "history": trail.history(s, "payment_code", code.rf),
            "cancellable": code.status in CANCELLABLE,
        }


@router.get("/codes/{rf_code}", name="web.code")
def code_page(rf_code: str, web: Web = Depends(page())):
    with web.db.transaction() as s:
        codes.expire_due(s)
    return web.render("codes/detail.html", errors={}, reason="", **_detail_context(web, rf_code))


@router.post("/codes/{rf_code}/update-status", name="web.code_update_status")
def update_status(rf_code: str, web: Web = Depends(form(DESK))):
    """Bring the code's status up to date: read the bank feed now (when one is configured) and
    expire what is due today; htmx swaps in the status panel and the payments received."""
    done = connector.refresh_code(
        web.db,
        web.settings,
        rf_code,
        handler=getattr(web.request.app.state, "bank_handler", None),
    )
    if done.documents:
        deliver_soon(web.db, web.settings)
    with web.db.transaction() as s:
        codes.expire_due(s)
    context = _detail_context(web, rf_code)
    no_feed = done.reason == connector.NO_FEED
    if web.is_htmx:
        return web.render("codes/_status.html", updated=True, no_feed=no_feed, **context)
    return web.redirect(
        web.url("web.code", rf_code=context["code"].rf),  # type: ignore[attr-defined]
        flash=web._(
            "No bank feed is configured, so no bank was asked: "
            "this is what paydesk has received so far."
        )
        if no_feed
        else web._("Status is up to date."),
    )


@router.post("/codes/{rf_code}/cancel", name="web.code_cancel")
def cancel(
    rf_code: str, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    assert web.user is not None
    reason = str(values.get("reason") or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = web._("Give the reason for cancelling.")
    elif len(reason) > 500:
        errors["reason"] = web._("The reason is longer than 500 characters.")
    if errors:
        return web.render(
            "codes/detail.html",
            status=422,
            errors=errors,
            reason=reason,
            **_detail_context(web, rf_code),
        )
    if not confirmed(values):
        return web.confirm(
            values,
            question=web._(
                "Cancel payment code %(code)s (reason: %(reason)s)? It can no longer be paid.",
                code=rf.format(rf_code) if rf.is_valid(rf_code) else rf_code,
                reason=reason,
            ),
            button=web._("Cancel code"),
            back=web.url("web.code", rf_code=rf_code),
        )
    with web.db.transaction() as s:
        code = codes.get(s, rf_code, lock=True)
        if code.status not in CANCELLABLE:
            raise PageError(
                409,
                web._(
                    "A code that is %(status)s cannot be cancelled.",
                    status=web._(status_label(code.status)).lower(),
                ),
            )
        code = codes.cancel(s, code.rf, reason=reason, actor=web.user.username)
        rf_text = code.rf
    return web.redirect(
        web.url("web.code", rf_code=rf_text),
        flash=web._("Payment code %(code)s cancelled.", code=rf_text),
    )


def _slip(web: Web, rf_code: str, lang: str | None) -> SlipData:
    with web.db.reading() as session:
        return slips.slip_for(
            session, web.settings, rf_code, language=lang if lang in ("en", "el", "pl") else None
        )


@router.get("/codes/{rf_code}/slip", name="web.code_slip")
def slip_html(rf_code: str, lang: str | None = None, web: Web = Depends(page())):
    """The printable slip, in the customer's language unless ``lang`` says otherwise."""
    return HTMLResponse(render_html(_slip(web, rf_code, lang)))


@router.get("/codes/{rf_code}/slip.pdf", name="web.code_slip_pdf")
def slip_pdf(rf_code: str, lang: str | None = None, web: Web = Depends(page())):
    slip = _slip(web, rf_code, lang)
    return Response(
        render_pdf(slip),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{slip.rf_code}.pdf"'},
    )


@router.post("/codes/{rf_code}/send-slip", name="web.code_send_slip")
def send_slip(rf_code: str, web: Web = Depends(form(DESK))):
    """E-mail the slip (PDF attached) to the customer, in the customer's language; the sending
    is recorded on the code and retried by the worker if it fails."""
    delivery = slips.send_slip(web.db, web.settings, rf_code, actor=web.user.username)
    if delivery.error is not None:
        raise PageError(
            502, web._("The slip could not be sent: %(reason)s", reason=web.explain(delivery.error))
        )
    return web.redirect(
        web.url("web.code", rf_code=rf_code),
        flash=web._("Payment slip sent to %(email)s.", email=delivery.sending.to_address),
    )
