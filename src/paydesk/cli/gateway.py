"""Commands of the bank side: the bank simulator, the worker, and "update status" of a code."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from paydesk.cli.common import database, refused


def banksim(
    port: int = 8100,
    host: str = "127.0.0.1",
    paydesk_url: Annotated[
        str | None, typer.Option(help="paydesk base URL, for the code inquiry")
    ] = None,
    api_key: Annotated[str | None, typer.Option(help="paydesk API key (integration)")] = None,
    push_url: Annotated[
        str | None, typer.Option(help="Push each notification here (…/v1/bank/notifications)")
    ] = None,
    push_key: Annotated[str | None, typer.Option(help="API key for the push URL")] = None,
    feed_key: Annotated[str | None, typer.Option(help="Require this key to read the feed")] = None,
    data_dir: Annotated[
        str | None, typer.Option(help="Where the simulator keeps its state")
    ] = None,
    creditor_iban: Annotated[
        str | None, typer.Option(help="The business's account the credits go to")
    ] = None,
) -> None:
    """Run the bank simulator: web banking at /, payments API, notification feed."""
    import uvicorn

    from paydesk.banksim.app import create_app
    from paydesk.banksim.config import BankSimSettings

    given = {
        "paydesk_url": paydesk_url,
        "api_key": api_key,
        "push_url": push_url,
        "push_key": push_key,
        "feed_key": feed_key,
        "data_dir": data_dir,
        "creditor_iban": creditor_iban,
    }
    config = BankSimSettings(**{k: v for k, v in given.items() if v is not None})
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def worker(
    once: Annotated[bool, typer.Option(help="Run one round and exit")] = False,
    batch: int = 10,
) -> None:
    """Run background jobs and periodic tasks (feed polling, webhooks, code expiry)."""
    from paydesk.settings import get_settings
    from paydesk.worker.registry import REGISTRY, load_builtin
    from paydesk.worker.runner import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("httpx", "httpcore"):  # a line per feed poll and webhook otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    settings = get_settings()
    load_builtin(REGISTRY)
    runner = Worker(database(), settings, REGISTRY, batch=batch)
    if once:
        typer.echo(f"{runner.run_once()} jobs run")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.run(stop)


def code_refresh(code: str) -> None:
    """ "Update status": read the bank feed now, then show the code's status."""
    from paydesk.bank.connector import refresh_code
    from paydesk.codes import rf
    from paydesk.codes import service as codes
    from paydesk.money import format_minor
    from paydesk.settings import get_settings

    settings = get_settings()
    db = database()
    with refused():
        done = refresh_code(db, settings, code)
        if done.polled:
            typer.echo(f"bank feed: {done.documents} new notifications")
        else:
            typer.echo("no bank feed configured (bank_feed_url); showing stored status")
        with db.reading() as session:
            found = codes.get(session, code)
    typer.echo(
        f"{rf.format(found.rf)}  {found.status}  paid "
        f"{format_minor(found.paid_minor, found.currency)} {found.currency}"
    )
