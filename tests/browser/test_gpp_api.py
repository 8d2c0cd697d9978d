"""The IAB GPP CMP API, ``window.__gpp`` (R46, contract section 8), in real Chromium on a
page served by the middleware (the browser site's opt_out policy: sections usnat and
usca). A script of the page calls every command before widget.js has loaded (the stub
answers ping and queues the rest) and after; the GPP string that ping answers is
decoded by the IAB's reference library (@iabgpp/cmpapi, in Node) and must give the
sections that getSection and getField answer; a listener hears the sections change
when the visitor rejects all; a removed listener hears nothing; bad calls answer
``(null, false)`` and never throw."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import ConsentKit, ConsentMiddleware
from consentkit.testing.server import LiveServer, serve

from ..test_gpp import reference_decode
from .site import SECRET, site_policy

pytestmark = pytest.mark.browser

# A page script that runs after boot.js and before the deferred widget.js: every command,
# answers recorded as JSON (the callbacks' arguments, copied when they are called).
EARLY = """
window.gppLog = [];
const record = (tag) => (data, success) => gppLog.push([tag, JSON.parse(JSON.stringify(data)), success]);
window.stubPing = null;
__gpp("ping", (data, success) => { stubPing = [JSON.parse(JSON.stringify(data)), success]; });
window.queuedAtOnce = gppLog.length === 0 && __gpp.queue.length === 0;
__gpp("addEventListener", (event, success) => gppLog.push(["event", event.eventName, event.listenerId, event.data,
  event.pingData.cmpStatus, event.pingData.gppString, success, event.pingData.signalStatus]));
