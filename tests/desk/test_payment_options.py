"""An account's payment options, decided in the cashier package (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from paydesk.cashier import wallet
from paydesk.cashier.options import CashOnlyWarning, payment_options
from paydesk.settings import CashierSettings, Settings
from paydesk.tender_type import TenderType, default_tender_types
from tests.desk.helpers import build_account, euros

IBAN = "GR1601101250000000012300695"
OTHER_IBAN = "DE89370400440532013000"


def _account(db, settings):
    return build_account(
        db, settings, invoices=[("service", "INV-1", "100.00", date(2026, 1, 10))]
    ).account_id


def test_autopay_comes_first_then_each_stored_method_then_cash_cheque_and_a_new_bank_account(
    db, settings
):
    account_id = _account(db, settings)
    with db.transaction() as s:
        first = wallet.add_stored_method(
            s, settings, account_id=account_id, iban=IBAN, holder_name="E. G.", actor="anna"
        )
        second = wallet.add_stored_method(
            s, settings, account_id=account_id, iban=OTHER_IBAN, holder_name="E. G.", actor="anna"
        )
        wallet.register_autopay(s, account_id=account_id, stored_method_id=second.id, actor="anna")
        first_id, second_id = first.id, second.id
    with db.reading() as s:
        options = payment_options(s, settings, account_id)
    assert [(o.kind, o.tender_type.code, o.method.id) for o in options.existing] == [
        ("autopay", "stored_method", second_id),
        ("stored_method", "stored_method", first_id),
        ("stored_method", "stored_method", second_id),
    ]
    assert [(o.kind, o.tender_type.code) for o in options.new] == [
        ("cash", "cash"),
        ("cheque", "cheque"),
        ("bank_account", "direct_debit"),
    ]
    assert [(o.kind, o.tender_type.code) for o in options.other] == [
        ("other", "bank_transfer"),
        ("other", "card"),
    ]
    assert "card" not in {t.code for t in options.desk_types}
    assert options.cash_back_types == ["cheque"]
    assert options.amount_default == euros("100.00")
    assert options.warning is None and not options.cash_only


def test_the_options_follow_the_installations_tender_types(db, settings: Settings):
    types = [
        TenderType("cash", "Cash", like_cash=True),
        TenderType("voucher", "Voucher", allows_cash_back=True),
    ]
    only = settings.model_copy(update={"cashier": CashierSettings(tender_types=types)})
    account_id = _account(db, only)
    with db.transaction() as s:
        wallet.add_stored_method(
            s, only, account_id=account_id, iban=IBAN, holder_name="E. G.", actor="anna"
        )
    with db.reading() as s:
        options = payment_options(s, only, account_id)
    assert options.existing == []  # no stored-method tender type: the method is not offered
    assert [o.kind for o in options.new] == ["cash"]
    assert [o.tender_type.code for o in options.other] == ["voucher"]
    assert options.cash_back_types == ["voucher"]
    assert "voucher larger than the payment gives the difference back" in options.cash_back_rule


def test_the_cash_only_warning_carries_the_points_and_the_threshold(db, settings):
    account_id = _account(db, settings)
    with db.transaction() as s:
        wallet.change_cash_only_points(s, account_id, 3, reason="bounced", actor="sam")
    with db.reading() as s:
        assert payment_options(s, settings, account_id).warning is None  # 3 is the threshold
    with db.transaction() as s:
        wallet.change_cash_only_points(s, account_id, 2, reason="bounced again", actor="sam")
    with db.reading() as s:
        options = payment_options(s, settings, account_id)
    assert options.warning == CashOnlyWarning(points=5, threshold=3)
    assert (options.warning.code, options.cash_only) == ("cash_only", True)
    assert options.warning.detail == "cash only: 5 points exceed the threshold 3"
    assert len(default_tender_types()) == len(options.types)
