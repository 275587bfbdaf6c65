"""A real HTTP receiver in a thread that checks each webhook's signature."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paydesk.settings import Settings
from paydesk.webhooks.signing import verify_signature

SECRET = "whsec_test_secret_0123456789"


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(
                        {
                            "event": self.headers["Paydesk-Event"],
                            "delivery": self.headers["Paydesk-Delivery"],
                            "signature": self.headers["Paydesk-Signature"],
                            "valid": verify_signature(
                                SECRET, self.headers["Paydesk-Signature"], body
                            ),
                            "body": json.loads(body),
                            "raw": body,
                            "status": status,
                        }
                    )
                receiver.arrived.set()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.received if r["status"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def settings(db) -> Settings:
    """The receivers run on 127.0.0.1, which an admin must allow (webhooks refuse internal
    addresses otherwise: tests/security/test_webhook_targets.py)."""
    return Settings(database_url=db.url, webhook_allowed_hosts=["127.0.0.1"])
