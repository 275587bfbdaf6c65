"""The simulator's HTTP side: web banking page, payments API, feed, reversals, verification."""

from __future__ import annotations

import html
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, FastAPI, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.banksim import banks, directdebits, verification
from paydesk.banksim.config import BankSimSettings
from paydesk.banksim.store import Store, StoredPayment
from paydesk.codes import rf
from paydesk.errors import InvalidIBAN, InvalidInput
from paydesk.money import Money

log = logging.getLogger(__name__)


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rf: str = Field(min_length=1, max_length=50)
    amount: str = Field(min_length=1, max_length=32, examples=["120.00"])
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    bank_bic: str = Field(min_length=8, max_length=11)
    payer_name: str | None = Field(default=None, max_length=140)
    payer_iban: str | None = Field(default=None, max_length=42)
    end_to_end_id: str | None = Field(default=None, max_length=35)


class ReversalIn(BaseModel):
    bank_reference: str = Field(min_length=1, max_length=35)


class DebtorRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iban: str | None = Field(default=None, max_length=42)
    mandate_id: str | None = Field(default=None, max_length=35)
    reason: str = Field(pattern=r"^[A-Z0-9]{4}$", examples=["AC04"])
    #: Rejected at once (a pain.002), instead of returned after settlement (camt.054).
    before_settlement: bool = False


class SettleIn(BaseModel):
    on: date | None = None


class VerificationIn(BaseModel):
    iban: str = Field(min_length=1, max_length=42)
    name: str = Field(min_length=1, max_length=140)


class HolderIn(BaseModel):
    iban: str = Field(min_length=1, max_length=42)
    name: str = Field(min_length=1, max_length=140)


@dataclass(frozen=True)
class Outcome:
    """What the network answered a payer: accepted (with the payment) or refused (why)."""

    accepted: bool
    reason: str | None = None
    detail: str | None = None
    payment: StoredPayment | None = None
    cursor: int | None = None
    status_code: int = 201

    def body(self) -> dict[str, Any]:
        if not self.accepted:
            return {"status": "refused", "reason": self.reason, "detail": self.detail}
        p = self.payment
        assert p is not None
        bank = banks.find(p.bank_bic)
        return {
            "status": "accepted",
            "bank_reference": p.bank_reference,
            "end_to_end_id": p.end_to_end_id,
            "rf": p.rf,
            "amount": p.amount,
            "currency": p.currency,
            "bank_bic": p.bank_bic,
            "bank_name": bank.name if bank else None,
            "booked_on": p.booked_on,
            "cursor": None if self.cursor is None else str(self.cursor),
        }


def _refused(reason: str, detail: str, status_code: int = 422) -> Outcome:
    return Outcome(False, reason, detail, status_code=status_code)


