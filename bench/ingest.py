"""camt.054 import end to end (parse + match + post + code status), beside a bare lxml iterparse.

``python bench/ingest.py [--entries N] [--codes M] [--db sqlite|postgresql|both]``

Sets up M open payment codes (account-level, on 1 000 accounts) in a fresh database, writes a
camt.054 with N credits that pay random codes, then imports it in a child process (so its peak
memory is its own) and prints entries/second and peak RSS (and that of the process that
parses a large file, which the import starts), beside the rate of a bare
``lxml.etree.iterparse`` that only extracts RF, amount and date from the same file. Read the
ratio, not the absolute figures: both run on the same machine in the same run. On a busy
machine compare the CPU per entry (the import process's, and a local PostgreSQL server's)
instead: it does not depend on how many cores were free.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).parent))
from parse import bare
from paydesk.accounts.models import Account, Contract, Customer
from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.codes import rf
from paydesk.codes.models import PaymentCode
from paydesk.db.base import utcnow
from paydesk.db.bulk import insert_rows
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.money import Money

POSTGRES = os.environ.get(
    "PAYDESK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ACCOUNTS = 1000
IBAN = "GR1601101250000000012300695"


def code_text(i: int) -> str:
    return rf.create(f"BENCH{i:010d}")


def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        admin = Database(POSTGRES)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "paydesk_bench_ingest"'))
            conn.execute(text('CREATE DATABASE "paydesk_bench_ingest"'))
        admin.dispose()
        url = POSTGRES.rsplit("/", 1)[0] + "/paydesk_bench_ingest"
    upgrade(url)
    return url


def load_codes(url: str, count: int) -> None:
    db = Database(url)
    now = utcnow()
    with db.transaction() as session:
        session.execute(
            insert(Customer),
            [{"name": "bench", "kind": "company", "language": "en", "created_at": now}],
        )
        session.execute(
            insert(Account),
            [
                {
                    "customer_id": 1,
                    "number": f"B-{i}",
                    "currency": "EUR",
                    "customer_class": "balance_forward",
                    "cash_only_points": 0,
                    "created_at": now,
                }
                for i in range(1, ACCOUNTS + 1)
            ],
        )
        session.execute(
            insert(Contract),
            [
                {
                    "account_id": a,
                    "contract_type": t,
                    "description": "",
                    "payment_priority": p,
                    "is_overpayment": o,
                    "status": "active",
                    "created_at": now,
                }
                for a in range(1, ACCOUNTS + 1)
                for t, p, o in (("sales", 10, False), ("excess", 99, True))
            ],
        )
    columns = (
        "rf",
        "account_id",
        "kind",
        "amount_type",
        "currency",
        "paid_minor",
        "status",
        "issued_at",
        "issued_by",
        "updated_at",
    )
    batch = 100_000
    for start in range(0, count, batch):
        rows = [
            (
                code_text(i),
                1 + i % ACCOUNTS,
                "account",
                "open",
                "EUR",
                0,
                "active",
                now,
                "bench",
                now,
            )
            for i in range(start, min(count, start + batch))
        ]
        with db.transaction() as session:
            insert_rows(session.connection(), PaymentCode.__table__, columns, rows)
    db.dispose()


def write_file(path: Path, entries: int, codes: int) -> None:
    rng = random.Random(20022)
    today = date.today()

    def credits():
        for i in range(entries):
            yield OutgoingCredit(
                amount=Money.from_minor(rng.randint(100, 50_000), "EUR"),
                booking_date=today,
                rf=code_text(rng.randrange(codes)),
                debtor_name="Payer",
                debtor_bic="ETHNGRAA",
                end_to_end_id=f"E2E{i}",
                account_servicer_ref=f"ASR{i}",
            )

    with open(path, "wb") as out:
        write_camt054(credits(), out, account_iban=IBAN, message_id="BENCH")


#: Run in the child: import the file, then print elapsed seconds, peak RSS (kB), the counts,
#: the process's CPU seconds and, for a PostgreSQL server on this machine, the CPU seconds of
#: the server processes that served the import (``None`` when /proc does not show them); then
#: the peak RSS (kB) and CPU seconds of the process that parsed a large file (0 when none).
CHILD = """
import json, os, resource, sys, threading, time
from sqlalchemy import text
from paydesk.db.engine import Database
from paydesk.bank.importer import import_file

