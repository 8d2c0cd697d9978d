"""Click-to-load placeholders: what the gate writes just before an embed it serves
inert (a YouTube or Google Maps iframe, any declared service's ``iframe``,
``embed``, ``object`` or ``video``), so that the visitor sees what is held and why
instead of an empty box, with or without JavaScript.

The placeholder says the service, its vendor, what it is for and what it keeps in the
browser (the policy's catalogue), and offers two controls:

- "Load once" (``data-consentkit-action="once"``): the widget loads that one element,
  records nothing; hidden by the stylesheet where scripting is off;
- "Always allow <service>" (``data-consentkit-action="allow" data-service=<id>``): a
  link to the preferences page's form for that service alone
  (``<prefix>/preferences?service=<id>&next=<this page>``), which the widget turns into
  ``POST <prefix>/consent {"services": {"<id>": true}}``.

Markup only: phrasing elements (so that it fits wherever an iframe may stand, a
``<p>`` included), no ``style`` attribute and no script (any Content-Security-Policy
allows it). Its box takes the embed's ``width`` and ``height`` through an empty
``<svg>`` with that ``viewBox`` (widget.css scales it down to the column's width, with
the same aspect ratio). Every non-ASCII character is a character reference, so the
bytes fit any ASCII-compatible charset the page is in.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from ..i18n import texts
from ..policy import Policy, Service

__all__ = ["Placeholders"]

# An iframe's default size (HTML Standard, "replaced elements").
DEFAULT_WIDTH, DEFAULT_HEIGHT = 300, 150


def _h(text: str) -> str:
    return escape(text, quote=True)


class Placeholders:
    """The placeholders of one response: in its language, pointing back to its page.
    Called with a service id and the embed's width and height (None when not given in
    pixels); answers the placeholder's bytes."""

    def __init__(self, policy: Policy, lang: str, prefix: str, page: str) -> None:
        self._policy = policy
        self._t = texts(lang, policy.texts)
        self._lang = lang
        self._prefix = prefix
        self._page = page
        self._services: dict[str, Service] = {s.id: s for c in policy.categories for s in c.services}
        self._made: dict[tuple[str, int | None, int | None], bytes] = {}

    def __call__(self, service_id: str, width: int | None, height: int | None) -> bytes:
        key = (service_id, width, height)
        made = self._made.get(key)
        if made is None:
            made = self._make(service_id, width, height)
            if len(self._made) < 64:  # an embed's size is the page's: a few per page
                self._made[key] = made
        return made

    def _make(self, service_id: str, width: int | None, height: int | None) -> bytes:
        service = self._services.get(service_id)
        if service is None:
            return b""
        t = self._t
        name = service.name or service.id
        w, h = width or DEFAULT_WIDTH, height or DEFAULT_HEIGHT
        if width and not height:
            h = round(width * DEFAULT_HEIGHT / DEFAULT_WIDTH)
        elif height and not width:
            w = round(height * DEFAULT_WIDTH / DEFAULT_HEIGHT)
        description = service.description_in(self._lang, self._policy.language)
        kept = [f"{c.pattern} ({c.lifetime})" for c in service.cookies]
        lines = [
            f"<b>{_h(name)}</b>" + (f" ({_h(service.vendor)})" if service.vendor and service.vendor != name else ""),
            _h(description) if description else "",
            _h(t["embed.text"].replace("{vendor}", service.vendor or name)),
            f"{_h(t['prefs.cookies'])}: {_h(', '.join(kept))}" if kept else "",
            f"{_h(t['prefs.storage'])}: {_h(', '.join(service.local_storage))}" if service.local_storage else "",
        ]
        query = f"service={quote(service.id)}&next={quote(self._page, safe='/')}"
        allow = _h(t["embed.allow"].replace("{service}", name))
        markup = (
            f'<span class="ck-ph" data-consentkit-placeholder="{_h(service.id)}" role="group" aria-label="{_h(name)}">'
            f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-hidden="true"></svg>'
            '<span class="consentkit-placeholder">'
            + "<br>".join(line for line in lines if line)
            + '<span class="ck-btns">'
            f'<button type="button" class="ck-b" data-consentkit-action="once">{_h(t["embed.once"])}</button>'
            f'<a class="ck-b" href="{_h(self._prefix)}/preferences?{_h(query)}" data-consentkit-action="allow"'
            f' data-service="{_h(service.id)}">{allow}</a>'
            "</span></span></span>"
        )
        return markup.encode("ascii", "xmlcharrefreplace")
