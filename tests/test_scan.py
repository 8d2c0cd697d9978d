"""``consentkit scan``: the judgement of what a visit saw (pure, a table), and real
scans in Chromium of the demo (clean) and of two bad sites (caught, culprit named)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy, Service
from consentkit.commands import scan as scan_command
from consentkit.scan import (
    Finding,
    ScanError,
    ScanReport,
    SeenCookie,
    SeenRequest,
    VisitResult,
    config_lists_hosts,
    granted_on,
    judge,
    policy_from_config,
    problems,
    scan,
    see_cookie,
    see_request,
    to_html,
    to_text,
)
from consentkit.testing import launch_options, serve
from demo_site import create_app, load_policy
from demo_site.app import POLICY_FILE

SECRET = "scan-test-secret-0123456789abcdef"
# The demo's real Google tags cannot load offline; failing their DNS at once keeps
# the scan quick. The browser still issues the requests, so the scan still sees them.
OFFLINE = "--host-resolver-rules=" + ", ".join(
    f"MAP {host} ~NOTFOUND" for host in ("www.googletagmanager.com", "www.google.com", "www.gstatic.com")
)


SHOP_POLICY = """
version = "2026-11-01"
mode = "opt_in"
[[categories]]
id = "necessary"
required = true
[[categories]]
id = "analytics"
  [[categories.services]]
  id = "web-analytics"
  vendor = "Example Analytics"
  hosts = ["analytics.localhost"]
  cookies = { _ga = "2 years" }
