"""The demo data (SQLite and PostgreSQL): three accounts, a document of each kind with the code
its rule issues, the demo users with a key each; loading it twice changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from paydesk import demo
from paydesk.accounts.models import Account
from paydesk.codes.models import PaymentCode
from paydesk.documents.models import Document, Security

TODAY = date(2026, 11, 30)


def test_the_demo_has_a_document_of_each_kind_with_its_code_and_loads_once(db, settings):
    with db.transaction() as s:
        first = demo.load(s, settings, today=TODAY)
    assert first.created and set(first.api_keys) == set(demo.DEMO_USERS)
    with db.reading() as s:
        numbers = {a.id: a.number for a in s.scalars(select(Account))}
        classes = sorted((a.number, a.customer_class) for a in s.scalars(select(Account)))
        documents = {
            d.number: (
                numbers[d.account_id],
                d.kind,
                d.amount_minor,
                TODAY - d.issue_date,
                d.status,
            )
            for d in s.scalars(select(Document))
        }
        coded = {
            d.number: c.amount_type
            for c, d in s.execute(
                select(PaymentCode, Document).join(Document, Document.id == PaymentCode.document_id)
            )
        }
        securities = sorted(
            (x.instrument, x.number, x.amount_minor) for x in s.scalars(select(Security))
        )
    assert classes == [
        ("DEMO-0001", "balance_forward"),
        ("DEMO-0002", "open_item"),
        ("DEMO-NONCIS", "non_cis"),
    ]
    days = timedelta
    assert documents == {
        "RO-1001": ("DEMO-0001", "repair_order", 10000, days(3), "ready_for_invoicing"),
        "CI-2001": ("DEMO-0001", "counter_invoice", 4590, days(1), "issued"),
        "INV-3001": ("DEMO-0002", "invoice", 25000, days(40), "issued"),
        "INV-3002": ("DEMO-0002", "invoice", 12000, days(10), "issued"),
        "VO-4001": ("DEMO-0001", "vehicle_order", 1850000, days(0), documents["VO-4001"][4]),
        "SB-5001": ("DEMO-0002", "securities_batch", 125000, days(0), documents["SB-5001"][4]),
    }
    assert coded == {"RO-1001": "fixed", "CI-2001": "fixed", "VO-4001": "open", "SB-5001": "open"}
    assert securities == [("cheque", "CH-778812", 50000), ("promissory_note", "PN-0042", 75000)]
    with db.transaction() as s:
        again = demo.load(s, settings, today=TODAY)
    assert (again.created, again.api_keys) == (False, {})
