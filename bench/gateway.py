"""Bank credit → notification pushed to paydesk → webhook received: latency at a steady rate.

``python bench/gateway.py [RATE] [SECONDS] [DATABASE_URL]`` (defaults: 50 payments/s for 10 s
on a fresh SQLite file). It starts paydesk, the bank simulator (its own process, pushing every
notification to paydesk) and a webhook receiver; then pays
RATE codes a second through the simulator's API. Each payment goes: simulator → code inquiry
→ camt.054 → push → import (match, post, freeze) → event → signed webhook. The time from the
payment request to the webhook's arrival is reported as p50 / p99 / max, with the CPU paydesk
used per payment (every paydesk process: servers and worker).

``RATE`` may be a list, ``10,25,50,100``: a **step load**, each rate for SECONDS in turn on
the same database, with a line per step and the first rate at which the webhook p99 passes
2 s.

paydesk runs as ``paydesk serve`` in its own process(es) (``PAYDESK_BENCH_WORKERS``, PostgreSQL
only for more than one) and imports with the real importer: each credit is matched, posted as a
frozen payment on the paying account's open invoice (ledger lines at the document) and its events
are written to the webhook outbox in the import transaction.
``PAYDESK_BENCH_WORKER=1`` also runs one ``paydesk worker`` (periodic tasks, webhook retries).
The webhook receiver is an HTTP/1.1 server that keeps connections open, as a host system's
web server does.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from paydesk.accounts import service as accounts
from paydesk.auth import service as auth
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.settings import Settings
from paydesk.webhooks.models import WebhookSubscription

SRC = Path(__file__).resolve().parents[1] / "src"
SECRET = "whsec_bench_secret_0123456789"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(400):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process and its living children used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(FileNotFoundError):
            children.update(int(c) for c in (task / "children").read_text().split())
    return own + sum(_cpu_seconds(child) for child in children)


def _issue_codes(db: Database, settings: Settings, account_id: int, count: int) -> list[str]:
    """``count`` open codes on the account, 200 to a transaction (a session stays small)."""
    rfs: list[str] = []
    while len(rfs) < count:
        with db.transaction() as session:
            account = accounts.get_account(session, account_id)
            rfs.extend(
                codes.issue_for_account(session, settings, account, actor="bench").rf
                for _ in range(min(200, count - len(rfs)))
            )
    return rfs


def _percentile(times: list[float], share: float) -> float:
    return times[min(len(times) - 1, int(len(times) * share))]


def main() -> None:
    rates = [int(r) for r in (sys.argv[1] if len(sys.argv) > 1 else "50").split(",")]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    work = Path(tempfile.mkdtemp(prefix="paydesk-bench-"))
    url = sys.argv[3] if len(sys.argv) > 3 else f"sqlite:///{work / 'paydesk.db'}"
    upgrade(url)
    db = Database(url)
    settings = Settings(database_url=url)
    total = sum(rates) * seconds

    arrived: dict[str, float] = {}
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a host system's web server

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                arrived.setdefault(body["data"]["rf"], time.perf_counter())
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    with db.transaction() as session:
        user = auth.create_user(session, username="bench-bank", role="integration")
        key = auth.create_key(session, user)
        customer = accounts.create_customer(session, name="Bench Customer")
        account = accounts.create_account(
            session,
            customer=customer,
            number="BENCH-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[
                accounts.ContractSpec("service"),
                accounts.ContractSpec("excess", 99, is_overpayment=True),
            ],
        )
        account_id = account.id
        # A debt larger than every run pays: each payment is posted and frozen on the
        # invoice (ledger lines split at the document), as a customer paying what it owes.
        service = next(
            c for c in accounts.contracts_of(session, account_id) if c.contract_type == "service"
        )
        documents.create(
            session,
            settings,
            account=account,
            kind="invoice",
            number="BENCH-INVOICE-1",
            amount=Money.parse("10000000.00", "EUR"),
            issue_date=date.today(),
            status="issued",
            actor="bench",
            contract_id=service.id,
        )
        session.add(
            WebhookSubscription(
                url=f"http://127.0.0.1:{receiver.server_address[1]}/",
                secret=SECRET,
                event_types=["*"],
            )
        )

    rfs = _issue_codes(db, settings, account_id, total)
    port = _port()
    workers = os.environ.get("PAYDESK_BENCH_WORKERS", "1")
    paydesk_process = subprocess.Popen(
        [sys.executable, "-m", "paydesk.cli.main", "serve", "--port", str(port),
         "--workers", workers, "--no-access-log"],
        env={"PAYDESK_SECRET_KEY": secrets.token_urlsafe(32),
             "PAYDESK_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]', **os.environ,
             "PYTHONPATH": str(SRC), "PAYDESK_DATABASE_URL": url,
             "PAYDESK_CONFIG": "/nonexistent/paydesk.toml"},
    )  # fmt: skip
    paydesk = f"http://127.0.0.1:{port}"
    paydesk_processes = [paydesk_process]
    if os.environ.get("PAYDESK_BENCH_WORKER") == "1":
        paydesk_processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "paydesk.cli.main", "worker"],
                env={
                    **os.environ,
                    "PYTHONPATH": str(SRC),
                    "PAYDESK_DATABASE_URL": url,
                    "PAYDESK_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
                    "PAYDESK_CONFIG": "/nonexistent/paydesk.toml",
                },
            )
        )
    _wait(f"{paydesk}/v1/health")

    sim_port = _port()
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paydesk.cli.main",
            "banksim",
            "--port",
            str(sim_port),
            "--paydesk-url",
            paydesk,
            "--api-key",
            key,
            "--push-url",
            f"{paydesk}/v1/bank/notifications",
            "--push-key",
            key,
            "--data-dir",
            str(work / "banksim"),
        ],
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    steps: list[tuple[int, list[str], dict[str, float]]] = []
    try:
        _wait(f"http://127.0.0.1:{sim_port}/health")
        client = httpx.Client(base_url=f"http://127.0.0.1:{sim_port}", timeout=30)

        def pay(code: str) -> None:
            sent[code] = time.perf_counter()
            body = {"rf": code, "amount": "10.00", "bank_bic": "ETHNGRAA"}
            response = client.post("/api/payments", json=body)
            if response.status_code != 201:
                raise RuntimeError(response.text)
            answered[code] = time.perf_counter()

        def paydesk_cpu() -> float:
            return sum(_cpu_seconds(p.pid) for p in paydesk_processes)

        offset = 0
        for rate in rates:
            codes_now = rfs[offset : offset + rate * seconds]
            offset += rate * seconds
            baseline = {
                "paydesk": paydesk_cpu(),
                "simulator": _cpu_seconds(sim.pid),
                "load + receiver": sum(os.times()[:2]),
            }
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=32) as pool:
                for i, code in enumerate(codes_now):
                    delay = start + i / rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    pool.submit(pay, code)
            deadline = time.perf_counter() + 30
            while any(c not in arrived for c in codes_now) and time.perf_counter() < deadline:
                time.sleep(0.05)
            steps.append(
                (
                    rate,
                    codes_now,
                    {
                        "paydesk": paydesk_cpu() - baseline["paydesk"],
                        "simulator": _cpu_seconds(sim.pid) - baseline["simulator"],
                        "load + receiver": sum(os.times()[:2]) - baseline["load + receiver"],
                    },
                )
            )
    finally:
        for process in (sim, *reversed(paydesk_processes)):
            process.terminate()
            process.wait(10)

    def summary(name: str, done: dict[str, float], among: list[str]) -> tuple[str, float]:
        times = sorted(done[c] - sent[c] for c in among if c in done and c in sent)
        if not times:
            return f"{name}: none", float("inf")
        p99 = _percentile(times, 0.99)
        return (
            f"{name:<22} {len(times):>5}/{len(among)}"
            f"  p50 {statistics.median(times) * 1000:6.0f} ms"
            f"  p99 {p99 * 1000:6.0f} ms  max {times[-1] * 1000:6.0f} ms"
        ), (p99 if len(times) == len(among) else float("inf"))

    load = os.getloadavg()
    print(
        f"database: {db.dialect}; paydesk serve --workers {workers}"
        f"{' + paydesk worker' if len(paydesk_processes) > 1 else ''}; {seconds} s per rate; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    crossed = None
    for rate, codes_now, cpu in steps:
        print(f"-- {rate} payments/s")
        print(summary("bank answered payer", answered, codes_now)[0])
        line, p99 = summary("webhook received", arrived, codes_now)
        print(line)
        print(
            "CPU ms per payment: "
            + ", ".join(
                f"{name} {seconds_ * 1000 / len(codes_now):.1f}" for name, seconds_ in cpu.items()
            )
        )
        if crossed is None and p99 > 2.0:
            crossed = rate
    if len(steps) > 1:
        print(
            "webhook p99 above 2 s from "
            + (f"{crossed} payments/s" if crossed else f"none of these rates (up to {rates[-1]}/s)")
        )


if __name__ == "__main__":
    main()