def cpu(usage):
    return usage.ru_utime + usage.ru_stime

def backends(db):
    if not db.is_postgresql:
        return {}
    with db.engine.connect() as conn:
        pids = conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )).scalars().all()
    seconds = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds

def peak_kb(pid="self"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1])

# A child's own peak is its VmHWM, read while it runs (its ru_maxrss starts at this process's
# size, as the child begins as a copy of it).
children_peak, done = {}, threading.Event()
def watch():
    while not done.wait(0.05):
        for task in os.listdir("/proc/self/task"):
            try:
                pids = open(f"/proc/self/task/{task}/children").read().split()
            except OSError:
                continue
            for pid in pids:
                try:
                    children_peak[pid] = max(children_peak.get(pid, 0), peak_kb(pid))
                except (OSError, TypeError):
                    pass
threading.Thread(target=watch, daemon=True).start()

url, path = sys.argv[1], sys.argv[2]
db = Database(url)
before = backends(db)
start, used = time.perf_counter(), cpu(resource.getrusage(resource.RUSAGE_SELF))
summary = import_file(db, path, name="bench", origin="cli", actor="bench")
elapsed = time.perf_counter() - start
used = cpu(resource.getrusage(resource.RUSAGE_SELF)) - used
done.set()
parser_cpu = cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
after = backends(db)
server = None
if before is not None and after is not None and db.is_postgresql:
    server = sum(s - before.get(pid, 0) for pid, s in after.items())
print(json.dumps([elapsed, peak_kb(), summary.counts(), used, server,
                  max(children_peak.values(), default=0), parser_cpu]))
"""


class Imported(NamedTuple):
    elapsed: float
    peak_kb: int
    counts: dict[str, int]
    cpu: float
    server_cpu: float | None
    parser_peak_kb: int
    parser_cpu: float


def import_in_child(url: str, path: Path) -> Imported:
    # Peak memory is read from VmHWM, which starts afresh at exec (ru_maxrss would carry the
    # parent's peak across fork + exec).
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(path)], check=True, capture_output=True, text=True
    )
    return Imported(*json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "camt054.xml"
        write_file(path, args.entries, args.codes)
        start = time.perf_counter()
        bare(str(path))
        bare_rate = args.entries / (time.perf_counter() - start)
        print(
            f"file: {args.entries} entries, {path.stat().st_size / 1e6:.1f} MB; "
            f"{args.codes} open codes"
        )
        print(f"baseline bare lxml iterparse (RF, amount, date): {bare_rate:10,.0f} entries/s")
        for kind in kinds:
            url = fresh_database(kind, workdir)
            t0 = time.perf_counter()
            load_codes(url, args.codes)
            setup = time.perf_counter() - t0
            load = os.getloadavg()[0]
            run = import_in_child(url, path)
            rate = args.entries / run.elapsed
            memory = f"peak RSS {run.peak_kb / 1024:.0f} MB"
            if run.parser_peak_kb:
                memory += f" + parser process {run.parser_peak_kb / 1024:.0f} MB"
            print(
                f"{kind:<10} import end to end: {rate:10,.0f} entries/s "
                f"({rate / bare_rate:.0%} of bare), {memory}, "
                f"{run.counts['matched']} matched, {run.counts['unmatched']} unmatched "
                f"(setup of codes {setup:.0f} s)"
            )
            # CPU per entry does not depend on how many cores the machine had free: the figure
            # to compare between runs on a busy machine.
            cpu = f"CPU per entry: import process {run.cpu / args.entries * 1e6:.0f} µs"
            if run.parser_cpu:
                cpu += f", parser process {run.parser_cpu / args.entries * 1e6:.0f} µs"
            if run.server_cpu is not None:
                cpu += f", PostgreSQL server {run.server_cpu / args.entries * 1e6:.0f} µs"
            print(
                f"{'':<10} {cpu} (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"
            )


if __name__ == "__main__":
    main()
