"""``preset_consent()``: give a browser context a visitor's consent before its
first page view, through the site's own API, as the banner would."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .recorder import recorders_of

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


def preset_consent(
    context: BrowserContext,
    base_url: str,
    choices: Mapping[str, bool],
    *,
    age_band: str | None = None,
    prefix: str = "/consentkit",
) -> dict[str, Any]:
    """POST ``choices`` (``{"analytics": True, ...}``) to the site's consent endpoint
    with the context's own request client, so that the consent cookie lands in the
    context; answer the new state (contract section 3). Recorders attached to the
    context learn what was granted."""
    body: dict[str, Any] = {"choices": dict(choices), "source": "api"}
    if age_band is not None:
        body["age_band"] = age_band
    url = base_url.rstrip("/") + prefix + "/consent"
    response = context.request.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"})
    if response.status != 200:
        raise RuntimeError(f"presetting consent failed: POST {url} answered {response.status}: {response.text()[:500]}")
    state: dict[str, Any] = response.json()
    categories = state.get("categories", {})
    for recorder in recorders_of(context):
        recorder.note_consent({k: bool(v) for k, v in categories.items()})
    return state
