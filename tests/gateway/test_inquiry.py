"""Code inquiry: the paying bank asks whether a code may be paid, how much, until when."""

from __future__ import annotations

from paydesk.codes import rf
from tests.conftest import auth
from tests.gateway.helpers import fixed_code, open_code, set_code, yesterday


def _ask(client, key, code, **params):
    return client.get(f"/v1/bank/inquiry/{code}", params=params, headers=auth(key))


def test_a_fixed_code_is_payable_with_exactly_the_amount_due(client, keys):
    key = keys["integration"]
    code = fixed_code(client, key, "120.50")
    answer = _ask(client, key, code, amount="120.50").json()
    assert answer == {
        "payable": True,
        "reason": None,
        "rf": code,
        "amount_type": "fixed",
        "amount_due": "120.50",
        "currency": "EUR",
        "expires_on": None,
        "status": "active",
    }
    wrong = _ask(client, key, code, amount="100.00").json()
    assert (wrong["payable"], wrong["reason"]) == (False, "amount_mismatch")


def test_a_partly_paid_fixed_code_is_due_the_rest(client, keys, db):
    key = keys["integration"]
    code = fixed_code(client, key, "100.00")
    set_code(db, code, paid_minor=3000, status="partially_paid")
    answer = _ask(client, key, code, amount="70.00").json()
    assert (answer["payable"], answer["amount_due"]) == (True, "70.00")


def test_an_open_code_is_due_its_ceiling_less_what_was_paid(client, keys, db):
    key = keys["integration"]
    code = open_code(client, key, amount="1000.00")
    set_code(db, code, paid_minor=40000, status="partially_paid")
    assert _ask(client, key, code, amount="10.00").json()["amount_due"] == "600.00"
    over = _ask(client, key, code, amount="600.01").json()
    assert (over["payable"], over["reason"]) == (False, "exceeds_ceiling")


def test_an_open_code_without_ceiling_takes_any_amount(client, keys, db):
    key = keys["integration"]
    code = open_code(client, key)
    set_code(db, code, amount_minor=None)
    answer = _ask(client, key, code, amount="99999.99").json()
    assert (answer["payable"], answer["amount_due"]) == (True, None)


def test_paid_cancelled_and_unknown_codes_are_refused_with_the_reason(client, keys, db):
    key = keys["integration"]
    paid = fixed_code(client, key)
    set_code(db, paid, paid_minor=10000, status="paid")
    cancelled = fixed_code(client, key)
    set_code(db, cancelled, status="cancelled")
    unknown = rf.create("NOSUCHCODE1")
    reasons = {c: _ask(client, key, c).json()["reason"] for c in (paid, cancelled, unknown)}
    assert reasons == {paid: "paid", cancelled: "cancelled", unknown: "unknown"}
    assert _ask(client, key, unknown).json()["payable"] is False


def test_a_code_past_its_expiry_is_expired_at_the_inquiry(client, keys, db):
    key = keys["integration"]
    code = fixed_code(client, key)
    set_code(db, code, expires_on=yesterday())
    answer = _ask(client, key, code, amount="100.00").json()
    assert (answer["payable"], answer["reason"], answer["status"]) == (False, "expired", "expired")


def test_a_different_currency_is_refused(client, keys):
    key = keys["integration"]
    code = fixed_code(client, key)
    answer = _ask(client, key, code, amount="100.00", currency="PLN").json()
    assert answer["reason"] == "currency_mismatch"


def test_a_malformed_rf_or_amount_is_a_problem(client, keys):
    key = keys["integration"]
    bad = _ask(client, key, "RF00BROKEN")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["type"] == "urn:paydesk:problem:invalid-payment-code"
    code = fixed_code(client, key)
    assert _ask(client, key, code, amount="1.001").status_code == 422


def test_only_integrations_may_ask(client, keys):
    code = fixed_code(client, keys["integration"])
    assert _ask(client, keys["cashier"], code).status_code == 403
