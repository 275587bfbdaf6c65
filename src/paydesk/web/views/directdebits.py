"""The supervisors' direct-debit page: the collections due, the pain.008 files made (each to
download), *Export file* (asks first), and the returned collections to follow up.

The export is :func:`paydesk.directdebits.service.export`, as for the API and the command
line; a refusal is shown by the field with its own sentence per problem code.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData

from paydesk.auth.roles import SUPERVISORS
from paydesk.directdebits import service as dd
from paydesk.directdebits.pain008 import InvalidCollectionFile
from paydesk.web import i18n
from paydesk.web.pages import PageRoute, Web, confirmed, form, page, posted_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _render(
    web: Web,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    with web.db.reading() as s:
        due = list(reversed(dd.collections(s, status="due")))
        returned = dd.collections(s, status="returned", limit=100)
        files = dd.files(s, limit=20)
    return web.render(
        "directdebits/index.html",
        status=status,
        due=due,
        returned=returned,
        files=files,
        values=values or {"due_on": date.today().isoformat()},
        errors=errors or {},
    )


@router.get("/direct-debits", name="web.direct_debits")
def direct_debits(web: Web = Depends(page(SUPERVISORS))):
    return _render(web)


@router.post("/direct-debits/export", name="web.direct_debits_export")
def export(values: FormData = Depends(posted_form), web: Web = Depends(form(SUPERVISORS))):
    """Export the collections due by the day given, after asking."""
    assert web.user is not None
    typed = {"due_on": str(values.get("due_on") or "").strip()[:10]}
    try:
        due_on = date.fromisoformat(typed["due_on"])
    except ValueError:
        return _render(web, typed, {"due_on": web._("Enter a date.")}, status=422)
    if not confirmed(values):
        return web.confirm(
            values,
            question=web._(
                "Export the direct debits due by %(day)s to a file for the bank? They are then "
                "marked as sent.",
                day=i18n.format_day(due_on, web.lang),
            ),
            button=web._("Export file"),
            back=web.url("web.direct_debits"),
        )
    try:
        with web.db.transaction() as s:
            exported = dd.export(s, web.settings, due_on=due_on, actor=web.user.username)
            file_id, message_id, created = (
                exported.file.id,
                exported.file.message_id,
                exported.created,
            )
    except dd.NothingDue:
        message = web._("No direct debit is due by %(day)s.", day=i18n.format_day(due_on, web.lang))
        return _render(web, typed, {"due_on": message}, status=422)
    except dd.NotConfigured:
        message = web._("Direct debits are not set up: the SEPA creditor identifier is missing.")
        return _render(web, typed, {"due_on": message}, status=422)
    except InvalidCollectionFile as refused:
        message = web._(
            "The file does not validate against the pain.008 schema (line %(line)s); "
            "nothing was exported.",
            line=refused.extra.get("line", "?"),
        )
        return _render(web, typed, {"due_on": message}, status=422)
    flash = (
        web._("File %(name)s exported.", name=message_id)
        if created
        else web._(
            "File %(name)s was exported before for this day; here it is again.", name=message_id
        )
    )
    return web.redirect(web.url("web.direct_debits") + f"#file-{file_id}", flash=flash)


@router.get("/direct-debits/files/{file_id}.xml", name="web.direct_debits_file")
def download(file_id: int, web: Web = Depends(page(SUPERVISORS))):
    """The pain.008 file as it was made."""
    with web.db.reading() as s:
        file = dd.get_file(s, file_id)
        return Response(
            file.content.encode("utf-8"),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="{file.message_id}.xml"'},
        )
