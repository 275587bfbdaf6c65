"""``paydesk dd …``: export direct-debit collections as pain.008, apply pain.002 reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from paydesk.cli.common import database, refused
from paydesk.money import format_minor
from paydesk.settings import get_settings

dd_app = typer.Typer(
    help="SEPA Core direct debits: pain.008 export, pain.002 status reports.",
    no_args_is_help=True,
)


@dd_app.command("export")
def export(
    due: Annotated[str, typer.Option(help="Collect what is due on or before this day (ISO).")],
    out: Annotated[Path | None, typer.Option(help="Write the pain.008 here.")] = None,
    actor: Annotated[str, typer.Option(help="Who exports.")] = "cli",
) -> None:
    """Write the pain.008.001.08 file of what is due by DUE (once a day; again: same file)."""
    from paydesk.directdebits import service

    try:
        due_on = date.fromisoformat(due)
    except ValueError:
        typer.secho(f"error: --due {due!r} is not an ISO date", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    with refused(), database().transaction() as session:
        exported = service.export(session, get_settings(), due_on=due_on, actor=actor)
        file = exported.file
        content, name = file.content, f"{file.message_id}.xml"
        line = (
            f"{'exported' if exported.created else 'exported before'}: {file.message_id}  "
            f"{file.collections} collections  "
            f"{format_minor(file.total_minor, file.currency)} {file.currency}"
        )
    target = out or Path(name)
    target.write_text(content, encoding="utf-8")
    typer.echo(f"{line}  → {target}")


@dd_app.command("status")
def status(
    files: Annotated[list[Path], typer.Argument(help="pain.002 status reports.")],
    actor: Annotated[str, typer.Option(help="Who applies them.")] = "cli",
) -> None:
    """Apply pain.002 status reports: each rejected collection is returned with its reason."""
    from paydesk.directdebits import service

    settings = get_settings()
    db = database()
    for path in files:
        with refused(), db.transaction() as session:
            results = service.apply_status_report(
                session,
                path.read_bytes(),
                actor=actor,
                returns=service.ReturnRules.of(settings),
            )
        counts: dict[str, int] = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        typer.echo(f"{path.name}: {counts or 'no rejects'}")


@dd_app.command("list")
def list_collections(
    status: Annotated[str | None, typer.Option(help="due, sent, confirmed, returned …")] = None,
) -> None:
    """Direct-debit collections, newest first (``--status returned``: the follow-up list)."""
    from paydesk.directdebits import service

    with database().reading() as session:
        for c in service.collections(session, status=status):
            typer.echo(
                f"{c.id:>6} {c.end_to_end_id}  event {c.event_id:<6} account {c.account_id:<6}"
                f" {format_minor(c.amount_minor, c.currency):>10} {c.currency}  {c.status}"
                + (f"  {c.return_code} {c.return_reason}" if c.return_code else "")
            )
