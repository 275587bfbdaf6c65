"""Builders for bank gateway tests: payment codes in the states a bank may meet."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from tests.api.helpers import make_account, make_document
from tests.conftest import auth

_counter = iter(range(1, 10**6))


def fixed_code(client, key: str, amount: str = "100.00") -> str:
    """A counter invoice's fixed-amount code (issued automatically)."""
    n = next(_counter)
    account = make_account(client, key, number=f"ACC-F{n}")
    invoice = make_document(
        client,
        key,
        account["id"],
        kind="counter_invoice",
        number=f"CI-{n}",
        amount=amount,
        status="issued",
    )
    return invoice["payment_code"]["rf"]


def open_code(client, key: str, amount: str = "1000.00", ceiling: str | None = None) -> str:
    """A vehicle order's open code (ceiling: the order's amount unless given)."""
    n = next(_counter)
    account = make_account(client, key, number=f"ACC-O{n}")
    order = make_document(
        client, key, account["id"], kind="vehicle_order", number=f"VO-{n}", amount=amount
    )
    body = {"ceiling": ceiling} if ceiling else {}
    issued = client.post(f"/v1/documents/{order['id']}/payment-code", json=body, headers=auth(key))
    assert issued.status_code == 201, issued.text
    return issued.json()["payment_code"]["rf"]


def set_code(db: Database, code: str, **values) -> None:
    """Put a code into a state directly (paid amount, status, expiry)."""
    with db.transaction() as session:
        session.execute(update(PaymentCode).where(PaymentCode.rf == code).values(**values))


def yesterday() -> date:
    return date.fromordinal(date.today().toordinal() - 1)
