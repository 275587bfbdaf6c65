"""A desk with direct debits switched on, and the bank's answers written as real files."""

from __future__ import annotations

import io
from datetime import date

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.bank.importer import ImportSummary, import_file
from paydesk.cashier import service as desk
from paydesk.db.engine import Database
from paydesk.directdebits.service import ReturnRules
from paydesk.money import Money
from paydesk.settings import DirectDebitSettings, Settings
from tests.desk.helpers import build_account, one, pay

CREDITOR_ID = "DE98ZZZ09999999999"
IBAN = "GR1601101250000000012300695"
DEBTOR_IBAN = "DE89370400440532013000"
BUSINESS_IBAN = "GR9601401010101002320015006"


def dd_settings(settings: Settings, **changes) -> Settings:
    return settings.model_copy(
        update={
            "direct_debit": DirectDebitSettings(creditor_id=CREDITOR_ID, **changes),
            "business_iban": BUSINESS_IBAN,
        }
    )


def owing(db: Database, settings: Settings, amount: str = "100.00", **kw):
    return build_account(
        db, settings, invoices=[("service", "INV-1", amount, date(2026, 1, 10))], **kw
    )


def take_direct_debit(
    db: Database,
    settings: Settings,
    account_id: int,
    amount: str = "100.00",
    *,
    iban: str = DEBTOR_IBAN,
    save: bool = False,
    on: date | None = None,
) -> desk.EventView:
    """A direct debit taken at the desk, its new bank account validated (structurally)."""
    request = one(
        account_id,
        amount,
        desk.TenderRequest("direct_debit", iban=iban, save_as_stored_method=save),
    )
    if on is not None:
        request = desk.EventRequest(request.payments, request.tenders, event_date=on)
    view = pay(db, settings, request)
    if view.tasks:
        view = desk.validate_and_reread(
            db, settings, view.event.id, [t.id for t in view.tasks]
        ).view
    return view


def bank_reports(
    db: Database,
    settings: Settings,
    *entries: OutgoingCredit,
    message_id: str = "BANK-1",
) -> ImportSummary:
    """Import a camt.054 with ``entries`` as the bank would send it."""
    out = io.BytesIO()
    write_camt054(list(entries), out, account_iban=BUSINESS_IBAN, message_id=message_id)
    return import_file(
        db,
        out.getvalue(),
        name=f"{message_id}.xml",
        origin="cli",
        actor="bank",
        returns=ReturnRules.of(settings),
    )


def booking(end_to_end_id: str, mandate: str, amount: str, ref: str, **kw) -> OutgoingCredit:
    return OutgoingCredit(
        amount=Money.parse(amount, "EUR"),
        booking_date=kw.pop("on", date.today()),
        end_to_end_id=end_to_end_id,
        mandate_id=mandate,
        account_servicer_ref=ref,
        debtor_iban=DEBTOR_IBAN,
        **kw,
    )
