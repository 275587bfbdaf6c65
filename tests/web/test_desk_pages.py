"""The cashier desk pages over HTTP (SQLite and PostgreSQL): add one-time payment, the payment
event page and its actions, the cash drawer; good and bad input, roles and CSRF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.api.app import create_app
from paydesk.cashier.models import CashDrawerSession, ServiceTask
from paydesk.db.engine import Database
from paydesk.payments.models import Payment, PaymentEvent, Tender
from paydesk.settings import CashierSettings, Settings
from tests.desk.helpers import Built, build_account
from tests.web.conftest import Book, sign_in

IBAN = "GR1601101250000000012300695"


@pytest.fixture
def owing(db: Database, settings: Settings, book: Book) -> Built:
    """An account owing 100.00 on an issued invoice (and the book's users)."""
    return build_account(
        db,
        settings,
        contracts=[("service", 10)],
        invoices=[("service", "INV", "100.00", date(2026, 11, 2))],
    )


def _count(db: Database, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _form(token: str, account_id: int, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "account_id": str(account_id), **fields}


def _event_id(response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/payment-events/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _pay(client: TestClient, token: str, account_id: int, **fields: str) -> int:
    response = client.post(
        "/one-time-payment", data=_form(token, account_id, **fields), follow_redirects=False
    )
    return _event_id(response)


# --- add one-time payment -------------------------------------------------------------------


def test_make_payment_opens_the_form_for_the_account_with_the_amount_default(
    client: TestClient, owing: Built
):
    sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={owing.account_id}")
    assert page.status_code == 200
    assert f'name="account_id" value="{owing.account_id}"' in page.text
    assert re.search(r'id="f-amount" name="amount" type="text" value="100.00"', page.text)
    assert f'value="{date.today().isoformat()}"' in page.text
    assert "Proposed by Payoff balance: €100.00" in page.text
    for row in ("t_cash_amount", "t_cheque_amount", "t_cheque_number", "t_bank_iban"):
        assert f'name="{row}"' in page.text
    assert "Save for future payments" in page.text
    assert "Card payments go through the external card processor." in page.text


def test_the_account_is_found_by_its_number_and_an_unknown_one_is_said_so(
    client: TestClient, book: Book
):
    sign_in(client, "cashier")
    assert "Payer account number" in client.get("/one-time-payment").text
    found = client.get(f"/one-time-payment?number={book.account_number}")
    assert found.status_code == 200 and "Eleni Georgiou" in found.text
    missing = client.get("/one-time-payment?number=NOPE-1")
    assert missing.status_code == 404
    assert "There is no account NOPE-1." in missing.text


def test_a_cheque_over_the_debt_gives_a_cash_back_tender_and_a_frozen_payment(
    client: TestClient, db: Database, owing: Built
):
    token = sign_in(client, "cashier")
    event_id = _pay(
        client, token, owing.account_id, amount="100.00", t_cheque_amount="120.00",
        t_cheque_number="1001", event_date="2026-11-20",
    )  # fmt: skip
    with db.reading() as session:
        tenders = session.scalars(select(Tender).where(Tender.event_id == event_id)).all()
        payment = session.scalars(select(Payment).where(Payment.event_id == event_id)).one()
        event = session.get(PaymentEvent, event_id)
    assert sorted((t.tender_type, t.amount_minor) for t in tenders) == [
        ("cash", -2000),
        ("cheque", 12000),
    ]
    assert (payment.status, payment.amount_minor) == ("frozen", 10000)
    assert event.event_date == date(2026, 11, 20) and event.created_by == "cashier"
    page = client.get(f"/payment-events/{event_id}").text
    assert f"Payment event {event_id} saved." in page
    assert "−€20.00" in page or "-€20.00" in page
    assert "Cheque number 1001" in page and "Frozen" in page


def test_the_cash_back_proposal_is_shown_while_typing(client: TestClient, owing: Built):
    token = sign_in(client, "cashier")
    preview = client.post(
        "/one-time-payment/cash-back",
        data=_form(token, owing.account_id, amount="100.00", t_cheque_amount="120"),
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "Cash back: €20.00" in preview.text
    cash = client.post(
        "/one-time-payment/cash-back",
        data=_form(token, owing.account_id, amount="", t_cash_amount="150"),
        headers={"HX-Request": "true"},
    )
    assert "give the change from the drawer" in cash.text
    exact = client.post(
        "/one-time-payment/cash-back",
        data=_form(token, owing.account_id, amount="100", t_cash_amount="100"),
    )
    assert "No cash back." in exact.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"t_cheque_amount": "120.00"}, "t_cheque_number", "Enter the cheque number."),
        (
            {"t_cheque_amount": "100", "t_cheque_number": "9" * 36},
            "t_cheque_number",
            "The cheque number is longer than 35 characters.",
        ),
        (
            {"t_other_bank_transfer_amount": "100", "t_other_bank_transfer_reference": "R" * 36},
            "t_other_bank_transfer_reference",
            "The reference is longer than 35 characters.",
        ),
        (
            {"amount": "12.345", "t_cash_amount": "12"},
            "amount",
            "Enter an amount greater than zero",
        ),
        ({"t_cash_amount": "-5"}, "t_cash_amount", "Enter an amount greater than zero"),
        ({"event_date": "someday", "t_cash_amount": "100"}, "event_date", "Enter a date."),
        ({}, "tenders", "Enter the amount of at least one tender."),
        ({"t_cash_amount": "60"}, "tenders", "The tenders do not add up to the payment amount."),
        ({"t_cash_amount": "150"}, "cash_back", "give the change from the drawer"),
        (
            {"t_bank_amount": "120", "t_bank_iban": IBAN},
            "cash_back",
            "only a tender type that allows cash back",
        ),
        (
            {"t_bank_amount": "100", "t_bank_iban": "GR00 1234"},
            "t_bank_iban",
            "Enter a valid IBAN.",
        ),
        ({"t_other_card_amount": "100"}, "t_other_card_amount", "external card processor"),
        ({"match_value": "INV-1", "t_cash_amount": "100"}, "match_type", "invoice or a contract"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_changes_nothing(
    client: TestClient, db: Database, owing: Built, fields: dict, field: str, message: str
):
    token = sign_in(client, "cashier")
    fields = {"amount": "100.00", **fields}
    refused = client.post("/one-time-payment", data=_form(token, owing.account_id, **fields))
    assert refused.status_code == 422
    shown = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', refused.text)
    assert shown, refused.text
    assert message in shown.group(1)
    assert "The payment was not taken" in refused.text
    for name, value in fields.items():  # what was typed is kept
        if name not in ("amount",):
            assert f'value="{value}"' in refused.text
    assert (_count(db, PaymentEvent), _count(db, Tender), _count(db, Payment)) == (0, 0, 0)


def test_without_an_open_drawer_where_one_is_required_the_page_asks_to_open_it(
    db: Database, settings: Settings, owing: Built
):
    strict = settings.model_copy(update={"cashier": CashierSettings(require_open_drawer=True)})
    with TestClient(create_app(strict, db)) as client:
        token = sign_in(client, "cashier")
        fields = {"amount": "100.00", "t_cash_amount": "100"}
        refused = client.post("/one-time-payment", data=_form(token, owing.account_id, **fields))
    assert refused.status_code == 422
    assert "Open your cash drawer before taking payments." in refused.text
    assert _count(db, PaymentEvent) == 0


def test_an_open_item_account_needs_the_invoice_or_contract_paid(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    built = build_account(
        db, settings, customer_class="open_item",
        invoices=[("service", "OI", "80.00", date(2026, 11, 1))],
    )  # fmt: skip
    token = sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={built.account_id}").text
    number = f"OI-{_suffix(db, built)}"  # picked from the list, with what is open on it
    assert 'id="invoice-picker"' in page
    assert f'<option value="{number}">{number} · €80.00 open · issued 1 Nov 2026</option>' in page
    refused = client.post(
        "/one-time-payment", data=_form(token, built.account_id, amount="80", t_cash_amount="80")
    )
    assert refused.status_code == 422
    assert 'id="e-match_value"' in refused.text and "The account is open-item" in refused.text
    assert _count(db, PaymentEvent) == 0
    event_id = _pay(
        client, token, built.account_id, amount="80", t_cash_amount="80",
        match_type="invoice", match_value=number,
    )  # fmt: skip
    assert "Frozen" in client.get(f"/payment-events/{event_id}").text
    paid = client.get(f"/one-time-payment?account={built.account_id}").text
    assert f'value="{number}"' not in paid  # nothing open on it any more


def _suffix(db: Database, built: Built) -> str:
    from paydesk.documents.models import Document

    with db.reading() as session:
        number = session.get(Document, built.invoices["OI"]).number
    return number.split("-", 1)[1]


def test_a_non_customer_account_takes_the_payers_name_reference_and_comments(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    built = build_account(db, settings, customer_class="non_cis", name="Walk-in payments")
    token = sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={built.account_id}").text
    assert 'id="non-cis"' in page
    refused = client.post(
        "/one-time-payment", data=_form(token, built.account_id, amount="30", t_cash_amount="30")
    )
    assert refused.status_code == 422 and 'id="e-non_cis_name"' in refused.text
    assert _count(db, PaymentEvent) == 0
    event_id = _pay(
        client, token, built.account_id, amount="30", t_cash_amount="30",
        non_cis_name="Nikos Pappas", non_cis_reference="R-77", non_cis_comments="fine paid",
    )  # fmt: skip
    page = client.get(f"/payment-events/{event_id}").text
    assert "Nikos Pappas" in page and "R-77" in page and "fine paid" in page


def test_the_form_needs_its_csrf_token_and_a_signed_in_user(
    client: TestClient, db: Database, owing: Built
):
    signed_out = client.post(
        "/one-time-payment", data={"account_id": str(owing.account_id)}, follow_redirects=False
    )
    assert signed_out.status_code == 403  # no token: refused before anything else
    assert client.get("/one-time-payment", follow_redirects=False).status_code == 303
    sign_in(client, "cashier")
    no_token = client.post(
        "/one-time-payment",
        data={"account_id": str(owing.account_id), "amount": "100", "t_cash_amount": "100"},
    )
    assert no_token.status_code == 403
    assert _count(db, PaymentEvent) == 0


# --- the payment event page and its actions -------------------------------------------------


def _manual_event(client: TestClient, token: str, owing: Built) -> tuple[int, int]:
    event_id = _pay(
        client, token, owing.account_id, amount="100", t_cash_amount="100", distribution="manual"
    )
    payment_id = int(
        re.search(r'id="payment-(\d+)"', client.get(f"/payment-events/{event_id}").text).group(1)
    )
    return event_id, payment_id


def _payment(db: Database, payment_id: int) -> Payment:
    with db.reading() as session:
        return session.get(Payment, payment_id)


def test_manual_distribution_must_add_up_and_shows_a_running_total(
    client: TestClient, db: Database, owing: Built
):
    token = sign_in(client, "cashier")
    event_id, payment_id = _manual_event(client, token, owing)
    assert _payment(db, payment_id).status == "incomplete"
    service = owing.contracts["service"]
    excess = owing.contracts["excess"]
    running = client.post(
        f"/payments/{payment_id}/manual-total",
        data={"csrf_token": token, f"share_{service}": "70", f"share_{excess}": "10"},
        headers={"HX-Request": "true"},
    )
    assert (
        "Total €80.00 of €100.00" in running.text and "€20.00 still to distribute" in running.text
    )
    short = client.post(
        f"/payments/{payment_id}/manual",
        data={"csrf_token": token, f"share_{service}": "70", f"share_{excess}": "10"},
    )
    assert short.status_code == 422
    assert "The amounts add up to €80.00; the payment is €100.00." in short.text
    assert _payment(db, payment_id).status == "incomplete"
    bad = client.post(
        f"/payments/{payment_id}/manual", data={"csrf_token": token, f"share_{service}": "7x"}
    )
    assert bad.status_code == 422 and "Enter an amount" in bad.text
    done = client.post(
        f"/payments/{payment_id}/manual",
        data={"csrf_token": token, f"share_{service}": "90", f"share_{excess}": "10"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _payment(db, payment_id).status == "frozen"
    page = client.get(f"/payment-events/{event_id}").text
    assert "€90.00" in page and "Workshop" not in page  # segments of this account only


def test_distribute_then_freeze_from_the_event_page(client: TestClient, db: Database, owing: Built):
    token = sign_in(client, "cashier")
    event_id, payment_id = _manual_event(client, token, owing)
    page = client.get(f"/payment-events/{event_id}").text
    assert "Distribute by the rules" in page and ">Freeze<" not in page
    client.post(f"/payments/{payment_id}/distribute", data={"csrf_token": token})
    assert _payment(db, payment_id).status == "freezable"
    assert ">Freeze<" in client.get(f"/payment-events/{event_id}").text
    client.post(f"/payments/{payment_id}/freeze", data={"csrf_token": token})
    assert _payment(db, payment_id).status == "frozen"
    again = client.post(f"/payments/{payment_id}/freeze", data={"csrf_token": token})
    assert again.status_code == 409 and "is frozen" in again.text


def test_cancelling_a_payment_needs_a_reason(client: TestClient, db: Database, owing: Built):
    token = sign_in(client, "cashier")
    event_id = _pay(client, token, owing.account_id, amount="100", t_cash_amount="100")
    with db.reading() as session:
        payment_id = session.scalars(select(Payment.id).where(Payment.event_id == event_id)).one()
    refused = client.post(
        f"/payments/{payment_id}/cancel", data={"csrf_token": token, "reason": " "}
    )
    assert refused.status_code == 422 and "Give the reason." in refused.text
    assert _payment(db, payment_id).status == "frozen"
    client.post(
        f"/payments/{payment_id}/cancel",
        data={"csrf_token": token, "reason": "wrong account", "confirmed": "1"},
    )
    payment = _payment(db, payment_id)
    assert (payment.status, payment.cancel_reason) == ("cancelled", "wrong account")
    assert "wrong account" in client.get(f"/payment-events/{event_id}").text


def test_only_supervisors_cancel_a_tender(client: TestClient, db: Database, owing: Built):
    token = sign_in(client, "cashier")
    event_id = _pay(
        client, token, owing.account_id, amount="100", t_cheque_amount="100", t_cheque_number="55"
    )
    with db.reading() as session:
        tender_id = session.scalars(select(Tender.id).where(Tender.event_id == event_id)).one()
    assert "Cancel tender" not in client.get(f"/payment-events/{event_id}").text
    forbidden = client.post(
        f"/tenders/{tender_id}/cancel", data={"csrf_token": token, "reason": "bounced"}
    )
    assert forbidden.status_code == 403
    token = sign_in(client, "supervisor")
    assert "Cancel tender" in client.get(f"/payment-events/{event_id}").text
    no_reason = client.post(
        f"/tenders/{tender_id}/cancel", data={"csrf_token": token, "reason": ""}
    )
    assert no_reason.status_code == 422
    bad_points = client.post(
        f"/tenders/{tender_id}/cancel",
        data={"csrf_token": token, "reason": "bounced", "cash_only_points": "-3"},
    )
    assert bad_points.status_code == 422 and "whole number" in bad_points.text
    with db.reading() as session:
        assert session.get(Tender, tender_id).status == "valid"
    client.post(
        f"/tenders/{tender_id}/cancel",
        data={
            "csrf_token": token,
            "reason": "cheque bounced",
            "cash_only_points": "2",
            "confirmed": "1",
        },
    )
    with db.reading() as session:
        assert session.get(Tender, tender_id).status == "cancelled"
        payment = session.scalars(select(Payment).where(Payment.event_id == event_id)).one()
    assert payment.status == "cancelled"
    page = client.get(f"/payment-events/{event_id}").text
    assert "cheque bounced" in page


def test_a_new_bank_account_waits_for_a_supervisor_to_confirm_it(
    client: TestClient, db: Database, settings: Settings, owing: Built
):
    settings.cashier.bank_account_validator = "manual"
    token = sign_in(client, "cashier")
    event_id = _pay(
        client, token, owing.account_id, amount="100", t_bank_amount="100",
        t_bank_iban="GR16 0110 1250 0000 0001 2300 695", t_bank_holder="Maria Nikolaou",
        t_bank_save="1",
    )  # fmt: skip
    with db.reading() as session:
        task = session.scalars(select(ServiceTask).where(ServiceTask.event_id == event_id)).one()
    page = client.get(f"/payment-events/{event_id}").text
    assert "Waiting for bank-account validation" in page and "GR16 **** **** 0695" in page
    assert "Confirm bank account" not in page
    assert (
        client.post(f"/service-tasks/{task.id}/complete", data={"csrf_token": token}).status_code
        == 403
    )
    token = sign_in(client, "supervisor")
    no_reason = client.post(f"/service-tasks/{task.id}/reject", data={"csrf_token": token})
    assert no_reason.status_code == 422
    client.post(f"/service-tasks/{task.id}/complete", data={"csrf_token": token, "note": "called"})
    with db.reading() as session:
        assert session.get(ServiceTask, task.id).status == "completed"
        payment = session.scalars(select(Payment).where(Payment.event_id == event_id)).one()
    assert payment.status == "frozen"
    options = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert "GR16 **** **** 0695" in options  # saved for next time
    method_id = int(re.search(r'name="t_method_(\d+)_amount"', options).group(1))
    from paydesk.cashier import wallet

    with db.transaction() as session:
        wallet.register_autopay(
            session, account_id=owing.account_id, stored_method_id=method_id, actor="test"
        )
    options = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert 'aria-label="Tender amount: Auto-pay"' in options
    again = _pay(client, token, owing.account_id, amount="10", t_autopay_amount="10")
    with db.reading() as session:
        tender = session.scalars(select(Tender).where(Tender.event_id == again)).one()
    assert (tender.tender_type, tender.stored_method_id) == ("stored_method", method_id)


def test_the_event_list_filters_the_unbalanced(client: TestClient, db: Database, owing: Built):
    token = sign_in(client, "supervisor")
    balanced = _pay(client, token, owing.account_id, amount="40", t_cash_amount="40")
    cheque = _pay(
        client, token, owing.account_id, amount="60", t_cheque_amount="60", t_cheque_number="9",
        distribution="manual",
    )  # fmt: skip
    with db.reading() as session:
        payment_id = session.scalars(select(Payment.id).where(Payment.event_id == cheque)).one()
    # Deleting the payment (never posted) leaves its tender: the event no longer balances.
    from paydesk.cashier import service as desk

    with db.transaction() as session:
        desk.delete_payment(session, payment_id, actor="test")
    everything = client.get("/payment-events").text
    assert f"Event {balanced}<" in everything and f"Event {cheque}<" in everything
    unbalanced = client.get("/payment-events?unbalanced=1").text
    assert f"Event {cheque}<" in unbalanced and f"Event {balanced}<" not in unbalanced
    assert "Unbalanced" in unbalanced


# --- cash drawer ----------------------------------------------------------------------------


def test_a_cashier_opens_the_drawer_takes_cash_and_closes_with_the_difference(
    client: TestClient, db: Database, owing: Built
):
    token = sign_in(client, "cashier")
    assert "Open drawer" in client.get("/cash-drawer").text
    no_token = client.post("/cash-drawer/open", data={"float_amount": "50.00"})
    assert no_token.status_code == 403
    bad = client.post("/cash-drawer/open", data={"csrf_token": token, "float_amount": "fifty"})
    assert bad.status_code == 422 and 'id="e-float_amount"' in bad.text
    assert _count(db, CashDrawerSession) == 0
    client.post("/cash-drawer/open", data={"csrf_token": token, "float_amount": "50.00"})
    with db.reading() as session:
        drawer = session.scalars(select(CashDrawerSession)).one()
    assert (drawer.status, drawer.float_minor, drawer.cashier) == ("open", 5000, "cashier")
    _pay(client, token, owing.account_id, amount="100", t_cash_amount="100")
    page = client.get("/cash-drawer").text
    assert 'id="expected-cash">€150.00<' in page
    missing = client.post(f"/cash-drawer/{drawer.id}/close", data={"csrf_token": token})
    assert missing.status_code == 422 and 'id="e-counted_cash"' in missing.text
    with db.reading() as session:
        assert session.get(CashDrawerSession, drawer.id).status == "open"
    closed = client.post(
        f"/cash-drawer/{drawer.id}/close",
        data={
            "csrf_token": token,
            "counted_cash": "145.50",
            "note": "short at noon",
            "confirmed": "1",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    result = client.get(closed.headers["location"]).text
    assert re.search(r'id="difference-cash">[−-]€4.50', result)
    assert "€145.50" in result and "short at noon" in result
    with db.reading() as session:
        drawer = session.get(CashDrawerSession, drawer.id)
    assert (drawer.status, drawer.difference) == ("closed", {"cash": -450})


def test_a_cashier_cannot_close_another_cashiers_drawer(
    client: TestClient, db: Database, book: Book
):
    from paydesk.cashier import drawers
    from paydesk.money import Money

    with db.transaction() as session:
        other = drawers.open_drawer(
            session, cashier="supervisor", float_amount=Money.parse("10", "EUR")
        )
        other_id = other.id
    token = sign_in(client, "cashier")
    refused = client.post(
        f"/cash-drawer/{other_id}/close", data={"csrf_token": token, "counted_cash": "10"}
    )
    assert refused.status_code == 403
    with db.reading() as session:
        assert session.get(CashDrawerSession, other_id).status == "open"


def test_the_desk_pages_speak_greek_and_polish(client: TestClient, owing: Built):
    token = sign_in(client, "cashier")
    client.cookies.set("paydesk_lang", "el")
    form = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert "Νέοι τρόποι πληρωμής" in form and "Πρόταση (Υπόλοιπο εξόφλησης): 100,00\u00a0€" in form
    preview = client.post(
        "/one-time-payment/cash-back",
        data=_form(token, owing.account_id, amount="100,00", t_cheque_amount="120,00"),
    )
    assert "Ρέστα: 20,00\u00a0€" in preview.text
    client.cookies.set("paydesk_lang", "pl")
    assert "Otwórz kasę" in client.get("/cash-drawer").text
    assert "Tylko niezbilansowane" in client.get("/payment-events").text


def test_an_account_over_the_cash_only_threshold_shows_the_warning(
    client: TestClient, db: Database, owing: Built
):
    from paydesk.cashier import wallet

    sign_in(client, "cashier")
    page = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert 'id="cash-only-warning"' not in page
    with db.transaction() as session:
        wallet.change_cash_only_points(session, owing.account_id, 4, reason="bounced", actor="t")
    page = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert "Cash only: the account has 4 cash-only points, more than 3. Take cash." in page
