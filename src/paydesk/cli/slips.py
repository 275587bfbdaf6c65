"""``paydesk code slip|send|send-retry``: payment slips on the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from paydesk.cli.common import database, refused
from paydesk.codes import rf
from paydesk.db.base import utcnow
from paydesk.settings import get_settings

CLI_ACTOR = "cli"

Language = Annotated[str | None, typer.Option(help="en, el or pl; default the customer's")]


def slip(
    code: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (.pdf or .html)")],
    language: Language = None,
) -> None:
    """Write the code's payment slip to a PDF or HTML file."""
    from paydesk.slips import service
    from paydesk.slips.render import render_html, render_pdf

    with refused():
        with database().reading() as session:
            data = service.slip_for(session, get_settings(), code, language=language)
        if out.suffix.lower() == ".html":
            out.write_text(render_html(data), encoding="utf-8")
        else:
            out.write_bytes(render_pdf(data))
    typer.echo(f"{rf.format(data.rf_code)}  slip written to {out}")


def send(
    code: str,
    to: Annotated[str | None, typer.Option(help="Recipient; default the customer's")] = None,
    language: Language = None,
) -> None:
    """E-mail the code's payment slip now. Exit 0 sent, 1 failed (recorded, retried), 2 refused."""
    from paydesk.slips import service

    settings = get_settings()
    with refused():
        delivery = service.send_slip(
            database(), settings, code, actor=CLI_ACTOR, to=to, language=language
        )
    sending = delivery.sending
    if delivery.error is not None:
        retry = (
            f"next attempt at {sending.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
            if sending.next_attempt_at
            else "not retried"
        )
        typer.secho(
            f"error: {delivery.error.detail}\nsending {sending.id} recorded as failed; {retry}",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{rf.format(rf.validate(code))}  slip sent to {sending.to_address}")


def clock(ctx: typer.Context) -> datetime:
    """The time now: the context object's ``clock`` when the caller gave one (tests), else UTC."""
    given = (ctx.obj or {}).get("clock") if isinstance(ctx.obj, dict) else None
    return given() if given is not None else utcnow()


def send_retry(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Most sendings to attempt")] = 100,
) -> None:
    """Deliver the slip e-mails that are due: queued at issue, or failed and due again."""
    from paydesk.slips import service

    report = service.retry_due_sendings(database(), get_settings(), clock(ctx), limit=limit)
    if report.not_configured:
        typer.echo(f"{service.NOT_CONFIGURED}; nothing attempted")
        return
    typer.echo(f"sent {len(report.sent)}, failed {len(report.failed)}")


def register(code_app: typer.Typer) -> None:
    code_app.command("slip")(slip)
    code_app.command("send")(send)
    code_app.command("send-retry")(send_retry)
