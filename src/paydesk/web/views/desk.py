"""Add one-time payment: the payer account, payment date and amount, the payment options (stored
methods and auto-pay, cash, cheque, a new bank account, other tender types), the live cash-back
proposal, the match, non-customer details and the distribution action.

The form is read into the same :class:`~paydesk.cashier.service.EventRequest` the API builds and
handed to :func:`~paydesk.cashier.service.add_one_time_payment` in one transaction; refusals are
shown next to their field and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account, Customer
from paydesk.auth.roles import CASHIER_DESK
from paydesk.cashier import service as desk
from paydesk.cashier.cash_back import TenderAmount, cash_back_due
from paydesk.cashier.errors import (
    CardTenderRefused,
    CashBackRefused,
    InvalidTender,
)
from paydesk.cashier.models import StoredPaymentMethod
from paydesk.cashier.options import PaymentOption, PaymentOptions, payment_options
from paydesk.cashier.tenders import TenderDraft, TenderType
from paydesk.codes import service as codes
from paydesk.documents.models import Document
from paydesk.errors import (
    InvalidAmount,
    InvalidIBAN,
    InvalidInput,
    NotFound,
    PaydeskError,
)
from paydesk.ledger.posting import account_balance
from paydesk.money import Money
from paydesk.payments import limits
from paydesk.payments.errors import InvalidMatch
from paydesk.reporting import open_items
from paydesk.web import i18n
from paydesk.web.i18n import N_
from paydesk.web.pages import PageRoute, Web, form, page, posted_form
from paydesk.web.views.refusals import Concern, desk_refusal

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ALGORITHMS: dict[str, str] = {
    "payoff_balance": N_("Payoff balance"),
    "latest_invoice": N_("Latest invoice"),
}
DISTRIBUTIONS: dict[str, str] = {
    "distribute_and_freeze": N_("Distribute and freeze"),
    "manual": N_("Manual distribution"),
}
MATCH_TYPES: dict[str, str] = {"invoice": N_("Invoice"), "contract": N_("Contract")}
METHOD_KINDS: dict[str, str] = {
    "checking": N_("Checking account"),
    "savings": N_("Savings account"),
}


@dataclass(frozen=True)
class Row:
    """One line of the payment options: a form prefix, its tender type and what it pays with."""

    key: str
    kind: str  # autopay | stored_method | cash | cheque | bank_account | other
    type: TenderType
    method: StoredPaymentMethod | None = None

    @property
    def amount_field(self) -> str:
        return f"{self.key}_amount"


@dataclass
class Options:
    """An account's payment options, laid out as the form shows them."""

    account: Account
    customer: Customer
    balance_minor: int
    opts: PaymentOptions
    existing: list[Row] = field(default_factory=list)
    new: list[Row] = field(default_factory=list)
    other: list[Row] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return self.existing + self.new + self.other

    @property
    def currency(self) -> str:
        return self.account.currency


_KEYS: dict[str, str] = {"cash": "t_cash", "cheque": "t_cheque", "bank_account": "t_bank"}


def _row(option: PaymentOption) -> Row:
    """The form row of a payment option: its field prefix names the option."""
    if option.kind == "autopay":
        key = "t_autopay"
    elif option.kind == "stored_method":
        assert option.method is not None
        key = f"t_method_{option.method.id}"
    elif option.kind == "other":
        key = f"t_other_{option.tender_type.code}"
    else:
        key = _KEYS[option.kind]
    return Row(key, option.kind, option.tender_type, option.method)


def load_options(web: Web, account_id: int) -> Options:
    with web.db.reading() as s:
        opts = payment_options(s, web.settings, account_id)
        customer = accounts.get_customer(s, opts.account.customer_id)
        balance = account_balance(s, opts.account.id)
    return Options(
        opts.account,
        customer,
        balance,
        opts,
        existing=[_row(o) for o in opts.existing],
        new=[_row(o) for o in opts.new],
        other=[_row(o) for o in opts.other],
    )


def _text(values: FormData, name: str, limit: int = 200) -> str:
    return str(values.get(name) or "").strip()[:limit]


@dataclass
class Reading:
    """What the form says: the request (when it is complete) and the errors by field."""

    values: dict[str, str]
    errors: dict[str, str]
    request: desk.EventRequest | None = None
    amount: Money | None = None
    tenders: list[tuple[Row, Money]] = field(default_factory=list)


def _amount_error(web: Web) -> str:
    return web._(
        "Enter an amount greater than zero, like %(example)s.",
        example=i18n.decimal_hint(web.lang),
    )


