"""Direct-debit export: the pain.008 writer with its schema check, against the same writer
without the check, and the whole export (collections read, file stored, collections marked
sent) on a real database, in one run.

    PYTHONPATH=src python bench/direct_debits.py [N] [--db sqlite|postgresql]

Figures are rates within one run and the ratios between them; quote ``uptime``'s load
average with them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, datetime
from unittest import mock

from paydesk.directdebits import pain008

CREDITOR = pain008.Creditor("Bench Motors", "GR9601401010101002320015006", "DE98ZZZ09999999999")


def transactions(n: int) -> list[pain008.Transaction]:
    return [
        pain008.Transaction(
            f"PDDD{i:012d}",
            1000 + i % 90_000,
            "EUR",
            f"PDM{i}-1",
            date(2026, 11, 1),
            f"Πελάτης {i}",
            "DE89370400440532013000",
            ("FRST", "RCUR", "OOFF")[i % 3],
            date(2026, 12, 1 + i % 3),
            f"payment event {i}",
        )
        for i in range(n)
    ]


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def writer_rates(n: int) -> tuple[float, float]:
    items = transactions(n)
    at = datetime(2026, 11, 30, 9)
    with_check = timed(
        lambda: pain008.write(items, creditor=CREDITOR, message_id="B", created_at=at)
    )
    with mock.patch.object(pain008, "validate", lambda xml: None):
        bare = timed(lambda: pain008.write(items, creditor=CREDITOR, message_id="B", created_at=at))
    return n / with_check, n / bare


def export_rate(n: int, backend: str) -> float:
    """Collections per second through ``directdebits.service.export`` (taken at the desk
    first, outside the clock)."""
    from paydesk.accounts import service as accounts
    from paydesk.accounts.service import ContractSpec
    from paydesk.cashier import service as desk
    from paydesk.db.engine import Database
    from paydesk.db.migrate import upgrade
    from paydesk.directdebits import service as dd
    from paydesk.settings import DirectDebitSettings, Settings

    if backend == "sqlite":
        url = f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}"
    else:
        url = os.environ.get(
            "PAYDESK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/paydesk_bench"
        )
    upgrade(url)
    db = Database(url)
    settings = Settings(
        database_url=url,
        secret_key="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        direct_debit=DirectDebitSettings(creditor_id="DE98ZZZ09999999999"),
        cashier={"bank_account_validator": "structural"},
    )
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Bench")
        account = accounts.create_account(
            s,
            customer=customer,
            number=f"DD-{time.time_ns()}",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[
                ContractSpec("service", 10),
                ContractSpec("excess", 99, is_overpayment=True),
            ],
        )
        request = desk.EventRequest(
            [desk.PaymentRequest(account.id, "1.00")],
            [
                desk.TenderRequest(
                    "direct_debit", iban="DE89370400440532013000", save_as_stored_method=True
                )
            ],
        )
        first = desk.add_one_time_payment(s, settings, request, actor="bench")
    desk.validate_and_reread(db, settings, first.event.id, [t.id for t in first.tasks])
    for _ in range(n - 1):
        with db.transaction() as s:
            desk.add_one_time_payment(s, settings, request, actor="bench")
    due = date(2030, 1, 1)

    def run() -> None:
        with db.transaction() as s:
            dd.export(s, settings, due_on=due, actor="bench")

    rate = n / timed(run)
    db.dispose()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--export", type=int, default=2_000, help="collections for the export")
    args = parser.parse_args()
    checked, bare = writer_rates(args.n)
    print(f"pain.008 written, no schema check: {bare:10,.0f} transactions/s")
    print(f"pain.008 written and checked:      {checked:10,.0f} transactions/s")
    print(f"ratio checked / unchecked:         {checked / bare:10.2f}")
    exported = export_rate(args.export, args.db)
    print(f"export on {args.db} ({args.export}):     {exported:10,.0f} collections/s")
    print(f"ratio export / checked writer:     {exported / checked:10.2f}")


if __name__ == "__main__":
    main()
