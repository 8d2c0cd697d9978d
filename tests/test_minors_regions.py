"""Minors under 18 where state law says so (rule R43; issue 15): the age bands 16_17
and 18_plus, per-region rules for a minor's sale, sharing or targeted advertising (their
own opt-in, in two steps, in Colorado and Connecticut; none at all in Maryland), and
16_plus ("16 or over") where a region does not tell 16-17 from 18 and over."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from consentkit import Policy, PolicyError, Region
from consentkit.rules import decide, view
from consentkit.state import Choices
from tests.apps import client
from tests.kits import START, make_policy
from tests.minors.flow import SITE, all_records
from tests.test_gpp import WIDGET

pytestmark = pytest.mark.anyio

CO = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO"}
CA = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"}
MD = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "MD"}
AD = {"advertising": True}


def state_law_policy() -> Policy:
    base = make_policy("opt_out")
    return Policy(base.version, base.categories, mode="opt_out", age_gate=True, regions=[
        Region("US-CA"),
        Region("US-CO", minors={"16_17": "opt_in"}),
        Region("US-MD", minors={"13_15": "no_sale", "16_17": "no_sale"}),
    ])


def test_minors_rules_are_checked_and_merge_over_the_policys():
    with pytest.raises(PolicyError, match="age band 'under_13'"):
        Region("US-CO", minors={"under_13": "opt_in"})
    with pytest.raises(PolicyError, match="no_sale"):
        Region("US-CO", minors={"16_17": "never"})
    policy = state_law_policy()
    assert dict(policy.minors) == {"13_15": "opt_in", "16_17": "opt_out"}  # CCPA alone
    assert dict(policy.for_region("US-CO").minors) == {"13_15": "opt_in", "16_17": "opt_in"}
    assert Policy.from_dict({"version": "1", "categories": [{"id": "necessary", "required": True}],
                             "minors": {"16_17": "no_sale"}}).minor_rule("16_17") == "no_sale"


async def test_r43_colorado_a_16_17_year_old_is_not_sold_to_until_they_opt_in_in_two_steps(make_kit):
    kit = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CO) as c:
        state = (await c.post("/consentkit/consent", json={"age_band": "16_17"})).json()
        assert state["age_band"] == "16_17" and state["region"] == "US-CO"
        assert state["categories"]["advertising"] is False and state["categories"]["analytics"] is True
        first = await c.post("/consentkit/consent", json={"choices": AD, "source": "preferences"})
        assert first.status_code == 202 and first.json()["confirm"]["categories"] == ["advertising"]
        done = await c.post("/consentkit/consent", json={"confirm": first.json()["confirm"]["token"]})
    assert done.json()["categories"]["advertising"] is True and done.json()["sale_opt_in"] is True
    assert [r.age_band for r in await all_records(kit)] == ["16_17", "16_17"]


async def test_r43_the_banners_accept_all_is_no_minors_opt_in(make_kit):
    kit = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CO) as c:
        await c.post("/consentkit/consent", json={"age_band": "16_17"})
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True, "advertising": True},
                                                       "source": "banner"})
    assert r.status_code == 200 and r.json()["categories"]["advertising"] is False


async def test_r43_in_california_16_17_is_16_or_over(make_kit):
    kit = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CA) as c:
        state = (await c.post("/consentkit/consent", json={"age_band": "16_17"})).json()
        teen = (await c.post("/consentkit/consent", json={"age_band": "13_15"})).json()
    assert state["age_band"] == "16_plus" and state["categories"]["advertising"] is True
    assert teen["age_band"] == "13_15" and teen["categories"]["advertising"] is False  # CCPA: under 16 opts in


@pytest.mark.parametrize("band", ["13_15", "16_17"])
async def test_r43_maryland_sells_no_minors_data_even_with_their_opt_in(make_kit, band):
    kit = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **MD) as c:
        await c.post("/consentkit/consent", json={"age_band": band})
        r = await c.post("/consentkit/consent", json={"choices": AD, "source": "preferences", "sale_opt_in": True})
        services = await c.post("/consentkit/consent", json={"services": {"ads": True}, "source": "preferences"})
    assert r.status_code == 200 and r.json()["categories"]["advertising"] is False
    assert services.json()["services"]["ads"] is False
    adult = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(adult, Origin=SITE, **MD) as c:
        grown = (await c.post("/consentkit/consent", json={"age_band": "18_plus"})).json()
    assert grown["categories"]["advertising"] is True


async def test_16_plus_stays_valid_and_may_be_made_precise_never_older(make_kit):
    kit = make_kit(state_law_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE, **CO) as c:
        plus = (await c.post("/consentkit/consent", json={"age_band": "16_plus"})).json()
        assert plus["age_band"] == "16_plus" and plus["categories"]["advertising"] is True
        precise = await c.post("/consentkit/consent", json={"age_band": "16_17"})
        assert precise.status_code == 200 and precise.json()["categories"]["advertising"] is False
        older = await c.post("/consentkit/consent", json={"age_band": "18_plus"})
        assert older.status_code == 409
        younger = await c.post("/consentkit/consent", json={"age_band": "13_15"})
        assert younger.status_code == 200
        bad = await c.post("/consentkit/consent", json={"age_band": "17"})
    assert bad.status_code == 400 and "16_17" in bad.json()["error"]


def test_an_adult_who_moves_keeps_the_precise_band():
    policy = state_law_policy()
    choices = decide(policy.for_region("US-CO"), Choices("v"), source="banner", now=START,
                     age_band="18_plus").choices
    assert view(policy.for_region("US-CO"), choices, START).age_band == "18_plus"
    assert view(policy.for_region("US-CA"), choices, START).age_band == "16_plus"
    assert view(policy, choices, START).age_band == "16_plus"


def test_the_widgets_age_question_sends_the_precise_band():
    """widget/src/api.js's ageBand, run by Node: 16-17 and 18 and over apart (the
    server shows both as 16_plus where the region does not tell them apart)."""
    node = shutil.which("node")
    if not node:
        pytest.skip("Node is needed to run the widget's source")
    script = """
import { ageBand } from "./src/api.js";
const now = new Date();
const born = (years, months) => {
  const d = new Date(now.getFullYear() - years, now.getMonth() - months, 1);
  return [d.getFullYear(), d.getMonth() + 1];
};
process.stdout.write(JSON.stringify([
  born(12, 11), born(13, 1), born(15, 11), born(16, 1), born(17, 11), born(18, 1), born(40, 0),
].map(([y, m]) => ageBand(y, m))));
"""
    result = subprocess.run([node, "--input-type=module", "-e", script], cwd=WIDGET, capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == ["under_13", "13_15", "13_15", "16_17", "16_17", "18_plus", "18_plus"]
