"""``paydesk``: serve, migrate, load demo data, manage users, keys and payment codes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

import paydesk.slips  # noqa: F401  (issuing a code queues its slip e-mail: codes.on_issued)
from paydesk.cli import gateway
from paydesk.cli import slips as slips_cli
from paydesk.cli.cashier import drawer_app, payment_app, points_app
from paydesk.cli.common import database, refused
from paydesk.cli.directdebits import dd_app
from paydesk.codes import rf
from paydesk.errors import PaydeskError
from paydesk.money import format_minor
from paydesk.settings import get_settings

app = typer.Typer(help="paydesk: collect what customers owe.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
code_app = typer.Typer(help="RF payment codes.", no_args_is_help=True)
secret_app = typer.Typer(help="The installation's secret key.", no_args_is_help=True)
bank_app = typer.Typer(help="Bank files (ISO 20022 camt.053 / camt.054).", no_args_is_help=True)
app.add_typer(secret_app, name="secret")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.add_typer(code_app, name="code")
app.add_typer(bank_app, name="bank")
app.add_typer(payment_app, name="payment")
app.add_typer(drawer_app, name="drawer")
app.add_typer(points_app, name="points")
app.add_typer(dd_app, name="dd")

CLI_ACTOR = "cli"


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(1, help="Worker processes (PostgreSQL only)"),
    access_log: bool = typer.Option(
        True, help="A line per request on stderr (off when the reverse proxy logs requests)"
    ),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) and the web pages (sign in at /).

    Refuses to start without a secret key, or with a known placeholder (see `paydesk secret`).
    """
    import uvicorn

    from paydesk.secret import InsecureSecret

    try:
        get_settings().check_secret()
    except InsecureSecret as refused:
        typer.secho(f"error: {refused}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None

    if workers > 1:
        uvicorn.run(
            "paydesk.api.asgi:app", host=host, port=port, workers=workers, access_log=access_log
        )
    else:
        from paydesk.api.app import create_app
        from paydesk.collection import settle_long_lived

        application = create_app()
        settle_long_lived()
        uvicorn.run(application, host=host, port=port, access_log=access_log)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database schema."""
    from paydesk.db.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("check")
def db_check() -> None:
    """Check that payments, the ledger, payment codes and bank entries agree (exit 1 if not)."""
    from paydesk.payments.invariants import violations

    with database().reading() as session:
        found = violations(session)
    for line in found:
        typer.secho(line, fg=typer.colors.RED, err=True)
    typer.echo("consistent" if not found else f"{len(found)} problems")
    raise typer.Exit(1 if found else 0)


def _ensure_secret():
    """The settings, with a random secret key written to ``secret_key_file`` when none is set."""
    from paydesk.secret import create_file

    settings = get_settings()
    if settings.secret_key is None and create_file(settings.secret_key_file):
        typer.echo(f"a random secret key was written to {settings.secret_key_file} (keep it)")
        get_settings.cache_clear()
        settings = get_settings()
    return settings


@secret_app.command("create")
def secret_create() -> None:
    """Write a random secret key to `secret_key_file` (data/secret_key) once; never overwrite."""
    settings = get_settings()
    if settings.secret_key is not None:
        source = (
            settings.secret_key_file
            if settings.secret_key == _file_secret(settings.secret_key_file)
            else "the settings (PAYDESK_SECRET_KEY or paydesk.toml)"
        )
        typer.echo(f"a secret key is already set, in {source}")
        return
    _ensure_secret()


def _file_secret(path: str) -> str | None:
    from paydesk.secret import read_file

    return read_file(path)


@app.command()
def demo(
    url: Annotated[str, typer.Option(help="Where `paydesk serve` will answer")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Load demo data (customers, documents, codes, users) once, then print how to start:
    the address, the users and passwords, the API keys (first time only) and the CLI."""
    from paydesk.db.migrate import upgrade
    from paydesk.demo import load

    settings = _ensure_secret()
    upgrade(settings.database_url)
    db = database()
    with db.transaction() as session:
        result = load(session, settings)
    typer.echo(welcome(url.rstrip("/"), result.api_keys, first_time=result.created))


def welcome(url: str, api_keys: dict[str, str], *, first_time: bool) -> str:
    """The block ``paydesk demo`` ends with: what a newcomer needs to start."""
    from paydesk.demo import DEMO_USERS

    rule = "-" * 72
    lines = [
        "",
        rule,
        f"paydesk: open {url}/ and sign in as (user / password):",
    ]
    lines += [
        f"    {username:<12} {password}"
        for username, (_role, password) in DEMO_USERS.items()
        if password
    ]
    if first_time:
        lines.append("API keys of the demo users (shown this once; keep them):")
        lines += [f"    {username:<12} {key}" for username, key in api_keys.items()]
    else:
        lines.append("Demo data was already loaded; its API keys were shown the first time.")
    lines += [
        "A new API key at any time:  .venv/bin/paydesk key create integration",
        f"API documentation: {url}/docs   OpenAPI document: {url}/openapi.json",
        "The command line: .venv/bin/paydesk --help",
        "    (or once per shell: source .venv/bin/activate, then just: paydesk --help)",
        "Stop the server with Ctrl+C; `make run` again keeps the data (data/paydesk.db).",
        rule,
    ]
    return "\n".join(lines)


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[str, typer.Option(help="cashier, supervisor, integration or admin")],
    password: Annotated[str | None, typer.Option(help="For web sign-in")] = None,
    display_name: str | None = None,
) -> None:
    """Create a user."""
    from paydesk.auth import service

    with refused(), database().transaction() as session:
        user = service.create_user(
            session,
            username=username,
            role=role,
            password=password,
            display_name=display_name,
        )
    typer.echo(f"user {user.username} ({user.role}) created")


