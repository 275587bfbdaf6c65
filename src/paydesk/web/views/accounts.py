"""Accounts: search, and the account 360 page (customer, contracts with balances, documents,
payment codes, payments) with its actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account, Customer
from paydesk.auth.roles import BACK_OFFICE, DESK
from paydesk.codes import service as codes
from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.documents import service as documents
from paydesk.documents.models import Document
from paydesk.errors import Conflict, InvalidCurrency, InvalidInput
from paydesk.payments.models import Payment, PaymentEvent
from paydesk.reporting import accounts as account_list
from paydesk.reporting import export
from paydesk.web import i18n, listing
from paydesk.web.pages import PageRoute, Web, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIST_LIMIT = 100


def _account_query(
    web: Web = Depends(page()),
    q: str = "",
    customer_class: str = "",
    dated: listing.DatedQuery = Depends(),
) -> tuple[Web, listing.ListQuery, account_list.AccountFilter]:
    """The list's filters, sort and page from the query string; bad dates are errors."""
    chosen = {
        "q": q.strip()[:100],
        "customer_class": customer_class if customer_class in set(accounts.CustomerClass) else "",
    }
    query = listing.read_dated(web, account_list.SORTS, dated, chosen)
    filters = account_list.AccountFilter(
        chosen["q"] or None, chosen["customer_class"] or None, query.days["from"], query.days["to"]
    )
    return web, query, filters


listing.register(
    router,
    "/accounts",
    "web.accounts",
    asked=_account_query,
    lister=account_list.list_accounts,
    template="accounts/list.html",
    to_csv=export.ACCOUNTS.csv,
    context=lambda web, s, lines, filters: {
        "lines": lines,
        "q": filters.text or "",
        "classes": list(accounts.CustomerClass),
    },
)


#: Contract rows on the new-account form.
CONTRACT_ROWS = 3
LANGUAGES = {"en": "English", "el": "Ελληνικά", "pl": "Polski"}


def customer_account_errors(web: Web, values: dict[str, str]) -> dict[str, str]:
    """The checks of a customer and account form a person can fix before saving (the new and
    the edit page alike), by field."""
    errors: dict[str, str] = {}
    if not values["customer_name"]:
        errors["customer_name"] = web._("Enter the customer's name.")
    if values["email"] and "@" not in values["email"]:
        errors["email"] = web._("Enter an e-mail address like name@example.com.")
    if not values["number"]:
        errors["number"] = web._("Enter the account number.")
    if values["customer_class"] not in set(accounts.CustomerClass):
        errors["customer_class"] = web._("Choose a customer class.")
    return errors


def _new_values(web: Web) -> dict[str, str]:
    return {
        "customer_kind": "person",
        "language": web.lang,
        "currency": web.settings.currency,
        "customer_class": "balance_forward",
        "c1_type": "service",
        "c1_priority": "10",
        "overpayment": "1",
    }


def _render_new(web: Web, values: dict[str, str], errors: dict[str, str], status: int = 200):
    return web.render(
        "accounts/new.html",
        status=status,
        values=values,
        errors=errors,
        rows=range(1, CONTRACT_ROWS + 1),
        classes=list(accounts.CustomerClass),
        languages=LANGUAGES,
    )


@router.get("/accounts/new", name="web.account_new")
def new_account_form(web: Web = Depends(page(BACK_OFFICE))):
    """A new customer and their account with its contracts (as ``POST /v1/accounts``)."""
    return _render_new(web, _new_values(web), {})


def _read_new(web: Web, form_values: FormData) -> tuple[dict[str, str], dict[str, str], list]:
    """What was typed, the errors by field, and the contracts asked for."""
    names = ["customer_name", "customer_kind", "email", "language", "address", "tax_id",
             "number", "currency", "customer_class", "overpayment"]  # fmt: skip
    for n in range(1, CONTRACT_ROWS + 1):
        names += [f"c{n}_type", f"c{n}_priority", f"c{n}_description"]
    values = {name: str(form_values.get(name) or "").strip()[:200] for name in names}
    errors = customer_account_errors(web, values)
    if values["language"] not in LANGUAGES:
        values["language"] = "en"
    if values["customer_kind"] not in ("person", "company"):
        values["customer_kind"] = "person"
    contracts = []
    for n in range(1, CONTRACT_ROWS + 1):
        kind, priority = values[f"c{n}_type"], values[f"c{n}_priority"] or "50"
        if not kind:
            continue
        if not priority.isdigit() or int(priority) > 999:
            errors[f"c{n}_priority"] = web._("Enter a whole number from 0 to 999.")
            continue
        contracts.append(
            accounts.ContractSpec(kind, int(priority), description=values[f"c{n}_description"])
        )
    if not contracts and "c1_priority" not in errors:
        errors["c1_type"] = web._("An account needs at least one contract.")
    if values["overpayment"]:
        contracts.append(accounts.ContractSpec("excess_credit", 999, True, "Excess credit"))
    return values, errors, contracts


