"""Name search over many customers: p50 / p95 / p99 of a search by part of a name.

``python bench/search.py [--customers N] [--queries Q] [--db sqlite|postgresql|both]``

Loads N customers (default 1 000 000) with Greek and Latin names — first name and surname from
lists, so each surname is shared by many — and their name terms, in a fresh database; then
times Q searches (:func:`paydesk.accounts.search.find_customer_ids`, as the search box calls
it) for a surname or a first name plus the start of a surname, typed in lower case without
accents, and prints the percentiles. The terms index keeps each search one index range.

Beside them, in the same run on the same database, two baselines: the **floor** — one customer
read by its primary key, timed the same way (what any one-row query costs here) — and the
**scan** a search without the terms index would make (``lower(name) LIKE '%…%'`` over every
customer, timed for a few queries only, being slow).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).parent))
from paydesk.accounts import search
from paydesk.accounts.models import Customer, CustomerNameTerm
from paydesk.db.base import utcnow
from paydesk.db.bulk import insert_rows
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade

POSTGRES = os.environ.get(
    "PAYDESK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FIRST = ["Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Δημήτρης", "Anna", "Łukasz", "Zofia", "Piotr"]
SURNAMES = [
    f"{stem}{end}"
    for stem in ("Παπαδ", "Γεωργ", "Νικολά", "Κωνσταντ", "Nowak", "Kowalsk", "Wiśniewsk")
    for end in ("όπουλος", "ίου", "άκης", "ίδης", "a", "i", "owski", "ewicz")
]
BATCH = 50_000


def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'search.db'}"
    else:
        admin = Database(POSTGRES)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "paydesk_bench_search"'))
            conn.execute(text('CREATE DATABASE "paydesk_bench_search"'))
        admin.dispose()
        url = POSTGRES.rsplit("/", 1)[0] + "/paydesk_bench_search"
    upgrade(url)
    return url


def name_of(i: int, rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(SURNAMES)} {i}"


def load(url: str, count: int) -> None:
    """``count`` customers and their name terms, written in batches."""
    db = Database(url)
    rng = random.Random(11649)
    now = utcnow()
    customers = Customer.__table__
    terms = CustomerNameTerm.__table__
    for start in range(1, count + 1, BATCH):
        ids = range(start, min(start + BATCH, count + 1))
        names = [name_of(i, rng) for i in ids]
        with db.engine.begin() as conn:
            insert_rows(
                conn,
                customers,
                ("id", "name", "kind", "language", "created_at"),
                [(i, n, "person", "el", now) for i, n in zip(ids, names, strict=True)],
            )
            insert_rows(
                conn,
                terms,
                ("customer_id", "term"),
                [(i, t) for i, n in zip(ids, names, strict=True) for t in search.terms(n)],
            )
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('customers_id_seq', :n)"), {"n": count})
            conn.execute(text("ANALYZE customers; ANALYZE customer_name_terms"))
        else:
            conn.execute(text("ANALYZE"))
    db.dispose()


def queries(count: int) -> list[str]:
    rng = random.Random(97)
    typed = []
    for _ in range(count):
        surname = search.fold(rng.choice(SURNAMES))
        if rng.random() < 0.5:
            typed.append(surname)
        else:
            typed.append(f"{search.fold(rng.choice(FIRST))} {surname[:4]}")
    return typed


def measure(url: str, typed: list[str]) -> list[float]:
    db = Database(url)
    took = []
    with db.reading() as session:
        search.find_customer_ids(session, typed[0], limit=20)  # warm the connection
        for query in typed:
            start = time.perf_counter()
            found = search.find_customer_ids(session, query, limit=20)
            took.append(time.perf_counter() - start)
            assert found, query
    db.dispose()
    return took


def measure_floor(url: str, count: int, times: int) -> list[float]:
    """The same timing of one customer read by its primary key: the cost of any one query."""
    db = Database(url)
    rng = random.Random(5)
    took = []
    with db.reading() as session:
        session.get(Customer, 1)
        for _ in range(times):
            wanted = rng.randint(1, count)
            start = time.perf_counter()
            found = session.scalar(select(Customer.name).where(Customer.id == wanted))
            took.append(time.perf_counter() - start)
            assert found
    db.dispose()
    return took


def measure_scan(url: str, typed: list[str]) -> list[float]:
    """Searches as they would run without the terms index: a pattern over every name."""
    db = Database(url)
    took = []
    with db.reading() as session:
        for query in typed:
            pattern = f"%{query.split()[-1]}%"
            start = time.perf_counter()
            session.scalars(
                select(Customer.id).where(func.lower(Customer.name).like(pattern)).limit(20)
            ).all()
            took.append(time.perf_counter() - start)
    db.dispose()
    return took


def percentiles(took: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    cuts = statistics.quantiles(sorted(took), n=100)
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scans", type=int, default=20, help="searches timed without the index")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            url = fresh_database(kind, Path(tmp))
            started = time.perf_counter()
            load(url, args.customers)
            loaded = time.perf_counter() - started
            typed = queries(args.queries)
            p50, p95, p99 = percentiles(measure(url, typed))
            f50, f95, _f99 = percentiles(measure_floor(url, args.customers, args.queries))
            s50, s95, _s99 = percentiles(measure_scan(url, typed[: args.scans]))
            print(
                f"{kind:10} {args.customers:>9} customers (loaded in {loaded:.0f} s): "
                f"name search p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms "
                f"over {len(typed)} searches"
            )
            print(
                f"{'':10} baseline, read by primary key: p50 {f50:.2f} ms, p95 {f95:.2f} ms "
                f"(search p95 = {p95 / f95:.1f}x); without the index (LIKE over every name, "
                f"{args.scans} searches): p50 {s50:.1f} ms, p95 {s95:.1f} ms "
                f"({s95 / p95:.0f}x the search's p95)"
            )


if __name__ == "__main__":
    main()
