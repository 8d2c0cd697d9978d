"""``preset_consent()``: give a browser context a visitor's consent before its
first page view, through the site's own API, as the banner would; the decision
carries the kit's test marker, so the app's ledger records it with source ``test``,
out of its statistics."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..visit import TEST_HEADER
from .recorder import recorders_of
from .server import TEST_TOKENS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


def _post(context: BrowserContext, base_url: str, body: Mapping[str, Any], prefix: str,
          test_token: str | None) -> dict[str, Any]:
    url = base_url.rstrip("/") + prefix + "/consent"
    headers = {"Content-Type": "application/json"}
    token = test_token if test_token is not None else TEST_TOKENS.get(base_url.rstrip("/"))
    if token:
        headers[TEST_HEADER] = token
    response = context.request.post(url, data=json.dumps(body), headers=headers)
    if response.status != 200:
        raise RuntimeError(f"presetting consent failed: POST {url} answered {response.status}: {response.text()[:500]}")
    state: dict[str, Any] = response.json()
    return state


def preset_consent(
    context: BrowserContext,
    base_url: str,
    choices: Mapping[str, bool],
    *,
    age_band: str | None = None,
    prefix: str = "/consentkit",
    test_token: str | None = None,
) -> dict[str, Any]:
    """POST ``choices`` (``{"analytics": True, ...}``) to the site's consent endpoint
    with the context's own request client, so that the consent cookie lands in the
    context; answer the new state (contract section 3). Recorders attached to the
    context learn what was granted.

    ``test_token``: the app's ``kit.test_token``, which marks the decision as a test's
    (source ``test``); found by itself for an app the plugin serves."""
    body: dict[str, Any] = {"choices": dict(choices), "source": "api"}
    if age_band is not None:
        body["age_band"] = age_band
    state = _post(context, base_url, body, prefix, test_token)
    categories = state.get("categories", {})
    for recorder in recorders_of(context):
        recorder.note_consent({k: bool(v) for k, v in categories.items()})
    return state


def preset_age_band(
    context: BrowserContext, base_url: str, age_band: str, *, prefix: str = "/consentkit",
    test_token: str | None = None,
) -> dict[str, Any]:
    """Answer the age question for the context's visitor (``"13_15"``...), choosing
    nothing else; answer the new state."""
    return _post(context, base_url, {"age_band": age_band, "source": "api"}, prefix, test_token)
