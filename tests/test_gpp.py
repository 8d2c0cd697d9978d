"""The GPP string (consentkit/gpp.py), checked against the IAB's reference library:
``@iabgpp/cmpapi`` (widget/package.json's devDependency) decodes, in Node, every string
our Python writes, and writes the same string again from the fields it read.

Needs Node and ``widget/node_modules`` (``scripts/test.sh`` runs ``npm ci``); without
them the reference checks skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from consentkit import gpp, rules
from consentkit.gpp import Signals
from consentkit.state import Choices

from .apps import client
from .kits import START, make_policy

WIDGET = Path(__file__).resolve().parent.parent / "widget"
NOW = START
# Decodes each string with the reference library, and encodes the fields it read again.
_DECODE = """
import { GppModel } from "@iabgpp/cmpapi";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((text) => {
  const model = new GppModel(text);
  const sections = model.toObject();
  const again = new GppModel();
  for (const [name, fields] of Object.entries(sections)) {
    for (const [field, value] of Object.entries(fields)) {
      if (field !== "GpcSegmentType") again.setFieldValue(name, field, value);
    }
  }
  return { ids: model.getSectionIds(), sections, again: again.encode() };
});
process.stdout.write(JSON.stringify(out));
"""


def reference_decode(strings: list[str]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if not node or not (WIDGET / "node_modules" / "@iabgpp" / "cmpapi").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("Node and widget/node_modules are needed: run `npm ci` in widget/ (scripts/test.sh does)")
        pytest.skip("Node or widget/node_modules/@iabgpp/cmpapi missing: run `npm ci` in widget/")
    result = subprocess.run([node, "--input-type=module", "-e", _DECODE], cwd=WIDGET, input=json.dumps(strings),
                            capture_output=True, text=True, timeout=60, check=True)
    decoded: list[dict[str, Any]] = json.loads(result.stdout)
    return decoded


def visitor(**changes: Any) -> Choices:
    return replace(Choices(visitor_id="v" * 22, decided_at=NOW, policy_version="2026-11-01"), **changes)


# --- the codes, against the specification's own examples ---------------------------

@pytest.mark.parametrize(("value", "code"), [(1, "11"), (2, "011"), (3, "0011"), (4, "1011"), (5, "00011"),
                                             (6, "10011"), (7, "01011"), (12, "101011"), (27, "10010011")])
def test_fibonacci_codes(value, code):
    assert gpp.fibonacci(value) == code


@pytest.mark.parametrize(("ids", "bits"), [
    # Consent String Specification, "Header Examples" 2 and 3: sections [2, 6] and [5, 6].
    ([2, 6], "000000000010" + "0011" + "01011"),
    ([5, 6], "000000000001" + "1" + "00011" + "11"),
    ([7, 8], "000000000001" + "1" + "01011" + "11"),
    ([7, 8, 10], "000000000010" + "1" + "01011" + "11" + "0011"),
])
def test_section_id_ranges(ids, bits):
    assert gpp.fibonacci_range(ids) == bits


def test_header_of_the_specifications_example():
    # "000011 000001 000000 000010 001101 011000" is DBACNY; our padding adds a whole
    # byte's worth more, as the reference library does.
    assert gpp.encode({}) == "DBAA"
    header = gpp.base64url("000011" + "000001" + gpp.fibonacci_range([2, 6]))
    assert header.startswith("DBACNY")


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="takes 0, 1 or 2"):
        gpp.encode_section("usnat", {"SaleOptOut": 3})
    with pytest.raises(ValueError, match="fit in 6 bits"):
        gpp.encode_section("usnat", {"Version": 64})
    with pytest.raises(ValueError, match="takes 16 values"):
        gpp.encode_section("usnat", {"SensitiveDataProcessing": [0, 0]})
    with pytest.raises(ValueError, match="no field"):
        gpp.encode_section("usca", {"TargetedAdvertisingOptOut": 1})


@pytest.mark.parametrize(("jurisdiction", "names"), [
    ("US", ("usnat", "usca")), ("US-CA", ("usnat", "usca")), ("US-CO", ("usnat", "usco")),
    ("US-VA", ("usnat", "usva")), ("US-UT", ("usnat", "usut")), ("US-CT", ("usnat", "usct")),
    ("US-TX", ("usnat",)), ("EU", ()), ("UK", ()), (None, ()),
])
def test_sections_by_jurisdiction(jurisdiction, names):
    assert gpp.sections_for(jurisdiction) == names


# --- the visitor's state, decoded by the reference library --------------------------

SALE = ("SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut")


def _state(choices: Choices, mode: str = "opt_out"):
    return rules.view(make_policy(mode), choices, NOW)


STATES = {
    "no-choice-yet": _state(Choices(visitor_id="v" * 22)),
    "opted-out-of-sale": _state(visitor(choices={"advertising": False})),
    "gpc": _state(visitor(choices={"advertising": False}, gpc=True)),
    "accepted-all": _state(visitor(choices={"analytics": True, "captcha": True, "advertising": True})),
    "teen-without-opt-in": _state(visitor(age_band="13_15")),
    "teen-opted-in": _state(visitor(age_band="13_15", choices={"advertising": True}, sale_opt_in=True)),
    "child-with-parents-grant": _state(visitor(age_band="under_13", parental_consent="granted",
                                               parental_choices={"advertising": True})),
    "eu-opt-in": _state(visitor(choices={"advertising": True}), mode="opt_in"),
}


def test_state_strings_decode_with_the_reference_library():
    decoded = dict(zip(STATES, reference_decode([s.gpp for s in STATES.values()]), strict=True))
    for name, state in STATES.items():
        got = decoded[name]
        assert got["ids"] == list(state.gpp_sid), name
        # The library writes the very string we wrote from the fields it read.
        assert got["again"] == state.gpp, name
    us = {name: d["sections"] for name, d in decoded.items() if name != "eu-opt-in"}
    for name, sections in us.items():
        assert set(sections) == {"usnat", "usca"}, name
        nat, ca = sections["usnat"], sections["usca"]
        assert nat["Version"] == 2 and ca["Version"] == 1
        assert nat["SharingNotice"] == nat["SaleOptOutNotice"] == nat["SharingOptOutNotice"] == 1
        assert nat["TargetedAdvertisingOptOutNotice"] == ca["SaleOptOutNotice"] == ca["SharingOptOutNotice"] == 1
        # No category is marked sensitive: nothing to limit, every bit "not applicable".
        assert nat["SensitiveDataLimitUseNotice"] == ca["SensitiveDataLimitUseNotice"] == 0
        assert nat["SensitiveDataProcessing"] == [0] * 16 and ca["SensitiveDataProcessing"] == [0] * 9
        assert nat["MspaCoveredTransaction"] == ca["MspaCoveredTransaction"] == 2
        assert nat["MspaOptOutOptionMode"] == nat["MspaServiceProviderMode"] == 0
        opted_out = STATES[name].sale_opt_out
        assert [nat[f] for f in SALE] == [1 if opted_out else 2] * 3, name
        assert [ca["SaleOptOut"], ca["SharingOptOut"]] == [1 if opted_out else 2] * 2, name
        assert nat["Gpc"] is ca["Gpc"] is STATES[name].gpc, name
    assert us["opted-out-of-sale"]["usnat"]["SaleOptOut"] == 1 and us["opted-out-of-sale"]["usnat"]["Gpc"] is False
    assert us["gpc"]["usnat"]["Gpc"] is True and us["gpc"]["usca"]["SaleOptOut"] == 1
    assert us["no-choice-yet"]["usnat"]["SaleOptOut"] == 2 and us["accepted-all"]["usca"]["SaleOptOut"] == 2
    # Minors: usnat's bits are (13-16, under 13, 16-17); usca's (sale, sharing) under 16.
    assert us["teen-without-opt-in"]["usnat"]["KnownChildSensitiveDataConsents"] == [1, 0, 0]
    assert us["teen-without-opt-in"]["usca"]["KnownChildSensitiveDataConsents"] == [1, 1]
    assert us["teen-opted-in"]["usnat"]["KnownChildSensitiveDataConsents"] == [2, 0, 0]
    assert us["teen-opted-in"]["usca"]["KnownChildSensitiveDataConsents"] == [2, 2]
    assert us["child-with-parents-grant"]["usnat"]["KnownChildSensitiveDataConsents"] == [0, 2, 0]
    assert us["accepted-all"]["usnat"]["KnownChildSensitiveDataConsents"] == [0, 0, 0]
    # Outside the US: the header alone, no section applies.
    assert decoded["eu-opt-in"]["sections"] == {} and STATES["eu-opt-in"].gpp == "DBAA"


SIGNALS = {
    "sensitive-limited": Signals(sale=False, sharing=False, targeted_advertising=False, sensitive={
        "health": False, "precise_geolocation": False, "religious_beliefs": False}),
    "sensitive-consented": Signals(sale=True, sharing=True, targeted_advertising=True, sensitive={
        "health": True, "precise_geolocation": True, "religious_beliefs": True}, gpc=True),
    "older-teen": Signals(sale=False, sharing=False, targeted_advertising=False, age_band="16_17", minor_consent=True),
    "child-sensitive": Signals(sale=True, sharing=True, targeted_advertising=True, sensitive={"health": False},
                               age_band="under_13"),
    "mspa-opt-out-mode": Signals(sale=True, sharing=True, targeted_advertising=True, mspa="opt_out"),
    "nothing-sold": Signals(),
}
ALL_SECTIONS = tuple(gpp.SECTIONS)


def test_every_section_decodes_with_the_reference_library():
    strings = {name: gpp.gpp_string(signals, ALL_SECTIONS) for name, signals in SIGNALS.items()}
    decoded = dict(zip(SIGNALS, reference_decode([s for s, _ in strings.values()]), strict=True))
    for name, (text, ids) in strings.items():
        assert decoded[name]["ids"] == list(ids) == [7, 8, 9, 10, 11, 12]
        assert decoded[name]["again"] == text, name
        for section, fields in decoded[name]["sections"].items():
            assert fields == {**_defaults(section), **gpp.section_values(section, SIGNALS[name])}, (name, section)
    limited = decoded["sensitive-limited"]["sections"]
    # usnat: (2) religion, (3) health, (8) precise geolocation, "1: no consent".
    assert limited["usnat"]["SensitiveDataProcessing"] == [0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert limited["usnat"]["SensitiveDataLimitUseNotice"] == 1
    # usca: (3) geolocation, (4) race/religion/union, (8) health, "1: opted out".
    assert limited["usca"]["SensitiveDataProcessing"] == [0, 0, 1, 1, 0, 0, 0, 1, 0]
    # usut lists health fifth, sex life third.
    assert limited["usut"]["SensitiveDataProcessing"] == [0, 1, 0, 0, 1, 0, 0, 1]
    assert limited["usco"]["SensitiveDataProcessing"] == [0, 1, 1, 0, 0, 0, 0]
    consented = decoded["sensitive-consented"]["sections"]
    assert consented["usct"]["SensitiveDataProcessing"] == [0, 2, 2, 0, 0, 0, 0, 2]
    assert consented["usco"]["Gpc"] is consented["usct"]["Gpc"] is True and "Gpc" not in consented["usva"]
    assert decoded["older-teen"]["sections"]["usnat"]["KnownChildSensitiveDataConsents"] == [0, 0, 2]
    child = decoded["child-sensitive"]["sections"]
    assert child["usva"]["KnownChildSensitiveDataConsents"] == 1
    assert child["usct"]["KnownChildSensitiveDataConsents"] == [1, 0, 0]
    mspa = decoded["mspa-opt-out-mode"]["sections"]["usnat"]
    assert (mspa["MspaCoveredTransaction"], mspa["MspaOptOutOptionMode"], mspa["MspaServiceProviderMode"]) == (1, 1, 2)
    nothing = decoded["nothing-sold"]["sections"]["usnat"]
    assert [nothing[f] for f in SALE] == [0, 0, 0] and nothing["SaleOptOutNotice"] == 0


def _defaults(section: str) -> dict[str, Any]:
    """What the library reads beyond the fields signals set: the section's version, the
    GPC sub-section's type, and the MSPA fields and PersonalDataConsents at their defaults."""
    spec = gpp.SECTIONS[section]
    names = {f.name for f in spec.fields}
    defaults: dict[str, Any] = {"Version": spec.version, "MspaCoveredTransaction": 2, "MspaOptOutOptionMode": 0,
                                "MspaServiceProviderMode": 0, "PersonalDataConsents": 0}
    defaults = {k: v for k, v in defaults.items() if k in names}
    return {**defaults, "GpcSegmentType": 1} if spec.gpc else defaults


