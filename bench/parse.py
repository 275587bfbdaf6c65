"""Parse rate of the camt parser against a bare lxml iterparse, on one generated camt.054.

    PYTHONPATH=src python bench/parse.py [N] [--keep FILE]

The bare baseline reads the same file with ``iterparse`` and extracts only the RF, the amount
(with currency) and the booking date of each entry. Figures are ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta

from lxml import etree

from paydesk.bank.camt import check_file, parse_camt
from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.codes import rf
from paydesk.money import Money

NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


def credits(n: int) -> Iterator[OutgoingCredit]:
    rnd = random.Random(20260301)
    start = date(2026, 3, 2)
    for i in range(n):
        day = start + timedelta(days=i % 20)
        yield OutgoingCredit(
            amount=Money.from_minor(rnd.randint(100, 5_000_000), "EUR"),
            booking_date=day,
            value_date=day,
            rf=rf.create(f"{1_000_000 + i}"),
            debtor_name=f"Customer {i}",
            debtor_iban="GR1601101250000000012300695",
            debtor_bic="ETHNGRAAXXX",
            end_to_end_id=f"E2E-{i}",
            account_servicer_ref=f"2026030200{i:08d}",
            entry_ref=f"N{i}",
        )


def bare(path: str) -> int:
    q = f"{{{NS}}}"
    ref = "/".join(q + t for t in ["NtryDtls", "TxDtls", "RmtInf", "Strd", "CdtrRefInf", "Ref"])
    amt, booked = q + "Amt", f"{q}BookgDt/{q}Dt"
    n = 0
    for _, e in etree.iterparse(
        path, events=("end",), tag=q + "Ntry", resolve_entities=False, no_network=True
    ):
        amount = e.find(amt)
        _ = (e.findtext(ref), amount.text, amount.get("Ccy"), e.findtext(booked))
        n += 1
        e.clear()
        parent = e.getparent()
        while e.getprevious() is not None:
            del parent[0]
    return n


def timed(fn, path: str) -> tuple[int, float]:
    best = float("inf")
    n = 0
    for _ in range(3):
        start = time.perf_counter()
        n = fn(path)
        best = min(best, time.perf_counter() - start)
    return n, n / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", help="write the generated file here and keep it")
    args = parser.parse_args()
    path = args.keep or os.path.join(tempfile.mkdtemp(), "bench.camt054.xml")
    start = time.perf_counter()
    with open(path, "wb") as out:
        write_camt054(
            credits(args.n), out, account_iban="GR9601101250000000012300695", message_id="BENCH"
        )
    print(
        f"wrote {args.n} entries ({os.path.getsize(path) / 1e6:.0f} MB) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    try:
        n_bare, rate_bare = timed(bare, path)
        n_check, rate_check = timed(lambda p: check_file(p).entries, path)
        n_parse, rate_parse = timed(lambda p: sum(1 for e in parse_camt(p) if e.ok), path)
        assert n_bare == n_check == n_parse == args.n, (n_bare, n_check, n_parse)
        print(f"bare iterparse (RF, amount, date): {rate_bare:10,.0f} entries/s")
        print(f"check_file (well-formed pass):     {rate_check:10,.0f} entries/s")
        print(f"parse_camt (full BankEntry):       {rate_parse:10,.0f} entries/s")
        print(f"ratio parse / bare:                {rate_parse / rate_bare:10.2f}")
        print(
            f"ratio parse+check / bare:          "
            f"{1 / (1 / rate_parse + 1 / rate_check) / rate_bare:10.2f}"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS:                          {peak:10.0f} MB")
    finally:
        if not args.keep:
            os.remove(path)


if __name__ == "__main__":
    main()
