"""A bank credit as money arriving: the intake the payment planner takes (pure).

A file import, the gateway and an assignment of a held entry all describe a credit the same
way: one ``bank_transfer`` tender that records the bank entry and the payer as the bank named
them, one payment for the code's account that pays the code (its document is the payment's
match), and the bank details the code lists the payment with.
"""

from __future__ import annotations

from datetime import date

from paydesk.codes.status import CodeState
from paydesk.payments.plan import BankCredit, Intake, PaymentIn, TenderIn

__all__ = ["credit_intake"]


def credit_intake(
    *,
    bank_entry_id: int,
    code: CodeState,
    amount_minor: int,
    currency: str,
    paid_on: date,
    payer_name: str | None,
    bank_bic: str | None,
    bank_name: str | None,
    reference: str | None,
    actor: str,
    held: bool = False,
) -> Intake:
    """The intake of one credit paying ``code``; ``held`` for an entry a person assigns."""
    payer_name = payer_name[:140] if payer_name else None
    reference = reference[:140] if reference else None
    account_id = code.account_id
    # Positional: this runs once per credit of a bank file.
    tender = TenderIn(
        "bank_transfer",
        amount_minor,
        currency,
        account_id,
        payer_name,
        None,
        None,
        None,
        None,
        reference,
        None,
        bank_entry_id,
    )
    payment = PaymentIn(account_id, amount_minor, currency, None, code.id)
    credit = BankCredit(
        bank_entry_id,
        "unmatched" if held else None,
        bank_bic,
        bank_name,
        payer_name,
        reference,
    )
    return Intake(
        "bank", paid_on, actor, (tender,), (payment,), "distribute_and_freeze", False, credit
    )