def card_message(web: Web) -> str:
    return web._(
        "Card payments are not taken at the cashier desk: they go through the external "
        "card processor."
    )


def read_form(web: Web, options: Options, values: FormData) -> Reading:
    """Check each field as the desk's rules do (tender details by their type) and build the
    request; nothing is stored here."""
    typed = {k: _text(values, k, limits.COMMENTS) for k in values if k != "csrf_token"}
    reading = Reading(typed, {})
    payment = _read_payment(web, options, reading)
    tenders = _read_tenders(web, options, reading)
    if reading.errors:
        return reading
    reading.request = desk.EventRequest(
        payments=[payment.request(options.account, reading.amount)],
        tenders=tenders,
        event_date=payment.event_date,
        distribution=payment.distribution,  # type: ignore[arg-type]
    )
    return reading


@dataclass(frozen=True)
class _PaymentFields:
    """The payment part of the form, as typed (checked by :func:`_read_payment`)."""

    typed: dict[str, str]
    event_date: date | None
    distribution: str

    def request(self, account: Account, amount: Money | None) -> desk.PaymentRequest:
        non_cis = account.customer_class == "non_cis"
        typed = self.typed
        return desk.PaymentRequest(
            account.id,
            amount,
            match_type=typed.get("match_type") or None,
            match_value=typed.get("match_value") or None,
            non_cis_name=typed.get("non_cis_name") if non_cis else None,
            non_cis_reference=typed.get("non_cis_reference") if non_cis else None,
            non_cis_comments=typed.get("non_cis_comments") if non_cis else None,
        )


def _read_payment(web: Web, options: Options, reading: Reading) -> _PaymentFields:
    """The amount, date, match, distribution and non-CIS fields; errors go to ``reading``."""
    typed, errors = reading.values, reading.errors
    if typed.get("amount"):
        try:
            reading.amount = i18n.parse_amount(typed["amount"], options.currency, web.lang)
        except InvalidInput:
            errors["amount"] = _amount_error(web)
    event_date = None
    if typed.get("event_date"):
        try:
            event_date = date.fromisoformat(typed["event_date"])
        except ValueError:
            errors["event_date"] = web._("Enter a date.")
    if typed.get("match_type") not in (None, "", *MATCH_TYPES):
        errors["match_type"] = web._("Choose invoice or contract.")
    distribution = typed.get("distribution") or "distribute_and_freeze"
    if distribution not in DISTRIBUTIONS:
        errors["distribution"] = web._("Choose how the payment is distributed.")
    for name, limit in (
        ("match_value", limits.REFERENCE),
        ("non_cis_name", limits.NAME),
        ("non_cis_reference", limits.REFERENCE),
    ):
        if len(typed.get(name, "")) > limit:
            errors[name] = web._("The value is longer than %(n)s characters.", n=limit)
    return _PaymentFields(typed, event_date, distribution)


def _read_tenders(web: Web, options: Options, reading: Reading) -> list[desk.TenderRequest]:
    """A request per tender row with an amount, each checked against its tender type."""
    typed, errors = reading.values, reading.errors
    tenders: list[desk.TenderRequest] = []
    for row in options.rows:
        text = typed.get(row.amount_field, "")
        if not text:
            continue
        if row.type.is_card:
            errors[row.amount_field] = card_message(web)
            continue
        try:
            money = i18n.parse_amount(text, options.currency, web.lang)
        except InvalidInput:
            errors[row.amount_field] = _amount_error(web)
            continue
        reading.tenders.append((row, money))
        request = _tender_request(row, typed, money)
        problem = _tender_problem(web, row, request, typed)
        if problem is not None:
            errors.update(problem)
            continue
        tenders.append(request)
    if not tenders and not any(k.endswith("_amount") and k in errors for k in errors):
        errors["tenders"] = web._("Enter the amount of at least one tender.")
    return tenders


