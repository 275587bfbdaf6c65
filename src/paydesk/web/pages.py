"""What every page shares: who is signed in, the language, rendering, CSRF and role checks.

Handlers get a :class:`Web` from :func:`page` (GET) or :func:`form` (POST: the CSRF token is
checked before anything else) and answer with :meth:`Web.render` or :meth:`Web.redirect`.
Errors become HTML pages, never problem JSON: :class:`PageRoute` catches them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.routing import NoMatchFound

from paydesk import request_limits as limits
from paydesk.auth.roles import ANYONE, BACK_OFFICE, CASHIER_DESK, DESK, SUPERVISORS, Role
from paydesk.auth.service import Principal, web_session_user
from paydesk.codes import rf
from paydesk.codes.service import still_payable_minor
from paydesk.db.engine import Database
from paydesk.errors import PaydeskError
from paydesk.settings import Settings
from paydesk.web import error_texts, i18n, labels, session
from paydesk.web.i18n import N_

FLASH_COOKIE = "paydesk_flash"
#: The form field that says an irreversible action was confirmed (see :meth:`Web.confirm`).
CONFIRMED_FIELD = "confirmed"
#: Pages load scripts, styles and images from paydesk only; no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class PageError(Exception):
    """A request the page refuses: shown as an error page with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequired(Exception):
    """Nobody is signed in: go to the sign-in page and come back to ``next_url``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True)
class NavEntry:
    """A main navigation entry; shown when its route exists and the role may use it."""

    route: str
    label: str
    roles: frozenset[Role]


#: The main navigation. Entries whose route is not (yet) part of the app stay hidden: pages of
#: the cashier desk and the bank side appear once they register a route of that name.
NAV: tuple[NavEntry, ...] = (
    NavEntry("web.home", N_("Start"), ANYONE),
    NavEntry("web.accounts", N_("Accounts"), ANYONE),
    NavEntry("web.documents", N_("Documents"), ANYONE),
    NavEntry("web.codes", N_("Payment codes"), ANYONE),
    NavEntry("web.one_time_payment", N_("Add one-time payment"), CASHIER_DESK),
    NavEntry("web.payment_events", N_("Payment events"), CASHIER_DESK),
    NavEntry("web.bank_entries", N_("Bank entries"), BACK_OFFICE),
    NavEntry("web.cash_drawer", N_("Cash drawer"), CASHIER_DESK),
    NavEntry("web.direct_debits", N_("Direct debits"), SUPERVISORS),
)
#: Shown instead of *Add one-time payment* when the default method is distribution rules.
QUICK_ADD = NavEntry("web.quick_add", N_("Quick add payment event"), CASHIER_DESK)


@cache
def environment(lang: str, timezone: str = "UTC") -> Environment:
    """The template environment of one language (its own gettext catalog and formats) and time
    zone (timestamps are shown in it)."""
    env = Environment(
        loader=PackageLoader("paydesk.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    gettext = i18n.translations(lang).gettext
    env.filters.update(
        money=partial(_money, lang=lang),
        day=partial(i18n.format_day, lang=lang),
        moment=partial(i18n.format_moment, lang=lang, timezone=timezone),
        kind=lambda value: gettext(labels.kind_label(value)),
        status=lambda value: gettext(labels.status_label(value)),
        action=lambda value: gettext(labels.ACTIONS.get(value, value)),
        role=lambda value: gettext(labels.ROLES.get(value, value)),
        customer_class=lambda value: gettext(labels.CLASSES.get(value, value)),
        contract_type=lambda value: (
            gettext(labels.CONTRACT_TYPES[value]) if value in labels.CONTRACT_TYPES else value
        ),
        instrument=lambda value: gettext(labels.INSTRUMENTS.get(value, value)),
        tender_type=lambda value: gettext(labels.TENDER_TYPES.get(value, value)),
        reason=lambda value: labels.reason_label(value, gettext, lang),
        return_reason=lambda code: gettext(labels.RETURN_REASONS.get(code, code)),
        rf=rf.format,
    )
    env.globals["still_payable"] = still_payable_minor
    env.globals.update(
        languages=i18n.NAMES,
        decimal_hint=i18n.decimal_hint(lang),
        DESK=DESK,
        CASHIER_DESK=CASHIER_DESK,
        BACK_OFFICE=BACK_OFFICE,
        SUPERVISORS=SUPERVISORS,
    )
    return env


def _money(minor: int | None, currency: str, lang: str) -> str:
    return i18n.format_money(minor, currency, lang)


@dataclass
class Web:
    """One page request: settings, database, session, language and the signed-in user."""

    request: Request
    settings: Settings
    db: Database
    session: session.WebSession
    lang: str
    user: Principal | None = None
    display_name: str = ""
    flash: str | None = None
    _cookies: list[tuple[str, str | None]] = field(default_factory=list)

    def explain(self, error: PaydeskError) -> str:
        """A domain error in the page's language (:mod:`paydesk.web.error_texts`)."""
        return error_texts.error_text(error, self.lang)

    def _(self, message: str, **values: object) -> str:
        """Translate ``message`` into the page's language and fill ``%(name)s`` values."""
        text = i18n.translations(self.lang).gettext(message)
        return text % values if values else text

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def may(self, roles: Iterable[Role]) -> bool:
        return self.user is not None and self.user.role in frozenset(roles)

    def require(self, roles: Iterable[Role]) -> Principal:
        if self.user is None:
            # Come back to the page; after a refused POST, to the start page.
            back = self.request.url.path if self.request.method == "GET" else "/"
            raise SignInRequired(back)
        if not self.may(roles):
            raise PageError(403, self._("Your role may not do this."))
        return self.user

    def has_route(self, name: str) -> bool:
        return _has_route(self.request, name)

    def url(self, name: str, **params: Any) -> str:
        return str(self.request.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))

    @property
    def nav(self) -> list[tuple[NavEntry, str]]:
        return [
            (entry, self.url(entry.route))
            for entry in map(self._chosen, NAV)
            if self.has_route(entry.route) and self.may(entry.roles)
        ]

    def _chosen(self, entry: NavEntry) -> NavEntry:
        """The payment entry opens the page ``[cashier] default_method`` names."""
        if (
            entry.route == "web.one_time_payment"
            and self.settings.cashier.default_method == "distribution_rules"
            and self.has_route(QUICK_ADD.route)
        ):
            return QUICK_ADD
        return entry

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("HX-Request") == "true"

    def render(
        self, template: str, status: int = 200, lang: str | None = None, **context: Any
    ) -> HTMLResponse:
        """``template`` in the page's language (or ``lang``: a receipt in the customer's)."""
        html = (
            environment(lang or self.lang, self.settings.timezone)
            .get_template(template)
            .render(web=self, **context)
        )
        response = HTMLResponse(html, status_code=status)
        self._finish(response)
        return response

    def confirm(self, values: FormData, *, question: str, button: str, back: str) -> HTMLResponse:
        """Ask before an irreversible action: a page that says what will happen and posts the
        same form again with ``confirmed=1`` (works without JavaScript; with htmx the forms
        ask with a dialog and send ``confirmed=1`` themselves)."""
        fields = [
            (name, value)
            for name, value in values.multi_items()
            if isinstance(value, str) and name not in (session.CSRF_FIELD, CONFIRMED_FIELD)
        ]
        context = {
            "question": question,
            "button": button,
            "back": back,
            "action": self.request.url.path,
            "fields": fields,
        }
        if self.is_htmx:
            response = self.render("_confirm.html", **context)
            response.headers["HX-Retarget"] = "#main"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        return self.render("confirm.html", **context)

    def redirect(self, url: str, flash: str | None = None) -> Response:
        """See-other to ``url`` (after a POST), optionally with a one-time message."""
        response: Response
        if self.is_htmx:
            response = Response(status_code=204, headers={"HX-Redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        self._finish(response, new_flash=flash)
        return response

    def _finish(self, response: Response, new_flash: str | None = None) -> None:
        session.store(response, self.session, self.settings)
        if new_flash:
            response.set_cookie(
                FLASH_COOKIE,
                _flash_serializer(self.settings).dumps(new_flash),
                httponly=True,
                samesite="lax",
                secure=self.settings.web_secure_cookies,
                path="/",
            )
        elif self.flash is not None:  # shown on this page: gone from the next
            response.delete_cookie(FLASH_COOKIE, path="/")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")


def confirmed(values: FormData) -> bool:
    """Whether the person confirmed the irreversible action the form asks for."""
    return values.get(CONFIRMED_FIELD) == "1"


def _has_route(request: Request, name: str) -> bool:
    """Whether the app has a route ``name`` that takes no path parameters."""
    try:
        request.app.url_path_for(name)
    except NoMatchFound:
        return False
    return True


def _flash_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret, salt="paydesk.web.flash")


def language_of(request: Request) -> str:
    chosen = request.cookies.get(session.LANGUAGE_COOKIE)
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.preferred_language(request.headers.get("Accept-Language"))


def load_web(request: Request) -> Web:
    """Build the request's :class:`Web` (once per request)."""
    existing = getattr(request.state, "web", None)
    if existing is not None:
        return existing
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    web_session = session.load(request, settings)
    web = Web(request, settings, db, web_session, language_of(request))
    if web_session.token is not None:
        with db.reading() as s:
            user = web_session_user(s, web_session.token)
        if user is not None and user.role in set(Role):
            web_session.user_id = user.id
            web.user = Principal(user.id, user.username, Role(user.role))
            web.display_name = user.display_name
        else:  # signed out, expired, password changed or user deactivated: the row is gone
            web_session.sign_out()
    raw_flash = request.cookies.get(FLASH_COOKIE)
    if raw_flash:
        try:
            web.flash = str(_flash_serializer(settings).loads(raw_flash))
        except BadSignature:
            web.flash = ""
    request.state.web = web
    return web


def page(roles: Iterable[Role] = ANYONE) -> Callable[..., Web]:
    """Dependency for a page: someone with one of ``roles`` is signed in."""
    allowed = frozenset(roles)

    def _page(request: Request) -> Web:
        web = load_web(request)
        web.require(allowed)
        return web

    return _page


def public_page(request: Request) -> Web:
    return load_web(request)


async def posted_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token matched the session's; else 403."""
    form = await request.form()
    web = load_web(request)
    token = form.get(session.CSRF_FIELD) or request.headers.get(session.CSRF_HEADER)
    if not web.session.csrf_matches(token if isinstance(token, str) else None):
        raise PageError(
            403,
            web._(
                "This form has expired or did not come from paydesk. "
                "Go back, reload the page and try again."
            ),
        )
    return form


def form(roles: Iterable[Role] = ANYONE) -> Callable[..., Coroutine[Any, Any, Web]]:
    """Dependency for a POST: CSRF token first, then the signed-in user's role."""
    allowed = frozenset(roles)

    async def _form(request: Request, _form: FormData = Depends(posted_form)) -> Web:
        web = load_web(request)
        web.require(allowed)
        return web

    return _form


def error_page(request: Request, status: int, message: str | PaydeskError) -> Response:
    """The error page (or, for htmx, the message area); a domain error in the page's
    language."""
    web = load_web(request)
    if isinstance(message, PaydeskError):
        message = web.explain(message)
    if web.is_htmx:
        # htmx shows the error in the page's message area (see htmx-config in base.html).
        html = (
            environment(web.lang, web.settings.timezone)
            .get_template("_error.html")
            .render(web=web, message=message)
        )
        response: Response = HTMLResponse(
            html, status_code=status, headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        )
        web._finish(response)
        return response
    return web.render("error.html", status=status, status_code=status, message=message)


class PageRoute(APIRoute):
    """A web route: refusals and domain errors become HTML pages; signed-out users go to sign-in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        ints = limits.int_params(self.dependant)

        async def _handle(request: Request) -> Response:
            try:
                reason = await limits.refusal(request, ints)
                if reason is not None:
                    raise PageError(422, reason)
                return await handler(request)
            except SignInRequired as needed:
                target = "/sign-in?next=" + quote(needed.next_url, safe="/")
                if request.headers.get("HX-Request") == "true":
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except PageError as refused:
                return error_page(request, refused.status, refused.message)
            except PaydeskError as error:
                return error_page(request, error.status, error)

        return _handle
