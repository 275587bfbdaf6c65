"""Uploads are streamed to a temporary file: a 1 GB camt file sent to ``POST /v1/bank/files``
and through the web page's upload form keeps a real ``paydesk serve`` process under 200 MB."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paydesk.auth import service as auth_service
from paydesk.db.engine import Database
from tests.bank.test_importer import camt054, credit
from tests.e2e.conftest import paydesk_env
from tests.gateway.conftest import free_port, stop, wait_until_up
from tests.web.conftest import PASSWORDS, csrf_token, make_users

GIB = 1024**3
#: Peak resident memory the server may reach while taking a 1 GB upload.
LIMIT_MB = 200
#: One MiB of XML comments: the parser skips them, so the file is large but quick to read.
PADDING = (b"<!-- " + b"p" * 1010 + b" -->\n") * 1024


def _camt_of_one_gigabyte() -> tuple[list[bytes], int]:
    """A real camt.054 with one credit and ~1 GiB of comments after it: (parts, repeats)."""
    head, tail = camt054(credit("RF18539007547034", "5.00", "BIG")).split(b"</Ntry>", 1)
    return [head + b"</Ntry>\n", tail], GIB // len(PADDING) + 1


def _body(prefix: bytes, suffix: bytes) -> tuple[Iterator[bytes], int]:
    (head, tail), repeats = _camt_of_one_gigabyte()

    def chunks() -> Iterator[bytes]:
        yield prefix + head
        for _ in range(repeats):
            yield PADDING
        yield tail + suffix

    return chunks(), len(prefix) + len(head) + repeats * len(PADDING) + len(tail) + len(suffix)


def _peak_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, int, str]]:
    """``paydesk serve`` on SQLite as a separate process: (url, pid, integration key)."""
    path = tmp_path / "paydesk.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    make_users(db)
    with db.transaction() as session:
        user = auth_service.create_user(session, username="bank-network", role="integration")
        key = auth_service.create_key(session, user)
    db.dispose()
    env = paydesk_env(
        f"sqlite:///{path}",
        secret_key="streamed-upload-test-secret-0123456789",
        web_upload_max_bytes=str(2 * GIB),
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paydesk.cli.main", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/v1/health", process=process)
        yield url, process.pid, key
    finally:
        stop(process)


@pytest.mark.slow
def test_a_one_gigabyte_upload_keeps_the_server_under_200_mb(server):
    url, pid, key = server
    started = time.monotonic()
    body, size = _body(b"", b"")
    assert size > GIB
    answer = httpx.post(
        f"{url}/v1/bank/files?name=big.xml",
        content=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/xml",
            "Content-Length": str(size),
        },
        timeout=300,
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["entries"], answer.json()["unmatched"]) == (1, 1)
    assert _peak_mb(pid) < LIMIT_MB, _peak_mb(pid)

    with httpx.Client(base_url=url, timeout=300) as browser:
        token = csrf_token(browser.get("/sign-in").text)
        signed_in = browser.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "username": "supervisor",
                "password": PASSWORDS["supervisor"],
            },
        )
        assert signed_in.status_code in (200, 303), signed_in.text
        token = csrf_token(browser.get("/bank").text)
        boundary = "paydesk-test-boundary-7d1f"
        prefix = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big-web.xml"\r\n'
            "Content-Type: application/xml\r\n\r\n"
        ).encode()
        body, size = _body(prefix, f"\r\n--{boundary}--\r\n".encode())
        uploaded = browser.post(
            "/bank/files",
            content=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(size),
            },
        )
    assert uploaded.status_code == 303, uploaded.text[:2000]
    assert "imported=" in uploaded.headers["location"]
    assert _peak_mb(pid) < LIMIT_MB, _peak_mb(pid)
    assert time.monotonic() - started < 240
