"""The customer's receipt of a payment event: the business, the customer, the tenders (cash back
included), the documents paid, the cashier and the event number; as HTML (a template) or PDF.

It is written in the customer's language; its words come from the web pages' catalogs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Contract, Customer
from paydesk.auth.models import User
from paydesk.cashier import service as desk
from paydesk.documents.models import Document
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.models import Tender
from paydesk.settings import Settings
from paydesk.slips.render import pdf_fonts
from paydesk.web import i18n, labels
from paydesk.web.i18n import N_


@dataclass(frozen=True)
class PaidItem:
    """What part of the payment went to: a document (kind and number) or a contract."""

    kind: str  # a document kind, or "" for a contract without document
    reference: str
    minor: int


@dataclass(frozen=True)
class Receipt:
    event_id: int
    event_date: date
    taken_at: datetime
    cashier: str
    business_name: str
    business_address: str | None
    business_tax_id: str | None
    customer_name: str
    account_number: str
    language: str
    currency: str
    tenders: list[Tender]
    received_minor: int  # what was handed over (tenders above zero)
    cash_back_minor: int  # what was given back (as a positive amount)
    paid_minor: int
    paid_items: list[PaidItem]
    cancelled: bool


def _paid_items(session: Session, payment_ids: list[int]) -> list[PaidItem]:
    """The payments' ledger lines, summed per document (or per contract when none)."""
    if not payment_ids:
        return []
    rows = session.execute(
        select(
            Document.kind,
            Document.number,
            Contract.description,
            Contract.contract_type,
            func.sum(LedgerEntry.amount_minor),
        )
        .join(Contract, Contract.id == LedgerEntry.contract_id)
        .outerjoin(Document, Document.id == LedgerEntry.document_id)
        .where(LedgerEntry.payment_id.in_(payment_ids), LedgerEntry.kind == "payment")
        .group_by(Document.kind, Document.number, Contract.description, Contract.contract_type)
        .order_by(Document.number, Contract.description)
    ).all()
    return [
        PaidItem(kind or "", number or description or contract_type, -int(total))
        for kind, number, description, contract_type, total in rows
    ]


@dataclass(frozen=True)
class Outcome:
    """What the cashier sees after a payment: received, paid, and cash to give back."""

    received_minor: int
    paid_minor: int
    cash_back_minor: int


def outcome(view: desk.EventView) -> Outcome:
    valid = [t for t in view.tenders if t.status == "valid"]
    return Outcome(
        received_minor=sum(t.amount_minor for t in valid if t.amount_minor > 0),
        paid_minor=sum(p.amount_minor for p in view.payments if p.status != "cancelled"),
        cash_back_minor=-sum(t.amount_minor for t in valid if t.amount_minor < 0),
    )


def load(session: Session, settings: Settings, event_id: int) -> Receipt:
    """The receipt of event ``event_id`` (raises ``NotFound``)."""
    view = desk.event_view(session, event_id)
    event = view.event
    account_id = view.payments[0].account_id if view.payments else None
    account = session.get(Account, account_id) if account_id else None
    customer = session.get(Customer, account.customer_id) if account else None
    cashier = session.scalar(select(User.display_name).where(User.username == event.created_by))
    live = [p for p in view.payments if p.status != "cancelled"]
    totals = outcome(view)
    rows = view.payments or view.tenders
    currency = rows[0].currency if rows else settings.currency
    non_cis = next((p.non_cis_name for p in view.payments if p.non_cis_name), None)
    return Receipt(
        event_id=event.id,
        event_date=event.event_date,
        taken_at=event.created_at,
        cashier=cashier or event.created_by,
        business_name=settings.business_name,
        business_address=settings.business_address,
        business_tax_id=settings.business_tax_id,
        customer_name=non_cis or (customer.name if customer else ""),
        account_number=account.number if account else "",
        language=i18n.check_language(customer.language if customer else None),
        currency=currency,
        tenders=view.tenders,
        received_minor=totals.received_minor,
        cash_back_minor=totals.cash_back_minor,
        paid_minor=totals.paid_minor,
        paid_items=_paid_items(session, [p.id for p in live]),
        cancelled=bool(view.payments) and not live,
    )


