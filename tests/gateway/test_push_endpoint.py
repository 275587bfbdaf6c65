"""Pushed notifications: camt XML only, size-limited, handed to the importer."""

from __future__ import annotations

from tests.conftest import auth

DOCUMENT = b"<?xml version='1.0'?><Document/>"


def test_a_pushed_document_goes_to_the_handler(client, keys, recorder):
    client.app.state.bank_handler = recorder
    response = client.post(
        "/v1/bank/notifications",
        content=DOCUMENT,
        headers=auth(keys["integration"], **{"Content-Type": "application/xml"}),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": True, "bytes": len(DOCUMENT), "result": {"entries": 1}}
    assert recorder.calls == [{"data": DOCUMENT, "source": "push", "actor": "integration-user"}]


def test_a_push_that_is_not_xml_or_too_large_is_refused(client, keys, recorder):
    client.app.state.bank_handler = recorder
    headers = auth(keys["integration"], **{"Content-Type": "application/json"})
    assert client.post("/v1/bank/notifications", content=b"{}", headers=headers).status_code == 415
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"bank_push_max_bytes": 1024}
    )
    big = b"<x>" + b"a" * 2000 + b"</x>"
    too_large = client.post(
        "/v1/bank/notifications",
        content=big,
        headers=auth(keys["integration"], **{"Content-Type": "text/xml"}),
    )
    assert too_large.status_code == 413
    assert too_large.json()["type"] == "urn:paydesk:problem:payload-too-large"
    assert recorder.calls == []


def test_only_integrations_may_push(client, keys, recorder):
    client.app.state.bank_handler = recorder
    response = client.post(
        "/v1/bank/notifications",
        content=DOCUMENT,
        headers=auth(keys["cashier"], **{"Content-Type": "application/xml"}),
    )
    assert response.status_code == 403
