"""Mandates at the desk, and the pain.008.001.08 export: schema-valid, grouped, dated, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from paydesk.audit.trail import history
from paydesk.cashier import service as desk
from paydesk.cashier.mandates import mandates_of
from paydesk.cashier.models import DirectDebitCollection, Mandate
from paydesk.directdebits import pain008, rules
from paydesk.directdebits import service as dd
from tests.directdebits.helpers import DEBTOR_IBAN, dd_settings, owing, take_direct_debit

NS = {"p": pain008.NAMESPACE}
TODAY = date(2026, 11, 30)  # a Monday


def _collections(db):
    with db.reading() as s:
        return list(s.scalars(select(DirectDebitCollection).order_by(DirectDebitCollection.id)))


def _export(db, settings, due=TODAY, today=TODAY):
    with db.transaction() as s:
        exported = dd.export(s, settings, due_on=due, actor="sofia", today=today)
        return exported.created, exported.file.id, exported.file.content.encode()


def test_a_new_account_taken_at_the_desk_for_a_direct_debit_gets_a_mandate_signed_there(
    db, settings
):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    view = take_direct_debit(db, settings, acc.account_id, on=TODAY)
    assert view.payments[0].status == "frozen"
    with db.reading() as s:
        [mandate] = mandates_of(s, acc.account_id)
        assert (mandate.signed_at, mandate.signed_on, mandate.kind, mandate.sequence) == (
            "desk",
            TODAY,
            "one_off",
            "OOFF",
        )
        assert mandate.iban == DEBTOR_IBAN and mandate.created_by == "anna"
        assert [(e.from_status, e.to_status) for e in history(s, "mandate", mandate.id)] == [
            (None, "active")
        ]
    [collection] = _collections(db)
    assert (collection.status, collection.amount_minor, collection.due_on) == ("due", 10000, TODAY)
    assert collection.tender_id == view.tenders[0].id


def test_cash_and_cheques_are_not_collected(db, settings):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    with db.transaction() as s:
        desk.add_one_time_payment(
            s,
            settings,
            desk.EventRequest(
                [desk.PaymentRequest(acc.account_id, "50.00")],
                [desk.TenderRequest("cheque", "50.00", cheque_number="9")],
            ),
            actor="anna",
        )
    assert _collections(db) == []


def test_the_export_is_a_pain008_valid_against_the_official_schema_grouped_by_sequence(
    db, settings
):
    settings = dd_settings(settings)
    first = owing(db, settings, name="Γιώργος Παπαδόπουλος")
    second = owing(db, settings, name="Łukasz Żółć")
    take_direct_debit(db, settings, first.account_id, "40.00", on=TODAY)  # one-off
    take_direct_debit(db, settings, second.account_id, "25.50", save=True, on=TODAY)  # FRST
    created, _, xml = _export(db, settings)
    assert created
    pain008.validate(xml)  # and the service validated it before releasing it
    root = etree.fromstring(xml)
    groups = root.findall(".//p:PmtInf", NS)
    assert [g.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) for g in groups] == ["FRST", "OOFF"]
    tomorrow = TODAY + timedelta(days=1)  # SEPA Core D-1
    assert {g.findtext("p:ReqdColltnDt", namespaces=NS) for g in groups} == {tomorrow.isoformat()}
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "65.50"
    assert (
        root.findtext(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS)
        == "DE98ZZZ09999999999"
    )
    names = [n.text for n in root.findall(".//p:Dbtr/p:Nm", NS)]
    assert names == ["Lukasz Zolc", "Giorgos Papadopoulos"]
    collections = _collections(db)
    assert {(c.status, c.collection_date) for c in collections} == {("sent", tomorrow)}
    e2e = {e.text for e in root.findall(".//p:EndToEndId", NS)}
    assert e2e == {c.end_to_end_id for c in collections}
    with db.reading() as s:
        assert [
            (h.from_status, h.to_status) for h in history(s, "direct_debit", collections[0].id)
        ] == [
            (None, "due"),
            ("due", "sent"),
        ]
        mandates = {m.kind: m for m in s.scalars(select(Mandate))}
        assert (mandates["recurrent"].sequence, mandates["recurrent"].status) == ("RCUR", "active")
        assert mandates["one_off"].status == "ended"


def test_a_recurrent_mandate_collects_first_then_recurring(db, settings):
    settings = dd_settings(settings)
    acc = owing(db, settings, amount="300.00")
    take_direct_debit(db, settings, acc.account_id, "50.00", save=True, on=TODAY)
    _export(db, settings)
    take_direct_debit(db, settings, acc.account_id, "60.00", on=TODAY + timedelta(days=1))
    _, _, xml = _export(
        db, settings, due=TODAY + timedelta(days=1), today=TODAY + timedelta(days=1)
    )
    root = etree.fromstring(xml)
    assert [s.text for s in root.findall(".//p:SeqTp", NS)] == ["RCUR"]
    with db.reading() as s:
        assert len(mandates_of(s, acc.account_id)) == 1


def test_exporting_the_same_day_again_gives_the_same_file(db, settings):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    take_direct_debit(db, settings, acc.account_id, on=TODAY)
    created, file_id, xml = _export(db, settings)
    take_direct_debit(db, settings, acc.account_id, "5.00", on=TODAY)  # comes too late for it
    again, same_id, same = _export(db, settings)
    assert created and not again and (same_id, same) == (file_id, xml)
    assert [c.status for c in _collections(db)] == ["sent", "due"]


def test_a_friday_export_collects_on_monday_and_a_collection_waiting_for_validation_waits(
    db, settings
):
    settings = dd_settings(settings)
    manual = settings.model_copy(
        update={"cashier": settings.cashier.model_copy(update={"bank_account_validator": "manual"})}
    )
    acc = owing(db, settings)
    friday = date(2026, 12, 4)
    take_direct_debit(db, settings, acc.account_id, "10.00", on=friday)
    pending = take_direct_debit(
        db, manual, acc.account_id, "20.00", iban="FR1420041010050500013M02606"
    )
    assert pending.tasks[0].status == "pending"
    _, _, xml = _export(db, settings, due=friday, today=friday)
    root = etree.fromstring(xml)
    assert root.findtext(".//p:ReqdColltnDt", namespaces=NS) == "2026-12-07"
    assert [c.status for c in _collections(db)] == ["sent", "due"]


def test_a_tender_cancelled_before_the_export_is_not_collected(db, settings):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    view = take_direct_debit(db, settings, acc.account_id, on=TODAY)
    with db.transaction() as s:
        desk.cancel_tender(s, view.tenders[0].id, reason="customer paid cash", actor="sofia")
    with pytest.raises(dd.NothingDue) as refused, db.transaction() as s:
        dd.export(s, settings, due_on=TODAY, actor="sofia", today=TODAY)
    assert refused.value.extra == {"due_on": TODAY.isoformat()}


def test_the_export_needs_the_creditor_identifier(db, settings):
    acc = owing(db, settings)
    take_direct_debit(db, settings, acc.account_id, on=TODAY)
    with pytest.raises(dd.NotConfigured), db.transaction() as s:
        dd.export(s, settings, due_on=TODAY, actor="sofia")
    assert [c.status for c in _collections(db)] == ["due"]


def test_a_file_that_breaks_the_schema_is_never_released():
    bad = pain008.Transaction("E2E", 100, "EUR", "M1", TODAY, "A", "not an iban", "FRST", TODAY)
    creditor = pain008.Creditor("B", "GR1601101250000000012300695", "DE98ZZZ09999999999")
    with pytest.raises(pain008.InvalidCollectionFile, match="IBAN"):
        pain008.write(
            [bad],
            creditor=creditor,
            message_id="M",
            created_at=__import__("datetime").datetime(2026, 11, 30),
        )


@pytest.mark.parametrize(
    ("sent_on", "lead", "expected"),
    [
        (date(2026, 11, 30), 1, date(2026, 12, 1)),  # Monday → Tuesday
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 5), 1, date(2026, 12, 8)),  # Saturday → Tuesday
        (date(2026, 12, 3), 2, date(2026, 12, 7)),  # Thursday, two days → Monday
        (date(2026, 12, 5), 0, date(2026, 12, 7)),  # no lead time, still a business day
    ],
)
def test_lead_time_counts_business_days(sent_on, lead, expected):
    assert rules.earliest_collection(sent_on, lead_days=lead) == expected


def test_a_collection_due_later_keeps_its_own_date_off_weekends():
    assert rules.collection_date(date(2026, 12, 12), date(2026, 11, 30), lead_days=1) == date(
        2026, 12, 14
    )
