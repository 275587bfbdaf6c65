"""Direct debits over the API: export (201, then the same file: 200), download, the
follow-up list, a pain.002 upload; problems with their codes."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from paydesk.api.app import create_app
from paydesk.directdebits import pain008
from tests.conftest import auth
from tests.directdebits.helpers import dd_settings, owing, take_direct_debit
from tests.directdebits.test_returns import _pain002


def test_export_download_status_report_and_the_follow_up_list(db, settings, keys):
    settings = dd_settings(settings)
    acc = owing(db, settings)
    take_direct_debit(db, settings, acc.account_id, "30.00")
    today = date.today().isoformat()
    with TestClient(create_app(settings, db)) as client:
        supervisor = auth(keys["supervisor"])
        refused = client.post(
            "/v1/direct-debits/exports", json={"due_on": today}, headers=auth(keys["cashier"])
        )
        assert refused.status_code == 403
        made = client.post("/v1/direct-debits/exports", json={"due_on": today}, headers=supervisor)
        assert made.status_code == 201 and made.json()["created"], made.text
        body = made.json()
        assert (body["collections"], body["total"], body["currency"]) == (1, "30.00", "EUR")
        again = client.post("/v1/direct-debits/exports", json={"due_on": today}, headers=supervisor)
        assert again.status_code == 200 and again.json()["file_id"] == body["file_id"]
        assert not again.json()["created"]
        xml = client.get(f"/v1/direct-debits/files/{body['file_id']}/xml", headers=supervisor)
        pain008.validate(xml.content)
        [mandate] = client.get(f"/v1/accounts/{acc.account_id}/mandates", headers=supervisor).json()
        assert (mandate["sequence"], mandate["status"], mandate["signed_at"]) == (
            "OOFF",
            "ended",
            "desk",
        )
        assert mandate["iban_masked"].startswith("DE89 ") and "iban" not in mandate
        [sent] = client.get("/v1/direct-debits", headers=supervisor).json()
        assert sent["status"] == "sent" and sent["file_id"] == body["file_id"]

        report = _pain002("STS", body["message_id"], txs=[(sent["end_to_end_id"], "MS02")])
        headers = {**auth(keys["integration"]), "Content-Type": "application/xml"}
        applied = client.post("/v1/direct-debits/status-reports", content=report, headers=headers)
        assert applied.status_code == 200, applied.text
        assert [r["outcome"] for r in applied.json()] == ["returned"]
        returned = client.get("/v1/direct-debits?status=returned", headers=supervisor).json()
        assert [(r["return_code"], r["returned_by"]) for r in returned] == [("MS02", "pain.002")]

        broken = client.post("/v1/direct-debits/status-reports", content=b"<x", headers=headers)
        assert broken.status_code == 422
        assert broken.json()["type"] == "urn:paydesk:problem:invalid-status-report"
        later = client.post(
            "/v1/direct-debits/exports", json={"due_on": "2030-01-02"}, headers=supervisor
        )
        assert later.status_code == 409
        assert later.json()["type"] == "urn:paydesk:problem:nothing-to-collect"