@key_app.command("create")
def key_create(username: str, name: str = "") -> None:
    """Create an API key for a user; it is printed once."""
    from paydesk.auth import service

    with refused(), database().transaction() as session:
        key = service.create_key(session, service.get_user(session, username), name)
    typer.echo(key)


@key_app.command("list")
def key_list(username: str) -> None:
    """The user's API keys: public id, name, created, revoked."""
    from paydesk.auth import service

    with refused(), database().reading() as session:
        keys = service.keys_of(session, service.get_user(session, username))
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        typer.echo(f"pdk_{key.key_id}_…  {key.created_at:%Y-%m-%d %H:%M}  {state}  {key.name}")
    typer.echo(f"{len(keys)} key(s)")


@key_app.command("revoke")
def key_revoke(
    key: Annotated[str, typer.Argument(help="The key id, or the whole key pdk_<id>_…")],
) -> None:
    """Revoke an API key. Running servers refuse it within `api_key_cache_seconds`."""
    from paydesk.auth import service

    key_id = key.split("_", 2)[1] if key.startswith("pdk_") and key.count("_") >= 2 else key
    with refused(), database().transaction() as session:
        found = service.revoke_key_id(session, key_id, actor=CLI_ACTOR)
    typer.echo(f"pdk_{found.key_id}_…  revoked")


@user_app.command("deactivate")
def user_deactivate(
    username: str, reason: Annotated[str | None, typer.Option(help="Why")] = None
) -> None:
    """Switch a user off: web sessions end now; API keys are refused by running servers within
    `api_key_cache_seconds`."""
    from paydesk.auth import service

    with refused(), database().transaction() as session:
        service.deactivate_user(
            session, service.get_user(session, username), actor=CLI_ACTOR, reason=reason
        )
    typer.echo(f"user {username} deactivated")


@user_app.command("activate")
def user_activate(username: str) -> None:
    """Switch a deactivated user on again (their revoked keys stay revoked)."""
    from paydesk.auth import service

    with refused(), database().transaction() as session:
        service.activate_user(session, service.get_user(session, username), actor=CLI_ACTOR)
    typer.echo(f"user {username} active")


@user_app.command("password")
def user_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's web password; every web session of theirs ends."""
    from paydesk.auth import service

    with refused(), database().transaction() as session:
        ended = service.set_password(
            session, service.get_user(session, username), password, actor=CLI_ACTOR
        )
    typer.echo(f"password of {username} changed; {ended} web session(s) ended")