def _tender_problem(
    web: Web, row: Row, request: desk.TenderRequest, typed: dict[str, str]
) -> dict[str, str] | None:
    """What is wrong with one tender, by its field (the tender type's own rules, as the service
    applies them, then the new bank account's kind and holder); ``None`` when nothing is."""
    try:
        TenderDraft(
            row.type,
            request.amount,  # type: ignore[arg-type]
            cheque_number=request.cheque_number,
            iban=request.iban if row.type.requires_bank_account else None,
            stored_method_id=(
                None if request.stored_method_id is None else str(request.stored_method_id)
            ),
            external_reference=request.external_reference,
        )
    except InvalidIBAN:
        return {f"{row.key}_iban": web._("Enter a valid IBAN.")}
    except InvalidTender as refused:
        too_long = "max_length" in refused.extra
        if row.kind != "cheque" or refused.extra.get("field") != "cheque_number":
            message = "The reference is longer than %(n)s characters."
            return {f"{row.key}_reference": web._(message, n=limits.DETAIL)}
        if too_long:
            message = "The cheque number is longer than %(n)s characters."
            return {f"{row.key}_number": web._(message, n=limits.DETAIL)}
        return {f"{row.key}_number": web._("Enter the cheque number.")}
    if row.kind != "bank_account":
        return None
    if typed.get("t_bank_kind", "checking") not in METHOD_KINDS:
        return {"t_bank_kind": web._("Choose checking or savings.")}
    if typed.get("t_bank_save") and not typed.get("t_bank_holder"):
        return {"t_bank_holder": web._("Enter the account holder's name to save it.")}
    return None


def _tender_request(row: Row, typed: dict[str, str], money: Money) -> desk.TenderRequest:
    if row.kind in ("autopay", "stored_method"):
        assert row.method is not None
        return desk.TenderRequest(row.type.code, money, stored_method_id=row.method.id)
    if row.kind == "cheque":
        return desk.TenderRequest(
            row.type.code, money, cheque_number=typed.get(f"{row.key}_number") or None
        )
    if row.kind == "bank_account":
        return desk.TenderRequest(
            row.type.code,
            money,
            iban=typed.get("t_bank_iban") or "",
            holder_name=typed.get("t_bank_holder") or None,
            account_kind=typed.get("t_bank_kind") or "checking",
            save_as_stored_method=bool(typed.get("t_bank_save")),
        )
    if row.kind == "other":
        return desk.TenderRequest(
            row.type.code, money, external_reference=typed.get(f"{row.key}_reference") or None
        )
    return desk.TenderRequest(row.type.code, money)


#: Where the form shows each refusal both desk pages share.
_FIELD_OF: dict[Concern, str] = {
    "cash_back": "cash_back",
    "balance": "tenders",
    "drawer": "problem",
    "tender": "tenders",
}


def refusal(web: Web, options: Options, reading: Reading, error: PaydeskError) -> dict[str, str]:
    """The service's refusal of a complete form, next to the field it concerns."""
    typed = reading.values
    if isinstance(error, CardTenderRefused):
        return {"tenders": card_message(web)}
    shared = desk_refusal(web, error)
    if shared is not None:
        concern, message = shared
        return {_FIELD_OF[concern]: message}
    if isinstance(error, InvalidMatch):
        if typed.get("match_value") and not typed.get("match_type"):
            return {"match_type": web._("Choose whether the value is an invoice or a contract.")}
        return {
            "match_value": web._(
                "The account is open-item: choose invoice or contract and enter its number."
            )
        }
    if isinstance(error, InvalidIBAN):
        return {"t_bank_iban": web._("Enter a valid IBAN.")}
    if isinstance(error, InvalidAmount):
        if reading.amount is None:
            return {"amount": web._("The account owes nothing: enter the payment amount.")}
        return {"amount": _amount_error(web)}
    if type(error) is InvalidInput and options.account.customer_class == "non_cis":
        return {"non_cis_name": web._("Enter the payer's name: the account is for non-customers.")}
    return {"problem": error.detail}


def _default_values(options: Options) -> dict[str, str]:
    amount = options.opts.amount_default
    return {
        "event_date": date.today().isoformat(),
        "amount": "" if amount.is_zero() else str(amount.amount),
        "distribution": "distribute_and_freeze",
        "t_bank_kind": "checking",
    }


def _render_form(web: Web, options: Options, values, errors, status: int = 200):
    preview = _preview(web, options, values)
    picker = None
    if options.account.customer_class == "open_item":  # the invoice picker
        with web.db.reading() as s:
            picker = open_items.pickable(s, options.account)
    return web.render(
        "desk/payment.html",
        status=status,
        o=options,
        values=values,
        errors=errors,
        preview=preview,
        algorithms=ALGORITHMS,
        distributions=DISTRIBUTIONS,
        match_types=MATCH_TYPES,
        method_kinds=METHOD_KINDS,
        picker=picker,
    )


def _find_account(web: Web, account: str, number: str) -> int | None:
    with web.db.reading() as s:
        if account.isdigit():
            found = s.get(Account, int(account))
            return found.id if found else None
        if number:
            return s.scalar(select(Account.id).where(Account.number == number))
    return None