class Simulator:
    """The paying banks and the network between them and the business's bank."""

    def __init__(self, config: BankSimSettings, store: Store, client: httpx.Client) -> None:
        self.config = config
        self.store = store
        self.client = client

    # camt -------------------------------------------------------------------------------

    def _document(self, payment: StoredPayment, *, reversal: bool = False) -> str:
        today = date.fromisoformat(payment.booked_on) if not reversal else date.today()
        reference = payment.bank_reference + ("R" if reversal else "")
        credit = OutgoingCredit(
            amount=Money.parse(payment.amount, payment.currency),
            booking_date=today,
            value_date=today,
            rf=payment.rf,
            remittance_text=f"REVERSAL OF {payment.bank_reference}" if reversal else None,
            debtor_name=payment.payer_name,
            debtor_iban=payment.payer_iban,
            debtor_bic=payment.bank_bic,
            end_to_end_id=payment.end_to_end_id,
            account_servicer_ref=reference,
            entry_ref=reference,
            reversal=reversal,
        )
        out = io.BytesIO()
        write_camt054(
            [credit],
            out,
            account_iban=self.config.creditor_iban,
            message_id=f"SIM-{reference}",
            currency=payment.currency,
        )
        return out.getvalue().decode("utf-8")

    # inquiry ----------------------------------------------------------------------------

    def _inquire(self, code: str, amount: str, currency: str) -> Outcome | None:
        """None when paydesk says the code may be paid; else the refusal."""
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        url = f"{self.config.paydesk_url.rstrip('/')}/v1/bank/inquiry/{code}"
        try:
            response = self.client.get(
                url, params={"amount": amount, "currency": currency}, headers=headers
            )
        except httpx.HTTPError as error:
            return _refused("creditor_unreachable", f"paydesk did not answer: {error}", 502)
        if response.status_code == 422:
            detail = response.json().get("detail", "refused")
            return _refused("invalid_request", detail)
        if response.status_code != 200:
            return _refused("creditor_error", f"paydesk answered HTTP {response.status_code}", 502)
        answer = response.json()
        if answer.get("payable"):
            return None
        reason = answer.get("reason") or "refused"
        due = f"{answer.get('amount_due')} {answer.get('currency')}"
        detail = {
            "unknown": "no such payment code",
            "expired": f"the code expired on {answer.get('expires_on')}",
            "cancelled": "the code was cancelled",
            "paid": "the code is already paid",
            "overpaid": "the code is already paid",
            "amount_mismatch": f"this code must be paid with exactly {due}",
            "exceeds_ceiling": f"at most {due} can be paid on this code",
            "currency_mismatch": f"the code is payable in {answer.get('currency')}",
        }.get(reason, reason)
        return _refused(reason, detail)

    # payments ---------------------------------------------------------------------------

    def pay(self, body: PaymentIn, idempotency_key: str | None = None) -> Outcome:
        if idempotency_key:
            previous = self.store.payment_by_key(idempotency_key)
            if previous is not None:
                return Outcome(True, payment=previous, status_code=200)
        bank = banks.find(body.bank_bic)
        if bank is None:
            known = ", ".join(b.bic for b in banks.BANKS)
            return _refused("unknown_bank", f"no bank {body.bank_bic!r} here; one of {known}")
        try:
            code = rf.validate(body.rf)
        except rf.InvalidPaymentCode as error:
            return _refused("invalid_rf", error.detail)
        try:
            money = Money.parse(body.amount, body.currency.upper(), allow_zero=False)
        except InvalidInput as error:
            return _refused("invalid_amount", error.detail)
        payer_iban = None
        if body.payer_iban:
            try:
                payer_iban = verification.check_iban(body.payer_iban)
            except InvalidIBAN as error:
                return _refused("invalid_iban", error.detail)
        refusal = self._inquire(code, str(money.amount), money.currency)
        if refusal is not None:
            return refusal
        today = date.today()
        payment, cursor = self.store.add_payment(
            rf=code,
            amount=str(money.amount),
            currency=money.currency,
            bank_bic=bank.bic,
            payer_name=body.payer_name,
            payer_iban=payer_iban,
            end_to_end_id=body.end_to_end_id or f"E2E{uuid.uuid4().hex[:20].upper()}",
            booked_on=today.isoformat(),
            idempotency_key=idempotency_key,
            reference_of=lambda n: f"{bank.bic[:4]}{today:%Y%m%d}{n:08d}",
            document_of=self._document,
        )
        return Outcome(True, payment=payment, cursor=cursor)

    def reverse(self, bank_reference: str) -> Outcome:
        payment = self.store.payment(bank_reference)
        if payment is None:
            return _refused("unknown", f"no payment {bank_reference}", 404)
        cursor = self.store.reverse(bank_reference, lambda p: self._document(p, reversal=True))
        if cursor is None:
            return _refused("already_reversed", f"{bank_reference} was reversed before", 409)
        return Outcome(True, payment=self.store.payment(bank_reference), cursor=cursor)

    # push -------------------------------------------------------------------------------

    def push(self, cursor: int) -> None:
        """Send one feed document to paydesk's push endpoint (best effort; the feed stays)."""
        if not self.config.push_url:
            return
        document = self.store.feed_document(cursor)
        if document is None:
            return
        headers = {"Content-Type": "application/xml"}
        if self.config.push_key:
            headers["Authorization"] = f"Bearer {self.config.push_key}"
        error = None
        try:
            response = self.client.post(
                self.config.push_url, content=document.encode(), headers=headers
            )
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = str(exc)
        if error:
            log.warning("push of feed entry %s failed: %s", cursor, error)
        self.store.mark_pushed(cursor, error)

    # payee verification -----------------------------------------------------------------

    def verify(self, iban: str, name: str) -> dict[str, Any]:
        compact = verification.check_iban(iban)
        holder = self.store.holder(compact)
        if holder is None:
            return {"result": verification.UNKNOWN}
        result = verification.compare(name, holder)
        answer: dict[str, Any] = {"result": result}
        if result == verification.CLOSE_MATCH:
            answer["name"] = holder
        return answer


