"""The bank simulator: pays only what paydesk says is payable, and reports it as camt.054."""

from __future__ import annotations

import io

from paydesk.bank.camt import parse_camt
from paydesk.codes import rf
from tests.gateway.helpers import fixed_code, open_code, set_code, yesterday

PAYER_IBAN = "GR1601101250000000012300695"


def _pay(sim, code, amount, bic="ETHNGRAA", **extra):
    body = {"rf": code, "amount": amount, "currency": "EUR", "bank_bic": bic, **extra}
    return sim.post("/api/payments", json=body)


def _entries(sim, after=None):
    params = {} if after is None else {"after": after}
    feed = sim.get("/api/feed", params=params).json()
    return [e for item in feed for e in parse_camt(io.BytesIO(item["document"].encode()))]


def test_an_accepted_payment_is_published_as_a_camt054_credit(client, keys, sim):
    code = fixed_code(client, keys["integration"], "120.50")
    paid = _pay(
        sim, code, "120.50", bic="PIRBGRAA", payer_name="Maria Nikolaou", payer_iban=PAYER_IBAN
    )
    assert paid.status_code == 201, paid.text
    receipt = paid.json()
    assert receipt["status"] == "accepted"
    assert receipt["bank_name"] == "Piraeus Bank"
    [entry] = _entries(sim)
    assert entry.ok and entry.credit and not entry.reversal
    assert (entry.rf, str(entry.amount.amount), entry.amount.currency) == (code, "120.50", "EUR")
    assert entry.debtor_agent_bic == "PIRBGRAA"
    assert (entry.debtor_name, entry.debtor_iban) == ("Maria Nikolaou", PAYER_IBAN)
    assert entry.account_servicer_ref == receipt["bank_reference"]
    assert entry.end_to_end_id == receipt["end_to_end_id"]


def test_a_fixed_code_paid_with_a_wrong_amount_is_refused(client, keys, sim):
    code = fixed_code(client, keys["integration"], "100.00")
    refused = _pay(sim, code, "90.00")
    assert refused.status_code == 422
    assert refused.json()["reason"] == "amount_mismatch"
    assert "100.00" in refused.json()["detail"]
    assert sim.get("/api/feed").json() == []


def test_unpayable_codes_are_refused_with_the_reason(client, keys, db, sim):
    key = keys["integration"]
    expired, cancelled, paid = (fixed_code(client, key) for _ in range(3))
    set_code(db, expired, expires_on=yesterday())
    set_code(db, cancelled, status="cancelled")
    set_code(db, paid, status="paid", paid_minor=10000)
    unknown = rf.create("NOSUCH42")
    reasons = {
        c: _pay(sim, c, "100.00").json()["reason"] for c in (expired, cancelled, paid, unknown)
    }
    assert reasons == {expired: "expired", cancelled: "cancelled", paid: "paid", unknown: "unknown"}
    assert sim.get("/api/feed").json() == []


def test_malformed_input_is_refused_before_asking_paydesk(client, keys, sim):
    code = fixed_code(client, keys["integration"])
    assert _pay(sim, "RF00ABC", "1.00").json()["reason"] == "invalid_rf"
    assert _pay(sim, code, "1.001").json()["reason"] == "invalid_amount"
    assert _pay(sim, code, "100.00", bic="DEUTDEFF").json()["reason"] == "unknown_bank"
    assert _pay(sim, code, "100.00", payer_iban="GR00123").json()["reason"] == "invalid_iban"


def test_an_open_code_takes_payments_up_to_its_ceiling(client, keys, sim):
    code = open_code(client, keys["integration"], amount="500.00")
    assert _pay(sim, code, "200.00").status_code == 201
    assert _pay(sim, code, "500.01").json()["reason"] == "exceeds_ceiling"


def test_a_retried_payment_with_the_same_idempotency_key_pays_once(client, keys, sim):
    code = fixed_code(client, keys["integration"])
    body = {"rf": code, "amount": "100.00", "bank_bic": "BREXPLPW"}
    first = sim.post("/api/payments", json=body, headers={"Idempotency-Key": "k1"})
    again = sim.post("/api/payments", json=body, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["bank_reference"] == again.json()["bank_reference"]
    assert len(sim.get("/api/feed").json()) == 1


def test_a_reversal_is_published_once_as_a_reversed_debit(client, keys, sim):
    code = fixed_code(client, keys["integration"])
    reference = _pay(sim, code, "100.00").json()["bank_reference"]
    reversed_ = sim.post("/api/reversals", json={"bank_reference": reference})
    assert reversed_.status_code == 201
    first, reversal = _entries(sim)
    assert (reversal.credit, reversal.reversal) == (False, True)
    assert reversal.end_to_end_id == first.end_to_end_id
    assert reversal.rf == code and reversal.key != first.key
    assert sim.post("/api/reversals", json={"bank_reference": reference}).status_code == 409
    assert sim.post("/api/reversals", json={"bank_reference": "NOPE"}).status_code == 404


def test_the_feed_is_read_after_a_cursor(client, keys, sim):
    key = keys["integration"]
    for _ in range(3):
        assert _pay(sim, fixed_code(client, key), "100.00").status_code == 201
    feed = sim.get("/api/feed").json()
    assert [i["cursor"] for i in feed] == ["1", "2", "3"]
    assert [i["cursor"] for i in sim.get("/api/feed", params={"after": "2"}).json()] == ["3"]
    assert sim.get("/api/feed", params={"after": "x"}).status_code == 422


def test_payee_verification_answers_by_the_documented_rules(client, keys, sim):
    code = fixed_code(client, keys["integration"])
    _pay(sim, code, "100.00", payer_name="Maria Nikolaou", payer_iban=PAYER_IBAN)

    def verify(iban, name):
        return sim.post("/v1/account-verification", json={"iban": iban, "name": name})

    assert verify(PAYER_IBAN, "MARIA NIKOLAOU").json() == {"result": "match"}
    assert verify(PAYER_IBAN, "Maria Nikolau").json() == {
        "result": "close_match",
        "name": "Maria Nikolaou",
    }
    assert verify(PAYER_IBAN, "Jan Kowalski").json() == {"result": "no_match"}
    assert verify("PL61109010140000071219812874", "Jan Kowalski").json() == {"result": "unknown"}
    assert verify("GR0000000", "x").status_code == 422


def test_the_web_banking_page_pays_a_code(client, keys, sim):
    code = fixed_code(client, keys["integration"], "45.90")
    page = sim.get("/")
    assert "National Bank of Greece (ETHNGRAA)" in page.text
    paid = sim.post("/pay", data={"bank_bic": "INGBPLPW", "rf": code, "amount": "45.90"})
    assert paid.status_code == 200 and "Bank reference" in paid.text
    refused = sim.post("/pay", data={"bank_bic": "INGBPLPW", "rf": code, "amount": "1.00"})
    assert refused.status_code == 422 and "amount_mismatch" in refused.text
