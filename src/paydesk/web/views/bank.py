"""Bank entries: imported camt files with what each import did, the entries held unmatched with
their reason, *assign to a code*, *mark for return*, and uploading a camt file.

A refused file and a rejected entry are written in the page's language from their codes
(:func:`paydesk.web.error_texts.refusal_text`, :func:`~paydesk.web.error_texts.entry_reason`)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Query, Request
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
from paydesk.errors import Conflict, NotFound
from paydesk.payments.service import policy_of
from paydesk.reporting import bank_entries as entry_list
from paydesk.reporting import bank_files as file_list
from paydesk.reporting import export
from paydesk.web import error_texts, listing
from paydesk.web.i18n import N_
from paydesk.web.labels import status_label
from paydesk.web.pages import PageError, PageRoute, Web, form, load_web, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
FILES_SHOWN = 20
#: Room for the multipart framing and the other fields around the file.
_FORM_OVERHEAD = 64 * 1024
#: Roles that upload camt files from the page.
UPLOADERS = BACK_OFFICE


#: The sources a file list filters by, as the page names them.
FILE_SOURCES = {
    "web": N_("Web page"),
    "api": N_("API"),
    "cli": N_("Command line"),
    "inbox": N_("Inbox folder"),
    "feed": N_("Bank feed"),
    "push": N_("Pushed by the bank"),
}


def _texts(web: Web) -> dict[str, object]:
    """What the bank pages write in their language: a file's source, a refused file's refusal
    and a held or rejected entry's reason."""
    return {
        "source_labels": {value: web._(label) for value, label in FILE_SOURCES.items()},
        "refusal_of": partial(error_texts.refusal_text, lang=web.lang),
        "reason_of": partial(error_texts.entry_reason, lang=web.lang),
        "failure_of": partial(error_texts.failure_text, lang=web.lang),
    }


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
        **_texts(web),
    }


def _file_query(
    web: Web = Depends(page(ANYONE)),
    status: str = "",
    source: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = file_list.SORTS.default,
    offset: int = 0,
) -> tuple[Web, listing.ListQuery, file_list.FileFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    chosen = {
        "status": status if status in file_list.STATUSES else "",
        "source": source if source in FILE_SOURCES else "",
    }
    query = listing.read(
        web,
        file_list.SORTS,
        sort=sort,
        offset=offset,
        values=chosen,
        dates={"from": date_from, "to": date_to},
    )
    filters = file_list.FileFilter(
        chosen["status"] or None, chosen["source"] or None, query.days["from"], query.days["to"]
    )
    return web, query, filters


@router.get("/bank/files", name="web.bank_files")
def file_list_page(asked=Depends(_file_query)):
    """Every imported bank file: by status, source and import date, sorted, paged, as CSV."""
    web, query, filters = asked
    with web.db.reading() as s:
        files, total = file_list.list_files(
            s, filters, sort=query.sort, limit=PAGE_SIZE, offset=query.offset
        )
    return listing.render(
        web,
        "bank/files.html",
        query,
        total=total,
        csv_route="web.bank_files_csv",
        files=files,
        statuses=file_list.STATUSES,
        sources=list(FILE_SOURCES),
        **_texts(web),
    )


@router.get("/bank/files.csv", name="web.bank_files_csv")
def file_list_csv(asked=Depends(_file_query)):
    web, query, filters = asked
    query.refuse_errors()
    with web.db.reading() as s:
        files, _total = file_list.list_files(s, filters, sort=query.sort, limit=export.MAX_ROWS)
    return listing.csv_response(export.BANK_FILES.csv(files), "bank-files.csv")


def _entry_query(
    web: Web = Depends(page(ANYONE)),
    status: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    sort: str = entry_list.SORTS.default,
    offset: int = 0,
) -> tuple[Web, listing.ListQuery, entry_list.EntryFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    chosen = status if status in entry_list.STATUSES else ""
    query = listing.read(
        web,
        entry_list.SORTS,
        sort=sort,
        offset=offset,
        values={"status": chosen},
        dates={"from": date_from, "to": date_to},
    )
    filters = entry_list.EntryFilter(chosen or None, query.days["from"], query.days["to"])
    return web, query, filters


@router.get("/bank/list", name="web.bank_entry_list")
def entry_list_page(asked=Depends(_entry_query)):
    """Every bank entry: by status and booking date, sorted, paged, exported as CSV."""
    web, query, filters = asked
    with web.db.reading() as s:
        entries, total = entry_list.list_entries(
            s, filters, sort=query.sort, limit=PAGE_SIZE, offset=query.offset
        )
    return listing.render(
        web,
        "bank/list.html",
        query,
        total=total,
        csv_route="web.bank_entry_list_csv",
        entries=entries,
        statuses=entry_list.STATUSES,
        **_texts(web),
    )


@router.get("/bank/list.csv", name="web.bank_entry_list_csv")
def entry_list_csv(asked=Depends(_entry_query)):
    web, query, filters = asked
    query.refuse_errors()
    with web.db.reading() as s:
        entries, _total = entry_list.list_entries(
            s, filters, sort=query.sort, limit=export.MAX_ROWS
        )
    return listing.csv_response(export.bank_entries_csv(entries), "bank-entries.csv")


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
            problem = f"{web._('The file was refused.')} {web.explain(refused)}"
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
        reason = error_texts.failure_text(failure.error_type, failure.error, web.lang)
        flash = web._("Feed document %(id)s failed again: %(reason)s", id=failure_id, reason=reason)
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
