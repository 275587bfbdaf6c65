"""``paydesk payment …`` and ``paydesk drawer …``: the cashier desk from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from paydesk.auth.roles import Role
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput, PaydeskError
from paydesk.money import Money, format_minor
from paydesk.settings import get_settings

payment_app = typer.Typer(help="One-time payments at the cashier desk.", no_args_is_help=True)
drawer_app = typer.Typer(help="Cash-drawer sessions.", no_args_is_help=True)


def _db() -> Database:
    return Database(get_settings().database_url)


def _fail(error: PaydeskError) -> typer.Exit:
    typer.secho(f"error: {error.detail}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _print_event(view) -> None:
    event = view.event
    typer.echo(f"payment event {event.id}  {event.event_date}  {view.status}")
    for t in view.tenders:
        detail = t.cheque_number or t.iban_masked or ""
        typer.echo(
            f"  tender  {t.id:>6} {t.tender_type:<14} "
            f"{format_minor(t.amount_minor, t.currency):>12} {t.currency}  {t.status}  {detail}"
        )
    for p in view.payments:
        typer.echo(
            f"  payment {p.id:>6} account {p.account_id:<6} "
            f"{format_minor(p.amount_minor, p.currency):>12} {p.currency}  {p.status}"
            + (f"  ({p.error_message})" if p.error_message else "")
        )
        for s in view.segments.get(p.id, []):
            typer.echo(
                f"          contract {s.contract_id:<6} {format_minor(s.amount_minor, s.currency)}"
            )
    for task in view.tasks:
        typer.echo(f"  task    {task.id:>6} bank-account validation {task.status}")


def _tender(text: str, cheque: str | None, iban: str | None):
    from paydesk.cashier.service import TenderRequest

    kind, _, amount = text.partition(":")
    return TenderRequest(
        type=kind.strip(),
        amount=amount.strip() or None,
        cheque_number=cheque if kind.strip() == "cheque" else None,
        iban=iban if kind.strip() == "direct_debit" else None,
    )


@payment_app.command("add")
def payment_add(
    account: Annotated[int, typer.Argument(help="Payee account id")],
    tender: Annotated[
        list[str], typer.Option(help="TYPE[:AMOUNT], e.g. cheque:120.00 (repeatable)")
    ],
    amount: Annotated[str | None, typer.Option(help="Payment amount (default: by setting)")] = None,
    cheque: Annotated[str | None, typer.Option(help="Cheque number")] = None,
    iban: Annotated[str | None, typer.Option(help="IBAN of a direct debit")] = None,
    match_type: Annotated[str | None, typer.Option(help="invoice | contract")] = None,
    match_value: Annotated[str | None, typer.Option(help="Invoice number or contract id")] = None,
    manual: Annotated[bool, typer.Option(help="Wait for per-contract amounts")] = False,
    cashier: Annotated[str, typer.Option(help="Who takes the payment")] = "cli",
) -> None:
    """Add a one-time payment (distributed and frozen unless --manual)."""
    from paydesk.cashier import service as desk

    settings = get_settings()
    request = desk.EventRequest(
        payments=[desk.PaymentRequest(account, amount, match_type, match_value)],
        tenders=[_tender(t, cheque, iban) for t in tender],
        distribution="manual" if manual else "distribute_and_freeze",
    )
    db = _db()
    try:
        with db.transaction() as session:
            view = desk.add_one_time_payment(session, settings, request, actor=cashier)
            event_id, tasks = view.event.id, [t.id for t in view.tasks]
        validated = desk.validate_and_reread(db, settings, event_id, tasks)
        for task_id, reason in validated.not_run.items():
            typer.secho(f"validation task {task_id} stays pending: {reason}", err=True)
        _print_event(validated.view)
    except PaydeskError as error:
        raise _fail(error) from None


@payment_app.command("show")
def payment_show(event: int) -> None:
    """A payment event with its tenders, payments, segments and tasks."""
    from paydesk.cashier import service as desk

    try:
        with _db().reading() as session:
            _print_event(desk.event_view(session, event))
    except PaydeskError as error:
        raise _fail(error) from None


@payment_app.command("unbalanced")
def payment_unbalanced(limit: int = 50) -> None:
    """Events whose valid tenders do not sum to their payments (follow-up list)."""
    from paydesk.cashier import service as desk

    with _db().reading() as session:
        for event_id in desk.unbalanced_events(session, limit=limit):
            _print_event(desk.event_view(session, event_id))


@payment_app.command("cancel")
def payment_cancel(
    payment: int,
    reason: Annotated[str, typer.Option(help="Why")],
    cashier: str = "cli",
) -> None:
    """Cancel a payment; a frozen one is reversed in the ledger."""
    from paydesk.cashier import service as desk

    try:
        with _db().transaction() as session:
            found = desk.cancel_payment(session, payment, reason=reason, actor=cashier)
            typer.echo(f"payment {found.id}  {found.status}")
    except PaydeskError as error:
        raise _fail(error) from None


@drawer_app.command("open")
def drawer_open(
    cashier: Annotated[str, typer.Option(help="The cashier's user name")],
    float_amount: Annotated[str, typer.Option("--float", help="Cash float")] = "0.00",
    currency: str = "",
) -> None:
    """Open a cash-drawer session with a float."""
    from paydesk.cashier import drawers

    try:
        amount = Money.parse(float_amount, currency or get_settings().currency)
        with _db().transaction() as session:
            drawer = drawers.open_drawer(session, cashier=cashier, float_amount=amount)
            typer.echo(f"drawer session {drawer.id} open for {cashier}, float {amount}")
    except PaydeskError as error:
        raise _fail(error) from None


@drawer_app.command("close")
def drawer_close(
    drawer: int,
    counted: Annotated[list[str], typer.Option(help="TYPE=AMOUNT, e.g. cash=89.50")],
    cashier: str = "cli",
) -> None:
    """Close a session: counted against expected per tender type; exit 1 on a difference."""
    from paydesk.cashier import drawers

    db = _db()
    try:
        with db.transaction() as session:
            current = drawers.get_drawer(session, drawer)
            amounts = {}
            for item in counted:
                code, sep, value = item.partition("=")
                if not sep:
                    raise InvalidInput(f"counted amount {item!r} is TYPE=AMOUNT")
                amounts[code.strip()] = Money.parse(value.strip(), current.currency)
            _, result = drawers.close_drawer(
                session, drawer, counted=amounts, actor=cashier, role=Role.ADMIN
            )
    except PaydeskError as error:
        raise _fail(error) from None
    for line in result.lines:
        typer.echo(
            f"{line.type_code:<14} expected {line.expected.amount:>10}  "
            f"counted {line.counted.amount:>10}  difference {line.difference.amount:>10}"
        )
    if not result.balanced:
        raise typer.Exit(1)
