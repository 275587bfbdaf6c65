"""``paydesk payment …`` and ``paydesk drawer …``: the cashier desk from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from paydesk.auth.roles import Role
from paydesk.cli.common import database, refused
from paydesk.errors import InvalidInput
from paydesk.money import Money, format_minor
from paydesk.settings import get_settings

payment_app = typer.Typer(help="One-time payments at the cashier desk.", no_args_is_help=True)
drawer_app = typer.Typer(help="Cash-drawer sessions.", no_args_is_help=True)
points_app = typer.Typer(
    help="Credit rating: an account's cash-only point entries.", no_args_is_help=True
)


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
    db = database()
    with refused():
        with db.transaction() as session:
            view = desk.add_one_time_payment(session, settings, request, actor=cashier)
            event_id, tasks = view.event.id, [t.id for t in view.tasks]
        validated = desk.validate_and_reread(db, settings, event_id, tasks)
        for task_id, reason in validated.not_run.items():
            typer.secho(f"validation task {task_id} stays pending: {reason}", err=True)
        _print_event(validated.view)


@payment_app.command("quick")
def payment_quick(
    rule: Annotated[str, typer.Option(help="Distribution rule: rf, document, account, contract")],
    value: Annotated[str, typer.Option(help="What the rule reads: an RF, a number, an id")],
    tender: Annotated[list[str], typer.Option(help="TYPE[:AMOUNT], e.g. cash:50.00 (repeatable)")],
    amount: Annotated[
        str | None, typer.Option(help="Payment amount (default: a fixed code's amount due)")
    ] = None,
    cheque: Annotated[str | None, typer.Option(help="Cheque number")] = None,
    iban: Annotated[str | None, typer.Option(help="IBAN of a direct debit")] = None,
    cashier: Annotated[str, typer.Option(help="Who takes the payment")] = "cli",
) -> None:
    """Quick add payment event by a distribution rule (exit 2 when refused: nothing stored)."""
    from paydesk.cashier import quick
    from paydesk.cashier import service as desk

    settings = get_settings()
    request = quick.QuickRequest(
        rule=rule,
        value=value,
        amount=amount,
        tenders=[_tender(t, cheque, iban) for t in tender],
    )
    db = database()
    with refused():
        with db.transaction() as session:
            view = quick.quick_add(session, settings, request, actor=cashier)
            event_id, tasks = view.event.id, [t.id for t in view.tasks]
        desk.run_validations(db, settings, tasks)
        with db.reading() as session:
            _print_event(desk.event_view(session, event_id))


@payment_app.command("show")
def payment_show(event: int) -> None:
    """A payment event with its tenders, payments, segments and tasks."""
    from paydesk.cashier import service as desk

    with refused(), database().reading() as session:
        _print_event(desk.event_view(session, event))


@payment_app.command("unbalanced")
def payment_unbalanced(limit: int = 50) -> None:
    """Events whose valid tenders do not sum to their payments (follow-up list)."""
    from paydesk.cashier import service as desk

    with database().reading() as session:
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

    with refused(), database().transaction() as session:
        found = desk.cancel_payment(session, payment, reason=reason, actor=cashier)
        typer.echo(f"payment {found.id}  {found.status}")


@drawer_app.command("open")
def drawer_open(
    cashier: Annotated[str, typer.Option(help="The cashier's user name")],
    float_amount: Annotated[str, typer.Option("--float", help="Cash float")] = "0.00",
    currency: str = "",
) -> None:
    """Open a cash-drawer session with a float."""
    from paydesk.cashier import drawers

    with refused():
        amount = Money.parse(float_amount, currency or get_settings().currency)
        with database().transaction() as session:
            drawer = drawers.open_drawer(session, cashier=cashier, float_amount=amount)
            typer.echo(f"drawer session {drawer.id} open for {cashier}, float {amount}")


@drawer_app.command("close")
def drawer_close(
    drawer: int,
    counted: Annotated[list[str], typer.Option(help="TYPE=AMOUNT, e.g. cash=89.50")],
    cashier: str = "cli",
) -> None:
    """Close a session: counted against expected per tender type; exit 1 on a difference."""
    from paydesk.cashier import drawers

    db = database()
    with refused(), db.transaction() as session:
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
    for line in result.lines:
        typer.echo(
            f"{line.type_code:<14} expected {line.expected.amount:>10}  "
            f"counted {line.counted.amount:>10}  difference {line.difference.amount:>10}"
        )
    if not result.balanced:
        raise typer.Exit(1)


@points_app.command("show")
def points_show(account: Annotated[int, typer.Argument(help="Account id")]) -> None:
    """The credit rating: each entry (in force, ended or cancelled) and the total in force."""
    from paydesk.cashier import wallet

    settings = get_settings()
    with refused(), database().reading() as session:
        rating = wallet.credit_rating(session, settings.cashier, account)
    warning = "  cash only" if rating.cash_only else ""
    typer.echo(f"account {account}  {rating.total} points in force{warning}")
    for e in rating.entries:
        row = e.entry
        ends = row.ends_on.isoformat() if row.ends_on else "-"
        typer.echo(
            f"  entry {row.id:>6} {row.change:>+5}  {e.status:<9} until {ends:<10} "
            f"{row.actor}  {row.at:%Y-%m-%d}  {row.reason}"
        )
        if e.cancelled_by is not None:
            by = e.cancelled_by
            typer.echo(f"{'':>15}cancelled by {by.actor}: {by.reason}")


@points_app.command("add")
def points_add(
    account: Annotated[int, typer.Argument(help="Account id")],
    points: Annotated[int, typer.Option(help="Points (negative: take away)")],
    reason: Annotated[str, typer.Option(help="Why")],
    ends_on: Annotated[
        str | None, typer.Option(help="Last day it counts (default: by setting)")
    ] = None,
    actor: Annotated[str, typer.Option(help="The supervisor")] = "cli",
) -> None:
    """Add a credit-rating entry (audited)."""
    from datetime import date

    from paydesk.cashier import wallet

    settings = get_settings()
    with refused():
        try:
            end = date.fromisoformat(ends_on) if ends_on else None
        except ValueError:
            raise InvalidInput(f"end date {ends_on!r} is YYYY-MM-DD") from None
        end = end or wallet.points_end(settings.cashier.cash_only_points_months)
        with database().transaction() as session:
            wallet.change_cash_only_points(
                session, account, points, reason=reason, actor=actor, ends_on=end
            )
            total = wallet.points_in_force(session, account)
    typer.echo(f"account {account}  {total} points in force")


@points_app.command("cancel")
def points_cancel(
    entry: Annotated[int, typer.Argument(help="Entry id")],
    reason: Annotated[str, typer.Option(help="Why")],
    actor: Annotated[str, typer.Option(help="The supervisor")] = "cli",
) -> None:
    """Cancel a credit-rating entry (audited; it stays in the history)."""
    from paydesk.cashier import wallet

    with refused(), database().transaction() as session:
        row = wallet.cancel_point_entry(session, entry, reason=reason, actor=actor)
        total = wallet.points_in_force(session, row.account_id)
        account = row.account_id
    typer.echo(f"entry {entry} cancelled; account {account}  {total} points in force")