"""


def fast_launch() -> dict[str, object]:
    options = launch_options()
    options["args"] = [*options["args"], OFFLINE]
    return options


def policy(mode: str = "opt_in") -> Policy:
    return Policy("2026-11-01", [
        Category("necessary", required=True, services=[Service("site", hosts=["cdn.localhost"])]),
        Category("analytics", services=[
            Service("web-analytics", vendor="Example Analytics", hosts=["analytics.localhost"],
                    cookies={"_ga": "2 years", "_ga_*": "2 years"}),
        ]),
        Category("advertising", sale_or_sharing=True, services=[
            Service("ads", vendor="Example Ads", hosts=["ads.localhost"], cookies={"_ads": "13 months"}),
        ]),
    ], mode=mode)


# -- the judgement, without a browser ------------------------------------------------

SITE = "shop.localhost"


def cookie(name: str, domain: str = SITE) -> SeenCookie:
    return see_cookie(policy(), SITE, {"name": name, "domain": domain, "path": "/", "expires": -1})


def request(url: str) -> SeenRequest:
    seen = see_request(policy(), SITE, url, "script")
    assert seen is not None
    return seen


@pytest.mark.parametrize(
    ("visit", "cookies", "urls", "before", "expected"),
    [
        ("no-choice", ["consentkit", "usprivacy"], ["http://cdn.localhost/app.js"], [], []),
        ("no-choice", ["_ga"], [], [], [("set-before-consent", "_ga")]),
        ("no-choice", [], ["http://analytics.localhost/a.js"], [],
         [("loaded-before-consent", "http://analytics.localhost/a.js")]),
        ("no-choice", ["_fbp"], [], [], [("undeclared-cookie", "_fbp")]),
        ("no-choice", [], ["https://tracker.test/t.js", "https://tracker.test/u.js"], [],
         [("undeclared-host", "https://tracker.test/t.js")]),
        ("accept-all", ["_ga", "_ads"], ["http://analytics.localhost/a.js", "http://ads.localhost/p.gif"], [], []),
        ("reject-all", ["_ga"], [], [], [("set-after-reject", "_ga")]),
        ("reject-all", ["_ga"], [], ["_ga"], [("set-after-reject", "_ga")]),  # first-party, not expired
        ("reject-all", [], ["http://ads.localhost/p.gif"], [], [("loaded-after-reject", "http://ads.localhost/p.gif")]),
    ],
)
def test_judge(visit, cookies, urls, before, expected):
    result = VisitResult(visit, "test", granted_on(policy(), visit), tuple(cookie(n) for n in cookies),
                         tuple(request(u) for u in urls))
    found = judge(result, [cookie(n) for n in before])
    assert [(f.kind, f.subject) for f in found] == expected
    assert all(f.visit == visit for f in found)


def test_a_third_party_cookie_left_from_before_reject_is_not_the_sites_fault():
    ads = cookie("_ads", domain="ads.localhost")
    result = VisitResult("reject-all", "test", granted_on(policy(), "reject-all"), (ads,), ())
    assert judge(result, [ads]) == []
    assert judge(result, []) != []  # but set again after the reject, it is


def test_what_each_visit_may_use_follows_the_mode():
    assert granted_on(policy("opt_in"), "no-choice") == ("necessary",)
    assert granted_on(policy("opt_out"), "no-choice") == ("necessary", "analytics", "advertising")
    assert granted_on(policy("opt_out"), "reject-all") == ("necessary",)
    assert granted_on(policy("opt_in"), "accept-all") == ("necessary", "analytics", "advertising")


def test_requests_to_the_site_itself_are_not_third_party():
    assert see_request(policy(), SITE, "http://shop.localhost/static/app.js", "script") is None
    assert see_request(policy(), SITE, "data:image/gif;base64,R0lGOD", "image") is None
    ads = see_request(policy(), SITE, "http://ads.localhost:8000/p.gif", "image")
    assert ads is not None and ads.category == "advertising" and ads.vendor == "Example Ads"


def test_the_policy_from_the_page_config_block():
    config = {"prefix": "/consentkit", "mode": "opt_in", "categories": [
        {"id": "necessary", "required": True, "services": []},
        {"id": "analytics", "services": [{"id": "ga", "vendor": "Google", "hosts": ["www.googletagmanager.com"],
                                          "cookies": [{"name": "_ga", "lifetime": "2 years"}]}]},
    ]}
    found = policy_from_config(config, {"policy_version": "2026-11-01"})
    assert found.mode == "opt_in" and found.version == "2026-11-01"
    assert found.category_for_cookie("_ga") == "analytics"
    assert found.category_for_url("https://www.googletagmanager.com/gtag/js") == "analytics"
    with pytest.raises(ScanError, match="not a policy"):
        policy_from_config({"categories": [{"services": []}]})


def test_a_config_without_hosts_is_noticed():
    assert not config_lists_hosts({"categories": [{"id": "analytics", "services": [{"id": "ga"}]}]})
    assert config_lists_hosts({"categories": [{"id": "analytics", "services": [{"id": "ga", "hosts": []}]}]})
    unknown = VisitResult("no-choice", "test", ("necessary",), (), (request("https://tracker.test/t.js"),))
    assert judge(unknown, hosts_known=False) == []


def test_reports_escape_what_the_site_named():
    evil = '<script>alert("x")</script>'
    report = ScanReport(
        url=f"http://shop.localhost/?q={evil}", policy_source="test", mode="opt_in", scanned_at="2026-11-27T13:00:00Z",
        visits=(VisitResult("no-choice", "made no choice", ("necessary",), (), ()),),
        findings=(Finding("no-choice", "undeclared-host", f"https://t.test/{evil}", None, "request to t.test"),),
    )
    html = to_html(report)
    assert evil not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script" not in html  # self-contained and static
    assert "FAIL: 1 violation(s)" in html and "FAIL: 1 problem(s)" in to_text(report)
    assert "<h2>Problems and fixes</h2>" in html and "Fix: add host t.test to the category" in html


def test_one_problem_per_host_or_cookie_with_its_fix():
    """Findings of several visits and pages fold into one problem each; the fix names
    the category when one declares the host's domain or the cookie's family."""
    pol = policy("opt_in")
    seen = [
        Finding("no-choice", "undeclared-host", "https://region1.analytics.localhost/g", None, "request"),
        Finding("accept-all", "undeclared-host", "https://region1.analytics.localhost/h", None, "request"),
        Finding("no-choice", "set-before-consent", "_ga", "analytics", "cookie"),
        Finding("reject-all", "set-after-reject", "_ga", "analytics", "cookie"),
        Finding("accept-all", "undeclared-cookie", "_ga_XYZ", None, "cookie"),
        Finding("no-choice", "loaded-before-consent", "http://analytics.localhost/a.js", "analytics", "early"),
        Finding("accept-all", "undeclared-host", "https://later.test/x.js", None, "request"),
    ]
    reports = [ScanReport(f"http://shop.localhost/{n}", "test", "opt_in", "now", (), tuple(seen)) for n in (1, 2)]
    found = {(p.kind, p.subject): p for p in problems(reports, pol)}
    assert len(found) == 5
    host = found["undeclared-host", "region1.analytics.localhost"]
    assert host.visits == ("no-choice", "accept-all") and len(host.pages) == 2
    assert host.fix.startswith("add host region1.analytics.localhost to category analytics")
    assert found["set-before-consent", "_ga"].visits == ("no-choice", "reject-all")
    assert found["undeclared-cookie", "_ga_XYZ"].fix == "declare cookie _ga_XYZ in category analytics (beside its family)"
    assert 'data-consent="analytics"' in found["loaded-before-consent", "analytics.localhost"].fix
    assert "it loaded only after" in found["undeclared-host", "later.test"].fix


def test_a_hosts_kin_is_found_by_its_registrable_domain():
    """Kin hosts share a registrable domain by the Public Suffix List: two sites under
    co.uk are strangers, two hosts of one site under co.uk are kin."""
    pol = Policy("2026-11-01", [
        Category("necessary", required=True),
        Category("advertising", sale_or_sharing=True, services=[Service("ads", hosts=["px.ads.example.co.uk"])]),
    ])
    seen = [Finding("no-choice", "undeclared-host", f"https://{host}/p.gif", None, "request")
            for host in ("cdn.stranger.co.uk", "img.example.co.uk")]
    report = ScanReport("http://shop.localhost/", "test", "opt_in", "now", (), tuple(seen))
    found = {p.subject: p for p in problems([report], pol)}
    assert found["img.example.co.uk"].fix.startswith("add host img.example.co.uk to category advertising")
    assert "category advertising" not in found["cdn.stranger.co.uk"].fix


def test_usage_errors_exit_2(tmp_path, capsys):
    assert scan_command.main(["ftp://example.test/"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    bad = tmp_path / "policy.toml"
    bad.write_text('version = "1"\n[[categories]]\nid = "analytics"\n')
    assert scan_command.main(["http://localhost:1/", "--policy", str(bad)]) == 2
    assert "necessary" in capsys.readouterr().err
    assert scan_command.main([]) == 2
    assert "nothing to scan: name a URL or a sitemap" in capsys.readouterr().err
    missing = tmp_path / "no-sitemap.xml"
    assert scan_command.main(["--sitemap", str(missing)]) == 2
    assert "could not read the sitemap" in capsys.readouterr().err
    not_xml = tmp_path / "sitemap.xml"
    not_xml.write_text("<urlset><url><loc>http://a.test/</loc></url>")
    assert scan_command.main(["--sitemap", str(not_xml)]) == 2
    assert "is not XML" in capsys.readouterr().err


# -- real scans ----------------------------------------------------------------------


def bad_site(kind: str) -> Starlette:
    """A site that gets one thing wrong: an undeclared tracker, or an analytics
    cookie set from an ungated first-party script before any consent. (In a frame of
    its own, after the page has loaded: the widget's runtime guard refuses that cookie
    in the page itself, and removes it when the page loads.)"""
    kit = ConsentKit(Policy.from_dict(tomllib.loads(SHOP_POLICY)), secret_keys=[SECRET], store="memory://")

    async def home(request: Request) -> HTMLResponse:
        port = request.url.port
        culprit = {
            "tracker": f'<script src="http://tracker.localhost:{port}/t.js"></script>',
            "cookie": '<iframe srcdoc="<script>parent.addEventListener(\'load\', () => { '
                      'document.cookie = \'_ga=GA1.1.99.1; path=/\' })</script>"></iframe>',
        }[kind]
        return HTMLResponse(f"""<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<h1>Shop</h1>{culprit}
