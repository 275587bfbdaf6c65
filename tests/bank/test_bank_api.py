"""Bank files over the API: upload, unmatched entries assigned or returned by a supervisor."""

from __future__ import annotations

from tests.api.helpers import make_account, make_document
from tests.bank.test_importer import camt054, credit
from tests.conftest import auth


def test_upload_holds_an_unknown_rf_and_a_supervisor_assigns_it(client, keys):
    account = make_account(client, keys["integration"])
    doc = make_document(
        client,
        keys["cashier"],
        account["id"],
        kind="counter_invoice",
        number="CI-1",
        amount="45.90",
        status="issued",
    )
    rf = doc["payment_code"]["rf"]
    data = camt054(credit("RF18539007547034", "45.90", "X1"))
    uploaded = client.post(
        "/v1/bank/files?name=n.xml",
        content=data,
        headers=auth(keys["integration"], **{"Content-Type": "application/xml"}),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["unmatched"] == 1
    held = client.get("/v1/bank/entries?status=unmatched", headers=auth(keys["cashier"])).json()
    assert len(held) == 1 and "unknown RF" in held[0]["reason"]
    refused = client.post(
        f"/v1/bank/entries/{held[0]['id']}/assign", json={"rf": rf}, headers=auth(keys["cashier"])
    )
    assert refused.status_code == 403
    assigned = client.post(
        f"/v1/bank/entries/{held[0]['id']}/assign",
        json={"rf": rf},
        headers=auth(keys["supervisor"]),
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "matched"
    detail = client.get(f"/v1/payment-codes/{rf}", headers=auth(keys["cashier"])).json()
    assert detail["status"] == "paid"
    assert [(p["amount"], p["bank_bic"]) for p in detail["payments"]] == [("45.90", "ETHNGRAA")]


def test_an_unmatched_entry_is_marked_for_return_with_a_reason(client, keys):
    client.post(
        "/v1/bank/files",
        content=camt054(credit(None, "9.99", "Y1")),
        headers=auth(keys["integration"]),
    )
    entry = client.get("/v1/bank/entries", headers=auth(keys["cashier"])).json()[0]
    no_reason = client.post(
        f"/v1/bank/entries/{entry['id']}/return",
        json={"reason": ""},
        headers=auth(keys["supervisor"]),
    )
    assert no_reason.status_code == 422
    returned = client.post(
        f"/v1/bank/entries/{entry['id']}/return",
        json={"reason": "not ours"},
        headers=auth(keys["supervisor"]),
    )
    assert returned.json()["status"] == "returned"


def test_an_unsafe_upload_is_refused_with_problem_json(client, keys):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&x;</Document>'
    )
    response = client.post("/v1/bank/files", content=xxe, headers=auth(keys["integration"]))
    assert response.status_code == 422
    assert response.json()["type"] == "urn:paydesk:problem:unsafe-bank-file"
    assert client.get("/v1/bank/entries", headers=auth(keys["cashier"])).json() == []
