"""Issue 3, shown end to end with real processes: a payer pays codes at the bank simulator,
the worker reads the simulator's feed, paydesk posts the payments and tells the host system
by signed webhooks; an expired code is refused at the bank and held when forced through."""

from __future__ import annotations

import io
from datetime import date

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.money import Money
from paydesk.webhooks.signing import verify_signature
from tests.e2e.conftest import Stack, eventually
from tests.gateway.helpers import fixed_code, open_code, set_code, yesterday
from tests.webhooks.conftest import SECRET


def _pay(stack: Stack, code: str, amount: str, bic: str, payer: str):
    return stack.sim.post(
        "/api/payments",
        json={"rf": code, "amount": amount, "bank_bic": bic, "payer_name": payer},
    )


def _code(stack: Stack, code: str) -> dict:
    answer = stack.api.get(f"/v1/payment-codes/{code}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _events(stack: Stack, event_type: str, rf: str) -> list[dict]:
    with stack.receiver.lock:
        return [
            r
            for r in stack.receiver.received
            if r["event"] == event_type and r["body"]["data"].get("rf") == rf
        ]


def test_payments_at_the_bank_reach_the_codes_and_the_host_system(stack: Stack):
    key = stack.admin_key
    open_rf = open_code(stack.api, key, amount="1000.00")  # vehicle order
    fixed_rf = fixed_code(stack.api, key, amount="100.00")  # counter invoice

    paid = [
        _pay(stack, open_rf, "300.00", "ETHNGRAA", "Nikos Pappas"),
        _pay(stack, open_rf, "250.50", "PIRBGRAA", "Nikos Pappas"),
        _pay(stack, fixed_rf, "100.00", "CRBAGRAA", "Anna Kowalska"),
    ]
    for answer in paid:
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "accepted"

    def posted(code: str, count: int):
        found = _code(stack, code)
        return found if len(found["payments"]) == count else None

    open_found = eventually(lambda: posted(open_rf, 2), what="two payments on the open code")
    fixed_found = eventually(lambda: posted(fixed_rf, 1), what="one payment on the fixed code")
    today = date.today().isoformat()
    assert open_found["status"] == "partially_paid"
    banks = {p["amount"]: p["bank_name"] for p in open_found["payments"]}
    assert banks == {"300.00": "NATIONAL BANK OF GREECE S.A.", "250.50": "PIRAEUS BANK S.A."}
    assert all(p["paid_on"] == today for p in open_found["payments"])
    assert open_found["paid"] == "550.50"
    assert fixed_found["status"] == "paid"
    [fixed_payment] = fixed_found["payments"]
    assert (fixed_payment["paid_on"], fixed_payment["bank_name"], fixed_payment["amount"]) == (
        today,
        "ALPHA BANK S.A.",
        "100.00",
    )

    # The host system heard of each payment, signed with the subscription's secret.
    eventually(
        lambda: (
            len(_events(stack, "payment_code.partially_paid", open_rf)) == 2
            and len(_events(stack, "payment_code.paid", fixed_rf)) == 1
            and len(_events(stack, "payment.frozen", open_rf)) == 2
            and len(_events(stack, "payment.frozen", fixed_rf)) == 1
        ),
        what="the webhooks for the three payments",
    )
    with stack.receiver.lock:
        received = list(stack.receiver.received)
    for hook in received:
        assert hook["valid"], hook
        raw = hook["raw"]
        assert verify_signature(SECRET, hook["signature"], raw)
        assert not verify_signature("whsec_someone_else_0123456", hook["signature"], raw)
    [fixed_paid] = _events(stack, "payment_code.paid", fixed_rf)
    assert fixed_paid["body"]["data"]["payment"]["amount"] == "100.00"
    assert {
        e["body"]["data"]["payment"]["bank_bic"]
        for e in _events(stack, "payment_code.partially_paid", open_rf)
    } == {"ETHNGRAA", "PIRBGRAA"}


def test_an_expired_code_is_refused_at_the_bank_and_held_when_forced_through(stack: Stack):
    code = fixed_code(stack.api, stack.admin_key, amount="75.00")
    set_code(stack.db, code, expires_on=yesterday())  # its time has passed

    refused = _pay(stack, code, "75.00", "ERBKGRAA", "Eleni Georgiou")
    assert refused.status_code == 422, refused.text
    assert refused.json()["status"] == "refused"
    assert refused.json()["reason"] == "expired"

    camt = io.BytesIO()
    write_camt054(
        [
            OutgoingCredit(
                amount=Money.parse("75.00", "EUR"),
                booking_date=date.today(),
                rf=code,
                debtor_name="Eleni Georgiou",
                debtor_bic="ERBKGRAA",
                end_to_end_id="E2E-EXPIRED-1",
                account_servicer_ref="ASR-EXPIRED-1",
            )
        ],
        camt,
        version="001.08",
        account_iban="GR1601101250000000012300695",
        message_id="FORCED-1",
    )
    uploaded = stack.api.post(
        "/v1/bank/files",
        params={"name": "forced.xml"},
        content=camt.getvalue(),
        headers={"Content-Type": "application/xml"},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert (uploaded.json()["matched"], uploaded.json()["unmatched"]) == (0, 1)

    held = stack.api.get("/v1/bank/entries", params={"status": "unmatched"}).json()
    [entry] = [e for e in held if e["rf"] == code]
    assert entry["reason"] == f"payment code {code} expired on {yesterday().isoformat()}"
    assert entry["amount"] == "75.00"
    found = _code(stack, code)
    assert (found["status"], found["payments"]) == ("expired", [])
    [unmatched] = eventually(
        lambda: _events(stack, "bank_entry.unmatched", code),
        what="the unmatched credit's webhook",
    )
    assert unmatched["valid"] and unmatched["body"]["data"]["reason"] == entry["reason"]