# --- the state JSON ----------------------------------------------------------------

@pytest.mark.anyio
async def test_state_json_has_the_gpp_string_of_its_signals(make_kit):
    async with client(make_kit()) as c:
        plain = (await c.get("/consentkit/state")).json()
        signalled = (await c.get("/consentkit/state", headers={"Sec-GPC": "1"})).json()
    assert plain["gpp_sid"] == signalled["gpp_sid"] == [7, 8]
    assert plain["gpp"] != signalled["gpp"]
    first, second = reference_decode([plain["gpp"], signalled["gpp"]])
    assert first["sections"]["usnat"]["Gpc"] is False and first["sections"]["usnat"]["SaleOptOut"] == 2
    assert second["sections"]["usnat"]["Gpc"] is True and second["sections"]["usca"]["SaleOptOut"] == 1


def test_the_clock_plays_no_part():
    later = rules.view(make_policy(), visitor(choices={"advertising": False}), datetime(2030, 1, 1, tzinfo=UTC))
    assert later.gpp == STATES["opted-out-of-sale"].gpp


@pytest.mark.anyio
@pytest.mark.parametrize("gpc", [False, True])
async def test_R46_the_gpp_endpoint_answers_the_sections_the_reference_library_decodes(make_kit, gpc):
    """GET /consentkit/gpp: the visitor's GPP string, its section ids and each section's
    fields, as ``@iabgpp/cmpapi`` decodes the same string (what a ``__gpp`` getSection or
    getField answers)."""
    headers = {"Sec-GPC": "1"} if gpc else {}
    async with client(make_kit(), **headers) as c:
        state = (await c.get("/consentkit/state")).json()
        r = await c.get("/consentkit/gpp")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["gppString"] == state["gpp"] and body["sectionList"] == state["gpp_sid"] == [7, 8]
    [reference] = reference_decode([state["gpp"]])
    assert sorted(body["sections"]) == sorted(reference["sections"]) == ["usca", "usnat"]
    for name, fields in body["sections"].items():
        theirs = reference["sections"][name]
        assert {field: theirs[field] for field in fields} == fields, name
    assert body["sections"]["usnat"]["Gpc"] is gpc and body["sections"]["usnat"]["SaleOptOut"] == (1 if gpc else 2)
