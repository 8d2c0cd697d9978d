"""Regions (issue 15; contract section 8): a policy declares jurisdictions with rules
of their own; a request's region comes from its CDN's geolocation headers (or the
site's function), never from an IP address; a request from no declared region gets
the policy's own rules. The state, records and receipts name the region; a visitor
who moves keeps their choices and gets each region's rules on each request."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit import Category, Policy, PolicyError, Region
from consentkit.ledger.codec import to_json
from consentkit.receipts import to_receipt
from tests.apps import client, make_app
from tests.kits import make_policy
from tests.minors.flow import SITE, all_records
from tests.test_gpp import reference_decode

pytestmark = pytest.mark.anyio

CO = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO"}
CA = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"}
FR = {"CloudFront-Viewer-Country": "FR"}


def regional_policy(**options: object) -> Policy:
    base = make_policy("opt_out", age_gate=False)
    return Policy(
        base.version, base.categories, mode="opt_out", controller=base.controller,
        regions=[
            Region("EU", mode="opt_in", texts={"en": {"banner.title": "Your choices in the EU"}}),
            Region("UK", mode="opt_in"),
            Region("US-CA"),
            Region("US-CO"),
        ],
        **options,  # type: ignore[arg-type]
    )


# -- the policy ---------------------------------------------------------------------

def test_a_region_code_is_a_group_a_country_or_a_state():
    for bad in ("eu", "USA", "US-", "US-colorado", ""):
        with pytest.raises(PolicyError, match="region code"):
            Region(bad)
    with pytest.raises(PolicyError, match="mode"):
        Region("EU", mode="opt-in")
    with pytest.raises(PolicyError, match="lifetime_days"):
        Region("EU", lifetime_days=0)
    with pytest.raises(PolicyError, match="declared twice"):
        Policy("1", [Category("necessary", required=True)], regions=[Region("EU"), Region("EU")])


def test_a_country_belongs_to_one_region_and_the_narrower_code_wins():
    with pytest.raises(PolicyError, match="both claim"):
        Policy("1", [Category("necessary", required=True)], regions=[Region("EU"), Region("EEA")])
    policy = Policy("1", [Category("necessary", required=True)], regions=[
        Region("EU", countries=["CH"]), Region("FR"), Region("US"), Region("US-CO")])
    assert policy.region_for("DE") == "EU" and policy.region_for("CH") == "EU"
    assert policy.region_for("FR") == "FR"  # a country's own region over its group's
    assert policy.region_for("US", "CO") == "US-CO" and policy.region_for("US", "NY") == "US"
    assert policy.region_for("US") == "US" and policy.region_for("JP") is None and policy.region_for(None) is None


def test_a_region_takes_the_policys_categories_and_version_with_its_own_rules():
    policy = regional_policy()
    eu = policy.for_region("EU")
    assert (eu.mode, eu.region, eu.version, eu.categories) == ("opt_in", "EU", policy.version, policy.categories)
    assert eu.lifetime_days == 182 and policy.for_region("US-CO").lifetime_days == policy.lifetime_days == 365
    assert eu.texts["en"]["banner.title"] == "Your choices in the EU"
    assert policy.for_region(None) is policy and policy.region is None
    assert eu.for_region("US-CO") is policy.for_region("US-CO") and eu.region_for("US", "CO") == "US-CO"
    assert eu.for_region(None) is policy
    with pytest.raises(KeyError):
        policy.for_region("US-TX")


def test_regions_in_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('''
version = "2026-12-01"
mode = "opt_out"
[[categories]]
id = "necessary"
required = true
[[regions]]
code = "EEA"
mode = "opt_in"
countries = ["CH"]
lifetime_days = 180
[[regions]]
code = "US-CO"
''')
    policy = Policy.from_toml(path)
    assert [r.code for r in policy.regions] == ["EEA", "US-CO"]
    assert policy.region_for("NO") == "EEA" and policy.for_region("EEA").lifetime_days == 180
    path.write_text(path.read_text() + 'colour = "red"\n')
    with pytest.raises(PolicyError, match="unknown key.*colour"):
        Policy.from_toml(path)


# -- requests -----------------------------------------------------------------------

async def test_each_request_gets_its_regions_rules(make_kit):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit) as c:
        fr = (await c.get("/consentkit/state", headers=FR)).json()
        co = (await c.get("/consentkit/state", headers=CO)).json()
        nowhere = (await c.get("/consentkit/state")).json()
    assert (fr["region"], fr["mode"], fr["categories"]["analytics"], fr["gpp_sid"]) == ("EU", "opt_in", False, [])
    assert (co["region"], co["mode"], co["categories"]["analytics"]) == ("US-CO", "opt_out", True)
    assert co["gpp_sid"] == [7, 10]  # US National and Colorado's section
    [decoded] = reference_decode([co["gpp"]])  # the IAB's own library reads it so
    assert decoded["ids"] == [7, 10] and decoded["sections"]["usco"]["SaleOptOut"] == 2
    # No region known: the policy's own rules, as without regions.
    assert (nowhere["region"], nowhere["mode"], nowhere["gpp_sid"]) == (None, "opt_out", [7, 8])


async def test_records_and_receipts_name_the_jurisdiction(make_kit, clock):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE) as c:
        for choice, headers in ((False, CO), (True, FR), (False, {})):
            await c.post("/consentkit/consent", json={"choices": {"analytics": choice}}, headers=headers)
            clock.advance(seconds=1)
    records = sorted(await all_records(kit), key=lambda r: r.at)
    assert [(r.region, r.mode) for r in records] == [("US-CO", "opt_out"), ("EU", "opt_in"), (None, "opt_out")]
    receipts = [to_receipt(r, kit.policy)["jurisdiction"] for r in records]
    assert receipts == ["US-CO", "EU", "US"]



async def test_the_jurisdiction_is_kept_by_the_real_stores(make_kit, store_url, tmp_path):
    kit = make_kit(regional_policy(), region_source="cloudfront", store=store_url, spool_dir=tmp_path / "spool")
    try:
        async with client(kit, Origin=SITE, **CO) as c:
            await c.post("/consentkit/consent", json={"choices": {"analytics": False}})
            receipts = (await c.get("/consentkit/receipts")).json()["receipts"]
            visitor = (await c.get("/consentkit/state")).json()["visitor_id"]
        [record] = await kit.ledger.for_visitor(visitor)
    finally:
        await kit.shutdown()
    assert record.region == "US-CO" and [r["jurisdiction"] for r in receipts] == ["US-CO"]


async def test_r43_gpc_is_an_opt_out_in_colorado_recorded_there(make_kit):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit, **CO, **{"Sec-GPC": "1"}) as c:
        state = (await c.get("/consentkit/state")).json()
    assert state["sale_opt_out"] is True and state["region"] == "US-CO"
    [record] = await all_records(kit)
    assert (record.source, record.region) == ("gpc", "US-CO")


async def test_a_visitor_who_moves_keeps_their_choices(make_kit):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {"captcha": False}}, headers=CA)
        in_fr = (await c.get("/consentkit/state", headers=FR)).json()
        # What they said stands; what they did not say follows the region's mode.
        assert in_fr["categories"] == {"necessary": True, "analytics": False, "captcha": False, "advertising": False}
        await c.post("/consentkit/consent", json={"choices": {"analytics": True}}, headers=FR)
        back = (await c.get("/consentkit/state", headers=CA)).json()
    assert back["categories"] == {"necessary": True, "analytics": True, "captcha": False, "advertising": True}
    assert back["region"] == "US-CA" and back["visitor_id"] == in_fr["visitor_id"]


async def test_the_same_cookie_in_two_regions_gets_two_states(make_kit):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit, Origin=SITE) as c:
        await c.post("/consentkit/consent", json={"choices": {}}, headers=CA)
        cookie = dict(c.cookies)
        states = []
        for headers in (CA, FR, CA, FR):  # the kit's outcome cache keeps each region apart
            c.cookies.clear()
            c.cookies.update(cookie)
            states.append((await c.get("/consentkit/state", headers=headers)).json()["mode"])
    assert states == ["opt_out", "opt_in", "opt_out", "opt_in"]


@pytest.mark.parametrize(("source", "headers"), [
    ("cloudfront", {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO"}),
    ("cloudflare", {"CF-IPCountry": "US", "CF-Region-Code": "CO"}),
    ("vercel", {"X-Vercel-IP-Country": "US", "X-Vercel-IP-Country-Region": "CO"}),
    ("fastly", {"Fastly-Geo-Country": "us", "Fastly-Geo-Region": "US-CO"}),
])
async def test_each_edges_headers_and_only_the_configured_ones(make_kit, source, headers):
    kit = make_kit(regional_policy(), region_source=source)
    async with client(kit) as c:
        r = await c.get("/", headers=headers)
        assert r.status_code == 200
        state = (await c.get("/consentkit/state", headers=headers)).json()
        # Another CDN's headers are anyone's to send: they count for nothing here.
        other = {"CF-IPCountry": "FR"} if source != "cloudflare" else {"CloudFront-Viewer-Country": "FR"}
        ignored = (await c.get("/consentkit/state", headers=other)).json()
    assert state["region"] == "US-CO" and ignored["region"] is None
    vary = r.headers["vary"].lower()
    for name in headers:  # a shared cache must not give one region's page to another
        assert name.lower() in vary


async def test_a_function_of_the_request_can_name_the_region(make_kit):
    kit = make_kit(regional_policy(), region_source=lambda request: request.headers.get("x-geo"))
    async with client(kit) as c:
        assert (await c.get("/consentkit/state", headers={"x-geo": "US-CO"})).json()["region"] == "US-CO"
        assert (await c.get("/consentkit/state", headers={"x-geo": "DE"})).json()["region"] == "EU"
        assert (await c.get("/consentkit/state")).json()["region"] is None


@pytest.mark.parametrize("value", ["XX", "T1", "<script>", "U", "USA", "fr\u00e9", "", "US-" + "A" * 500])
async def test_a_country_header_that_is_no_country_gets_the_policys_own_rules(make_kit, value):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit) as c:
        raw = value.encode()  # as bytes: what a client may send, UTF-8 or not
        r = await c.get("/consentkit/state", headers={b"CloudFront-Viewer-Country": raw,
                                                      b"CloudFront-Viewer-Country-Region": raw})
    assert r.status_code == 200 and r.json()["region"] is None


async def test_a_region_function_that_fails_gives_the_policys_own_rules(make_kit, caplog):
    def broken(request):
        raise KeyError(request.headers["x-geo"])

    kit = make_kit(regional_policy(), region_source=broken)
    async with client(kit) as c:
        r = await c.get("/consentkit/state")
    assert r.status_code == 200 and r.json()["region"] is None
    assert "region_source raised KeyError" in caplog.text


def test_an_unknown_region_source_is_refused_at_start_up(make_kit):
    with pytest.raises(ValueError, match="region_source"):
        make_kit(regional_policy(), region_source="akamai")


async def test_a_regions_widget_assets_have_its_mode_and_texts_under_their_own_url(make_kit):
    kit = make_kit(regional_policy(), region_source="cloudfront")
    async with client(kit) as c:
        page = (await c.get("/", headers=FR)).text
        assert "boot.js?v=" in page and "region=EU" in page
        boot_eu = (await c.get(kit.head_at("", "EU").assets.url("boot.js"))).text
        boot = (await c.get(kit.head_at("").assets.url("boot.js"), headers=FR)).text
        widget_eu = (await c.get(kit.head_at("", "EU").assets.url("widget.js", "en"))).text
        assert (await c.get("/consentkit/boot.js?region=ZZ")).status_code == 404
    assert '"mode":"opt_in"' in boot_eu and '"mode":"opt_out"' in boot  # the URL decides, not the headers
    assert "Your choices in the EU" in widget_eu


async def test_without_regions_the_state_says_region_null(make_kit):
    kit = make_kit(make_policy(), region_source="cloudfront")
    async with client(kit) as c:
        state = (await c.get("/consentkit/state", headers=FR)).json()
    assert state["region"] is None and state["mode"] == "opt_out"


# -- bad input never 5xx --------------------------------------------------------------

geo_bytes = st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b and b"\x00" not in b)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(country=geo_bytes, subdivision=geo_bytes, body=st.binary(max_size=60),
       path=st.sampled_from(["/", "/consentkit/state", "/consentkit/limit", "/consentkit/boot.js?region=EU"]),
       content_type=st.sampled_from([b"application/json", b"application/x-www-form-urlencoded", b"text/plain", b""]))
def test_random_geo_headers_and_limit_bodies_never_5xx(make_kit, country, subdivision, body, path, content_type):
    kit = make_kit(regional_policy(), region_source="cloudfront")

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=make_app(kit), raise_app_exceptions=True)
        headers = {b"CloudFront-Viewer-Country": country.strip(), b"CloudFront-Viewer-Country-Region": subdivision.strip()}
        if content_type:
            headers[b"Content-Type"] = content_type
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            statuses = [(await c.get(path, headers=headers)).status_code]
            if path == "/consentkit/limit":
                statuses.append((await c.post(path, headers=headers, content=body)).status_code)
            state = (await c.get("/consentkit/state", headers=headers)).json()
            assert state["region"] in (None, "EU", "UK", "US-CA", "US-CO")
            return statuses

    assert all(s < 500 for s in asyncio.run(run()))


async def test_no_ip_address_and_no_location_is_kept(make_kit, caplog):
    """The location serves the request and is kept nowhere: the records hold the region's
    code only, never the client's address nor the country or state headers' raw values."""
    kit = make_kit(regional_policy(), region_source="cloudfront")
    transport = httpx.ASGITransport(app=make_app(kit), client=("203.0.113.77", 51000))
    headers = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO", "Origin": SITE,
               "Sec-GPC": "1"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as c:
        await c.get("/")
        await c.post("/consentkit/consent", json={"choices": {"analytics": False}})
    records = await all_records(kit)
    assert {r.region for r in records} == {"US-CO"} and len(records) == 2
    kept = " ".join(str(to_json(r)) for r in records) + caplog.text
    assert "203.0.113" not in kept and "CloudFront" not in kept