#: The receipt's words (translated from the web pages' catalogs).
TITLE = N_("Receipt")
WORDS = {
    "event": N_("Payment event"),
    "date": N_("Date"),
    "cashier": N_("Cashier"),
    "customer": N_("Customer"),
    "account": N_("Account"),
    "tax_id": N_("Tax id"),
    "tenders": N_("Tendered"),
    "received": N_("Amount received"),
    "cash_back": N_("Cash back"),
    "paid": N_("Paid"),
    "documents": N_("Paid for"),
    "on_account": N_("On account"),
    "cancelled": N_("Cancelled"),
    "thanks": N_("Thank you for your payment."),
}


def tender_text(tender: Tender, gettext: Callable[[str], str]) -> str:
    """A tender as one line: its type and what identifies it."""
    parts = [gettext(labels.TENDER_TYPES.get(tender.tender_type, tender.tender_type))]
    if tender.amount_minor < 0:
        parts.append(gettext("cash back"))
    if tender.cheque_number:
        parts.append(gettext("Cheque number %(number)s") % {"number": tender.cheque_number})
    if tender.iban_masked:
        parts.append(tender.iban_masked)
    if tender.external_reference:
        parts.append(tender.external_reference)
    if tender.status != "valid":
        parts.append(gettext(labels.status_label(tender.status)))
    return " · ".join(parts)


def item_text(item: PaidItem, tr: Callable[[str], str]) -> str:
    if item.kind:
        return f"{tr(labels.kind_label(item.kind))} {item.reference}"
    return f"{tr(WORDS['on_account'])}: {item.reference}"


def render_pdf(receipt: Receipt, timezone: str = "UTC") -> bytes:
    """An A5 PDF of the receipt (DejaVu Sans embedded, as the payment slips)."""
    lang = receipt.language
    tr = i18n.translations(lang).gettext
    money = lambda minor: i18n.format_money(minor, receipt.currency, lang)  # noqa: E731
    fonts = pdf_fonts()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A5, lang=lang, invariant=True)
    pdf.setTitle(f"{tr(TITLE)} {receipt.event_id}")
    pdf.setAuthor(receipt.business_name)
    width, height = A5
    left, right = 12 * mm, width - 12 * mm
    y = height - 16 * mm

    def line(text: str, *, font: str = "regular", size: float = 10, gap: float = 5 * mm) -> None:
        nonlocal y
        for part in simpleSplit(text, fonts[font], size, right - left) or [""]:
            pdf.setFont(fonts[font], size)
            pdf.drawString(left, y, part)
            y -= gap

    def pair(name: str, value: str, *, bold: bool = False) -> None:
        nonlocal y
        pdf.setFont(fonts["regular"], 10)
        pdf.drawString(left, y, name)
        pdf.setFont(fonts["bold" if bold else "regular"], 10)
        pdf.drawRightString(right, y, value)
        y -= 5 * mm

    line(receipt.business_name, font="bold", size=14, gap=6 * mm)
    for address_line in (receipt.business_address or "").splitlines():
        line(address_line, size=9, gap=4 * mm)
    if receipt.business_tax_id:
        line(f"{tr(WORDS['tax_id'])}: {receipt.business_tax_id}", size=9, gap=4 * mm)
    y -= 2 * mm
    line(f"{tr(TITLE)} · {tr(WORDS['event'])} {receipt.event_id}", font="bold", size=12)
    if receipt.cancelled:
        line(tr(WORDS["cancelled"]), font="bold")
    pair(tr(WORDS["date"]), i18n.format_moment(receipt.taken_at, lang, timezone))
    pair(tr(WORDS["cashier"]), receipt.cashier)
    pair(tr(WORDS["customer"]), receipt.customer_name)
    pair(tr(WORDS["account"]), receipt.account_number)
    y -= 2 * mm
    pdf.line(left, y + 3 * mm, right, y + 3 * mm)
    line(tr(WORDS["tenders"]), font="bold")
    for tender in receipt.tenders:
        pair(tender_text(tender, tr), i18n.format_money(tender.amount_minor, tender.currency, lang))
    y -= 1 * mm
    line(tr(WORDS["documents"]), font="bold")
    for item in receipt.paid_items:
        pair(item_text(item, tr), money(item.minor))
    y -= 1 * mm
    pdf.line(left, y + 3 * mm, right, y + 3 * mm)
    pair(tr(WORDS["received"]), money(receipt.received_minor))
    if receipt.cash_back_minor:
        pair(tr(WORDS["cash_back"]), money(receipt.cash_back_minor))
    pair(tr(WORDS["paid"]), money(receipt.paid_minor), bold=True)
    y -= 4 * mm
    line(tr(WORDS["thanks"]), size=9)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
