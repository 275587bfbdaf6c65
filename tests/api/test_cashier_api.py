"""The cashier desk over HTTP, as a cashier's screen would use it."""

from __future__ import annotations

import json
from dataclasses import asdict

import httpx
import pytest

from paydesk.cashier import validation
from paydesk.tender_type import default_tender_types
from tests.api.helpers import make_account, make_document
from tests.conftest import auth

IBAN = "GR1601101250000000012300695"


@pytest.fixture
def owing(client, keys):
    """An account owing 100.00 on an issued invoice."""
    account = make_account(client, keys["integration"])
    make_document(
        client, keys["integration"], account["id"], kind="invoice", number="INV-1", status="issued"
    )
    return account


def post_event(client, key, account_id, *tenders, **payment):
    body = {
        "payments": [{"account_id": account_id, **payment}],
        "tenders": list(tenders),
    }
    return client.post("/v1/payment-events", json=body, headers=auth(key))


def test_cheque_over_the_debt_answers_the_event_with_cash_back(client, keys, owing):
    key = keys["cashier"]
    response = post_event(
        client,
        key,
        owing["id"],
        {"type": "cheque", "amount": "120.00", "cheque_number": "77"},
        amount="100.00",
    )
    assert response.status_code == 201, response.text
    event = response.json()
    assert [(t["type"], t["amount"]) for t in event["tenders"]] == [
        ("cheque", "120.00"),
        ("cash", "-20.00"),
    ]
    [payment] = event["payments"]
    assert (payment["status"], payment["amount"]) == ("frozen", "100.00")
    assert payment["allowed_actions"] == ["cancel"]
    assert (event["status"], event["balanced"], event["difference"]) == ("ok", True, "0.00")
    ledger = client.get(f"/v1/accounts/{owing['id']}/ledger", headers=auth(key)).json()
    assert [(e["kind"], e["amount"]) for e in ledger] == [
        ("charge", "100.00"),
        ("payment", "-100.00"),
    ]
    again = client.get(f"/v1/payment-events/{event['id']}", headers=auth(key)).json()
    assert again["payments"][0]["segments"] == payment["segments"]


def test_card_tender_is_a_problem_naming_the_card_processor(client, keys, owing):
    response = post_event(client, keys["cashier"], owing["id"], {"type": "card"}, amount="10.00")
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:paydesk:problem:card-tender-refused"
    assert "external card processor" in problem["detail"]


def test_cash_over_the_payment_is_refused(client, keys, owing):
    response = post_event(
        client, keys["cashier"], owing["id"], {"type": "cash", "amount": "150.00"}, amount="100.00"
    )
    assert response.status_code == 422
    assert response.json()["type"] == "urn:paydesk:problem:cash-back-refused"


