"""What the bank answers: a camt.054 booking confirms a collection; a camt.054 return or a
pain.002 reject returns it — tender cancelled, payment reversed through the pipeline, cash-only
points by reason, webhook, follow-up list — once only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from paydesk.audit.trail import history
from paydesk.bank.models import BankEntry
from paydesk.cashier import wallet
from paydesk.cashier.mandates import mandates_of
from paydesk.cashier.models import DirectDebitCollection
from paydesk.directdebits import pain002
from paydesk.directdebits import service as dd
from paydesk.directdebits.service import ReturnRules
from paydesk.errors import NotFound
from paydesk.payments.models import Payment, Tender
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.desk.helpers import balance
from tests.directdebits.helpers import bank_reports, booking, dd_settings, owing, take_direct_debit

TODAY = date(2026, 11, 30)
POINTS = {"AC04": 3, "AM04": 2, "MD01": 4, "MS02": 1}


@pytest.fixture
def sent(db, settings):
    """A direct debit of €100 taken at the desk and sent to the bank; a host subscribed."""
    settings = dd_settings(settings, return_points=POINTS)
    with db.transaction() as s:
        s.add(WebhookSubscription(url="https://dms.example/hook", secret="s", event_types=["*"]))
    acc = owing(db, settings)
    view = take_direct_debit(db, settings, acc.account_id, on=TODAY)
    assert balance(db, acc.account_id) == "0.00"
    with db.transaction() as s:
        dd.export(s, settings, due_on=TODAY, actor="sofia", today=TODAY)
        collection = s.scalars(select(DirectDebitCollection)).one()
        mandate = mandates_of(s, acc.account_id)[0].reference
    return settings, acc.account_id, view, collection.end_to_end_id, mandate


def _state(db, account_id):
    with db.reading() as s:
        collection = s.scalars(select(DirectDebitCollection)).one()
        tender = s.get(Tender, collection.tender_id)
        payment = s.scalars(select(Payment)).one()
        returned = list(
            s.scalars(
                select(WebhookDelivery).where(WebhookDelivery.event_type == "direct_debit.returned")
            )
        )
        return {
            "collection": (collection.status, collection.return_code, collection.returned_by),
            "tender": tender.status,
            "payment": payment.status,
            "points": wallet.points_in_force(s, account_id),
            "webhooks": [d.payload for d in returned],
            "balance": balance(db, account_id),
        }


def test_the_banks_booking_confirms_the_collection_and_posts_nothing_more(db, sent):
    settings, account_id, _, e2e, mandate = sent
    summary = bank_reports(db, settings, booking(e2e, mandate, "100.00", "BOOK1"))
    assert (summary.collected, summary.matched, summary.unmatched) == (1, 0, 0)
    state = _state(db, account_id)
    assert state["collection"] == ("confirmed", None, None)
    assert (state["tender"], state["payment"], state["balance"]) == ("valid", "frozen", "0.00")
    again = bank_reports(db, settings, booking(e2e, mandate, "100.00", "BOOK1"), message_id="B2")
    assert (again.duplicates, again.collected) == (1, 0)
    with db.reading() as s:
        entry = s.scalars(select(BankEntry)).one()
        assert entry.status == "collected" and entry.end_to_end_id == e2e


@pytest.mark.parametrize("code", ["AC04", "AM04", "MD01", "MS02"])
def test_a_camt054_return_cancels_the_tender_reverses_the_payment_and_adds_points(db, sent, code):
    settings, account_id, view, e2e, mandate = sent
    bank_reports(db, settings, booking(e2e, mandate, "100.00", "BOOK1"))
    summary = bank_reports(
        db,
        settings,
        booking(e2e, mandate, "100.00", "RET1", return_code=code),
        message_id="BANK-2",
    )
    assert (summary.returned, summary.ignored) == (1, 0)
    state = _state(db, account_id)
    assert state["collection"] == ("returned", code, "camt.054")
    assert (state["tender"], state["payment"]) == ("cancelled", "cancelled")
    assert state["balance"] == "100.00"  # the debt is back: the payment was reversed
    assert state["points"] == POINTS[code]
    [hook] = state["webhooks"]
    assert (hook["reason_code"], hook["cash_only_points"], hook["amount"]) == (
        code,
        POINTS[code],
        "100.00",
    )
    assert hook["event_id"] == view.event.id and hook["mandate"] == mandate
    with db.reading() as s:
        collection = s.scalars(select(DirectDebitCollection)).one()
        steps = [(h.from_status, h.to_status) for h in history(s, "direct_debit", collection.id)]
        assert steps[-2:] == [("sent", "confirmed"), ("confirmed", "returned")]
        assert [c.id for c in dd.collections(s, status="returned")] == [collection.id]
        entry = s.scalars(select(BankEntry).where(BankEntry.status == "dd_return")).one()
        assert collection.bank_entry_id == entry.id
    # The same return again — same file, or reported under another reference — changes nothing.
    bank_reports(
        db, settings, booking(e2e, mandate, "100.00", "RET1", return_code=code), message_id="B3"
    )
    bank_reports(
        db, settings, booking(e2e, mandate, "100.00", "RET2", return_code=code), message_id="B4"
    )
    assert _state(db, account_id) == state


def test_points_for_a_reason_the_settings_do_not_name(db, sent):
    settings, account_id, _, e2e, mandate = sent
    bank_reports(db, settings, booking(e2e, mandate, "100.00", "R", return_code="SL01"))
    assert _state(db, account_id)["points"] == settings.direct_debit.other_return_points


def _pain002(message_id: str, original: str, *, group: str | None = None, txs=()) -> bytes:
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
    group_status = (
        f"<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>{group}</Cd></Rsn></StsRsnInf>" if group else ""
    )
    tx = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        f"<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn></StsRsnInf></TxInfAndSts>"
        for e2e, code in txs
    )
    info = f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{original}-1</OrgnlPmtInfId>{tx}</OrgnlPmtInfAndSts>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{ns}"><CstmrPmtStsRpt>'
        f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-30T10:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{original}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08"
        f"</OrgnlMsgNmId>{group_status}</OrgnlGrpInfAndSts>{info if txs else ''}"
        f"</CstmrPmtStsRpt></Document>"
    ).encode()


def _apply(db, settings, data):
    with db.transaction() as s:
        return [
            r.outcome
            for r in dd.apply_status_report(s, data, actor="bank", returns=ReturnRules.of(settings))
        ]


def test_a_pain002_reject_returns_the_collection_once(db, sent):
    settings, account_id, _, e2e, _ = sent
    report = _pain002("STS1", f"{settings.rf_prefix}-DD-20261130", txs=[(e2e, "MD01")])
    assert _apply(db, settings, report) == ["returned"]
    state = _state(db, account_id)
    assert state["collection"] == ("returned", "MD01", "pain.002")
    assert (state["tender"], state["payment"], state["points"]) == ("cancelled", "cancelled", 4)
    assert _apply(db, settings, report) == ["duplicate"]
    assert _state(db, account_id) == state


def test_a_pain002_rejecting_the_whole_file_returns_every_collection(db, sent):
    settings, account_id, _, _, _ = sent
    report = _pain002("STS2", f"{settings.rf_prefix}-DD-20261130", group="AM04")
    assert _apply(db, settings, report) == ["returned"]
    assert _state(db, account_id)["collection"] == ("returned", "AM04", "pain.002")


def test_a_pain002_for_a_file_paydesk_never_sent_is_refused(db, sent):
    settings = sent[0]
    with pytest.raises(NotFound):
        _apply(db, settings, _pain002("STS3", "SOMEONE-ELSES", group="AM04"))


def test_a_pain002_with_a_doctype_is_refused():
    with pytest.raises(pain002.InvalidStatusReport, match="DOCTYPE"):
        pain002.parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>')
    with pytest.raises(pain002.InvalidStatusReport, match=r"not a pain\.002"):
        pain002.parse(
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><X/></Document>'
        )


def test_a_booking_of_a_collection_paydesk_never_sent_is_held(db, sent):
    settings, _, _, _, mandate = sent
    summary = bank_reports(db, settings, booking("PDDD999", mandate, "7.00", "X1"))
    assert (summary.unmatched, summary.collected) == (1, 0)
    with db.reading() as s:
        entry = s.scalars(select(BankEntry)).one()
        assert entry.status == "unmatched" and "PDDD999" in entry.reason
