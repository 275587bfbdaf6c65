"""The database's own share of an import: the rows of N credits, already built, stored again.

``python bench/floor.py [--entries N] [--codes M] [--step S]`` (SQLite)

Imports a camt.054 of N credits against M open codes (as ``bench/ingest.py`` does), reads back
every row the import wrote (entries, events, tenders, payments, segments, ledger lines, code
payments, audit records, and the codes' new paid amounts), then stores those same rows in a
copy of the database as it was before the import — plain ``executemany`` of ready tuples, one
transaction per S entries, through paydesk's connection settings — and prints the time per
entry of both, beside the bare lxml rate of the same file. The replay is what no planner, parser
or writer in Python can go below: the engine's B-tree work for the rows and indexes the import
must keep. ``best ratio`` is the share of the bare rate an import would reach if everything
else cost nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ingest import fresh_database, import_in_child, load_codes, write_file
from parse import bare
from paydesk.db.engine import Database

#: Tables an import writes, in the order the importer writes them.
TABLES = (
    "bank_entries",
    "payment_events",
    "tenders",
    "payments",
    "payment_segments",
    "ledger_entries",
    "code_payments",
    "audit_events",
)


def written(path: Path) -> tuple[dict[str, list[tuple[object, ...]]], list[tuple[object, ...]]]:
    """Every row the import wrote, as stored, and the codes' new values."""
    source = sqlite3.connect(path)
    rows = {t: source.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    codes = source.execute(
        "SELECT paid_minor, status, updated_at, id FROM payment_codes "
        "WHERE paid_minor > 0 ORDER BY id"
    ).fetchall()
    files = source.execute("SELECT * FROM bank_files").fetchall()
    source.close()
    rows["bank_files"] = files
    return rows, codes


def replay(url: str, rows: dict[str, list[tuple[object, ...]]], codes, step: int) -> float:
    """Seconds to store ``rows`` and the code updates, ``step`` entries a transaction."""
    db = Database(url)

    def insert(raw, table: str, batch) -> None:
        if batch:
            marks = ", ".join("?" for _ in batch[0])
            raw.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)

    with db.transaction() as session:
        insert(session.connection().connection.driver_connection, "bank_files", rows["bank_files"])
    entries = len(rows["bank_entries"])
    steps = max(1, -(-entries // step))
    start = time.perf_counter()
    for s in range(steps):
        with db.transaction() as session:
            raw = session.connection().connection.driver_connection
            for table in TABLES:
                table_rows = rows[table]
                lo, hi = len(table_rows) * s // steps, len(table_rows) * (s + 1) // steps
                insert(raw, table, table_rows[lo:hi])
            lo, hi = len(codes) * s // steps, len(codes) * (s + 1) // steps
            raw.executemany(
                "UPDATE payment_codes SET paid_minor = ?, status = ?, updated_at = ? WHERE id = ?",
                codes[lo:hi],
            )
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--step", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        camt = workdir / "camt054.xml"
        write_file(camt, args.entries, args.codes)
        url = fresh_database("sqlite", workdir)
        load_codes(url, args.codes)
        before = workdir / "before.db"
        shutil.copy(workdir / "bench.db", before)
        start = time.perf_counter()
        bare(str(camt))
        bare_us = (time.perf_counter() - start) / args.entries * 1e6
        run = import_in_child(url, camt)
        import_us = run.elapsed / args.entries * 1e6
        rows, codes = written(workdir / "bench.db")
        floor_us = replay(f"sqlite:///{before}", rows, codes, args.step) / args.entries * 1e6
        per_entry = {t: len(r) / args.entries for t, r in rows.items() if t != "bank_files"}
        print(
            f"{args.entries} entries, {args.codes} open codes; rows per entry: "
            + ", ".join(f"{t} {n:g}" for t, n in per_entry.items())
        )
        print(f"bare lxml iterparse:           {bare_us:6.1f} µs/entry")
        print(
            f"import end to end:             {import_us:6.1f} µs/entry "
            f"({bare_us / import_us:.0%} of bare)"
        )
        print(
            f"its rows stored again (floor): {floor_us:6.1f} µs/entry "
            f"(best ratio {bare_us / floor_us:.0%} of bare)"
        )


if __name__ == "__main__":
    main()