def test_payment_options_show_default_amount_wallet_and_cash_back_rules(client, keys, owing):
    key = keys["cashier"]
    method = client.post(
        f"/v1/accounts/{owing['id']}/stored-methods",
        json={"iban": IBAN, "holder_name": "Maria Nikolaou"},
        headers=auth(key),
    )
    assert method.status_code == 201, method.text
    assert method.json()["iban"] == "GR16 **** **** 0695"
    client.post(
        f"/v1/accounts/{owing['id']}/autopay",
        json={"stored_method_id": method.json()["id"]},
        headers=auth(key),
    )
    options = client.get(f"/v1/accounts/{owing['id']}/payment-options", headers=auth(key)).json()
    assert options["amount_default"] == "100.00"
    assert options["amount_default_algorithm"] == "payoff_balance"
    assert options["cash_only_warning"] is None
    assert [(o["kind"], o["tender_amount"]) for o in options["existing"]] == [
        ("autopay", "100.00"),
        ("stored_method", "100.00"),
    ]
    assert options["new"] == ["cash", "cheque", "bank_account"]
    switches = {t["code"]: t["allows_cash_back"] for t in options["tender_types"]}
    assert switches["cheque"] is True and switches["cash"] is False
    assert "card" not in switches
    # The answer lists the settings' tender types field for field (one definition).
    assert options["tender_types"] == [asdict(t) for t in default_tender_types() if not t.is_card]
    # An existing option is taken as offered: its tender type with its stored method.
    option = options["existing"][1]
    paid = client.post(
        "/v1/payment-events",
        json={
            "payments": [{"account_id": owing["id"], "amount": option["tender_amount"]}],
            "tenders": [
                {
                    "type": option["tender_type"],
                    "amount": option["tender_amount"],
                    "stored_method_id": option["stored_method"]["id"],
                }
            ],
        },
        headers=auth(key),
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["payments"][0]["status"] == "frozen"


def test_cash_only_points_are_changed_by_supervisors_with_history(client, keys, owing):
    url = f"/v1/accounts/{owing['id']}/cash-only-points"
    refused = client.post(url, json={"change": 4, "reason": "x"}, headers=auth(keys["cashier"]))
    assert refused.status_code == 403
    done = client.post(
        url, json={"change": 4, "reason": "bounced cheques"}, headers=auth(keys["supervisor"])
    )
    assert done.status_code == 200, done.text
    assert done.json()["history"][0]["actor"] == "supervisor-user"
    options = client.get(
        f"/v1/accounts/{owing['id']}/payment-options", headers=auth(keys["cashier"])
    ).json()
    assert options["cash_only_warning"].startswith("cash only")


def test_manual_distribution_over_http(client, keys, owing):
    key = keys["cashier"]
    body = {
        "distribution": "manual",
        "payments": [{"account_id": owing["id"], "amount": "60.00"}],
        "tenders": [{"type": "cash"}],
    }
    event = client.post("/v1/payment-events", json=body, headers=auth(key)).json()
    payment = event["payments"][0]
    assert payment["status"] == "incomplete"
    contract = owing["contracts"][0]["id"]
    url = f"/v1/payments/{payment['id']}/manual-distribution"
    bad = client.post(
        url, json={"segments": [{"contract_id": contract, "amount": "50.00"}]}, headers=auth(key)
    )
    assert bad.status_code == 422
    assert bad.json()["type"] == "urn:paydesk:problem:invalid-manual-distribution"
    good = client.post(
        url, json={"segments": [{"contract_id": contract, "amount": "60.00"}]}, headers=auth(key)
    )
    assert good.json()["status"] == "frozen"
    frozen_delete = client.delete(f"/v1/payments/{payment['id']}", headers=auth(key))
    assert frozen_delete.status_code == 409
    cancel = client.post(
        f"/v1/payments/{payment['id']}/cancel", json={"reason": "typo"}, headers=auth(key)
    )
    assert cancel.json()["status"] == "cancelled"


def test_new_iban_waits_for_the_task_and_a_supervisor_completes_it(settings, db, keys):
    from fastapi.testclient import TestClient

    from paydesk.api.app import create_app

    settings.cashier.bank_account_validator = "manual"
    with TestClient(create_app(settings, db)) as client:
        account = make_account(client, keys["integration"])
        make_document(client, keys["integration"], account["id"], kind="invoice", status="issued")
        event = post_event(
            client, keys["cashier"], account["id"], {"type": "direct_debit", "iban": IBAN}
        ).json()
        assert event["status"] == "pending_validation"
        assert event["payments"][0]["status"] == "incomplete"
        task = event["service_tasks"][0]
        assert (task["status"], task["iban"]) == ("pending", "GR16 **** **** 0695")
        done = client.post(
            f"/v1/service-tasks/{task['id']}/complete", headers=auth(keys["supervisor"])
        )
        assert done.json()["status"] == "completed", done.text
        after = client.get(f"/v1/payment-events/{event['id']}", headers=auth(keys["cashier"]))
        assert after.json()["payments"][0]["status"] == "frozen"


def test_bank_verification_service_no_match_cancels_the_event(settings, db, keys, monkeypatch):
    from fastapi.testclient import TestClient

    from paydesk.api.app import create_app

    seen = []

    def bank(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.read()))
        return httpx.Response(200, json={"result": "no_match"})

    fake = httpx.Client(transport=httpx.MockTransport(bank))
    monkeypatch.setitem(
        validation.VALIDATORS,
        "http",
        lambda s: validation.http_validator(s.bank_verification_url, client=fake),
    )
    settings.cashier.bank_verification_url = "http://bank.test"
    with TestClient(create_app(settings, db)) as client:
        account = make_account(client, keys["integration"])
        make_document(client, keys["integration"], account["id"], kind="invoice", status="issued")
        event = post_event(
            client,
            keys["cashier"],
            account["id"],
            {"type": "direct_debit", "iban": IBAN, "holder_name": "M. Nikolaou"},
        ).json()
    assert seen and seen[0][0] == "/v1/account-verification"
    assert json.loads(seen[0][1]) == {"iban": IBAN, "name": "M. Nikolaou"}
    assert event["status"] == "cancelled"
    assert event["service_tasks"][0]["status"] == "rejected"
    assert event["service_tasks"][0]["result"] == "no_match"


def test_drawer_open_take_cash_close_with_difference(client, keys, owing):
    key = keys["cashier"]
    opened = client.post(
        "/v1/drawer-sessions", json={"float_amount": "50.00"}, headers=auth(key)
    ).json()
    post_event(client, key, owing["id"], {"type": "cash"}, amount="40.00")
    current = client.get(f"/v1/drawer-sessions/{opened['id']}", headers=auth(key)).json()
    assert current["lines"] == [
        {"tender_type": "cash", "expected": "90.00", "counted": "0.00", "difference": "-90.00"}
    ]
    closed = client.post(
        f"/v1/drawer-sessions/{opened['id']}/close",
        json={"counted": {"cash": "89.50"}},
        headers=auth(key),
    ).json()
    assert closed["status"] == "closed"
    assert closed["lines"][0]["difference"] == "-0.50"


