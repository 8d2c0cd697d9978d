"""The runtime guard in real Chromium: what a page's own scripts try before consent
(elements made or changed by script, markup from strings, document.write, fetch, XHR,
beacons, cookies and storage) reaches no declared host until the visitor grants it;
then it is released in order, without a reload; after a withdrawal it is held again
and the category's cookies stay gone. Every script here builds its tracker's host at
run time, as no server can see (the server's gate has its own tests)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from consentkit.testing import LiveServer

pytestmark = pytest.mark.browser

Sites = Callable[..., LiveServer]
# Hosts assembled at run time, on the test server's port.
HOSTS = "var PORT=location.port,ADS='http://ads.'+'localhost:'+PORT,STATS='http://analytics.'+'localhost:'+PORT;"
TRACKED = ("ads.localhost", "analytics.localhost")


def tracked(requested: list[str]) -> list[str]:
    return [u for u in requested if urlsplit(u).hostname in TRACKED]


def markers(requested: list[str]) -> list[str]:
    """The ?n= marks of the requests to the trackers, in the order they were made."""
    return [q.split("n=")[1] for u in tracked(requested) if "n=" in (q := urlsplit(u).query)]


def settle(page: Page, until: Callable[[], bool] = lambda: False, seconds: float = 15) -> None:
    """Wait until ``until()`` holds (or, by default, a quiet moment). Not "networkidle":
    it waits for 500 ms without a request, which a loaded machine may not give."""
    for _ in range(int(seconds * 10)):
        if until():
            return
        page.wait_for_timeout(100)


def open_page(page: Page, site: LiveServer, markup: str, requested: list[str] | None = None) -> Page:
    if requested is not None:
        page.on("request", lambda r: requested.append(r.url))
    page.goto(site.url + "/reflect?q=" + quote(markup))
    page.wait_for_function("() => window.consentkit && window.consentkit.acceptAll")
    return page


# Each way a script can ask for a URL; each marks its request with ?n=<name>.
WAYS = {
    "property-script": "var s=document.createElement('script');s.src=STATS+'/a.js?n=property-script';"
                       "document.head.appendChild(s);",
    "new-image": "new Image().src=ADS+'/p.gif?n=new-image';",
    "set-attribute": "var i=document.createElement('img');i.setAttribute('src',ADS+'/p.gif?n=set-attribute');"
                     "document.body.appendChild(i);",
    "set-attribute-case": "var v=document.createElement('video');v.setAttribute('POSTER',ADS+'/p.gif?n=set-attribute-case');"
                          "document.body.appendChild(v);",
    "srcset": "var i=document.createElement('img');i.srcset='/p.gif?n=own 2x,'+ADS+'/p.gif?n=srcset 1x';"
              "document.body.appendChild(i);",
    "iframe": "var f=document.createElement('iframe');f.src=ADS+'/p.gif?n=iframe';document.body.appendChild(f);",
    "link": "var l=document.createElement('link');l.rel='stylesheet';l.href=STATS+'/a.js?n=link';"
            "document.head.appendChild(l);",
    "inner-html": "var d=document.createElement('div');d.innerHTML='<img src=\"'+ADS+'/p.gif?n=inner-html\">';"
                  "document.body.appendChild(d);",
    "insert-adjacent": "document.body.insertAdjacentHTML('beforeend','<img src=\"'+ADS+'/p.gif?n=insert-adjacent\">');",
    # The escape is assembled at run time: written out whole, the server gate makes the inline script inert.
    "escaped-host": "new Image().src='http://ADS%'+'2elocalhost:'+PORT+'/p.gif?n=escaped-host';",
    "tab-in-scheme": "new Image().src='ht\\ttp://ads.'+'localhost:'+PORT+'/p.gif?n=tab-in-scheme';",
    "relative-srcset": "var r=document.createElement('img');r.srcset='/p.gif?n=own 2x, '+ADS+'/p.gif?n=relative-srcset 1x';"
                       "document.body.appendChild(r);",
    # Split as the HTML Standard splits a srcset: the comma in the parentheses parts no candidate.
    "srcset-descriptors": "var d=document.createElement('img');d.srcset='/p.gif?n=own,1 1x (a, b), '+ADS+"
                          "'/p.gif?n=srcset-descriptors 2x';document.body.appendChild(d);",
    "fetch": "fetch(ADS+'/p.gif?n=fetch',{mode:'no-cors'}).then(function(){window.fetched=true});",
    "xhr": "var x=new XMLHttpRequest();x.open('GET',ADS+'/p.gif?n=xhr');x.send();",
    "beacon": "navigator.sendBeacon(ADS+'/p.gif?n=beacon','hit');",
    "document-write": "document.write('<img src=\"'+ADS+'/p.gif?n=document-write\">');",
}


def test_nothing_a_script_asks_for_loads_before_consent_and_all_of_it_after(sites: Sites, page: Page) -> None:
    requested: list[str] = []
    markup = "<script>" + HOSTS + "".join(WAYS.values()) + "window.ranAll=true</script><p id=after>after</p>"
    open_page(page, sites("opt_in"), markup, requested)
    page.wait_for_load_state("load")
    settle(page, seconds=0.5)
    assert page.evaluate("window.ranAll") is True
    assert tracked(requested) == []
    expect(page.locator("#after")).to_have_count(1)  # the written markup did not break the page
    # Held as the server holds: the URL kept in data-src.
    assert page.evaluate("document.querySelectorAll('[data-src*=\"n=set-attribute\"]').length") == 1

    page.evaluate("window.sameDocument = true")
    page.click('[data-consentkit-action="accept-all"]')
    page.wait_for_function("() => window.fetched === true")
    settle(page, lambda: set(markers(requested)) >= set(WAYS))
    assert set(markers(requested)) >= set(WAYS), set(WAYS) - set(markers(requested))
    assert page.evaluate("window.sameDocument") is True


def test_the_safety_net_holds_what_a_tree_put_in_by_no_hook_carries(sites: Sites, page: Page) -> None:
    # A template's markup is parsed where nothing loads; a copy of its content goes into
    # <body> without any hook seeing its URLs: the safety net holds them, however deep.
    markup = ("<script>" + HOSTS + "var t=document.createElement('template');"
              "t.innerHTML='<div><p><img id=deep src=\"'+ADS+'/p.gif?n=deep\"><iframe id=frame src=\"'+STATS+'/f?n=frame\">"
              "</iframe><img id=own src=/own.gif></p></div>';document.body.append(t.content.cloneNode(true));</script>")
    open_page(page, sites("opt_in"), markup)
    page.wait_for_function("() => document.getElementById('deep').hasAttribute('data-src')")
    held = page.evaluate("['deep', 'frame', 'own'].map((id) => [document.getElementById(id).getAttribute('src'),"
                         " document.getElementById(id).getAttribute('data-src')])")
    assert held[0][0] is None and "n=deep" in held[0][1]
    assert held[1][0] is None and "n=frame" in held[1][1]
    assert held[2] == ["/own.gif", None]


def test_the_safety_net_holds_the_inserted_element_itself_and_each_url_of_its_tree(sites: Sites, page: Page) -> None:
    # A video given its poster, and a <source> inside it its src, by ways no hook sees
    # (Element's own setAttribute, setAttributeNS), then put into <body>: the safety net
    # looks at the element itself by its tag's URL attributes, then at its tree tag by tag.
    # An image a hook has already judged (its own src let through) is looked at again: a
    # srcset given afterwards by a way no hook sees is held too.
    markup = ("<script>" + HOSTS + "var v=document.createElement('video'),s=document.createElement('source'),"
              "i=document.createElement('img');v.id='video';s.id='source';i.id='image';i.src='/own.gif';"
              "Element.prototype.setAttribute.call(v,'poster',ADS+'/p.gif?n=poster');"
              "Element.prototype.setAttribute.call(i,'srcset',ADS+'/p.gif?n=judged 2x');"
              "s.setAttributeNS(null,'src',STATS+'/v.mp4?n=source');s.setAttributeNS(null,'srcset','/own.png');"
              "v.append(s,i);document.body.append(v);</script>")
    open_page(page, sites("opt_in"), markup)
    page.wait_for_function("() => document.getElementById('source').hasAttribute('data-src')")
    held = page.evaluate("[['video', 'poster'], ['source', 'src'], ['source', 'srcset'], ['image', 'srcset'],"
                         " ['image', 'src']].map(([id, name]) => [document.getElementById(id).getAttribute(name),"
                         "  document.getElementById(id).getAttribute('data-' + name)])")
    assert held[0][0] is None and "n=poster" in held[0][1]
    assert held[1][0] is None and "n=source" in held[1][1]
    assert held[2] == ["/own.png", None]
    assert held[3][0] is None and "n=judged" in held[3][1]
    assert held[4][0].endswith("/own.gif") and held[4][1] is None


def test_the_queue_is_released_in_order(sites: Sites, page: Page) -> None:
    requested: list[str] = []
    steps = "".join(f"new Image().src=ADS+'/p.gif?n={n}';" for n in range(8))
    open_page(page, sites("opt_in"), f"<script>{HOSTS}{steps}</script>", requested)
    page.evaluate("consentkit.save({advertising: true})")
    page.wait_for_function("() => consentkit.allows('advertising')")
    settle(page, lambda: len(markers(requested)) >= 8)
    assert markers(requested) == [str(n) for n in range(8)]


def test_only_the_granted_category_is_released(sites: Sites, page: Page) -> None:
    requested: list[str] = []
    markup = f"<script>{HOSTS}new Image().src=ADS+'/p.gif?n=ads';new Image().src=STATS+'/a.js?n=stats';</script>"
    open_page(page, sites("opt_in"), markup, requested)
    page.evaluate("consentkit.save({analytics: true})")
    page.wait_for_function("() => consentkit.allows('analytics')")
    settle(page, lambda: "stats" in markers(requested))
    settle(page, seconds=0.5)
    hosts = {urlsplit(u).hostname for u in tracked(requested) if "n=" in u}
    assert hosts == {"analytics.localhost"}


def test_a_document_write_tag_activated_after_load_does_not_wipe_the_page(sites: Sites, page: Page) -> None:
    # A Floodlight-style tag, marked by the developer: it runs on consent, long after load.
    requested: list[str] = []
    floodlight = ('<script type="text/plain" data-consent="advertising">'
                  + HOSTS + "document.write('<iframe id=\"fl\" src=\"'+ADS+'/p.gif?n=floodlight\"></iframe>"
                  "<script>window.written=true<\\/script>')</script><p id=\"content\">Quote form</p>")
    open_page(page, sites("opt_in"), floodlight, requested)
    page.wait_for_load_state("load")
    page.click('[data-consentkit-action="accept-all"]')
    page.wait_for_function("() => window.written === true")
    expect(page.locator("#content")).to_have_text("Quote form")
    expect(page.locator("#consentkit")).to_have_count(1)
    expect(page.locator("iframe#fl")).to_have_count(1)
    settle(page, lambda: "floodlight" in markers(requested))
    assert "floodlight" in markers(requested)


def test_a_withdrawn_category_stays_gone_while_its_script_keeps_running(
    sites: Sites, new_context: Callable[..., BrowserContext]
) -> None:
    # Like Hotjar or Clarity: the script stays loaded and sets its cookie again every 100 ms.
    context = new_context()
    page = context.new_page()
    site = sites("opt_out")
    requested: list[str] = []
    stubborn = ("<script>" + HOSTS + "setInterval(function(){document.cookie='_ga=GA1.1.7;path=/';"
                "try{localStorage.setItem('ga_session','1')}catch(e){}"
                "if(window.pings!==undefined){window.pings++;new Image().src=STATS+'/a.js?n=ping'+window.pings}},100)"
                "</script>")
    open_page(page, site, stubborn, requested)
    page.wait_for_function("() => document.cookie.includes('_ga=') && localStorage.getItem('ga_session')")
    page.click('[data-consentkit-action="reject-all"]')
    page.wait_for_function("() => !consentkit.allows('analytics')")
    page.evaluate("window.pings = 0")
    page.wait_for_timeout(1000)
    assert "_ga=" not in page.evaluate("document.cookie")
    assert page.evaluate("localStorage.getItem('ga_session')") is None
    assert page.evaluate("window.pings") >= 5 and not [u for u in tracked(requested) if "n=ping" in u]
    # A cookie that survived anyhow (set while the page was away) is gone on the next page view.
    context.add_cookies([{"name": "_ga_OLD", "value": "1", "url": site.url}])
    page.goto(site.url + "/")
    page.wait_for_function("() => window.consentkit && window.consentkit.acceptAll")
    assert "_ga_OLD" not in page.evaluate("document.cookie")


SHIMMED = """<form id="quote"><button id="send">Send</button></form>
<script>
document.addEventListener('DOMContentLoaded', function () {
  consentkit.shim('grecaptcha', 'captcha', {ready: function (f) { f() }, execute: function () { return Promise.resolve('') }});
});
document.getElementById('quote').addEventListener('submit', function (e) {
  e.preventDefault();
  grecaptcha.ready(function () {
    grecaptcha.execute('site-key', {action: 'submit'}).then(function (token) {
      window.tokens = (window.tokens || []).concat([token]);
    });
  });
});
</script>"""
# reCAPTCHA's loader as Google writes it: it fills in the object it finds.
RECAPTCHA_STUB = ("(function(){var w=window,gr=w.grecaptcha=w.grecaptcha||{};"
                  "gr.ready=gr.ready||function(f){f()};gr.execute=function(){return Promise.resolve('real-token')}})();")


def test_a_vendor_api_called_before_consent_does_not_break_the_page(sites: Sites, page: Page) -> None:
    def stub(route: Route) -> None:
        route.fulfill(body=RECAPTCHA_STUB, content_type="text/javascript")

    page.route("https://www.google.com/recaptcha/**", stub)
    open_page(page, sites("opt_in"), SHIMMED)
    page.click("#send")
    page.wait_for_function("() => window.tokens && window.tokens.length === 1")
    assert page.evaluate("window.tokens") == [""]  # no token: the server's own checks apply
    page.evaluate("consentkit.save({captcha: true})")
    page.wait_for_function("() => typeof grecaptcha.execute === 'function' && consentkit.allows('captcha')")
    page.wait_for_function("() => document.querySelector('script[src*=\"recaptcha/api.js\"]')")
    page.wait_for_function("() => grecaptcha.execute.toString().includes('real-token')")
    page.click("#send")
    page.wait_for_function("() => window.tokens.length === 2")
    assert page.evaluate("window.tokens") == ["", "real-token"]


def test_a_shimmed_call_made_once_granted_waits_for_the_vendor(sites: Sites, page: Page) -> None:
    # Granted, the vendor not there yet: each call waits for it, then goes to it in order;
    # a vendor method that throws rejects the call; the vendor's object is the page's own.
    open_page(page, sites("opt_in"), "<p>shim</p>")
    page.evaluate("consentkit.save({captcha: true})")
    page.wait_for_function("() => consentkit.allows('captcha')")
    results = page.evaluate("""async () => {
      consentkit.shim('vendorApi', 'captcha', {twice: () => 'fallback', fail: () => 'fallback'});
      const twice = [vendorApi.twice(1), vendorApi.twice(2)];
      const fail = vendorApi.fail().then(() => 'resolved', (error) => error.message);
      const pending = await Promise.race([twice[0], new Promise((r) => setTimeout(() => r('pending'), 50))]);
      const vendor = {twice: (n) => n * 2, fail: () => { throw new Error('vendor failed'); }};
      window.vendorApi = vendor;
      const descriptor = Object.getOwnPropertyDescriptor(window, 'vendorApi');
      return {pending, answers: await Promise.all(twice), fail: await fail, own: window.vendorApi === vendor,
              writable: descriptor.writable, enumerable: descriptor.enumerable};
    }""")
    assert results == {"pending": "pending", "answers": [2, 4], "fail": "vendor failed", "own": True,
                       "writable": True, "enumerable": True}
