"""The insurer's own pages: home, privacy policy, sign-up, and the developer outbox."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any, Literal, get_args

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from consentkit import ConsentKit
from consentkit.state import AGE_BANDS

from .accounts import Accounts
from .forms import FormError, read_form

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_FORM_BANDS = frozenset(AGE_BANDS) - {"unknown"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_LINK = re.compile(r"https?://[^\s<>\"']+")
OutboxAccess = Literal["local", "open", "off"]
OUTBOX_ACCESS: tuple[OutboxAccess, ...] = get_args(OutboxAccess)


def _from_this_machine(request: Request) -> bool:
    """Whether the request comes from a loopback address (the developer's own browser)."""
    client = request.client
    try:
        return client is not None and ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


def ccpa_categories(extra: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The ``[extra.ccpa_categories]`` table of the policy, in letter order (A to K)."""
    declared = extra.get("ccpa_categories") or {}
    return sorted(((str(k), v) for k, v in declared.items() if isinstance(v, Mapping)), key=lambda kv: kv[0])


def outbox_entry(message: Any) -> dict[str, Any]:
    """A notifier's message as the outbox shows it, whatever shape the notifier keeps:
    an ``EmailMessage``, a mapping, or an object with ``to``/``subject``/``body``."""
    if isinstance(message, EmailMessage):
        part = message.get_body(("plain",))
        fields: dict[str, Any] = {
            "to": message.get("To", ""), "subject": message.get("Subject", ""),
            "body": part.get_content() if part is not None else "",
        }
    elif isinstance(message, Mapping):
        fields = dict(message)
    else:
        fields = {name: getattr(message, name) for name in ("to", "recipient", "subject", "body", "text", "link")
                  if hasattr(message, name)}
    body = str(fields.get("body") or fields.get("text") or "")
    links = _LINK.findall(body)
    if fields.get("link") and str(fields["link"]) not in links:
        links.append(str(fields["link"]))
    return {
        "to": str(fields.get("to") or fields.get("recipient") or ""),
        "subject": str(fields.get("subject") or ""),
        "body": body,
        "links": links,
    }


class SitePages:
    """The page handlers; they read the visitor's consent from ``request.state.consent``."""

    def __init__(self, kit: ConsentKit, templates: Jinja2Templates, *, outbox: OutboxAccess = "local",
                 accounts: Accounts | None = None) -> None:
        self.kit = kit
        self.templates = templates
        self.outbox_access = outbox
        self.accounts = accounts or Accounts(kit.clock)

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    async def home(self, request: Request) -> Response:
        return self.render(request, "home.html", active="home")

    async def privacy(self, request: Request) -> Response:
        return self.render(
            request, "privacy.html", active="privacy", ccpa_categories=ccpa_categories(self.kit.policy.extra)
        )

    def _signup_form(self, request: Request, status: int = 200, errors: list[str] | None = None) -> Response:
        band = request.state.consent.age_band
        ask = self.kit.policy.age_gate and band == "unknown"
        return self.render(
            request, "signup.html", status, active="signup", ask_age=ask, months=MONTHS,
            age_band="" if band == "unknown" else band, errors=errors or [],
        )

    async def signup(self, request: Request) -> Response:
        return self._signup_form(request)

    async def create_account(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormError as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        email = form.get("email", "").strip()
        password = form.get("password", "")
        errors = []
        if not _EMAIL.match(email):
            errors.append("Enter your e-mail address, like name@example.com.")
        if len(password) < 10:
            errors.append("Choose a password of at least 10 characters.")
        # consentkit's state is the authority on the band: the page told it through
        # the consent API before sending the form. A visitor who refuses cookies keeps no
        # consent cookie, so the band also comes with the form (R33: applying works
        # without cookies); it counts only when the state has none.
        band = request.state.consent.age_band
        if band == "unknown" and form.get("age_band") in _FORM_BANDS:
            band = form["age_band"]
        if self.kit.policy.age_gate and band == "unknown":
            errors.append("Please answer the date of birth question.")
        if errors:
            return self._signup_form(request, 422, errors)
        # Demo: the address and the age range are kept in memory (the password never is), and
        # a child's not at all before a parent agrees; privacy requests reach them (accounts.py).
        if band != "under_13":
            self.accounts.add(email, band)
        return self.render(request, "signup_done.html", active="signup", band=band)

    async def outbox(self, request: Request) -> Response:
        # Every parent's address is on this page: never for anyone who can reach the demo.
        allowed = self.outbox_access == "open" or (self.outbox_access == "local" and _from_this_machine(request))
        if not allowed:
            return PlainTextResponse("Not Found", status_code=404, headers={"Cache-Control": "no-store"})
        messages = getattr(self.kit.notifier, "messages", None) or []
        entries = [outbox_entry(m) for m in list(messages)]
        response = self.render(request, "outbox.html", messages=entries)
        response.headers["Cache-Control"] = "no-store"
        return response