def test_another_cashiers_drawer_is_refused_with_its_owner_named(client, keys, db):
    from paydesk.cashier import drawers
    from paydesk.money import Money

    with db.transaction() as session:
        other = drawers.open_drawer(session, cashier="anna", float_amount=Money.parse("10", "EUR"))
        other_id = other.id
    close = f"/v1/drawer-sessions/{other_id}/close"
    refused = client.post(close, json={"counted": {"cash": "10"}}, headers=auth(keys["cashier"]))
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:paydesk:problem:drawer-not-yours"
    assert (refused.json()["drawer_id"], refused.json()["cashier"]) == (other_id, "anna")
    done = client.post(close, json={"counted": {"cash": "10"}}, headers=auth(keys["supervisor"]))
    assert done.status_code == 200 and done.json()["status"] == "closed"


def test_bounced_cheque_lists_the_event_for_follow_up(client, keys, owing):
    event = post_event(
        client,
        keys["cashier"],
        owing["id"],
        {"type": "cheque", "amount": "120.00", "cheque_number": "5"},
        amount="100.00",
    ).json()
    cheque = event["tenders"][0]["id"]
    refused = client.post(
        f"/v1/tenders/{cheque}/cancel", json={"reason": "bounced"}, headers=auth(keys["cashier"])
    )
    assert refused.status_code == 403
    done = client.post(
        f"/v1/tenders/{cheque}/cancel",
        json={"reason": "bounced", "cash_only_points": 2},
        headers=auth(keys["supervisor"]),
    )
    assert done.json()["status"] == "cancelled", done.text
    follow_up = client.get("/v1/payment-events?unbalanced=true", headers=auth(keys["cashier"]))
    [listed] = follow_up.json()["items"]
    assert follow_up.json()["page"] == {"total": 1, "limit": 50, "offset": 0}
    assert (listed["id"], listed["status"], listed["difference"]) == (
        event["id"],
        "unbalanced",
        "-20.00",
    )
    account = client.get(f"/v1/accounts/{owing['id']}", headers=auth(keys["cashier"])).json()
    assert (account["balance"], account["cash_only_points"]) == ("100.00", 2)


def test_a_retried_payment_with_the_same_idempotency_key_pays_once(client, keys, owing):
    body = {
        "payments": [{"account_id": owing["id"], "amount": "30.00"}],
        "tenders": [{"type": "cash"}],
    }
    headers = auth(keys["cashier"], **{"Idempotency-Key": "desk-42"})
    first = client.post("/v1/payment-events", json=body, headers=headers)
    second = client.post("/v1/payment-events", json=body, headers=headers)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["id"] == second.json()["id"]
    account = client.get(f"/v1/accounts/{owing['id']}", headers=auth(keys["cashier"])).json()
    assert account["balance"] == "70.00"


def test_a_validator_that_cannot_run_leaves_the_task_pending(settings, db, keys):
    from fastapi.testclient import TestClient

    from paydesk.api.app import create_app

    settings.cashier.bank_account_validator = "http"  # but no URL configured
    with TestClient(create_app(settings, db)) as client:
        account = make_account(client, keys["integration"])
        make_document(client, keys["integration"], account["id"], kind="invoice", status="issued")
        response = post_event(
            client, keys["cashier"], account["id"], {"type": "direct_debit", "iban": IBAN}
        )
        assert response.status_code == 201, response.text
        assert response.json()["service_tasks"][0]["status"] == "pending"
        listed = client.get("/v1/payment-events", headers=auth(keys["cashier"]))
        assert [e["id"] for e in listed.json()["items"]] == [response.json()["id"]]


def test_the_events_list_pages_every_event_newest_first_unless_filtered(client, keys, owing):
    headers = auth(keys["cashier"])
    ids = [
        post_event(client, keys["cashier"], owing["id"], {"type": "cash"}, amount="10.00")
        for _ in range(3)
    ]
    assert all(r.status_code == 201 for r in ids), [r.text for r in ids]
    ids = [r.json()["id"] for r in ids]
    first = client.get("/v1/payment-events?limit=2", headers=headers).json()
    assert [e["id"] for e in first["items"]] == [ids[2], ids[1]]
    assert first["page"] == {"total": 3, "limit": 2, "offset": 0}
    rest = client.get("/v1/payment-events?limit=2&offset=2", headers=headers).json()
    assert ([e["id"] for e in rest["items"]], rest["page"]["total"]) == ([ids[0]], 3)
    for name in ("unbalanced", "needs_attention"):
        empty = client.get(f"/v1/payment-events?{name}=true", headers=headers).json()
        assert empty == {"items": [], "page": {"total": 0, "limit": 50, "offset": 0}}
