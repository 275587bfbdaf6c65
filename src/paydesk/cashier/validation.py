"""Bank-account validators: is this IBAN the payer's? Pluggable, chosen in the settings.

A validator is a callable ``(iban, holder_name) -> Verdict``. Built in:

- ``structural`` (the default when no verification service is configured): the IBAN passes
  schwifty's checks (country, length, check digits, national format) → ``completed``.
- ``http``: asks a bank's account-verification service, documented JSON contract::

      POST {bank_verification_url}/v1/account-verification
      {"iban": "GR16…", "name": "Maria Nikolaou"}
      → {"result": "match" | "no_match" | "close_match" | "unknown"}

  ``match`` completes the task, ``no_match`` rejects it; ``close_match`` and ``unknown`` leave
  it pending for a person (who confirms with the customer and completes or rejects it); a
  transport failure or an answer outside the contract ends it in ``error``.
- ``manual``: nothing is asked; a person completes or rejects the task.

``auto`` picks ``http`` when ``cashier.bank_verification_url`` is set, else ``structural``.
Register more with :func:`register_validator`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from paydesk.cashier.tenders import normalize_iban
from paydesk.errors import InvalidIBAN, InvalidInput
from paydesk.settings import CashierSettings

__all__ = [
    "VALIDATORS",
    "Verdict",
    "get_validator",
    "http_validator",
    "manual_validator",
    "register_validator",
    "structural_validator",
]

Outcome = Literal["completed", "rejected", "pending", "error"]


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    result: str
    message: str = ""


Validator = Callable[[str, str], Verdict]


def structural_validator(iban: str, holder_name: str) -> Verdict:
    """The IBAN is well formed; nothing is known about its holder."""
    try:
        normalize_iban(iban)
    except InvalidIBAN as error:
        return Verdict("rejected", "invalid_iban", error.detail)
    return Verdict("completed", "structural_ok", "IBAN structure checked; holder not verified")


def manual_validator(iban: str, holder_name: str) -> Verdict:
    return Verdict("pending", "manual", "waiting for a person to confirm the bank account")


_HTTP_OUTCOMES: dict[str, Outcome] = {
    "match": "completed",
    "no_match": "rejected",
    "close_match": "pending",
    "unknown": "pending",
}


def http_validator(url: str, *, timeout: float = 5.0, client: httpx.Client | None = None):
    """A validator that asks the account-verification service at ``url``."""
    endpoint = url.rstrip("/") + "/v1/account-verification"

    def validate(iban: str, holder_name: str) -> Verdict:
        body = {"iban": normalize_iban(iban), "name": holder_name}
        try:
            if client is not None:
                response = client.post(endpoint, json=body, timeout=timeout)
            else:
                response = httpx.post(endpoint, json=body, timeout=timeout)
            response.raise_for_status()
            result = response.json().get("result")
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            return Verdict("error", "unavailable", f"account verification failed: {error}")
        outcome = _HTTP_OUTCOMES.get(result) if isinstance(result, str) else None
        if outcome is None:
            return Verdict("error", "bad_answer", f"account verification answered {result!r}")
        messages = {
            "match": "the bank confirms the name and IBAN",
            "no_match": "the bank says the name does not match the IBAN's holder",
            "close_match": "the bank reports a close match: confirm with the customer",
            "unknown": "the bank could not verify the account: confirm with the customer",
        }
        return Verdict(outcome, result, messages[result])

    return validate


VALIDATORS: dict[str, Callable[[CashierSettings], Validator]] = {
    "structural": lambda s: structural_validator,
    "manual": lambda s: manual_validator,
    "http": lambda s: http_validator(
        s.bank_verification_url or "", timeout=s.bank_verification_timeout
    ),
}


def register_validator(name: str, factory: Callable[[CashierSettings], Validator]) -> None:
    """Make a validator available to the settings under ``name``."""
    if name in VALIDATORS or name == "auto":
        raise ValueError(f"bank-account validator {name!r} is already registered")
    VALIDATORS[name] = factory


def validator_name(settings: CashierSettings) -> str:
    name = settings.bank_account_validator
    if name == "auto":
        return "http" if settings.bank_verification_url else "structural"
    return name


def get_validator(settings: CashierSettings) -> tuple[str, Validator]:
    """The configured validator and its name."""
    name = validator_name(settings)
    if name == "http" and not settings.bank_verification_url:
        raise InvalidInput("the http bank-account validator needs cashier.bank_verification_url")
    try:
        return name, VALIDATORS[name](settings)
    except KeyError:
        known = ", ".join(sorted(VALIDATORS))
        raise InvalidInput(f"unknown bank-account validator {name!r}; known: {known}") from None
