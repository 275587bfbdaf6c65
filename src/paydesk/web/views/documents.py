"""Documents: repair orders, counter invoices, vehicle orders, securities batches, invoices.
List, create, move through statuses (which may issue a code), issue a code on request."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account
from paydesk.auth.roles import DESK
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.documents import lifecycle
from paydesk.documents import service as documents
from paydesk.documents.models import Document
from paydesk.documents.service import SecuritySpec
from paydesk.errors import Conflict, InvalidInput
from paydesk.money import Money
from paydesk.reporting import documents as document_list
from paydesk.reporting import export
from paydesk.settings import IssueMode
from paydesk.web import i18n, listing
from paydesk.web.labels import ACTIONS, STATUSES, kind_label
from paydesk.web.pages import PageRoute, Web, confirmed, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIST_LIMIT = 100
#: Rows of cheques / promissory notes offered on the new-document form.
SECURITY_ROWS = 3
KINDS = [k.value for k in lifecycle.DocumentKind]


def _codes_of(s, docs: list[Document]) -> dict[int, PaymentCode]:
    return {d.id: c for d in docs if (c := codes.live_code(s, d.id)) is not None}


def next_statuses(document: Document) -> list[str]:
    """Where the document may go from here, cancel last."""
    allowed = lifecycle.TRANSITIONS[document.kind][document.status]
    return sorted(allowed, key=lambda status: (status == "cancelled", status))


def may_issue_code(web: Web, document: Document, code: PaymentCode | None) -> bool:
    """A code can be asked for when the document has none, owes money and its kind's rule is
    not disabled."""
    return (
        code is None
        and lifecycle.is_receivable(document.kind, document.status)
        and web.settings.rule_for(document.kind).mode != IssueMode.DISABLED
    )


def _document_query(
    web: Web = Depends(page()),
    kind: str = "",
    status: str = "",
    account: str = "",
    dated: listing.DatedQuery = Depends(),
) -> tuple[Web, listing.ListQuery, document_list.DocumentFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors. The
    account is looked up by number (or customer name); none found lists nothing."""
    chosen = {
        "kind": kind if kind in KINDS else "",
        "status": status if status in STATUSES else "",
        "account": account.strip()[:40],
    }
    query = listing.read_dated(web, document_list.SORTS, dated, chosen)
    account_id = None
    if chosen["account"]:
        with web.db.reading() as s:
            match = accounts.search_accounts(s, query=chosen["account"], limit=1, offset=0)
        account_id = match[0][0].id if match else -1
    filters = document_list.DocumentFilter(
        chosen["kind"] or None,
        chosen["status"] or None,
        account_id,
        query.days["from"],
        query.days["to"],
    )
    return web, query, filters


def _document_lines(web: Web, s, found: list, filters: document_list.DocumentFilter):
    docs = [d for d, _number in found]
    return {
        "docs": docs,
        "live": _codes_of(s, docs),
        "numbers": {d.account_id: number for d, number in found},
        "kinds": KINDS,
        "statuses": sorted({st for k in KINDS for st in lifecycle.TRANSITIONS[k]}),
        "next_statuses": next_statuses,
    }


listing.register(
    router,
    "/documents",
    "web.documents",
    asked=_document_query,
    lister=document_list.list_documents,
    template="documents/list.html",
    to_csv=export.DOCUMENTS.csv,
    context=_document_lines,
)


