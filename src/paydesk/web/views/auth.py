"""Sign in, sign out, choose the language."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from paydesk.auth import service as auth
from paydesk.auth import throttle
from paydesk.web import i18n, session
from paydesk.web.pages import PageRoute, Web, form, load_web, posted_form, public_page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: object, default: str = "/") -> str:
    """A same-site path to go back to; anything else (another host, a scheme) is ignored."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(c.isspace() for c in target)
    ):
        return target
    return default


@router.get("/sign-in", name="web.sign_in")
def sign_in_page(next: str | None = None, web: Web = Depends(public_page)):
    if web.user is not None:
        return web.redirect(safe_next(next))
    return web.render("sign_in.html", next=safe_next(next), username="", error=None)


@router.post("/sign-in", name="web.sign_in_post")
def sign_in(
    request: Request, values: FormData = Depends(posted_form), web: Web = Depends(load_web)
):
    username = str(values.get("username") or "").strip()
    password = str(values.get("password") or "")
    target = safe_next(values.get("next"))
    if not username or not password:
        error = web._("Enter your username and password.")
        return web.render("sign_in.html", status=401, next=target, username=username, error=error)
    address = request.client.host if request.client else "unknown"
    outcome = throttle.sign_in(web.db, username[:200], password[:1024], address)
    if outcome.principal is None:
        # The same words whether or not the user exists.
        if outcome.throttled:
            error = web._("Too many failed sign-ins. Wait a few minutes and try again.")
            response = web.render(
                "sign_in.html", status=429, next=target, username=username, error=error
            )
            assert outcome.retry_after is not None
            response.headers["Retry-After"] = str(max(1, int(outcome.retry_after.total_seconds())))
            return response
        error = web._("The username or password is not right.")
        return web.render("sign_in.html", status=401, next=target, username=username, error=error)
    with web.db.transaction() as s:
        token = auth.start_web_session(
            s,
            outcome.principal.user_id,
            minutes=web.settings.web_session_minutes,
            address=address,
        )
    web.session.sign_in(outcome.principal.user_id, token)
    return web.redirect(target)


@router.post("/sign-out", name="web.sign_out")
def sign_out(web: Web = Depends(form())):
    if web.session.token is not None:
        with web.db.transaction() as s:
            auth.end_web_session(s, web.session.token)
    web.session.sign_out()
    return web.redirect("/sign-in", flash=web._("You have signed out."))


@router.post("/language", name="web.language")
def choose_language(values: FormData = Depends(posted_form), web: Web = Depends(load_web)):
    chosen = i18n.check_language(str(values.get("lang") or ""))
    web.lang = chosen
    response = web.redirect(safe_next(values.get("next"), default="/"))
    response.set_cookie(
        session.LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        samesite="lax",
        secure=web.settings.web_secure_cookies,
        path="/",
    )
    return response