@router.post("/accounts/new", name="web.account_create")
def create_account(values: FormData = Depends(posted_form), web: Web = Depends(form(BACK_OFFICE))):
    typed, errors, contracts = _read_new(web, values)
    if errors:
        return _render_new(web, typed, errors, status=422)
    try:
        with web.db.transaction() as s:
            customer = accounts.create_customer(
                s,
                name=typed["customer_name"],
                kind=typed["customer_kind"],
                email=typed["email"] or None,
                language=typed["language"],
                address=typed["address"] or None,
                tax_id=typed["tax_id"] or None,
            )
            account = accounts.create_account(
                s,
                customer=customer,
                number=typed["number"],
                currency=typed["currency"] or web.settings.currency,
                customer_class=typed["customer_class"],
                contracts=contracts,
            )
            account_id, number = account.id, account.number
    except Conflict:
        errors = {"number": web._("Account number %(number)s is taken.", number=typed["number"])}
        return _render_new(web, typed, errors, status=422)
    except InvalidInput as refused:
        field = "currency" if isinstance(refused, InvalidCurrency) else "c1_type"
        errors = {field: web.explain(refused)}
        return _render_new(web, typed, errors, status=422)
    return web.redirect(
        web.url("web.account", account_id=account_id),
        flash=web._("Account %(number)s created.", number=number),
    )


@dataclass(frozen=True)
class Account360:
    account: Account
    customer: Customer
    balances: list[accounts.ContractBalance]
    total_minor: int
    documents: list[Document]
    document_codes: dict[int, PaymentCode]
    codes: list[PaymentCode]
    code_payments: list[tuple[CodePayment, str]]
    payments: list[tuple[Payment, PaymentEvent, str | None]]


def load_360(s: Session, account_id: int) -> Account360:
    account = accounts.get_account(s, account_id)
    customer = accounts.get_customer(s, account.customer_id)
    balances = accounts.balances(s, account.id)
    docs = documents.search(s, account_id=account.id, limit=LIST_LIMIT)
    found_codes, _total = codes.search(
        s, codes.CodeFilter(account_id=account.id), limit=LIST_LIMIT, offset=0
    )
    by_document = {c.document_id: c for c in found_codes if c.document_id is not None}
    live = {
        d.id: by_document[d.id]
        for d in docs
        if d.id in by_document and by_document[d.id].status != "cancelled"
    }
    code_payments = [
        (payment, code_rf)
        for payment, code_rf in s.execute(
            select(CodePayment, PaymentCode.rf)
            .join(PaymentCode, PaymentCode.id == CodePayment.code_id)
            .where(PaymentCode.account_id == account.id)
            .order_by(CodePayment.paid_on.desc(), CodePayment.id.desc())
            .limit(LIST_LIMIT)
        ).all()
    ]
    payments = [
        (payment, event, code_rf)
        for payment, event, code_rf in s.execute(
            select(Payment, PaymentEvent, PaymentCode.rf)
            .join(PaymentEvent, PaymentEvent.id == Payment.event_id)
            .outerjoin(PaymentCode, PaymentCode.id == Payment.payment_code_id)
            .where(Payment.account_id == account.id)
            .order_by(PaymentEvent.event_date.desc(), Payment.id.desc())
            .limit(LIST_LIMIT)
        ).all()
    ]
    return Account360(
        account=account,
        customer=customer,
        balances=balances,
        total_minor=sum(b.balance_minor for b in balances),
        documents=docs,
        document_codes=live,
        codes=found_codes,
        code_payments=code_payments,
        payments=payments,
    )


def _render_360(web: Web, account_id: int, status: int = 200, **extra: object):
    with web.db.transaction() as s:
        codes.expire_due(s)
    with web.db.reading() as s:
        view = load_360(s, account_id)
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    return web.render("accounts/detail.html", status=status, view=view, **extra)


@router.get("/accounts/{account_id}", name="web.account")
def account_page(account_id: int, web: Web = Depends(page())):
    return _render_360(web, account_id)


@router.post("/accounts/{account_id}/payment-code", name="web.account_issue_code")
def issue_account_code(
    account_id: int, values: FormData = Depends(posted_form), web: Web = Depends(form(DESK))
):
    """An open payment code for the account (optional ceiling and expiry)."""
    assert web.user is not None
    errors: dict[str, str] = {}
    ceiling_text = str(values.get("ceiling") or "").strip()
    expires_text = str(values.get("expires_on") or "").strip()
    with web.db.reading() as s:
        account = accounts.get_account(s, account_id)
    ceiling = None
    if ceiling_text:
        try:
            ceiling = i18n.parse_amount(ceiling_text, account.currency, web.lang).minor
        except InvalidInput:
            errors["ceiling"] = web._(
                "Enter an amount greater than zero, like %(example)s.",
                example=i18n.decimal_hint(web.lang),
            )
    expires_on = None
    if expires_text:
        try:
            expires_on = date.fromisoformat(expires_text)
        except ValueError:
            errors["expires_on"] = web._("Enter a date.")
        else:
            if expires_on < date.today():
                errors["expires_on"] = web._("The expiry date is in the past.")
    if errors:
        return _render_360(
            web,
            account_id,
            status=422,
            errors=errors,
            values={"ceiling": ceiling_text, "expires_on": expires_text},
        )
    with web.db.transaction() as s:
        account = accounts.get_account(s, account_id, lock=True)
        code = codes.issue_for_account(
            s,
            web.settings,
            account,
            actor=web.user.username,
            ceiling_minor=ceiling,
            expires_on=expires_on,
        )
        rf_code = code.rf
    return web.redirect(
        web.url("web.code", rf_code=rf_code),
        flash=web._("Payment code %(code)s issued.", code=rf_code),
    )