def _account_numbers(s, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {a.id: a.number for a in s.query(Account).filter(Account.id.in_(ids)).all()}


def _new_form(web: Web, status: int = 200, **context: object):
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return web.render(
        "documents/new.html",
        status=status,
        kinds=KINDS,
        security_rows=range(SECURITY_ROWS),
        **context,
    )


@router.get("/documents/new", name="web.document_new")
def new_document(account: str = "", web: Web = Depends(page(DESK))):
    return _new_form(
        web, values={"account": account.strip()[:40], "issue_date": date.today().isoformat()}
    )


def _parse_date(text: str, errors: dict[str, str], field: str, web: Web) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = web._("Enter a date.")
        return None


def _amount_hint(web: Web) -> str:
    return web._(
        "Enter an amount greater than zero, like %(example)s.", example=i18n.decimal_hint(web.lang)
    )


def _account_named(web: Web, number: str) -> Account | None:
    if not number:
        return None
    with web.db.reading() as s:
        return s.query(Account).filter(Account.number == number).one_or_none()


def _read_securities(
    web: Web, text: dict[str, str], currency: str, errors: dict[str, str]
) -> list[SecuritySpec]:
    """The batch's cheques and promissory notes, a row each (blank rows skipped); the errors of
    a row go to ``errors`` by field."""
    securities: list[SecuritySpec] = []
    for row in range(SECURITY_ROWS):
        number = text.get(f"security_{row}_number", "")
        amount_text = text.get(f"security_{row}_amount", "")
        maturity_text = text.get(f"security_{row}_maturity", "")
        if not (number or amount_text or maturity_text):
            continue
        row_errors = len(errors)
        if not number:
            errors[f"security_{row}_number"] = web._("Enter the cheque or note number.")
        maturity = _parse_date(maturity_text, errors, f"security_{row}_maturity", web)
        if maturity is None and f"security_{row}_maturity" not in errors:
            errors[f"security_{row}_maturity"] = web._("Enter a date.")
        try:
            row_amount = i18n.parse_amount(amount_text, currency, web.lang)
        except InvalidInput:
            errors[f"security_{row}_amount"] = _amount_hint(web)
        if len(errors) == row_errors and maturity is not None:
            instrument = text.get(f"security_{row}_instrument", "cheque")
            securities.append(SecuritySpec(instrument, number, maturity, row_amount))
    if not securities and not any(k.startswith("security_") for k in errors):
        errors["securities"] = web._("List at least one cheque or promissory note.")
    return securities


@router.post("/documents", name="web.document_create")
def create_document(values: FormData = Depends(posted_form), web: Web = Depends(form(DESK))):
    """Create a document; a rule may issue its payment code at once."""
    assert web.user is not None
    text = {key: str(values.get(key) or "").strip() for key in values}
    errors: dict[str, str] = {}
    kind = text.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = web._("Choose the kind of document.")
    if not text.get("number"):
        errors["number"] = web._("Enter the document number.")
    elif len(text["number"]) > 40:
        errors["number"] = web._("The number is longer than 40 characters.")
    issue_date = _parse_date(text.get("issue_date", ""), errors, "issue_date", web)
    due_date = _parse_date(text.get("due_date", ""), errors, "due_date", web)
    if issue_date and due_date and due_date < issue_date:
        errors["due_date"] = web._("The due date is before the issue date.")
    account = _account_named(web, text.get("account", ""))
    if account is None:
        errors["account"] = web._("Enter the number of an existing account.")
    currency = account.currency if account else web.settings.currency
    amount: Money | None = None
    securities: list[SecuritySpec] = []
    if kind == "securities_batch":
        securities = _read_securities(web, text, currency, errors)
    else:
        try:
            amount = i18n.parse_amount(text.get("amount", ""), currency, web.lang)
        except InvalidInput:
            errors["amount"] = _amount_hint(web)
    if errors:
        return _new_form(
            web, status=422, errors=errors, values=text, message=web._("Correct the marked fields.")
        )
    assert account is not None and issue_date is not None
    try:
        with web.db.transaction() as s:
            change = documents.create(
                s,
                web.settings,
                account=accounts.get_account(s, account.id),
                kind=kind,
                number=text["number"],
                amount=amount,
                issue_date=issue_date,
                due_date=due_date,
                status=text.get("status") or None,
                issue_payment_code=kind == "securities_batch" and "issue_payment_code" in values,
                securities=securities,
                actor=web.user.username,
            )
            document_id = change.document.id
            issued = change.code.rf if change.code_created and change.code else None
    except (InvalidInput, Conflict) as refused:
        return _new_form(
            web, status=refused.status, errors={}, values=text, message=web.explain(refused)
        )
    flash = web._("Document saved.")
    if issued:
        flash = web._("Document saved. Payment code %(code)s issued.", code=issued)
    return web.redirect(web.url("web.document", document_id=document_id), flash=flash)


@router.get("/documents/{document_id}", name="web.document")
def document_page(document_id: int, web: Web = Depends(page())):
    return _render_document(web, document_id)


def _render_document(web: Web, document_id: int, status: int = 200, **extra: object):
    with web.db.reading() as s:
        document = documents.get(s, document_id)
        code = codes.live_code(s, document.id)
        account = accounts.get_account(s, document.account_id)
        context = {
            "document": document,
            "code": code,
            "account": account,
            "securities": documents.securities_of(s, document.id),
            "next": next_statuses(document),
            "may_issue_code": may_issue_code(web, document, code),
        }
    extra.setdefault("errors", {})
    extra.setdefault("reason", "")
    return web.render("documents/detail.html", status=status, **context, **extra)


@router.post("/documents/{document_id}/status", name="web.document_status")
def change_status(
    request: Request,
    document_id: int,
    values: FormData = Depends(posted_form),
    web: Web = Depends(form(DESK)),
):
    """Move the document (e.g. a repair order to ready for invoicing, which issues its code).
    From the documents list (htmx) the answer is the document's new row."""
    assert web.user is not None
    target = str(values.get("status") or "")
    reason = str(values.get("reason") or "").strip()
    if target == "cancelled" and not reason:
        return _render_document(
            web,
            document_id,
            status=422,
            errors={"reason": web._("Give the reason for cancelling.")},
        )
    if len(reason) > 500:
        return _render_document(
            web,
            document_id,
            status=422,
            errors={"reason": web._("The reason is longer than 500 characters.")},
            reason=reason,
        )
    if not confirmed(values):
        with web.db.reading() as s:
            document = documents.get(s, document_id)
        if target in next_statuses(document):
            action = web._(ACTIONS.get(target, target))
            return web.confirm(
                values,
                question=web._(
                    "%(action)s: %(kind)s %(number)s.",
                    action=action,
                    kind=web._(kind_label(document.kind)),
                    number=document.number,
                ),
                button=action,
                back=web.url("web.documents")
                if values.get("view") == "row"
                else web.url("web.document", document_id=document_id),
            )
    with web.db.transaction() as s:
        change = documents.change_status(
            s, web.settings, document_id, target, actor=web.user.username, reason=reason or None
        )
        issued = change.code.rf if change.code_created and change.code else None
    flash = web._("Status changed.")
    if issued:
        flash = web._("Status changed. Payment code %(code)s issued.", code=issued)
    if web.is_htmx and values.get("view") == "row":
        with web.db.reading() as s:
            document = documents.get(s, document_id)
            live = _codes_of(s, [document])
            numbers = _account_numbers(s, {document.account_id})
        return web.render(
            "documents/_row.html",
            d=document,
            live=live,
            numbers=numbers,
            next_statuses=next_statuses,
            notice=flash,
        )
    return web.redirect(web.url("web.document", document_id=document_id), flash=flash)


@router.post("/documents/{document_id}/payment-code", name="web.document_issue_code")
def issue_code(document_id: int, web: Web = Depends(form(DESK))):
    """Issue the document's code on request (vehicle orders); a document has at most one."""
    assert web.user is not None
    with web.db.transaction() as s:
        document = documents.get(s, document_id, lock=True)
        issued = codes.issue_for_document(s, web.settings, document, actor=web.user.username)
        rf_code = issued.code.rf
    return web.redirect(
        web.url("web.code", rf_code=rf_code),
        flash=web._("Payment code %(code)s issued.", code=rf_code),
    )
