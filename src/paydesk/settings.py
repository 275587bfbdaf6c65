"""Settings: defaults, then a TOML file, then ``PAYDESK_*`` environment variables.

The file is ``paydesk.toml`` in the working directory, or the path in ``PAYDESK_CONFIG``.
Nested values use ``__`` in the environment: ``PAYDESK_ISSUING__REPAIR_ORDER__MODE=disabled``.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from paydesk import secret
from paydesk.money import check_currency
from paydesk.tender_type import TenderType, default_tender_types


class IssueMode(StrEnum):
    """When a payment code is issued for a document kind."""

    ON_STATUS = "on_status"  # automatically when the document reaches ``trigger_status``
    ON_DEMAND = "on_demand"  # when a user asks for it
    ON_CREATE_IF_REQUESTED = "on_create_if_requested"  # at creation, if the document asks for one
    DISABLED = "disabled"


class AmountType(StrEnum):
    FIXED = "fixed"
    OPEN = "open"


class IssuingRule(BaseModel):
    """How codes are issued for one document kind."""

    mode: IssueMode
    amount_type: AmountType
    trigger_status: str | None = None
    #: Days a code stays payable after issue; ``None`` = no expiry.
    valid_days: int | None = Field(default=None, ge=1, le=3650)
    #: E-mail the payment slip to the customer when the code is issued.
    send_slip: bool = False


#: The source document's rules: repair orders and counter invoices get a fixed-amount code
#: automatically, vehicle orders an open one on request, securities batches an open one at
#: creation when asked for.
DEFAULT_RULES: dict[str, dict[str, object]] = {
    "repair_order": {
        "mode": "on_status",
        "amount_type": "fixed",
        "trigger_status": "ready_for_invoicing",
    },
    "counter_invoice": {"mode": "on_status", "amount_type": "fixed", "trigger_status": "issued"},
    "vehicle_order": {"mode": "on_demand", "amount_type": "open"},
    "securities_batch": {"mode": "on_create_if_requested", "amount_type": "open"},
    "invoice": {"mode": "on_demand", "amount_type": "fixed"},
}


class CashierSettings(BaseModel):
    """The cashier desk (``[cashier]`` in the file, ``PAYDESK_CASHIER__…`` in the environment)."""

    #: Payment amount default algorithm: ``payoff_balance`` or ``latest_invoice`` (or registered).
    amount_default: str = "payoff_balance"
    #: What exceeds the debt: ``overpayment_contract`` (excess credit) or ``error``.
    excess_policy: Literal["overpayment_contract", "error"] = "overpayment_contract"
    #: The "cash only" warning shows when an account's points exceed this.
    cash_only_threshold: int = Field(default=3, ge=0)
    #: The installation's tender types (:class:`paydesk.tender_type.TenderType`).
    tender_types: list[TenderType] = Field(default_factory=default_tender_types)
    #: Bank-account validator: ``auto`` (``http`` when ``bank_verification_url`` is set, else
    #: ``structural``), ``structural``, ``http``, ``manual`` (a person completes the task).
    bank_account_validator: str = "auto"
    #: Base URL of the bank's account-verification service (``POST {url}/v1/account-verification``).
    bank_verification_url: str | None = None
    bank_verification_timeout: float = Field(default=5.0, gt=0, le=60)
    #: Refuse desk tenders when the cashier has no open cash-drawer session.
    require_open_drawer: bool = False
    #: Blind count: the drawer page hides what is expected (and the session's tenders) until
    #: the drawer is closed, so the cashier counts before seeing the expected amounts.
    blind_count: bool = False
    #: The page *Make payment* and the menu open: ``one_time_payment`` (the dialog) or
    #: ``distribution_rules`` (quick add payment event); both stay reachable.
    default_method: Literal["one_time_payment", "distribution_rules"] = "one_time_payment"
    #: Quick add's distribution rules: rule name → the tender types it accepts (empty: any).
    #: A name is a built-in rule (``rf``, ``document``, ``account``, ``contract``) or one
    #: registered with :func:`paydesk.cashier.quick.register_rule`.
    distribution_rules: dict[str, list[str]] = Field(
        default_factory=lambda: {"rf": [], "document": [], "account": [], "contract": []}
    )
    #: Quick add on a code that takes no payment (cancelled, expired, paid, another amount):
    #: ``refuse`` (nothing is stored) or ``hold`` (taken, held as a payment in ``error``).
    unpayable_code: Literal["refuse", "hold"] = "refuse"
    #: Months a cash-only point entry counts (its end date); ``0``: it never ends.
    cash_only_points_months: int = Field(default=12, ge=0, le=600)


#: Cash-only points a returned or rejected direct debit adds, by its ISO 20022 reason code.
DEFAULT_RETURN_POINTS: dict[str, int] = {
    "AC01": 1,  # incorrect account number
    "AC04": 3,  # closed account
    "AC06": 3,  # blocked account
    "AG01": 1,  # transaction forbidden on this account
    "AM04": 2,  # insufficient funds
    "MD01": 3,  # no mandate
    "MD06": 1,  # refund requested by the debtor
    "MD07": 0,  # debtor deceased
    "MS02": 2,  # refused by the debtor
    "MS03": 1,  # reason not specified
    "SL01": 1,  # specific service offered by the debtor's bank
}


class DirectDebitSettings(BaseModel):
    """SEPA Core direct debits (``[direct_debit]``, ``PAYDESK_DIRECT_DEBIT__…``)."""

    #: The SEPA creditor identifier (e.g. ``GR85ZZZ123456789``); ``None``: no export.
    creditor_id: str | None = None
    #: Business days between the day a file is exported and its earliest collection date
    #: (SEPA Core: D-1 for every sequence type since November 2016).
    lead_days: int = Field(default=1, ge=0, le=30)
    #: Tender types collected from the payer's bank with a mandate.
    tender_types: list[str] = Field(default_factory=lambda: ["direct_debit", "stored_method"])
    #: Cash-only points added to the payer when a collection comes back, by reason code.
    return_points: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_RETURN_POINTS))
    #: Points for a reason code not in ``return_points``.
    other_return_points: int = Field(default=1, ge=0, le=100)

    @field_validator("creditor_id")
    @classmethod
    def _creditor_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from stdnum.eu import at_02
        from stdnum.exceptions import ValidationError

        try:
            return at_02.validate(value)
        except ValidationError as error:
            raise ValueError(f"{value!r} is not a SEPA creditor identifier: {error}") from None

    @field_validator("return_points")
    @classmethod
    def _points(cls, value: dict[str, int]) -> dict[str, int]:
        for code, points in value.items():
            if not (len(code) == 4 and code.isascii() and code.isalnum()) or points < 0:
                raise ValueError(f"return_points: {code!r} = {points} (a 4-character code, ≥ 0)")
        return {code.upper(): points for code, points in value.items()}


def _default_rules() -> dict[str, IssuingRule]:
    return {kind: IssuingRule.model_validate(rule) for kind, rule in DEFAULT_RULES.items()}


class Settings(BaseSettings):
    """Everything an installation configures."""

    model_config = SettingsConfigDict(
        env_prefix="PAYDESK_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite:///data/paydesk.db"
    currency: str = "EUR"
    business_name: str = "paydesk demo business"
    business_iban: str = "GR1601101250000000012300695"
    business_bic: str | None = None
    #: Printed on customer receipts under the business's name (lines separated by newlines).
    business_address: str | None = None
    #: Tax id printed on customer receipts (e.g. the Greek ΑΦΜ or the Polish NIP).
    business_tax_id: str | None = None

    #: RF layout: ``iso`` (prefix + document reference) or ``dias`` (25 digits).
    rf_layout: Literal["iso", "dias"] = "iso"
    #: Prefix of ``iso`` layout references (letters/digits, up to 6).
    rf_prefix: str = "PD"
    #: 5-digit organisation code assigned by DIAS (``dias`` layout).
    organisation_code: str = "12345"
    issuing: dict[str, IssuingRule] = Field(default_factory=_default_rules)

    #: Outgoing mail (payment slips). ``smtp_host`` ``None``: e-mail is not configured.
    smtp_host: str | None = None
    #: ``None``: 25, 587 or 465 by ``smtp_security``.
    smtp_port: int | None = None
    #: ``none`` (plain), ``starttls`` (upgrade after connecting) or ``tls`` (implicit TLS).
    #: Checked when a message is sent, so a mistake is a recorded, retriable failure.
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    #: The From address, e.g. ``"Acme Motors <billing@acme.example>"``.
    smtp_sender: str | None = None
    #: Seconds to wait for the mail server on each step.
    smtp_timeout: float = 10.0
    #: Extra trusted CA certificate (PEM) for an internal mail relay.
    smtp_ca_file: str | None = None
    #: A failed e-mail is tried again after 1, 2, 4 … times this many seconds (at most 6 hours),
    #: up to ``smtp_max_attempts`` attempts in all.
    smtp_retry_seconds: int = Field(default=60, ge=1)
    smtp_max_attempts: int = Field(default=8, ge=1, le=100)

    cashier: CashierSettings = Field(default_factory=CashierSettings)
    direct_debit: DirectDebitSettings = Field(default_factory=DirectDebitSettings)

    #: Signs the web session cookie and peppers the bank-account fingerprints ("seen before"
    #: checks). No default: when unset it is read from ``secret_key_file``; ``paydesk serve``
    #: refuses to start without one (see :mod:`paydesk.secret`).
    secret_key: str | None = Field(default=None, repr=False)
    #: Where ``paydesk demo`` / ``paydesk secret create`` keep a generated secret key.
    secret_key_file: str = "data/secret_key"

    #: IANA time zone in which the web pages show timestamps (stored in UTC).
    timezone: str = "UTC"

    #: Web pages: minutes a sign-in lasts, and whether the session cookie is sent over HTTPS only.
    web_session_minutes: int = Field(default=720, ge=5, le=7 * 24 * 60)
    #: API: seconds a checked API key is remembered per server process. A revoked key (or a
    #: deactivated user) is refused at most this long after the change; 0 checks every call.
    api_key_cache_seconds: float = Field(default=10.0, ge=0, le=300)
    #: API and pages: OpenTelemetry spans, metrics and logs of each HTTP request (FastAPI's own
    #: telemetry, to the globally configured providers). Off by default: it costs every request
    #: a look at the providers even when none is configured.
    telemetry: bool = False
    web_secure_cookies: bool = False
    #: Worker: seconds between polls of the job queue when idle; lease of a taken job.
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=300)
    worker_lease_seconds: int = Field(default=300, ge=5, le=86400)

    #: Bank gateway feed (``GET <url>?after=<cursor>``); ``None`` = no polling.
    bank_feed_url: str | None = None
    #: API key sent to the feed as ``Authorization: Bearer``.
    bank_feed_key: str | None = None
    bank_poll_seconds: int = Field(default=10, ge=1, le=86400)
    #: Largest camt document the push endpoint accepts.
    bank_push_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    #: Pushes arriving back to back: the importer waits up to this many milliseconds after a
    #: group's first document for more, so a group carries several (fewer transactions and
    #: statements per payment). A push after a quiet spell is imported at once; 0 never waits.
    bank_push_gather_ms: int = Field(default=100, ge=0, le=1000)
    #: Largest camt file ``POST /v1/bank/files`` accepts (streamed to a temporary file).
    bank_upload_max_bytes: int = Field(default=2 * 1024**3, ge=1024)
    #: The business's own bank accounts (IBANs, or the ids banks report in ``Acct/Id/Othr``).
    #: Entries a bank reports on any other account are rejected. Empty: every account.
    business_accounts: list[str] = Field(default_factory=list)
    #: Entries whose booking or value date lies further ahead or back than this are rejected.
    bank_entry_days_ahead: int = Field(default=366, ge=0, le=3660)
    bank_entry_days_back: int = Field(default=3653, ge=0, le=36600)

    #: Webhooks: timeout per attempt, attempts before giving up, first retry delay (doubles).
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_backoff_seconds: float = Field(default=10.0, gt=0, le=86400)
    webhook_poll_seconds: int = Field(default=5, ge=1, le=3600)
    #: Hosts (names or addresses, as written in the URL) that webhooks may be sent to although
    #: they are internal: loopback, private, link-local. Empty: none (see
    #: :mod:`paydesk.webhooks.targets`).
    webhook_allowed_hosts: list[str] = Field(default_factory=list)

    #: Web pages: largest camt file taken by the *Bank entries* upload form (bigger files go
    #: through the API or the inbox folder).
    web_upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("business_accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        accounts = [v.replace(" ", "").upper() for v in value]
        for account in accounts:
            if not (account.isascii() and account.isalnum() and 1 <= len(account) <= 34):
                raise ValueError(
                    f"{account!r} is not an IBAN or account id (1 to 34 letters/digits)"
                )
        return accounts

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Athens)") from None
        return value

    @field_validator("rf_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not (value.isascii() and value.isalnum() and len(value) <= 6):
            raise ValueError("rf_prefix holds up to 6 letters or digits")
        return value.upper()

    @field_validator("organisation_code")
    @classmethod
    def _organisation(cls, value: str) -> str:
        if not (len(value) == 5 and value.isascii() and value.isdigit()):
            raise ValueError("organisation_code is the 5-digit code assigned by DIAS")
        return value

    @field_validator("issuing", mode="before")
    @classmethod
    def _issuing(cls, value: object) -> object:
        """Overrides are merged into the default rule of each kind, field by field."""
        if not isinstance(value, dict):
            return value
        unknown = set(value) - set(DEFAULT_RULES)
        if unknown:
            raise ValueError(f"unknown document kinds in issuing rules: {sorted(unknown)}")
        merged: dict[str, object] = {}
        for kind, default in DEFAULT_RULES.items():
            override = value.get(kind, {})
            if isinstance(override, IssuingRule):
                override = override.model_dump()
            merged[kind] = {**default, **override}
        return merged

    @model_validator(mode="after")
    def _secret_from_file(self) -> Settings:
        if self.secret_key is None:
            self.secret_key = secret.read_file(self.secret_key_file)
        return self

    @property
    def secret(self) -> str:
        """The secret key; :class:`paydesk.secret.InsecureSecret` when there is none."""
        if self.secret_key is None or not self.secret_key.strip():
            raise secret.InsecureSecret(
                "no secret_key is set. "
                + secret.HOW_TO.format(path=self.secret_key_file, n=secret.MIN_LENGTH)
            )
        return self.secret_key

    def check_secret(self) -> None:
        """Refuse a missing, placeholder or short secret key (servers call this at start)."""
        message = secret.refusal(self.secret_key, self.secret_key_file)
        if message is not None:
            raise secret.InsecureSecret(message)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = Path(os.environ.get("PAYDESK_CONFIG", "paydesk.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, path))

    def rule_for(self, kind: str) -> IssuingRule:
        return self.issuing[kind]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