def _for_code(web: Web, rf_text: str) -> tuple[int, dict[str, str]]:
    """The account of the code ``rf_text`` and the form's values for paying it: what may still
    be paid, matched to its document."""
    with web.db.reading() as s:
        code = codes.get(s, rf_text)
        document = s.get(Document, code.document_id) if code.document_id else None
    values: dict[str, str] = {"code": code.rf}
    payable = codes.still_payable_minor(code)
    if payable:
        values["amount"] = str(Money.from_minor(payable, code.currency).amount)
    if document is not None:
        values["match_type"] = "invoice"
        values["match_value"] = document.number
    return code.account_id, values


@router.get("/one-time-payment", name="web.one_time_payment")
def payment_form(
    account: str = "", number: str = "", code: str = "", web: Web = Depends(page(CASHIER_DESK))
):
    """The form for an account (by id or number), or for paying a payment code."""
    if code.strip():
        account_id, for_code = _for_code(web, code.strip()[:60])
        options = load_options(web, account_id)
        return _render_form(web, options, {**_default_values(options), **for_code}, {})
    account_id = _find_account(web, account.strip(), number.strip()[:60])
    if account_id is None:
        errors = {}
        if account or number:
            errors["number"] = web._("There is no account %(number)s.", number=number or account)
        return web.render(
            "desk/pick_account.html",
            status=404 if errors else 200,
            values={"number": number},
            errors=errors,
        )
    options = load_options(web, account_id)
    return _render_form(web, options, _default_values(options), {})


@router.post("/one-time-payment", name="web.one_time_payment_add")
def add_payment(values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))):
    """Take the payment event; on success, go to its page."""
    assert web.user is not None
    account_id = _text(values, "account_id", 20)
    if not account_id.isdigit():
        raise NotFound(f"no account {account_id!r}")
    options = load_options(web, int(account_id))
    reading = read_form(web, options, values)
    if reading.request is None:
        return _render_form(web, options, reading.values, reading.errors, status=422)
    try:
        with web.db.transaction() as s:
            view = desk.add_one_time_payment(
                s, web.settings, reading.request, actor=web.user.username
            )
            event_id = view.event.id
            tasks = [t.id for t in view.tasks]
    except PaydeskError as error:
        errors = refusal(web, options, reading, error)
        return _render_form(web, options, reading.values, errors, status=422)
    if tasks:
        desk.run_validations(web.db, web.settings, tasks)
    return web.redirect(
        web.url("web.payment_event", event_id=event_id),
        flash=web._("Payment event %(id)s saved.", id=event_id),
    )


@dataclass(frozen=True)
class Preview:
    """The live cash-back proposal."""

    amount: Money | None
    tendered: Money | None
    cash_back: Money | None
    refusal: str | None


def _preview(web: Web, options: Options, values) -> Preview:
    currency = options.currency
    text = str(values.get("amount") or "").strip()
    try:
        amount = i18n.parse_amount(text, currency, web.lang) if text else None
    except InvalidInput:
        amount = None
    if amount is None and not text:
        default = options.opts.amount_default
        amount = None if default.is_zero() else default
    entries = []
    for row in options.rows:
        typed = str(values.get(row.amount_field) or "").strip()
        if not typed:
            continue
        try:
            entries.append(TenderAmount(row.type, i18n.parse_amount(typed, currency, web.lang)))
        except InvalidInput:
            continue
    tendered = Money.zero(currency)
    for entry in entries:
        tendered += entry.amount
    if amount is None or not entries:
        return Preview(amount, tendered if entries else None, None, None)
    try:
        back = cash_back_due(entries, amount)
    except CashBackRefused as refused:
        message = refusal(web, options, Reading({}, {}, amount=amount), refused)["cash_back"]
        return Preview(amount, tendered, None, message)
    return Preview(amount, tendered, back, None)


@router.post("/one-time-payment/cash-back", name="web.cash_back_preview")
def cash_back_preview(
    values: FormData = Depends(posted_form), web: Web = Depends(form(CASHIER_DESK))
):
    """The cash-back proposal for the form as typed so far (htmx, while typing)."""
    account_id = _text(values, "account_id", 20)
    if not account_id.isdigit():
        raise NotFound(f"no account {account_id!r}")
    options = load_options(web, int(account_id))
    return web.render("desk/_cash_back.html", preview=_preview(web, options, values), o=options)