<script type="text/plain" data-consent="analytics" src="http://analytics.localhost:{port}/a.js"></script>
</body></html>""")

    async def script(request: Request) -> Response:
        return Response("window.loaded = true;", media_type="text/javascript")

    async def sets_ga(request: Request) -> Response:
        return Response("document.cookie = '_ga=GA1.1.99.1; path=/';", media_type="text/javascript")

    routes = [Route("/", home), Route("/t.js", script), Route("/a.js", script), Route("/sets-ga.js", sets_ga)]
    return Starlette(routes=routes, middleware=[Middleware(ConsentMiddleware, kit=kit)])


@pytest.fixture(scope="module")
def bad_sites() -> Iterator[dict[str, str]]:
    with serve(bad_site("tracker"), public_host="shop.localhost") as tracker, \
            serve(bad_site("cookie"), public_host="shop.localhost") as cookie_site:
        yield {"tracker": tracker.url + "/", "cookie": cookie_site.url + "/"}


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
def test_the_demo_passes(tmp_path, mode):
    app = create_app(f"sqlite:///{tmp_path / 'ledger.db'}", mode=mode, secret_keys=[SECRET])
    with serve(app, public_host="localhost") as server:
        report = scan(server.url + "/", load_policy(mode), launch=fast_launch())
    assert report.ok, to_text(report)
    visits = {v.name: v for v in report.visits}
    assert list(visits) == ["no-choice", "reject-all", "accept-all"]
    accepted = {r.host for r in visits["accept-all"].requests}
    assert {"analytics.localhost", "pixel.localhost", "www.googletagmanager.com"} <= accepted
    assert "_ga" in {c.name for c in visits["accept-all"].cookies}
    assert visits["reject-all"].requests == ()
    assert "clicked the banner" in visits["reject-all"].how  # the widget's own button was used
    if mode == "opt_in":
        assert visits["no-choice"].requests == ()


@pytest.mark.browser
def test_an_undeclared_tracker_fails_the_scan_and_is_named(bad_sites, tmp_path, capsys):
    report_file = tmp_path / "report.html"
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(SHOP_POLICY)
    status = scan_command.main([bad_sites["tracker"], "--policy", str(policy_file), "--json", "--html",
                                str(report_file)])
    assert status == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    undeclared = [f for f in data["findings"] if f["kind"] == "undeclared-host"]
    assert undeclared and all("tracker.localhost" in f["subject"] for f in undeclared), data["findings"]
    assert len(undeclared) == len(data["findings"])  # the declared, gated analytics script is no culprit
    assert {f["visit"] for f in undeclared} == {"no-choice", "reject-all", "accept-all"}
    html = report_file.read_text()
    assert "FAIL" in html and "tracker.localhost" in html and "Undeclared third-party host" in html


@pytest.mark.browser
def test_an_analytics_cookie_before_consent_fails_the_scan_and_is_named(bad_sites, capsys):
    status = scan_command.main([bad_sites["cookie"]])
    out = capsys.readouterr().out
    assert status == 1
    verdict = out.split("FAIL")[1]
    # One line for the cookie, whichever visits showed it, with the fix.
    assert "Cookie set before consent: _ga (visits: no-choice, reject-all) - fix: set cookie _ga only once " \
           "analytics is granted" in verdict
    assert verdict.count("_ga (") == 1 and verdict.startswith(": 1 problem(s):")
    # The gated analytics script stayed inert until accepted: no other finding.
    assert "analytics.localhost" not in verdict


@pytest.mark.browser
def test_the_policy_file_can_stand_in_for_the_page_config(tmp_path, capsys):
    app = create_app("memory://", secret_keys=[SECRET])
    with serve(app, public_host="localhost") as server:
        status = scan_command.main([server.url + "/", "--policy", str(POLICY_FILE), "--timeout", "20"])
    out = capsys.readouterr().out
    assert "policy from the policy file" in out and "(opt_out mode;" in out
    assert status == 0, out


@pytest.mark.browser
def test_an_unreachable_site_is_a_usage_error(capsys):
    with serve(bad_site("tracker")) as server:
        url = server.url + "/"
    assert scan_command.main([url, "--timeout", "5"]) == 2
    assert "could not load" in capsys.readouterr().err


def test_scan_imports_playwright_only_when_it_runs():
    import consentkit.scan as scan_package

    package = Path(scan_package.__file__ or "").parent
    for path in (*package.glob("*.py"), Path(scan_command.__file__ or "")):
        source = path.read_text()
        assert "\nfrom playwright" not in source and "\nimport playwright" not in source
