"""Two kits in one process (tests, a multi-site app) share nothing: every cache,
lock and limit a feature keeps lives on its kit, and a kit no longer used is freed."""

from __future__ import annotations

import gc
import json
import re
import weakref
from html import escape

import pytest

from consentkit import Category, ConsentKit, Policy, Service
from tests.apps import client
from tests.kits import SECRET, make_policy
from tests.minors.flow import PARENT, SITE, ask_parent, make_child

pytestmark = pytest.mark.anyio

# Each kit's per-feature state, as ConsentKit.__init__ makes it.
PER_KIT = ("outcomes", "head", "preferences_form", "parental", "parental.tokens", "parental.statuses",
           "parental.lock")


def other_policy() -> Policy:
    """Another site's policy: another mode, other categories, other hosts."""
    return Policy(
        version="2027-01-01",
        mode="opt_in",
        age_gate=True,
        categories=[
            Category("necessary", required=True),
            Category("statistics", services=[Service("stats", vendor="Stats Inc", hosts=["stats.example.test"])]),
            Category("marketing", sale_or_sharing=True,
                     services=[Service("ads", vendor="Ads Inc", hosts=["ads.example.test"])]),
        ],
    )


def block(html: str, element_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert found, f"no {element_id} block"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def attribute(kit: ConsentKit, path: str) -> object:
    value: object = kit
    for name in path.split("."):
        value = getattr(value, name)
    return value


async def test_two_kits_with_different_policies_share_nothing(make_kit):
    # The same secret on both: a cookie of one is a valid cookie for the other, so
    # only the kits' own state keeps them apart.
    a, b = make_kit(make_policy("opt_out")), make_kit(other_policy())
    for path in PER_KIT:
        assert attribute(a, path) is not attribute(b, path), path

    async with client(a, Origin=SITE) as ca, client(b, Origin=SITE) as cb:
        # Pages first, so that each kit has built and cached its widget tags and state block.
        page_a, page_b = (await ca.get("/")).text, (await cb.get("/")).text
        # Each page loads its own kit's widget config (keyed by the policy's content).
        assert escape(a.head.assets.url("widget.js")) in page_a and escape(b.head.assets.url("widget.js")) in page_b
        assert a.head.assets.url("widget.js") != b.head.assets.url("widget.js")
        config_a = (await ca.get("/consentkit/config.json")).json()
        config_b = (await cb.get("/consentkit/config.json")).json()
        assert [c["id"] for c in config_a["categories"]] == ["necessary", "analytics", "captcha", "advertising"]
        assert [c["id"] for c in config_b["categories"]] == ["necessary", "statistics", "marketing"]
        accepted = await ca.post("/consentkit/consent", json={"choices": {"analytics": True, "advertising": True}})
        cookie = accepted.cookies["consentkit"]
        for _ in range(2):  # the second time from each kit's outcome cache
            cb.cookies.set("consentkit", cookie)
            ca_state = (await ca.get("/consentkit/state")).json()
            cb_state = (await cb.get("/consentkit/state")).json()
            page = block((await cb.get("/")).text, "consentkit-state")
            assert ca_state["categories"] == {"necessary": True, "analytics": True, "captcha": True,
                                              "advertising": True}
            assert cb_state["categories"] == page["categories"] == {"necessary": True, "statistics": False,
                                                                   "marketing": False}
            assert cb_state["policy_version"] == page["policy_version"] == "2027-01-01"

    # The limit of requests to one parent's address is counted per kit.
    for _ in range(3):
        async with client(a, Origin=SITE) as child:
            await make_child(child)
            await ask_parent(child, a)
    async with client(a, Origin=SITE) as child:
        await make_child(child)
        refused = await child.post("/consentkit/parental/request", json={"parent_email": PARENT})
        assert refused.status_code == 429
    async with client(b, Origin=SITE) as child:
        await make_child(child)
        await ask_parent(child, b)
    assert len(a.notifier.messages) == 3 and len(b.notifier.messages) == 1  # type: ignore[attr-defined]


async def test_a_kit_no_longer_used_is_freed(make_kit):
    """No module keeps a kit alive (a cache keyed by the kit would, forever)."""
    kit = make_kit(store="memory://")
    async with client(kit, Origin=SITE) as c:
        assert (await c.get("/")).status_code == 200
        assert (await c.get("/consentkit/preferences")).status_code == 200
        await make_child(c)
        await ask_parent(c, kit)
        assert (await c.get("/consentkit/state")).json()["parental_consent"] == "pending"
    freed = weakref.ref(kit)
    del kit, c
    gc.collect()
    assert freed() is None, [type(r).__name__ for r in gc.get_referrers(freed())]


def test_two_kits_get_the_secret_they_were_given():
    a = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://")
    b = ConsentKit(make_policy(), secret_keys=["another-secret-0123456789"], store="memory://")
    token = a.parental.tokens.link("request", "child-visitor-id-0123", "request-id-01234")
    assert b.parental.tokens.read(token, max_age={"request": 60, "manage": 60}) is None
    assert not b.preferences_form.valid("visitor", a.preferences_form.token("visitor"))
