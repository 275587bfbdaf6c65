"""Issuing RF payment codes for documents, over the API, as a new user would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from stdnum import iso11649

from paydesk.codes import rf
from tests.api.helpers import make_account, make_document
from tests.conftest import auth


def test_repair_order_ready_for_invoicing_gets_a_fixed_code_once(client, keys) -> None:
    key = keys["integration"]
    account = make_account(client, key)
    order = make_document(client, key, account["id"])
    assert order["status"] == "open"
    assert order["payment_code"] is None

    ready = client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "ready_for_invoicing"},
        headers=auth(key),
    )
    assert ready.status_code == 200, ready.text
    code = ready.json()["payment_code"]
    assert code["amount_type"] == "fixed"
    assert code["amount"] == "100.00"
    assert code["status"] == "active"
    assert rf.is_valid(code["rf"]) and iso11649.is_valid(code["rf"])

    again = client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "ready_for_invoicing"},
        headers=auth(key),
    )
    assert again.json()["payment_code"]["rf"] == code["rf"]
    on_demand = client.post(f"/v1/documents/{order['id']}/payment-code", headers=auth(key))
    assert on_demand.json()["payment_code"]["rf"] == code["rf"]
    listed = client.get("/v1/payment-codes", headers=auth(key)).json()
    assert listed["page"]["total"] == 1


def test_ready_for_invoicing_posts_the_charge_to_the_contract(client, keys) -> None:
    key = keys["integration"]
    account = make_account(client, key)
    order = make_document(client, key, account["id"], amount="250.40")
    before = client.get(f"/v1/accounts/{account['id']}", headers=auth(key)).json()
    assert before["balance"] == "0.00"
    client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "ready_for_invoicing"},
        headers=auth(key),
    )
    after = client.get(f"/v1/accounts/{account['id']}", headers=auth(key)).json()
    assert after["balance"] == "250.40"
    ledger = client.get(f"/v1/accounts/{account['id']}/ledger", headers=auth(key)).json()
    assert [(e["kind"], e["amount"]) for e in ledger] == [("charge", "250.40")]


def test_counter_invoice_issued_gets_a_code_automatically(client, keys) -> None:
    key = keys["cashier"]
    account = make_account(client, keys["integration"])
    invoice = make_document(
        client,
        key,
        account["id"],
        kind="counter_invoice",
        number="CI-9",
        amount="45.90",
        status="issued",
    )
    assert invoice["payment_code"]["amount_type"] == "fixed"
    assert invoice["payment_code"]["amount"] == "45.90"


def test_vehicle_order_code_is_open_and_only_on_request(client, keys) -> None:
    key = keys["cashier"]
    account = make_account(client, keys["integration"])
    order = make_document(
        client, key, account["id"], kind="vehicle_order", number="VO-1", amount="18500.00"
    )
    assert order["payment_code"] is None
    issued = client.post(
        f"/v1/documents/{order['id']}/payment-code",
        json={"ceiling": "20000.00"},
        headers=auth(key),
    )
    assert issued.status_code == 201, issued.text
    code = issued.json()["payment_code"]
    assert code["amount_type"] == "open"
    assert code["amount"] == "20000.00"


def test_securities_batch_gets_an_open_code_when_its_option_is_set(client, keys) -> None:
    key = keys["cashier"]
    account = make_account(client, keys["integration"])
    maturity = (date.today() + timedelta(days=30)).isoformat()
    securities = [
        {"instrument": "cheque", "number": "CH-1", "maturity_date": maturity, "amount": "500.00"},
        {
            "instrument": "promissory_note",
            "number": "PN-1",
            "maturity_date": maturity,
            "amount": "250.00",
        },
    ]
    with_option = client.post(
        "/v1/documents",
        json={
            "account_id": account["id"],
            "kind": "securities_batch",
            "number": "SB-1",
            "issue_payment_code": True,
            "securities": securities,
        },
        headers=auth(key),
    ).json()
    assert with_option["amount"] == "750.00"
    assert with_option["payment_code"]["amount_type"] == "open"
    assert len(with_option["securities"]) == 2
    without = client.post(
        "/v1/documents",
        json={
            "account_id": account["id"],
            "kind": "securities_batch",
            "number": "SB-2",
            "securities": securities,
        },
        headers=auth(key),
    ).json()
    assert without["payment_code"] is None


def test_code_detail_and_cancel_with_reason(client, keys) -> None:
    account = make_account(client, keys["integration"])
    doc = make_document(
        client,
        keys["cashier"],
        account["id"],
        kind="counter_invoice",
        number="CI-1",
        status="issued",
    )
    code = doc["payment_code"]["rf"]
    detail = client.get(f"/v1/payment-codes/{rf.format(code)}", headers=auth(keys["cashier"]))
    assert detail.status_code == 200
    assert detail.json()["payments"] == []
    refused = client.post(
        f"/v1/payment-codes/{code}/cancel",
        json={"reason": "customer paid cash"},
        headers=auth(keys["cashier"]),
    )
    assert refused.status_code == 403
    cancelled = client.post(
        f"/v1/payment-codes/{code}/cancel",
        json={"reason": "customer paid cash"},
        headers=auth(keys["supervisor"]),
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "customer paid cash"
    history = client.get(f"/v1/audit/payment_code/{code}", headers=auth(keys["cashier"])).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "active"),
        ("active", "cancelled"),
    ]
    # A cancelled code is no longer the document's: a new one can be issued, with a new RF.
    reissued = client.post(
        f"/v1/documents/{doc['id']}/payment-code", headers=auth(keys["cashier"])
    ).json()
    assert reissued["payment_code"]["rf"] != code
    assert rf.is_valid(reissued["payment_code"]["rf"])


def test_codes_are_listed_with_filters_and_paging(client, keys) -> None:
    key = keys["cashier"]
    account = make_account(client, keys["integration"])
    for n in range(3):
        make_document(
            client, key, account["id"], kind="counter_invoice", number=f"CI-{n}", status="issued"
        )
    order = make_document(client, key, account["id"], kind="vehicle_order", number="VO-1")
    client.post(f"/v1/documents/{order['id']}/payment-code", headers=auth(key))
    page = client.get("/v1/payment-codes?kind=counter_invoice&limit=2", headers=auth(key)).json()
    assert page["page"]["total"] == 3 and len(page["items"]) == 2
    rest = client.get(
        "/v1/payment-codes?kind=counter_invoice&limit=2&offset=2", headers=auth(key)
    ).json()
    assert len(rest["items"]) == 1
    today = date.today().isoformat()
    dated = client.get(
        f"/v1/payment-codes?issued_from={today}&issued_to={today}", headers=auth(key)
    ).json()
    assert dated["page"]["total"] == 4
    none = client.get("/v1/payment-codes?status=paid", headers=auth(key)).json()
    assert none["page"]["total"] == 0


def test_a_code_past_its_expiry_is_expired(client, keys, db) -> None:
    key = keys["cashier"]
    account = make_account(client, keys["integration"])
    order = make_document(client, key, account["id"], kind="vehicle_order", number="VO-2")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    code = client.post(
        f"/v1/documents/{order['id']}/payment-code",
        json={"expires_on": tomorrow},
        headers=auth(key),
    ).json()["payment_code"]
    from paydesk.codes import service as codes

    with db.transaction() as session:
        assert codes.expire_due(session, today=date.today() + timedelta(days=2)) == 1
    detail = client.get(f"/v1/payment-codes/{code['rf']}", headers=auth(key)).json()
    assert detail["status"] == "expired"


def test_dias_layout_codes_are_25_digits_with_organisation_and_kind(db, keys) -> None:
    from paydesk.api.app import create_app
    from paydesk.settings import Settings

    settings = Settings(database_url=db.url, rf_layout="dias", organisation_code="54321")
    with TestClient(create_app(settings, db)) as client:
        account = make_account(client, keys["integration"])
        doc = make_document(
            client,
            keys["cashier"],
            account["id"],
            kind="counter_invoice",
            number="CI-1",
            status="issued",
        )
        code = doc["payment_code"]["rf"]
    assert len(code) == 25 and code[4:].isdigit()
    assert code[4:9] == "54321" and code[9] == "3"
    assert iso11649.is_valid(code)


def test_check_endpoint_says_why_a_code_is_invalid(client, keys) -> None:
    ok = client.get(
        "/v1/payment-codes/check/rf18%205390%200754%207034", headers=auth(keys["cashier"])
    ).json()
    assert ok == {
        "valid": True,
        "code": "RF18539007547034",
        "formatted": "RF18 5390 0754 7034",
        "reason": None,
    }
    bad = client.get(
        "/v1/payment-codes/check/RF17539007547034", headers=auth(keys["cashier"])
    ).json()
    assert bad["valid"] is False and "check digits" in bad["reason"]


def test_the_database_keeps_one_live_code_per_document_and_any_number_per_account(
    client, keys, db
) -> None:
    """``uq_payment_codes_live_document`` holds only codes with a document: a second live code
    for a document is refused by the database itself, account-level codes never collide."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from paydesk.codes.models import PaymentCode

    key = keys["integration"]
    account = make_account(client, key)
    invoice = make_document(
        client, keys["cashier"], account["id"], kind="counter_invoice", status="issued"
    )
    for number in ("1", "2"):
        issued = client.post(
            f"/v1/accounts/{account['id']}/payment-codes", json={}, headers=auth(key)
        )
        assert issued.status_code == 201, (number, issued.text)

    def copy_of(code: PaymentCode, rf_code: str) -> PaymentCode:
        return PaymentCode(
            rf=rf_code,
            document_id=code.document_id,
            account_id=code.account_id,
            kind=code.kind,
            amount_type=code.amount_type,
            amount_minor=code.amount_minor,
            currency=code.currency,
            issued_by="test",
        )

    with db.transaction() as session:
        live = session.scalars(
            select(PaymentCode).where(PaymentCode.document_id == invoice["id"])
        ).one()
        accounts = session.scalars(
            select(PaymentCode).where(PaymentCode.document_id.is_(None))
        ).all()
        assert len(accounts) == 2
        twin = copy_of(live, rf.create("TWIN1"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(twin)
    with db.transaction() as session:
        live = session.get(PaymentCode, live.id)
        live.status = "cancelled"
        session.add(copy_of(live, rf.create("TWIN2")))
