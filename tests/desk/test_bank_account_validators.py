"""Bank-account validators: the structural check and the account-verification JSON contract."""

from __future__ import annotations

import httpx
import pytest

from paydesk.cashier import validation
from paydesk.errors import InvalidInput
from paydesk.settings import CashierSettings

IBAN = "GR1601101250000000012300695"


def bank_answering(result=None, status=200, fail=False):
    def handle(request: httpx.Request) -> httpx.Response:
        if fail:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(status, json={"result": result})

    client = httpx.Client(transport=httpx.MockTransport(handle))
    return validation.http_validator("http://bank.test/", client=client)


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ("match", "completed"),
        ("no_match", "rejected"),
        ("close_match", "pending"),
        ("unknown", "pending"),
    ],
)
def test_verification_answers_map_to_task_outcomes(answer, outcome):
    verdict = bank_answering(answer)(IBAN, "Maria Nikolaou")
    assert (verdict.outcome, verdict.result) == (outcome, answer)


def test_an_unreachable_or_confused_bank_ends_the_task_in_error():
    assert bank_answering(fail=True)(IBAN, "M").outcome == "error"
    assert bank_answering(status=500)(IBAN, "M").outcome == "error"
    assert bank_answering("maybe")(IBAN, "M").result == "bad_answer"


def test_structural_validator_checks_the_iban_only():
    assert validation.structural_validator(IBAN, "anyone").outcome == "completed"
    assert validation.structural_validator("GR1601101250000000012300696", "x").outcome == (
        "rejected"
    )


def test_auto_uses_the_bank_service_only_when_its_url_is_set():
    assert validation.get_validator(CashierSettings())[0] == "structural"
    url = CashierSettings(bank_verification_url="http://bank.test")
    assert validation.get_validator(url)[0] == "http"
    with pytest.raises(InvalidInput, match="unknown bank-account validator"):
        validation.get_validator(CashierSettings(bank_account_validator="psychic"))


def test_validators_are_pluggable():
    validation.register_validator(
        "always_pending", lambda s: lambda iban, name: validation.Verdict("pending", "later")
    )
    try:
        name, validator = validation.get_validator(
            CashierSettings(bank_account_validator="always_pending")
        )
        assert (name, validator(IBAN, "x").outcome) == ("always_pending", "pending")
    finally:
        del validation.VALIDATORS["always_pending"]
