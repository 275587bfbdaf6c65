"""One-time payments (distribute + freeze) per second over HTTP, with p50/p99 latency.

Starts a real uvicorn server process on 127.0.0.1 against a fresh database, then N client
threads (httpx) each post one-time payments (cash, one payment on one of many accounts) as
fast as the server answers. Prints the rate and latencies; it is never a timed test.

    python bench/cashier.py                       # SQLite and PostgreSQL, 8 clients
    python bench/cashier.py --backend postgresql --clients 16 --payments 4000 --workers 2

The target (2 cores): at least 300 payments/s on PostgreSQL with p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.auth import service as auth
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.ledger import posting

POSTGRES_URL = os.environ.get(
    "PAYDESK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    admin = Database(POSTGRES_URL)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "paydesk_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "paydesk_bench"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/paydesk_bench"


def _prepare(url: str, n_accounts: int) -> tuple[str, list[int]]:
    upgrade(url)
    db = Database(url)
    ids = []
    with db.transaction() as session:
        user = auth.create_user(session, username="bench-cashier", role="cashier")
        key = auth.create_key(session, user)
        customer = accounts.create_customer(session, name="Bench Customer")
        for i in range(n_accounts):
            account = accounts.create_account(
                session,
                customer=customer,
                number=f"BENCH-{i}",
                currency="EUR",
                customer_class="balance_forward",
                contracts=[
                    ContractSpec("service", 10),
                    ContractSpec("parts", 20),
                    ContractSpec("excess", 99, is_overpayment=True),
                ],
            )
            for contract in accounts.contracts_of(session, account.id)[:2]:
                posting.post(
                    session,
                    account_id=account.id,
                    contract_id=contract.id,
                    kind="charge",
                    amount_minor=10_000_000,
                    currency="EUR",
                    effective_date=date(2026, 1, 1),
                )
            ids.append(account.id)
    db.dispose()
    return key, ids


def _serve(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PAYDESK_DATABASE_URL": url, "PAYDESK_CONFIG": "/nonexistent.toml"}
    env.setdefault("PAYDESK_SECRET_KEY", secrets.token_urlsafe(32))  # no server without one
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "paydesk.api.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def _cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its children (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _run(port: int, key: str, accounts_ids: list[int], clients: int, total: int):
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client(index: int) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as http:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = {
                    "payments": [
                        {"account_id": accounts_ids[n % len(accounts_ids)], "amount": "12.34"}
                    ],
                    "tenders": [{"type": "cash"}],
                }
                start = time.perf_counter()
                response = http.post("/v1/payment-events", json=body)
                elapsed = time.perf_counter() - start
                with lock:
                    if response.status_code != 201 or (
                        response.json()["payments"][0]["status"] != "frozen"
                    ):
                        failures.append(response.text[:200])
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, failures


def bench(backend: str, clients: int, total: int, workers: int, n_accounts: int) -> None:
    if backend == "sqlite":
        workers = 1  # one writer at a time: more processes only contend for the lock
    with tempfile.TemporaryDirectory() as tmp:
        url = _database(backend, Path(tmp))
        key, ids = _prepare(url, n_accounts)
        port = _free_port()
        server = _serve(url, port, workers)
        try:
            _run(port, key, ids, clients, min(200, total))  # warm up
            cpu_before = _cpu_seconds(server.pid)
            elapsed, latencies, failures = _run(port, key, ids, clients, total)
            server_cpu = _cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(10)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{backend:<10} clients {clients:>3}  workers {workers}  payments {len(latencies):>5}  "
        f"{len(latencies) / elapsed:8.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
        f"  server CPU {server_cpu / len(latencies) * 1000:.1f} ms/payment"
        f"  failures {len(failures)}  (load average {os.getloadavg()[0]:.1f})"
    )
    for failure in failures[:3]:
        print("   ", failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (PostgreSQL)")
    parser.add_argument("--accounts", type=int, default=50)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"cores: {os.cpu_count()}")
    for backend in backends:
        bench(backend, args.clients, args.payments, args.workers, args.accounts)


if __name__ == "__main__":
    main()