# ---------------------------------------------------------------------------------------
# Web page


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web banking (simulator)</title>
<style>body{{font-family:sans-serif;max-width:34rem;margin:2rem auto}}label{{display:block;
margin:.6rem 0 .2rem}}input,select{{width:100%;padding:.4rem}}button{{margin-top:1rem;
padding:.5rem 1.2rem}}.ok{{color:#075}}.refused{{color:#a00}}</style></head>
<body><h1>Pay with an RF code</h1>{message}
<form method="post" action="/pay">
<label for="bank">Your bank</label><select id="bank" name="bank_bic">{options}</select>
<label for="rf">Payment code (RF)</label><input id="rf" name="rf" value="{rf}" required>
<label for="amount">Amount</label><input id="amount" name="amount" value="{amount}" required>
<label for="currency">Currency</label><input id="currency" name="currency" value="{currency}">
<label for="payer_name">Your name</label><input id="payer_name" name="payer_name"
 value="{payer_name}">
<label for="payer_iban">Your IBAN</label><input id="payer_iban" name="payer_iban"
 value="{payer_iban}">
<button type="submit">Pay</button></form></body></html>"""


def _page(message: str = "", **values: str) -> str:
    selected = values.get("bank_bic", banks.BANKS[0].bic)
    options = "".join(
        f'<option value="{b.bic}"{" selected" if b.bic == selected else ""}>'
        f"{html.escape(b.name)} ({b.bic})</option>"
        for b in banks.BANKS
    )
    fields = {
        k: html.escape(values.get(k, "")) for k in ("rf", "amount", "payer_name", "payer_iban")
    }
    return _PAGE.format(
        message=message,
        options=options,
        currency=html.escape(values.get("currency", "EUR")),
        **fields,
    )


def create_app(
    config: BankSimSettings | None = None, *, client: httpx.Client | None = None
) -> FastAPI:
    """The simulator's app: the web banking page, the payments and reversals API, the feed,
    payee verification and its account holders."""
    config = config or BankSimSettings()
    store = Store(config.data_dir)
    sim = Simulator(config, store, client or httpx.Client(timeout=config.timeout_seconds))
    app = FastAPI(title="paydesk bank simulator", docs_url="/docs", redoc_url=None)
    app.state.sim = sim
    app.include_router(_web_banking(sim))
    app.include_router(_payments_api(sim, store))
    app.include_router(_feed(config, store))
    app.include_router(_direct_debits(sim, store, config))
    app.include_router(_verification(sim, store))

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "time": datetime.now(UTC).isoformat(timespec="seconds")}

    return app


def _web_banking(sim: Simulator) -> APIRouter:
    """The page where a payer pays an RF code from a bank, without JavaScript."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def home() -> str:
        return _page()

    @router.post("/pay", response_class=HTMLResponse)
    def pay_form(
        background: BackgroundTasks,
        bank_bic: str = Form(...),
        rf_text: str = Form(..., alias="rf"),
        amount: str = Form(...),
        currency: str = Form("EUR"),
        payer_name: str = Form(""),
        payer_iban: str = Form(""),
    ) -> HTMLResponse:
        values = {
            "bank_bic": bank_bic,
            "rf": rf_text,
            "amount": amount,
            "currency": currency or "EUR",
            "payer_name": payer_name,
            "payer_iban": payer_iban,
        }
        try:
            body = PaymentIn(
                rf=rf_text,
                amount=amount,
                currency=(currency or "EUR").upper()[:3],
                bank_bic=bank_bic,
                payer_name=payer_name or None,
                payer_iban=payer_iban or None,
            )
        except ValueError as error:
            message = f'<p class="refused">Refused: {html.escape(str(error))}</p>'
            return HTMLResponse(_page(message, **values), status_code=422)
        return _paid_page(sim, sim.pay(body), values, background)

    return router


def _paid_page(
    sim: Simulator, outcome: Outcome, values: dict[str, str], background: BackgroundTasks
) -> HTMLResponse:
    """The page after a payment: its bank reference (and the push queued), or why it was
    refused with what the payer typed."""
    if outcome.accepted:
        assert outcome.payment is not None and outcome.cursor is not None
        background.add_task(sim.push, outcome.cursor)
        message = (
            f'<p class="ok">Paid {html.escape(outcome.payment.amount)} '
            f"{html.escape(outcome.payment.currency)}. Bank reference "
            f"<strong>{html.escape(outcome.payment.bank_reference)}</strong>.</p>"
        )
        return HTMLResponse(_page(message), background=background)
    detail = html.escape(outcome.detail or "")
    message = f'<p class="refused">Refused ({outcome.reason}): {detail}</p>'
    return HTMLResponse(_page(message, **values), status_code=outcome.status_code)


def _payments_api(sim: Simulator, store: Store) -> APIRouter:
    """Banks, payments and reversals; an accepted one is pushed to paydesk in the background."""
    router = APIRouter(prefix="/api")

    @router.get("/banks")
    def list_banks() -> list[dict[str, str]]:
        return [{"bic": b.bic, "name": b.name, "country": b.country} for b in banks.BANKS]

    @router.post("/payments", status_code=201)
    def create_payment(
        body: PaymentIn,
        background: BackgroundTasks,
        idempotency_key: str | None = Header(None, max_length=255),
    ) -> JSONResponse:
        """Pay an RF code from a bank: asks paydesk first, refuses with the reason."""
        outcome = sim.pay(body, idempotency_key)
        if outcome.accepted and outcome.cursor is not None:
            background.add_task(sim.push, outcome.cursor)
        return JSONResponse(outcome.body(), status_code=outcome.status_code, background=background)

    @router.get("/payments/{bank_reference}")
    def get_payment(bank_reference: str) -> JSONResponse:
        payment = store.payment(bank_reference)
        if payment is None:
            return JSONResponse({"detail": f"no payment {bank_reference}"}, status_code=404)
        return JSONResponse({**payment.__dict__})

    @router.post("/reversals", status_code=201)
    def create_reversal(body: ReversalIn, background: BackgroundTasks) -> JSONResponse:
        """The paying bank takes a payment back: a reversal entry is published."""
        outcome = sim.reverse(body.bank_reference)
        if outcome.accepted:
            background.add_task(sim.push, outcome.cursor)
            return JSONResponse(
                {
                    "status": "reversed",
                    "bank_reference": body.bank_reference,
                    "reversal_reference": body.bank_reference + "R",
                    "cursor": str(outcome.cursor),
                },
                status_code=201,
                background=background,
            )
        return JSONResponse(outcome.body(), status_code=outcome.status_code)

    return router


def _feed(config: BankSimSettings, store: Store) -> APIRouter:
    """The notifications feed paydesk polls (behind the feed key when one is set)."""
    router = APIRouter()

    @router.get("/api/feed")
    def feed(
        request: Request,
        after: str | None = Query(None, max_length=20),
        limit: int = Query(100, ge=1, le=1000),
    ) -> JSONResponse:
        """Notifications after ``after`` (a cursor), oldest first: ``[{cursor, document}]``."""
        if config.feed_key:
            given = request.headers.get("authorization", "")
            if given != f"Bearer {config.feed_key}":
                return JSONResponse({"detail": "feed key required"}, status_code=401)
        if after is not None and not after.isdigit():
            return JSONResponse({"detail": "after is a cursor from this feed"}, status_code=422)
        store.settle(date.today().isoformat(), config.creditor_iban)  # what is due today
        rows = store.feed_after(int(after or 0), limit)
        return JSONResponse([{"cursor": str(c), "document": d} for c, d in rows])

    return router


def _direct_debits(sim: Simulator, store: Store, config: BankSimSettings) -> APIRouter:
    """The business's bank for SEPA Core direct debits (see :mod:`paydesk.banksim.directdebits`)."""
    router = APIRouter()

    @router.post("/api/direct-debits", status_code=201)
    async def take_direct_debits(request: Request, background: BackgroundTasks) -> JSONResponse:
        """A pain.008.001.08 file from the business: its collections wait for their date;
        those rejected at once are reported in a pain.002 on the feed."""
        data = await request.body()
        try:
            message_id, collections = directdebits.parse(data)
        except InvalidInput as error:
            return JSONResponse({"status": "refused", "detail": error.detail}, status_code=422)
        cursor = store.add_collections(message_id, collections)
        if cursor is not None:
            background.add_task(sim.push, cursor)
        return JSONResponse(
            {
                "status": "accepted",
                "message_id": message_id,
                "collections": len(collections),
                "status_report": None if cursor is None else str(cursor),
            },
            status_code=201,
            background=background,
        )

    @router.post("/api/direct-debits/rules", status_code=201)
    def add_debtor_rule(body: DebtorRuleIn) -> JSONResponse:
        """The debtor's bank will refuse collections from this IBAN or mandate with ``reason``."""
        subject = body.mandate_id or (body.iban or "").replace(" ", "").upper()
        if not subject:
            return JSONResponse({"detail": "give an iban or a mandate_id"}, status_code=422)
        store.add_rule(subject, body.reason, body.before_settlement)
        return JSONResponse(
            {
                "subject": subject,
                "reason": body.reason,
                "before_settlement": body.before_settlement,
            },
            status_code=201,
        )

    @router.post("/api/direct-debits/settle", status_code=201)
    def settle_direct_debits(body: SettleIn, background: BackgroundTasks) -> JSONResponse:
        """Settle the collections due on or before ``on`` (default today) now."""
        booked, returned, cursors = store.settle(
            (body.on or date.today()).isoformat(), config.creditor_iban
        )
        for cursor in cursors:
            background.add_task(sim.push, cursor)
        return JSONResponse(
            {"booked": booked, "returned": returned, "cursors": [str(c) for c in cursors]},
            status_code=201,
            background=background,
        )

    return router


def _verification(sim: Simulator, store: Store) -> APIRouter:
    """Payee verification and the account holders it knows."""
    router = APIRouter()

    @router.post("/v1/account-verification")
    def account_verification(body: VerificationIn) -> JSONResponse:
        """Payee verification: does the IBAN belong to this name?"""
        try:
            return JSONResponse(sim.verify(body.iban, body.name))
        except InvalidIBAN as error:
            return JSONResponse({"detail": error.detail}, status_code=422)

    @router.post("/api/holders", status_code=201)
    def add_holder(body: HolderIn) -> JSONResponse:
        """Register an account holder (for payee verification)."""
        try:
            iban = verification.check_iban(body.iban)
        except InvalidIBAN as error:
            return JSONResponse({"detail": error.detail}, status_code=422)
        store.add_holder(iban, body.name)
        return JSONResponse({"iban": iban, "name": body.name}, status_code=201)

    return router
