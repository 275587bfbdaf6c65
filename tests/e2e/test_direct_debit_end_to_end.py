"""Issue 12 part 2 end to end with real processes: direct debits taken at the desk, exported
as pain.008, sent to the bank simulator, settled on the collection date and read from its
feed by the worker — one confirmed; one returned after settlement (closed account, camt.054)
with its payment reversed, cash-only points added and the host system told; one rejected
before settlement (refused by the debtor, a pain.002 on the same feed)."""

from __future__ import annotations

from datetime import date

import pytest

from paydesk.directdebits import pain008, rules
from paydesk.settings import Settings
from paydesk.webhooks.signing import verify_signature
from tests.desk.helpers import build_account
from tests.e2e.conftest import Stack, eventually, start_stack
from tests.webhooks.conftest import SECRET

GOOD_IBAN = "DE89370400440532013000"
CLOSED_IBAN = "FR1420041010050500013M02606"
REFUSING_IBAN = "NL91ABNA0417164300"


@pytest.fixture
def stack(db, tmp_path):
    with start_stack(db, tmp_path, direct_debit__creditor_id="DE98ZZZ09999999999") as started:
        yield started


def _desk_direct_debit(stack: Stack, account_id: int, iban: str) -> dict:
    answer = stack.api.post(
        "/v1/payment-events",
        json={
            "payments": [{"account_id": account_id, "amount": "80.00"}],
            "tenders": [{"type": "direct_debit", "iban": iban, "holder_name": "Payer"}],
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _collections(stack: Stack) -> dict[int, dict]:
    answer = stack.api.get("/v1/direct-debits")
    assert answer.status_code == 200, answer.text
    return {c["account_id"]: c for c in answer.json()}


def test_direct_debits_are_collected_from_the_bank_and_a_returned_one_is_reversed(
    stack: Stack,
):
    settings = Settings(database_url=stack.db.url)
    accounts = [
        build_account(stack.db, settings, invoices=[("service", "INV", "80.00", date(2026, 1, 5))])
        for _ in range(3)
    ]
    paid, returned, rejected = (a.account_id for a in accounts)
    events = {
        paid: _desk_direct_debit(stack, paid, GOOD_IBAN),
        returned: _desk_direct_debit(stack, returned, CLOSED_IBAN),
        rejected: _desk_direct_debit(stack, rejected, REFUSING_IBAN),
    }
    assert {e["payments"][0]["status"] for e in events.values()} == {"frozen"}
    # The debtor's bank of the second payer closed the account.
    rule = stack.sim.post("/api/direct-debits/rules", json={"iban": CLOSED_IBAN, "reason": "AC04"})
    assert rule.status_code == 201, rule.text
    # The third payer's bank refuses it before settlement.
    refusal = {"iban": REFUSING_IBAN, "reason": "MS02", "before_settlement": True}
    assert stack.sim.post("/api/direct-debits/rules", json=refusal).status_code == 201

    exported = stack.api.post(
        "/v1/direct-debits/exports", json={"due_on": date.today().isoformat()}
    )
    assert exported.status_code == 201, exported.text
    file_id = exported.json()["file_id"]
    xml = stack.api.get(f"/v1/direct-debits/files/{file_id}/xml").content
    pain008.validate(xml)
    again = stack.api.post("/v1/direct-debits/exports", json={"due_on": date.today().isoformat()})
    assert (again.status_code, again.json()["file_id"]) == (200, file_id)
    assert {c["status"] for c in _collections(stack).values()} == {"sent"}

    taken = stack.sim.post(
        "/api/direct-debits", content=xml, headers={"Content-Type": "application/xml"}
    )
    assert taken.status_code == 201 and taken.json()["collections"] == 3, taken.text
    assert taken.json()["status_report"] is not None  # the pain.002 of the reject
    collection_day = rules.earliest_collection(date.today(), lead_days=1)
    settled = stack.sim.post("/api/direct-debits/settle", json={"on": collection_day.isoformat()})
    assert (settled.json()["booked"], settled.json()["returned"]) == (2, 1), settled.text

    def settled_in_paydesk():
        found = _collections(stack)
        statuses = [found[a]["status"] for a in (paid, returned, rejected)]
        return found if statuses == ["confirmed", "returned", "returned"] else None

    found = eventually(settled_in_paydesk, what="the worker reads the settlement from the feed")
    assert found[paid]["status"] == "confirmed"
    assert (found[returned]["status"], found[returned]["return_code"]) == ("returned", "AC04")
    assert found[returned]["returned_by"] == "camt.054"
    assert (found[rejected]["return_code"], found[rejected]["returned_by"]) == ("MS02", "pain.002")

    event = stack.api.get(f"/v1/payment-events/{events[returned]['id']}").json()
    assert [p["status"] for p in event["payments"]] == ["cancelled"]
    assert [t["status"] for t in event["tenders"]] == ["cancelled"]
    kept = stack.api.get(f"/v1/payment-events/{events[paid]['id']}").json()
    assert [p["status"] for p in kept["payments"]] == ["frozen"]
    points = stack.api.get(f"/v1/accounts/{returned}/cash-only-points").json()
    assert points["cash_only_points"] == 3  # AC04, by the default settings

    def told():
        with stack.receiver.lock:
            return [r for r in stack.receiver.received if r["event"] == "direct_debit.returned"]

    hooks = eventually(lambda: len(told()) == 2 and told(), what="the host system hears")
    assert all(h["valid"] and verify_signature(SECRET, h["signature"], h["raw"]) for h in hooks)
    data = {h["body"]["data"]["account_id"]: h["body"]["data"] for h in hooks}
    assert (data[returned]["reason_code"], data[returned]["amount"]) == ("AC04", "80.00")
    assert (data[rejected]["reason_code"], data[rejected]["returned_by"]) == ("MS02", "pain.002")
