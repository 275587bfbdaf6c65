"""Bank entries: imported camt files with what each import did, the entries held unmatched with
their reason, *assign to a code*, *mark for return*, and uploading a camt file."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select
from starlette.datastructures import FormData, UploadFile

from paydesk.auth.roles import ANYONE, BACK_OFFICE, SUPERVISORS
from paydesk.bank import service as bank
from paydesk.bank import set_aside
from paydesk.bank.camt import InvalidBankFile
from paydesk.bank.importer import entry_rules, import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.codes import rf
from paydesk.codes import service as codes
from paydesk.codes.status import PAYABLE
from paydesk.directdebits.service import ReturnRules
from paydesk.errors import Conflict, InvalidInput, NotFound
from paydesk.payments.service import policy_of
from paydesk.reporting import bank_entries as entry_list
from paydesk.reporting import export
from paydesk.web.labels import status_label
from paydesk.web.pages import PageError, PageRoute, Web, form, load_web, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
FILES_SHOWN = 20
#: Room for the multipart framing and the other fields around the file.
_FORM_OVERHEAD = 64 * 1024
#: Roles that upload camt files from the page.
UPLOADERS = BACK_OFFICE


def _context(web: Web, *, offset: int = 0, imported: int | None = None) -> dict[str, object]:
    offset = max(offset, 0)
    with web.db.reading() as s:
        held = bank.list_entries(s, status="unmatched", limit=PAGE_SIZE, offset=offset)
        total = s.scalar(
            select(func.count()).select_from(BankEntry).where(BankEntry.status == "unmatched")
        )
        files = bank.list_files(s, limit=FILES_SHOWN, offset=0)
        summary = s.get(BankFile, imported) if imported is not None else None
        put_aside, put_aside_total = set_aside.list_failures(s, limit=FILES_SHOWN)
    return {
        "entries": held,
        "total": total or 0,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "files": files,
        "set_aside": put_aside,
        "set_aside_total": put_aside_total,
        "summary": summary,
        "upload_error": None,
        "entry_errors": {},
        "entry_values": {},
        "may_upload": web.may(UPLOADERS),
        "max_megabytes": _megabytes(web),
    }


def _entry_filter(
    web: Web, status: str, date_from: str, date_to: str, sort: str
) -> tuple[entry_list.EntryFilter, str, dict[str, str]]:
    """The list's filters and sort from the query string; the errors of bad dates."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in (("from", date_from), ("to", date_to)):
        days[name] = None
        if text:
            try:
                days[name] = date.fromisoformat(text)
            except ValueError:
                errors[name] = web._("Enter a date.")
    if days["from"] and days["to"] and days["to"] < days["from"]:
        errors["to"] = web._("The end date is before the start date.")
        days["to"] = None
    try:
        entry_list.check_sort(sort)
    except InvalidInput:
        sort = entry_list.DEFAULT_SORT
    chosen = status if status in entry_list.STATUSES else None
    return entry_list.EntryFilter(chosen, days["from"], days["to"]), sort, errors


@router.get("/bank/list", name="web.bank_entry_list")
def entry_list_page(
    status: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = entry_list.DEFAULT_SORT,
    offset: int = 0,
    web: Web = Depends(page(ANYONE)),
):
    """Every bank entry: by status and booking date, sorted, paged, exported as CSV."""
    filters, sort, errors = _entry_filter(web, status, date_from.strip(), date_to.strip(), sort)
    offset = max(offset, 0)
    with web.db.reading() as s:
        entries, total = entry_list.list_entries(
            s, filters, sort=sort, limit=PAGE_SIZE, offset=offset
        )
    query = {"status": filters.status or "", "from": date_from, "to": date_to, "sort": sort}
    return web.render(
        "bank/list.html",
        status=422 if errors else 200,
        entries=entries,
        total=total,
        statuses=entry_list.STATUSES,
        filters=query,
        errors=errors,
        sort=sort,
        offset=offset,
        page_size=PAGE_SIZE,
        query=query,
        csv_url=web.url("web.bank_entry_list_csv") + "?" + urlencode(query),
    )


@router.get("/bank/list.csv", name="web.bank_entry_list_csv")
def entry_list_csv(
    status: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = entry_list.DEFAULT_SORT,
    web: Web = Depends(page(ANYONE)),
):
    filters, sort, errors = _entry_filter(web, status, date_from.strip(), date_to.strip(), sort)
    if errors:
        raise PageError(422, " ".join(errors.values()))
    with web.db.reading() as s:
        entries, _total = entry_list.list_entries(s, filters, sort=sort, limit=export.MAX_ROWS)
    return Response(
        export.bank_entries_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="bank-entries.csv"'},
    )


@router.get("/bank", name="web.bank_entries")
def bank_entries(offset: int = 0, imported: int | None = None, web: Web = Depends(page(ANYONE))):
    return web.render("bank/entries.html", **_context(web, offset=offset, imported=imported))


def _within_upload_limit(request: Request) -> None:
    """Refuse an upload by its declared size before its body is read."""
    limit: int = request.app.state.settings.web_upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + _FORM_OVERHEAD:
        raise PageError(413, _too_large(load_web(request)))


def _megabytes(web: Web) -> str:
    return f"{web.settings.web_upload_max_bytes / (1024 * 1024):.3g}"


def _too_large(web: Web) -> str:
    return web._(
        "The file is larger than %(size)s MB. Larger files go through the API or the inbox folder.",
        size=_megabytes(web),
    )