@code_app.command("check")
def code_check(codes: list[str]) -> None:
    """Validate RF codes: exit 0 if all are valid, 1 otherwise, with the reason."""
    all_valid = True
    for text in codes:
        try:
            code = rf.validate(text)
        except rf.InvalidPaymentCode as error:
            all_valid = False
            typer.echo(f"{text}: invalid: {error.detail}")
        else:
            typer.echo(f"{rf.format(code)}: valid")
    raise typer.Exit(0 if all_valid else 1)


@code_app.command("new")
def code_new(
    document: Annotated[int | None, typer.Option(help="Document id")] = None,
    account: Annotated[
        int | None, typer.Option(help="Account id (account-level open code)")
    ] = None,
    amount_type: Annotated[str | None, typer.Option(help="fixed or open")] = None,
    ceiling: Annotated[str | None, typer.Option(help="Open codes: most accepted")] = None,
    expires: Annotated[str | None, typer.Option(help="Expiry date YYYY-MM-DD")] = None,
) -> None:
    """Issue a payment code for a document (or an account)."""
    from paydesk.accounts import service as accounts
    from paydesk.codes import service as codes
    from paydesk.documents import service as documents
    from paydesk.money import Money

    if (document is None) == (account is None):
        typer.secho("error: give --document or --account", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = get_settings()
    expires_on = date.fromisoformat(expires) if expires else None
    with refused(), database().transaction() as session:
        if document is not None:
            doc = documents.get(session, document, lock=True)
            kwargs = {}
            if ceiling is not None:
                kwargs["ceiling_minor"] = Money.parse(ceiling, doc.currency).minor
            issued = codes.issue_for_document(
                session,
                settings,
                doc,
                actor=CLI_ACTOR,
                amount_type=amount_type,
                expires_on=expires_on,
                **kwargs,
            )
            code, created = issued.code, issued.created
        else:
            acc = accounts.get_account(session, account)  # type: ignore[arg-type]
            code = codes.issue_for_account(
                session,
                settings,
                acc,
                actor=CLI_ACTOR,
                expires_on=expires_on,
                ceiling_minor=None if ceiling is None else Money.parse(ceiling, acc.currency).minor,
            )
            created = True
    typer.echo(f"{rf.format(code.rf)}  {'issued' if created else 'already issued'}")


@code_app.command("show")
def code_show(code: str) -> None:
    """A code, its status and every payment on it."""
    from paydesk.codes import service as codes

    with refused():
        db = database()
        with db.transaction() as session:
            codes.expire_due(session)
        with db.reading() as session:
            found = codes.get(session, code)
            payments = codes.payments_of(session, found.id)
    amount = (
        "open" if found.amount_minor is None else format_minor(found.amount_minor, found.currency)
    )
    typer.echo(f"{rf.format(found.rf)}  {found.status}")
    typer.echo(
        f"  {found.kind}, {found.amount_type} amount {amount} {found.currency}, "
        f"paid {format_minor(found.paid_minor, found.currency)}"
    )
    if found.expires_on:
        typer.echo(f"  expires {found.expires_on}")
    for p in payments:
        typer.echo(
            f"  {p.paid_on}  {p.bank_name or p.bank_bic or '?'}  "
            f"{format_minor(p.amount_minor, p.currency)} {p.currency}  {p.payer_name or ''}"
        )


@code_app.command("cancel")
def code_cancel(code: str, reason: Annotated[str, typer.Option(help="Why")]) -> None:
    """Cancel a code (no more payments are accepted on it)."""
    from paydesk.codes import service as codes

    with refused(), database().transaction() as session:
        found = codes.cancel(session, code, reason=reason, actor=CLI_ACTOR)
    typer.echo(f"{rf.format(found.rf)}  {found.status}")


@code_app.command("list")
def code_list(
    status: str | None = None,
    kind: str | None = None,
    account: int | None = None,
    limit: int = 50,
) -> None:
    """List codes, newest first."""
    from paydesk.codes import service as codes

    with database().reading() as session:
        found, total = codes.search(
            session, codes.CodeFilter(status, kind, account), limit=limit, offset=0
        )
    for c in found:
        typer.echo(
            f"{rf.format(c.rf):<32} {c.status:<15} {c.kind:<17} "
            f"{format_minor(c.paid_minor, c.currency):>12} {c.currency}"
        )
    typer.echo(f"{len(found)} of {total}")


@bank_app.command("import")
def bank_import(files: list[str]) -> None:
    """Import camt files: progress, then a summary per file. Exit 1 if any file is refused."""
    import os

    from rich.progress import Progress

    from paydesk.bank.camt import InvalidBankFile
    from paydesk.bank.importer import entry_rules, import_file
    from paydesk.directdebits.service import ReturnRules
    from paydesk.payments.service import policy_of

    db, failed, policy = database(), False, policy_of(get_settings())
    rules = entry_rules(get_settings())
    returns = ReturnRules.of(get_settings())
    for path in files:
        size = os.path.getsize(path)
        with Progress(transient=True) as bar:
            task = bar.add_task(os.path.basename(path), total=None)
            try:
                summary = import_file(
                    db,
                    path,
                    name=os.path.basename(path),
                    origin="cli",
                    actor=CLI_ACTOR,
                    progress=lambda n, t=task: bar.advance(t, n),
                    policy=policy,
                    rules=rules,
                    returns=returns,
                )
            except InvalidBankFile as error:
                failed = True
                typer.secho(f"{path}: refused: {error.detail}", fg=typer.colors.RED, err=True)
                continue
        counts = ", ".join(f"{k} {v}" for k, v in summary.counts().items())
        typer.echo(f"{path} ({summary.kind} {summary.version}, {size} bytes): {counts}")
    raise typer.Exit(1 if failed else 0)


@bank_app.command("inbox")
def bank_inbox(folder: str) -> None:
    """Import every *.xml in FOLDER once, moving each to done/ or failed/."""
    from pathlib import Path

    from paydesk.bank.importer import entry_rules
    from paydesk.bank.service import import_inbox
    from paydesk.directdebits.service import ReturnRules
    from paydesk.payments.service import policy_of

    settings = get_settings()
    summaries = import_inbox(
        database(),
        Path(folder),
        policy=policy_of(settings),
        rules=entry_rules(settings),
        returns=ReturnRules.of(settings),
    )
    for summary in summaries:
        typer.echo(f"{summary.name}: {summary.counts()}")


@bank_app.command("failed")
def bank_failed(
    all_: Annotated[bool, typer.Option("--all", help="Also those imported since")] = False,
    limit: int = 50,
) -> None:
    """List the bank feed's documents put aside because their import failed."""
    from paydesk.bank import set_aside

    with database().reading() as session:
        rows, total = set_aside.list_failures(
            session, status=None if all_ else set_aside.FAILED, limit=limit
        )
    for f in rows:
        when = f.created_at.strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{f.id:>6}  {when}  {f.status:<8}  cursor {f.cursor}  tries {f.attempts}")
        typer.echo(f"        {f.feed}")
        typer.echo(f"        {f.error_type}: {f.error}")
    typer.echo(f"{len(rows)} of {total}")


@bank_app.command("retry")
def bank_retry(ids: list[int]) -> None:
    """Import documents put aside again (after a fix). Exit 1 if any still fails."""
    from paydesk.bank import set_aside

    db, settings, failed = database(), get_settings(), False
    for failure_id in ids:
        try:
            f = set_aside.retry(db, settings, failure_id, actor=CLI_ACTOR)
        except PaydeskError as error:
            typer.secho(f"{failure_id}: {error.detail}", fg=typer.colors.RED, err=True)
            failed = True
            continue
        if f.status == set_aside.IMPORTED:
            typer.echo(f"{failure_id}: imported (bank file {f.file_id})")
        else:
            failed = True
            typer.secho(f"{failure_id}: failed again: {f.error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1 if failed else 0)


slips_cli.register(code_app)  # code slip, code send, code send-retry

app.command("banksim")(gateway.banksim)
app.command("worker")(gateway.worker)
code_app.command("refresh")(gateway.code_refresh)


if __name__ == "__main__":
    app()
