"""Settings of the bank simulator (``PAYDESK_BANKSIM_*`` variables or CLI options)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BankSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAYDESK_BANKSIM_", extra="ignore")

    #: paydesk's base URL, for the code inquiry.
    paydesk_url: str = "http://127.0.0.1:8000"
    #: An API key of a paydesk user with the ``integration`` role.
    api_key: str | None = None
    #: Where to push each notification (paydesk's ``/v1/bank/notifications``); None = feed only.
    push_url: str | None = None
    push_key: str | None = None
    #: When set, the feed wants ``Authorization: Bearer <feed_key>``.
    feed_key: str | None = None
    #: The simulator's state (an SQLite file) lives here.
    data_dir: str = "data/banksim"
    #: The business's account the credits are reported on.
    creditor_iban: str = "GR1601101250000000012300695"
    timeout_seconds: float = Field(default=10.0, gt=0)