@router.post(
    "/bank/files",
    name="web.bank_upload",
    dependencies=[Depends(_within_upload_limit)],
)
def upload(values: FormData = Depends(posted_form), web: Web = Depends(form(UPLOADERS))):
    """Import an uploaded camt.053/054 file; then show what the import did."""
    assert web.user is not None
    upload = values.get("file")
    problem: str | None = None
    status = 422
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = web._("Choose a camt.053 or camt.054 file.")
    else:
        try:
            summary = import_file(
                web.db,
                upload.file,
                name=upload.filename,
                origin="web",
                actor=web.user.username,
                max_bytes=web.settings.web_upload_max_bytes,
                policy=policy_of(web.settings),
                rules=entry_rules(web.settings),
                returns=ReturnRules.of(web.settings),
            )
        except InvalidBankFile as refused:
            problem = web._("The file was refused: %(reason)s", reason=refused.detail)
            status = refused.status
        else:
            return web.redirect(
                web.url("web.bank_entries") + f"?imported={summary.file_id}",
                flash=web._("File %(name)s imported.", name=upload.filename),
            )
    context = _context(web)
    context["upload_error"] = problem
    if web.is_htmx:
        return web.render("bank/_upload.html", status=status, **context)
    return web.render("bank/entries.html", status=status, **context)


@router.post("/bank/feed-failures/{failure_id}/retry", name="web.bank_feed_retry")
def retry_feed_document(failure_id: int, web: Web = Depends(form(UPLOADERS))):
    """Import a feed document put aside again; say whether it worked."""
    assert web.user is not None
    try:
        failure = set_aside.retry(web.db, web.settings, failure_id, actor=web.user.username)
    except NotFound:
        raise PageError(
            404, web._("There is no feed document %(id)s put aside.", id=failure_id)
        ) from None
    except Conflict:
        raise PageError(
            409, web._("Feed document %(id)s was imported already.", id=failure_id)
        ) from None
    if failure.status == set_aside.IMPORTED:
        flash = web._("Feed document %(id)s imported.", id=failure_id)
    else:
        flash = web._(
            "Feed document %(id)s failed again: %(reason)s", id=failure_id, reason=failure.error
        )
    return web.redirect(web.url("web.bank_entries"), flash=flash)


def _held(web: Web, entry_id: int) -> BankEntry:
    with web.db.reading() as s:
        try:
            entry = bank.get_entry(s, entry_id)
        except NotFound:
            raise PageError(404, web._("There is no bank entry %(id)s.", id=entry_id)) from None
    if entry.status != "unmatched":
        raise PageError(
            409,
            web._(
                "Bank entry %(id)s is %(status)s; only unmatched entries are handled here.",
                id=entry_id,
                status=web._(status_label(entry.status)).lower(),
            ),
        )
    return entry


def _refuse_on_row(web: Web, entry: BankEntry, field: str, message: str, typed: str):
    """Show ``message`` next to ``field`` of the entry's row; nothing was changed."""
    context = _context(web)
    context["entry_errors"] = {entry.id: {field: message}}
    context["entry_values"] = {entry.id: {field: typed}}
    if web.is_htmx:
        return web.render("bank/_entry.html", status=422, e=entry, **context)
    return web.render("bank/entries.html", status=422, **context)


@router.post("/bank/entries/{entry_id}/assign", name="web.bank_assign")
def assign(
    entry_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    """Post an unmatched credit on the code a supervisor names."""
    assert web.user is not None
    entry = _held(web, entry_id)
    typed = str(values.get("rf") or "").strip()[:60]
    if entry.reversal:
        raise PageError(409, web._("A reversal is not assigned to a code."))
    problem: str | None = None
    code_rf = ""
    with web.db.transaction() as s:
        if not typed:
            problem = web._("Enter the RF code to assign the payment to.")
        else:
            try:
                code = codes.get(s, typed, lock=True)
            except rf.InvalidPaymentCode:
                problem = web._("%(text)s is not a valid RF code.", text=typed)
            except NotFound:
                problem = web._("There is no payment code %(code)s.", code=typed)
            else:
                code_rf = code.rf
                if code.status not in PAYABLE:
                    problem = web._(
                        "Payment code %(code)s is %(status)s and takes no payments.",
                        code=rf.format(code.rf),
                        status=web._(status_label(code.status)).lower(),
                    )
                elif code.currency != entry.currency:
                    problem = web._(
                        "The entry is in %(entry)s, the code in %(code)s.",
                        entry=entry.currency or "",
                        code=code.currency,
                    )
        if problem is None:
            bank.assign(s, entry.id, code_rf, actor=web.user.username, settings=web.settings)
    if problem is not None:
        return _refuse_on_row(web, entry, "rf", problem, typed)
    return web.redirect(
        web.url("web.bank_entries"),
        flash=web._(
            "Bank entry %(id)s assigned to payment code %(code)s.",
            id=entry.id,
            code=rf.format(code_rf),
        ),
    )


@router.post("/bank/entries/{entry_id}/return", name="web.bank_return")
def mark_for_return(
    entry_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))
):
    """The money goes back to the payer: the entry leaves the unmatched list, with the reason."""
    assert web.user is not None
    entry = _held(web, entry_id)
    reason = str(values.get("reason") or "").strip()
    if not reason:
        return _refuse_on_row(
            web, entry, "reason", web._("Give the reason for returning the money."), reason
        )
    if len(reason) > 500:
        return _refuse_on_row(
            web, entry, "reason", web._("The reason is longer than 500 characters."), reason
        )
    with web.db.transaction() as s:
        bank.mark_for_return(s, entry.id, reason=reason, actor=web.user.username)
    return web.redirect(
        web.url("web.bank_entries"),
        flash=web._("Bank entry %(id)s marked for return.", id=entry.id),
    )
