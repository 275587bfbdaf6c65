"""Kill camt imports at random points, import again, and check that nothing is lost or doubled.

``python scripts/crash_import.py [--db sqlite|postgresql] [--kills N] [--entries M] [--seed S]``

Sets up a fresh database with accounts, contracts, documents and payment codes (fixed and
open, on documents and on accounts), writes camt.054 files whose credits pay them — some
twice in one file, some with unknown RFs, some over what is owed, one reversing an earlier
credit — and then (on SQLite a file commits every ``--step`` entries, so a kill can fall
between its steps), ``--kills`` times, starts an import in a child process and ends it with
SIGKILL after a random delay. Each time, and after a last import that runs to its end, the
invariants of :mod:`paydesk.payments.invariants` must hold; at the end every credit must be
posted or held exactly once. Prints the kill points survived; exits 1 on the first violation.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.bank.models import BankEntry
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.payments.invariants import violations
from paydesk.settings import Settings

POSTGRES = os.environ.get(
    "PAYDESK_CRASH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IBAN = "GR1601101250000000012300695"
TODAY = date.today()

#: The child: import one file, then exit.
CHILD = """
import sys
from paydesk.bank import importer
from paydesk.db.engine import Database
if len(sys.argv) > 3:
    importer.SQLITE_STEP = int(sys.argv[3])
db, path = Database(sys.argv[1]), sys.argv[2]
importer.import_file(db, path, name=path, origin="cli", actor="crash")
"""


def fresh_database(kind: str, workdir: Path, name: str = "paydesk_crash") -> str:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'crash.db'}"
    else:
        admin = Database(POSTGRES)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _eur(minor: int) -> Money:
    return Money.from_minor(minor, "EUR")


def seed(db: Database, rng: random.Random, accounts_count: int) -> list[str]:
    """Accounts with two or three contracts, a document each, and their codes; the RFs."""
    settings = Settings(database_url=db.url)
    rfs: list[str] = []
    with db.transaction() as session:
        for n in range(accounts_count):
            specs = [ContractSpec("service", rng.randint(1, 3)), ContractSpec("parts", 2)]
            if rng.random() < 0.6:
                specs.append(ContractSpec("excess", 99, is_overpayment=True))
            customer = accounts.create_customer(session, name=f"Customer {n}")
            account = accounts.create_account(
                session,
                customer=customer,
                number=f"C-{n}",
                currency="EUR",
                customer_class="balance_forward",
                contracts=specs,
            )
            kind = rng.choice(["counter_invoice", "vehicle_order"])
            made = documents.create(
                session,
                settings,
                account=account,
                kind=kind,
                number=f"D-{n}",
                amount=_eur(rng.randint(1_000, 50_000)),
                issue_date=TODAY - timedelta(days=rng.randint(0, 60)),
                status="issued" if kind == "counter_invoice" else None,
                actor="crash",
            )
            code = (
                made.code
                or codes.issue_for_document(session, settings, made.document, actor="crash").code
            )
            rfs.append(code.rf)
            if rng.random() < 0.3:
                rfs.append(codes.issue_for_account(session, settings, account, actor="crash").rf)
    return rfs


def camt_file(rng: random.Random, rfs: list[str], entries: int, tag: str) -> bytes:
    credits = []
    for i in range(entries):
        rf = rng.choice(rfs) if rng.random() < 0.9 else "RF18539007547034"  # unknown RF
        credits.append(
            OutgoingCredit(
                amount=_eur(rng.randint(100, 60_000)),
                booking_date=TODAY,
                rf=rf,
                debtor_name=f"Payer {i}",
                debtor_bic="ETHNGRAA",
                end_to_end_id=f"E2E-{tag}-{i}",
                account_servicer_ref=f"ASR-{tag}-{i}",
            )
        )
    first = credits[0]
    credits.append(
        OutgoingCredit(
            amount=first.amount,
            booking_date=TODAY,
            rf=first.rf,
            debtor_name=first.debtor_name,
            debtor_bic="ETHNGRAA",
            end_to_end_id=first.end_to_end_id,
            account_servicer_ref=f"REV-{tag}",
            reversal=True,
        )
    )
    out = io.BytesIO()
    write_camt054(credits, out, version="001.08", account_iban=IBAN, message_id=f"M-{tag}")
    return out.getvalue()


def _import(url: str, path: Path, kill_after: float | None, step: int | None = None) -> bool:
    """Run the child; with ``kill_after``, SIGKILL it then. True when it ran to its end."""
    extra = [str(step)] if step else []
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(path), *extra])
    if kill_after is None:
        return child.wait() == 0
    try:
        child.wait(timeout=kill_after)
        return child.returncode == 0
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
        return False


def check(db: Database) -> list[str]:
    with db.reading() as session:
        return violations(session)


def run(
    kind: str,
    *,
    kills: int,
    entries: int,
    seed_value: int,
    workdir: Path,
    step: int | None = None,
) -> dict[str, int]:
    """The crash test; returns counts (kills, completed imports, entries stored)."""
    rng = random.Random(seed_value)
    url = fresh_database(kind, workdir)
    db = Database(url)
    rfs = seed(db, rng, accounts_count=max(entries // 4, 5))
    files = []
    for n in range(2):
        path = workdir / f"crash-{n}.xml"
        path.write_bytes(camt_file(rng, rfs, entries, tag=str(n)))
        files.append(path)
    started = time.perf_counter()
    _import(url, files[0], None, step)  # how long a whole import takes here
    full = time.perf_counter() - started
    killed = completed = 0
    for _ in range(kills):
        if _import(url, files[1], rng.uniform(0.0, full * 1.2), step):
            completed += 1
        else:
            killed += 1
        problems = check(db)
        if problems:
            raise SystemExit("\n".join(["after a kill:", *problems]))
    for path in files:  # the last imports run to their end; a re-import changes nothing
        _import(url, path, None, step)
    problems = check(db)
    with db.reading() as session:
        stored = session.scalar(
            select(func.count()).select_from(BankEntry).where(BankEntry.reversal.is_(False))
        )
    db.dispose()
    if problems:
        raise SystemExit("\n".join(["after the last import:", *problems]))
    if stored != 2 * entries:
        raise SystemExit(f"{stored} credits stored, {2 * entries} sent")
    return {"kills": killed, "completed": completed, "stored": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--step", type=int, default=None, help="entries a SQLite import commits at a time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        counts = run(
            args.db,
            kills=args.kills,
            entries=args.entries,
            seed_value=args.seed,
            workdir=Path(workdir),
            step=args.step,
        )
    print(
        f"{args.db}: {counts['kills']} imports killed at random points, "
        f"{counts['completed']} finished before the kill; {counts['stored']} credits stored "
        "once each; every invariant holds"
    )


if __name__ == "__main__":
    main()
