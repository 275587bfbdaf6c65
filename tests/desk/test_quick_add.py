"""Quick add payment event by distribution rules, on SQLite and PostgreSQL: each rule, each
refusal (nothing stored), the hold-in-error setting, cash back and the code listed with the desk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from paydesk.cashier import quick
from paydesk.cashier import service as desk
from paydesk.cashier.errors import (
    CashBackRefused,
    QuickValueNotFound,
    TenderNotAccepted,
    UnknownDistributionRule,
    UnpayableCode,
)
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.documents import service as documents
from paydesk.payments.models import Payment, PaymentEvent
from paydesk.settings import CashierSettings, Settings
from tests.desk.helpers import balance, build_account

T = desk.TenderRequest


def with_cashier(settings: Settings, **changes) -> Settings:
    return settings.model_copy(update={"cashier": CashierSettings(**changes)})


def owing(db, settings, amount="100.00"):
    return build_account(db, settings, invoices=[("service", "INV-1", amount, date(2026, 1, 10))])


def issue(db, settings, document_id: int, **kw) -> str:
    with db.transaction() as s:
        document = documents.get(s, document_id)
        return codes.issue_for_document(s, settings, document, actor="t", **kw).code.rf


def take(db, settings, rule, value, *tenders, amount=None, actor="anna"):
    request = quick.QuickRequest(rule=rule, value=value, tenders=list(tenders), amount=amount)
    with db.transaction() as s:
        event_id = quick.quick_add(s, settings, request, actor=actor).event.id
    with db.reading() as s:
        return desk.event_view(s, event_id)


def counts(db) -> tuple[int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(PaymentEvent)),
            s.scalar(select(func.count()).select_from(Payment)),
        )


def code_row(db, text: str) -> PaymentCode:
    with db.reading() as s:
        return codes.get(s, text)


def test_rf_pays_the_code_lists_the_desk_and_matches_its_document(db, settings):
    acc = owing(db, settings)
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    spaced = " ".join(rf[i : i + 4] for i in range(0, len(rf), 4)).lower()  # typed from a slip
    view = take(db, settings, "rf", spaced, T("cash", "100.00"))
    [payment] = view.payments
    assert (payment.status, payment.amount_minor) == ("frozen", 10000)
    assert payment.payment_code_id is not None and payment.document_id == acc.invoices["INV-1"]
    assert view.event.source == "desk"
    code = code_row(db, rf)
    assert (code.status, code.paid_minor) == ("paid", 10000)
    with db.reading() as s:
        [listed] = codes.payments_of(s, code.id)
    assert (listed.bank_name, listed.bank_bic, listed.amount_minor) == ("desk: anna", None, 10000)
    assert listed.payment_id == payment.id
    assert balance(db, acc.account_id) == "0.00"


def test_rf_fixed_code_amount_defaults_to_what_is_due(db, settings):
    acc = owing(db, settings, "80.00")
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    view = take(db, settings, "rf", rf, T("cash"))
    assert [p.amount_minor for p in view.payments] == [8000]
    assert code_row(db, rf).status == "paid"


def test_rf_cheque_over_the_amount_gives_cash_back_as_the_dialog(db, settings):
    acc = owing(db, settings)
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    view = take(db, settings, "rf", rf, T("cheque", "120.00", cheque_number="55"))
    assert [(t.tender_type, t.amount_minor) for t in view.tenders] == [
        ("cheque", 12000),
        ("cash", -2000),
    ]
    assert view.payments[0].amount_minor == 10000 and view.balance.balanced


def test_cash_over_the_amount_is_refused_as_the_dialog_does(db, settings):
    acc = owing(db, settings)
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    with pytest.raises(CashBackRefused):
        take(db, settings, "rf", rf, T("cash", "120.00"))
    assert counts(db) == (0, 0) and code_row(db, rf).paid_minor == 0


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("cancelled", "cancelled"),
        ("expired", "expired"),
        ("paid", "paid"),
        ("other_amount", "amount_mismatch"),
    ],
)
def test_code_that_takes_no_payment_is_refused_and_nothing_is_stored(db, settings, how, reason):
    acc = owing(db, settings)
    past = date.today() - timedelta(days=10)
    kw = {"today": past, "expires_on": past + timedelta(days=9)} if how == "expired" else {}
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed", **kw)
    if how == "cancelled":
        with db.transaction() as s:
            codes.cancel(s, rf, reason="paid elsewhere", actor="t")
    if how == "paid":
        take(db, settings, "rf", rf, T("cash", "100.00"))
    before = counts(db)
    with pytest.raises(UnpayableCode) as refused:
        take(db, settings, "rf", rf, T("cash", "60.00"), amount="60.00")
    assert refused.value.extra["reason"] == reason
    assert refused.value.extra["rf"] == rf and refused.value.slug == "unpayable-code"
    assert counts(db) == before


def test_hold_setting_takes_the_money_as_a_payment_in_error(db, settings):
    held = with_cashier(settings, unpayable_code="hold")
    acc = owing(db, settings)
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    with db.transaction() as s:
        codes.cancel(s, rf, reason="replaced", actor="t")
    view = take(db, held, "rf", rf, T("cash", "100.00"))
    [payment] = view.payments
    assert payment.status == "error" and "cancelled" in payment.error_message
    assert payment.payment_code_id is None and view.status == "needs_attention"
    assert code_row(db, rf).paid_minor == 0  # the code does not count it
    assert balance(db, acc.account_id) == "100.00"
    with db.reading() as s:
        assert view.event.id in desk.events_needing_attention(s)


def test_document_rule_matches_the_document(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "OLD", "50.00", date(2026, 1, 1)),
            ("parts", "NEW", "70.00", date(2026, 2, 1)),
        ],
    )
    with db.reading() as s:
        number = documents.get(s, acc.invoices["NEW"]).number
    view = take(db, settings, "document", number, T("cash", "70.00"), amount="70.00")
    [payment] = view.payments
    assert (payment.status, payment.match_type) == ("frozen", "invoice")
    assert payment.document_id == acc.invoices["NEW"]
    assert [s.contract_id for s in view.segments[payment.id]] == [acc.contracts["parts"]]


def test_account_rule_distributes_by_priority_and_defaults_the_amount(db, settings):
    acc = owing(db, settings, "40.00")
    with db.reading() as s:
        from paydesk.accounts.service import get_account

        number = get_account(s, acc.account_id).number
    view = take(db, settings, "account", number, T("cash"))
    assert [(p.status, p.amount_minor) for p in view.payments] == [("frozen", 4000)]
    assert balance(db, acc.account_id) == "0.00"


def test_contract_rule_matches_the_contract(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "S", "30.00", date(2026, 1, 1)),
            ("parts", "P", "20.00", date(2026, 1, 1)),
        ],
    )
    parts = acc.contracts["parts"]
    view = take(db, settings, "contract", str(parts), T("cash", "20.00"), amount="20.00")
    [payment] = view.payments
    assert (payment.match_type, payment.match_value) == ("contract", str(parts))
    assert [s.contract_id for s in view.segments[payment.id]] == [parts]


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ("rf", "RF18539007547034"),  # valid, but no such code
        ("rf", "RF19539007547034"),  # bad check digits
        ("document", "NO-SUCH-DOC"),
        ("account", "NO-SUCH-ACCOUNT"),
        ("contract", "999999"),
        ("contract", "abc"),
        ("account", "  "),
    ],
)
def test_a_value_that_finds_nothing_is_refused_and_nothing_is_stored(db, settings, rule, value):
    owing(db, settings)
    with pytest.raises(QuickValueNotFound) as refused:
        take(db, settings, rule, value, T("cash", "10.00"), amount="10.00")
    assert refused.value.extra["rule"] == rule and refused.value.status == 422
    assert counts(db) == (0, 0)


def test_unknown_rule_and_a_tender_type_the_rule_does_not_take_are_refused(db, settings):
    acc = owing(db, settings)
    rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
    with pytest.raises(UnknownDistributionRule):
        take(db, settings, "iban", rf, T("cash", "100.00"))
    cash_only = with_cashier(settings, distribution_rules={"rf": ["cash"]})
    with pytest.raises(TenderNotAccepted) as refused:
        take(db, cash_only, "rf", rf, T("cheque", "100.00", cheque_number="1"))
    assert refused.value.extra == {"rule": "rf", "tender_type": "cheque"}
    with pytest.raises(UnknownDistributionRule):  # not offered by this installation
        take(db, cash_only, "account", "ACC", T("cash", "100.00"))
    assert counts(db) == (0, 0)
    assert take(db, cash_only, "rf", rf, T("cash", "100.00")).payments[0].status == "frozen"


def test_a_registered_rule_is_offered_when_the_settings_name_it(db, settings):
    acc = owing(db, settings)
    quick.register_rule("customer_id", lambda s, v: quick.Target(int(v)))
    try:
        custom = with_cashier(settings, distribution_rules={"customer_id": []})
        view = take(db, custom, "customer_id", str(acc.account_id), T("cash", "100.00"))
        assert view.payments[0].account_id == acc.account_id
    finally:
        quick.RULES.pop("customer_id")


def test_api_quick_add_pays_the_code_and_refuses_with_problem_json(client, keys):
    from tests.api.helpers import make_account, make_document
    from tests.conftest import auth

    account = make_account(client, keys["integration"], number="Q-1")
    order = make_document(client, keys["integration"], account["id"], number="RO-Q")
    moved = client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "ready_for_invoicing"},
        headers=auth(keys["integration"]),
    )
    assert moved.status_code == 200, moved.text
    rf = moved.json()["payment_code"]["rf"]
    url = "/v1/payment-events/quick"
    wrong = client.post(
        url,
        json={"rule": "rf", "value": rf, "amount": "60.00", "tenders": [{"type": "cash"}]},
        headers=auth(keys["cashier"]),
    )
    assert wrong.status_code == 422
    problem = wrong.json()
    assert problem["type"] == "urn:paydesk:problem:unpayable-code"
    assert (problem["reason"], problem["rf"]) == ("amount_mismatch", rf)
    missing = client.post(
        url,
        json={"rule": "account", "value": "NOPE", "tenders": [{"type": "cash"}]},
        headers=auth(keys["cashier"]),
    )
    assert missing.json()["type"] == "urn:paydesk:problem:quick-value-not-found"
    assert missing.json()["value"] == "NOPE"
    paid = client.post(
        url,
        json={"rule": "rf", "value": rf, "tenders": [{"type": "cash", "amount": "100.00"}]},
        headers={**auth(keys["cashier"]), "Idempotency-Key": "quick-1"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["payments"][0]["status"] == "frozen"
    again = client.post(
        url,
        json={"rule": "rf", "value": rf, "tenders": [{"type": "cash", "amount": "100.00"}]},
        headers={**auth(keys["cashier"]), "Idempotency-Key": "quick-1"},
    )
    assert again.json()["id"] == paid.json()["id"]
    code = client.get(f"/v1/payment-codes/{rf}", headers=auth(keys["cashier"])).json()
    assert code["status"] == "paid"
    assert client.post(url, json={}, headers=auth(keys["integration"])).status_code in (403, 422)


def test_cli_quick_add_pays_a_code_and_refuses_a_paid_one(db, settings, monkeypatch):
    from typer.testing import CliRunner

    from paydesk.cli.main import app
    from paydesk.settings import get_settings

    monkeypatch.setenv("PAYDESK_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        acc = owing(db, settings, "50.00")
        rf = issue(db, settings, acc.invoices["INV-1"], amount_type="fixed")
        runner = CliRunner()
        args = ["payment", "quick", "--rule", "rf", "--value", rf, "--tender", "cash:50.00"]
        done = runner.invoke(app, [*args, "--cashier", "anna"])
        assert done.exit_code == 0, done.output
        assert "frozen" in done.output
        again = runner.invoke(app, args)
        assert again.exit_code == 2 and "already paid" in again.output
    finally:
        get_settings.cache_clear()
