"""Gated tags rendered from templates (``consent_tag()``), live or inert."""

from __future__ import annotations

from html import escape
from typing import Any

from .policy import Policy

_URL_ATTRS = {"src": "data-src", "href": "data-href", "srcset": "data-srcset"}
_VOID = {"img", "link", "source", "embed", "input"}
RECAPTCHA_SRC = "https://www.google.com/recaptcha/api.js"


def _attrs(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{escape(str(value))}"')
    return "".join(out)


def gated_tag(
    policy: Policy,
    category: str,
    tag: str = "script",
    *,
    granted: bool,
    nonce: str | None = None,
    body: str = "",
    **attrs: Any,
) -> str:
    """A tag of ``category``: live when granted, inert (``type="text/plain"``, URLs
    in ``data-*``) when not, so the widget can activate it in place later.

    Keyword names take ``_`` for ``-`` (``data_site_key`` is ``data-site-key``).
    ``tag="recaptcha"`` renders reCAPTCHA with a placeholder that tells the visitor
    what loading it means.
    """
    if category not in policy:
        raise ValueError(f"consent_tag: the policy has no category {category!r}")
    if tag == "recaptcha":
        return recaptcha(category, granted=granted, nonce=nonce, **attrs)
    tag = tag.lower()
    if not tag.isalnum():
        raise ValueError(f"consent_tag: {tag!r} is not a tag name")
    named = {k.replace("_", "-"): v for k, v in attrs.items()}
    result: dict[str, Any] = {}
    if tag == "script":
        # The app's nonce goes on the inert script too: the widget lends none of its own
        # when it activates one (SECURITY.md, #13 M2).
        if nonce:
            named["nonce"] = nonce
        if granted:
            if named.get("type") == "text/plain":
                named.pop("type")
        else:
            original = named.pop("type", None)
            result["type"] = "text/plain"
            if original and original != "text/javascript":
                result["data-type"] = original
    for name, value in named.items():
        if not granted and name in _URL_ATTRS:
            result[_URL_ATTRS[name]] = value
        else:
            result[name] = value
    result["data-consent"] = category
    opening = f"<{tag}{_attrs(result)}>"
    if tag in _VOID:
        return opening
    inner = body if tag == "script" else escape(body)
    if tag == "script":
        inner = inner.replace("</", "<\\/")
    return f"{opening}{inner}</{tag}>"


def recaptcha(category: str, *, granted: bool, nonce: str | None = None, sitekey: str = "", **attrs: Any) -> str:
    """reCAPTCHA's script and widget; when not granted, an inert script and a
    placeholder that says what loading it would mean, with a button to allow it."""
    script = f'<script data-consent="{escape(category)}"'
    if granted:
        script += f' src="{RECAPTCHA_SRC}" async defer'
    else:
        script += f' type="text/plain" data-src="{RECAPTCHA_SRC}" async defer'
    script += f' nonce="{escape(nonce)}"' if nonce else ""
    script += "></script>"
    box = f'<div class="g-recaptcha" data-sitekey="{escape(sitekey)}"{_attrs({k.replace("_", "-"): v for k, v in attrs.items()})}></div>'
    if granted:
        return script + box
    # The box stays empty until the script loads, so "Load reCAPTCHA" needs no reload.
    placeholder = (
        f'<div class="consentkit-placeholder" data-consentkit-placeholder="{escape(category)}">'
        "<p>This form can use Google reCAPTCHA to tell people from bots. Loading it sends "
        "information about your device and visit to Google. The form also works without it.</p>"
        f'<button type="button" data-consentkit-action="allow" data-category="{escape(category)}">'
        "Load reCAPTCHA</button></div>"
    )
    return script + placeholder + box