__gpp("hasSection", record("hasSection"), "usnat");
__gpp("getSection", record("getSection"), "usnat");
__gpp("getField", record("getField"), "usnat.SaleOptOut");
__gpp("no-such-command", record("unknown"));
window.queued = __gpp.queue.length;
"""
# Bad input after the widget has loaded: each answer, and whatever was thrown.
BAD_CALLS = """() => {
  const out = {};
  const call = (tag, ...args) => {
    try { __gpp(args[0], (data, success) => { out[tag] = [data, success]; }, ...args.slice(1)); }
    catch (error) { out[tag] = ["threw", String(error)]; }
  };
  call("unknown", "no-such-command");
  call("notAString", 42);
  call("hasOther", "hasSection", "tcfeuv2");
  call("sectionMissing", "getSection", "tcfeuv2");
  call("proto", "getSection", "__proto__");
  call("fieldMissing", "getField", "usnat.NoSuchField");
  call("fieldBare", "getField", "usnat");
  call("fieldNone", "getField");
  call("removeUnknown", "removeEventListener", 999);
  for (const args of [[], ["ping"], ["ping", "not a function"], ["getSection", null, "usnat"]]) {
    try { __gpp(...args); } catch (error) { out["threw " + JSON.stringify(args)] = String(error); }
  }
  return out;
}"""


async def page_with_early_calls(request: Request) -> HTMLResponse:
    return HTMLResponse('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GPP</title></head>'
                        f"<body><main><h1>Quotes</h1><script>{EARLY}</script></main></body></html>")


@pytest.fixture(scope="module")
def site() -> Iterator[LiveServer]:
    kit = ConsentKit(site_policy("opt_out", False), secret_keys=[SECRET], store="memory://")
    app = Starlette(routes=[Route("/", page_with_early_calls)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    server = serve(app)
    yield server
    server.stop()


def gpp(page: Page, command: str, parameter: Any = None) -> list[Any]:
    """One call after load: [data, success], answered at once (synchronously)."""
    result: list[Any] = page.evaluate(
        """([command, parameter]) => {
          let answer = "no synchronous answer";
          __gpp(command, (data, success) => { answer = [JSON.parse(JSON.stringify(data)), success]; }, parameter);
          return answer;
        }""", [command, parameter])
    return result


def test_R46_gpp_cmp_api_from_the_first_script_to_a_change_of_choice(site: LiveServer, page: Page) -> None:
    page.goto(site.url + "/")
    page.wait_for_function("() => gppLog.some(([tag]) => tag === 'getField')")

    # Before widget.js: ping answered at once by the stub, the rest queued in __gpp.queue.
    stub_ping, stub_success = page.evaluate("stubPing")
    assert stub_success is True and page.evaluate("queuedAtOnce") is True and page.evaluate("queued") == 5
    assert stub_ping["gppVersion"] == "1.1" and stub_ping["cmpStatus"] == "stub"
    assert stub_ping["signalStatus"] == "not ready" and stub_ping["cmpId"] == 1

    # After: the queued calls answered in order, the listener first registered (id 1).
    log = page.evaluate("gppLog")
    state = page.evaluate("consentkit.state")
    assert [entry[0] for entry in log] == ["event", "hasSection", "getSection", "getField", "unknown"]
    assert log[0] == ["event", "listenerRegistered", 1, True, "loaded", state["gpp"], True, "ready"]
    assert log[1] == ["hasSection", True, True]
    assert log[3] == ["getField", 2, True]  # opt_out mode: not opted out of sale (2 = no)
    assert log[4] == ["unknown", None, False]

    ping, success = gpp(page, "ping")
    assert success is True
    assert {k: ping[k] for k in ("gppVersion", "cmpStatus", "cmpDisplayStatus", "signalStatus", "supportedAPIs",
                                 "cmpId", "sectionList", "applicableSections")} == {
        "gppVersion": "1.1", "cmpStatus": "loaded", "cmpDisplayStatus": "visible", "signalStatus": "ready",
        "supportedAPIs": ["7:usnat", "8:usca"], "cmpId": 1, "sectionList": [7, 8], "applicableSections": [8]}
    assert ping["gppString"] == state["gpp"] and state["gpp_sid"] == [7, 8]

    # The reference library reads the same sections from the string as the widget answers.
    [reference] = reference_decode([ping["gppString"]])
    assert reference["ids"] == [7, 8]
    assert ping["parsedSections"] == reference["sections"]
    assert log[2] == ["getSection", reference["sections"]["usnat"], True]
    for name, fields in reference["sections"].items():
        assert gpp(page, "hasSection", name) == [True, True]
        assert gpp(page, "getSection", name) == [fields, True]
        for field, value in fields.items():
            assert gpp(page, "getField", f"{name}.{field}") == [value, True], (name, field)

    # A second listener, removed at once: told so, and never called again.
    removed = page.evaluate("""() => {
      window.secondHeard = [];
      let id = 0, answer = null;
      __gpp("addEventListener", (event) => { id = event.listenerId; secondHeard.push(event.eventName); });
      __gpp("removeEventListener", (data, success) => { answer = [data.eventName, data.data, success]; }, id);
      return [id, answer];
    }""")
    assert removed == [2, ["listenerRemoved", True, True]]

    # A change of choice: the banner's "Reject all" opts out of sale; the first listener
    # hears each changed section and the banner going; the string and fields follow.
    before = len(log)
    page.locator('#consentkit-banner [data-consentkit-action="reject-all"]').click()
    page.wait_for_function(f"() => gppLog.length > {before} && !document.getElementById('consentkit-banner')")
    page.wait_for_function("() => gppLog.some((entry) => entry[1] === 'cmpDisplayStatus')")
    after = page.evaluate("consentkit.state")
    events = [entry[1:4] for entry in page.evaluate("gppLog")[before:]]
    assert ["sectionChange", 1, "usnat"] in events and ["sectionChange", 1, "usca"] in events
    assert ["cmpDisplayStatus", 1, "hidden"] in events
    assert all(entry[5] == after["gpp"] for entry in page.evaluate("gppLog")[before:])
    assert page.evaluate("secondHeard") == ["listenerRegistered"]
    assert after["gpp"] != state["gpp"]
    assert gpp(page, "getField", "usnat.SaleOptOut") == [1, True]
    [changed] = reference_decode([after["gpp"]])
    assert gpp(page, "ping")[0]["parsedSections"] == changed["sections"]
    assert changed["sections"]["usnat"]["SaleOptOut"] == 1

    # Bad input: null and false (false for a section not held), never a throw.
    bad = page.evaluate(BAD_CALLS)
    assert bad == {
        "unknown": [None, False], "notAString": [None, False], "hasOther": [False, True],
        "sectionMissing": [None, False], "proto": [None, False], "fieldMissing": [None, False],
        "fieldBare": [None, False], "fieldNone": [None, False], "removeUnknown": [
            {"eventName": "listenerRemoved", "listenerId": 999, "data": False,
             "pingData": bad["removeUnknown"][0]["pingData"]}, False],
    }
    expect(page.locator("#consentkit")).to_be_attached()
    assert json.dumps(bad)  # every answer was plain data


def test_R46_the_signal_is_not_ready_until_the_server_has_the_navigators_gpc(site: LiveServer, page: Page) -> None:
    """A GPC signal the server has not seen (the header stripped on the way): the string
    does not say it yet, so the signal is "not ready" until the widget has recorded it;
    then listeners hear "ready" and the sections carry it."""
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
    page.goto(site.url + "/")
    page.wait_for_function("() => gppLog.some((entry) => entry[1] === 'signalStatus')")
    log = page.evaluate("gppLog")
    assert log[0][1:3] + log[0][6:] == ["listenerRegistered", 1, True, "not ready"]
    assert ["signalStatus", 1, "ready"] in [entry[1:4] for entry in log]
    assert page.evaluate("consentkit.state.gpc") is True
    assert gpp(page, "getField", "usnat.Gpc") == [True, True]
    assert gpp(page, "getField", "usnat.SaleOptOut") == [1, True]
    assert gpp(page, "ping")[0]["signalStatus"] == "ready"
