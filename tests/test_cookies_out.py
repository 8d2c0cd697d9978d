"""Set-Cookie policing: dropping cookies of categories without consent, and
expiring them on withdrawal, host-only, on the host and on its registrable domain."""

from __future__ import annotations

import http.cookiejar
import urllib.request
from datetime import UTC, datetime
from email.message import Message

import pytest

from consentkit import Category, Policy, Service
from consentkit.cookie_domains import cookie_domains
from consentkit.cookies_out import MAX_EXPIRY_HEADERS, cookie_name, expiry_headers, filter_set_cookies

from .kits import make_policy

POLICY = make_policy()
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def sc(value: str) -> tuple[bytes, bytes]:
    return (b"set-cookie", value.encode())


@pytest.mark.parametrize(
    ("value", "granted", "kept"),
    [
        ("_ga=GA1.1.123; Path=/; Max-Age=63072000", {}, False),
        ("_ga=GA1.1.123; Path=/; Max-Age=63072000", {"analytics": True}, True),
        ("_ga_ABC123=GS1.1; Path=/", {}, False),  # declared as _ga_*
        ("_gid=x", {"captcha": True, "advertising": True}, False),
        (" _gid =x", {}, False),
        ("_ads=1; Domain=example.com", {"analytics": True}, False),
        ("_ads=1; Domain=example.com", {"advertising": True}, True),
        ("_gax=1", {}, True),  # not declared: _ga is exact, _ga_* needs the underscore
        ("session=abc; HttpOnly", {}, True),
        ("consentkit=signed; HttpOnly; SameSite=Lax", {}, True),
        ("no-equals-sign", {}, True),
        # Deletions remove, they do not set: they pass.
        ("_ga=; Max-Age=0; Path=/", {}, True),
        ("_ga=; max-age=-1", {}, True),
        ("_ga=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", {}, True),
        ("_ga=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT", {}, False),  # Max-Age wins
        ("_ga=x; Max-Age=soon; Expires=Thu, 01 Jan 1970 00:00:00 GMT", {}, True),  # invalid Max-Age ignored
        ("_ga=x; Expires=Fri, 27 Nov 2026 12:00:00 GMT", {}, False),  # past, but only `now` knows
        ("_ga=x; Expires=not a date", {}, False),
    ],
)
def test_set_cookie_of_a_category_without_consent_is_dropped(value, granted, kept):
    headers = [(b"content-type", b"text/html"), sc(value), (b"x-after", b"1")]
    out = filter_set_cookies(headers, POLICY, granted)
    assert out == (headers if kept else [headers[0], headers[2]])


def test_expires_before_now_is_a_deletion_when_the_clock_is_given():
    value = "_ga=x; Expires=Fri, 27 Nov 2026 12:00:00 GMT"
    assert filter_set_cookies([sc(value)], POLICY, {}, now=NOW) == [sc(value)]
    future = "_ga=x; Expires=Sat, 28 Nov 2026 12:00:00 GMT"
    assert filter_set_cookies([sc(future)], POLICY, {}, now=NOW) == []


def test_filter_keeps_order_and_header_name_case():
    headers = [sc("a=1"), (b"Set-Cookie", b"_ga=1"), (b"vary", b"Cookie"), sc("_ads=2"), sc("b=2")]
    assert filter_set_cookies(headers, POLICY, {}) == [sc("a=1"), (b"vary", b"Cookie"), sc("b=2")]


def test_cookie_name():
    assert cookie_name(b"_ga=1; Path=/") == "_ga"
    assert cookie_name(b"  spaced  =1") == "spaced"
    assert cookie_name(b"nameless") == ""


@pytest.mark.parametrize(
    ("host", "domains"),
    [
        ("www.example.com", ["www.example.com", "example.com"]),
        ("example.com", ["example.com"]),
        ("a.b.example.com", ["a.b.example.com", "example.com"]),  # the host and its registrable domain only
        ("a." * 1200 + "localhost", []),  # 2.4 KB: longer than a host name can be
        ("a." * 100 + "example.com", ["a." * 100 + "example.com", "example.com"]),
        ("x" * 64 + ".example.com", []),  # a label longer than 63
        ("foo.herokuapp.com", ["foo.herokuapp.com"]),  # a private public suffix: never herokuapp.com
        ("herokuapp.com", []),  # itself a public suffix
        ("www.example.co.uk", ["www.example.co.uk", "example.co.uk"]),
        ("www.analytics.localhost", ["www.analytics.localhost", "analytics.localhost"]),
        ("WWW.Example.COM.", ["www.example.com", "example.com"]),
        ("www.example.com:8443", ["www.example.com", "example.com"]),
        ("www.shop.co.uk", ["www.shop.co.uk", "shop.co.uk"]),  # never co.uk (Public Suffix List)
        ("shop.com.au", ["shop.com.au"]),
        ("localhost", []),
        ("localhost:8000", []),
        ("intranet", []),
        ("127.0.0.1", []),
        ("127.0.0.1:8000", []),
        ("[::1]:8000", []),
        ("::1", []),
        ("evil.test\r\nSet-Cookie: x=1", []),  # a forged Host never reaches a header
        ("bad_host name.com", []),
        ("", []),
    ],
)
def test_cookie_domains(host, domains):
    assert cookie_domains(host) == domains


def test_a_configured_cookie_domain_replaces_the_hosts():
    assert cookie_domains("www.shop.example.com", "shop.example.com") == ["shop.example.com"]
    assert cookie_domains("a." * 1200 + "localhost", ".example.com") == ["example.com"]


def test_expiry_headers_for_www_host():
    values = expiry_headers(POLICY, ["analytics"], ["_ga", "_ga_XYZ", "theme"], "www.example.com", secure=True)
    text = [v.decode() for v in values]
    for name in ("_ga", "_gid", "_ga_XYZ"):  # declared names, and the request's cookies matching _ga_*
        variants = [t for t in text if t.startswith(name + "=;")]
        assert len(variants) == 3, variants
        assert sum("Domain=" not in t for t in variants) == 1  # host-only
        assert any(t.endswith("; Domain=example.com") for t in variants)
        assert any(t.endswith("; Domain=www.example.com") for t in variants)
        for t in variants:
            assert "Max-Age=0" in t and "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in t and "Path=/" in t
            assert "Secure" in t
    assert not any(t.startswith("theme=") for t in text)


@pytest.mark.parametrize(
    ("withdrawn", "host", "secure", "expected"),
    [
        (["advertising"], "example.com", False, [
            b"_ads=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
            b"_ads=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=example.com",
        ]),
        (["advertising"], "localhost:8000", True, [
            b"_ads=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure",
        ]),
        (["necessary"], "example.com", False, []),
        (["unknown"], "example.com", False, []),
        (["captcha"], "example.com", False, []),  # declares no cookies
    ],
)
def test_expiry_headers_exact(withdrawn, host, secure, expected):
    assert expiry_headers(POLICY, withdrawn, [], host, secure=secure) == expected


def test_request_cookie_names_that_could_forge_a_header_are_skipped():
    values = expiry_headers(POLICY, ["analytics"], ["_ga_x\r\nSet-Cookie: evil=1", "_ga_ok"], "localhost", secure=False)
    assert sorted(v.split(b"=")[0] for v in values) == [b"_ga", b"_ga_ok", b"_gid"]
    assert all(b"\r" not in v and b"\n" not in v for v in values)


def test_host_prefixed_cookie_has_no_domain_and_is_secure():
    policy = Policy("1", [Category("necessary", required=True),
                          Category("analytics", services=[Service("s", cookies={"__Host-id": "1 year"})])])
    values = expiry_headers(policy, ["analytics"], [], "www.example.com", secure=False)
    assert values == [b"__Host-id=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure"]


class _Response:
    def __init__(self, values: list[bytes]) -> None:
        self._headers = Message()
        for value in values:
            self._headers["Set-Cookie"] = value.decode("latin-1")

    def info(self) -> Message:
        return self._headers


def _jar_with(cookies: list[tuple[str, str]]) -> http.cookiejar.CookieJar:
    jar = http.cookiejar.CookieJar()
    for name, domain in cookies:
        jar.set_cookie(http.cookiejar.Cookie(
            0, name, "v", None, False, domain, True, domain.startswith("."), "/", True, False, None, False, None,
            None, {},
        ))
    return jar


def test_a_real_cookie_jar_loses_the_withdrawn_cookies_on_every_domain():
    # Cookies as a vendor script sets them: on the registrable domain and host-only.
    jar = _jar_with([("_ga", ".example.com"), ("_ga_XYZ", ".example.com"), ("_gid", "www.example.com"),
                     ("theme", "www.example.com")])
    values = expiry_headers(POLICY, ["analytics"], ["_ga", "_ga_XYZ", "_gid", "theme"], "www.example.com",
                            secure=False)
    request = urllib.request.Request("http://www.example.com/")
    jar.extract_cookies(_Response(values), request)  # type: ignore[arg-type]
    assert sorted(c.name for c in jar) == ["theme"]


def test_thousands_of_matching_cookies_are_not_amplified():
    names = [f"_ga_{i}" for i in range(3000)]
    values = expiry_headers(make_policy(), {"analytics"}, names, "www.example.com", secure=True)
    assert len(values) <= MAX_EXPIRY_HEADERS
    expired = [v.split(b"=", 1)[0] for v in values]
    assert expired[:6] == [b"_ga"] * 3 + [b"_gid"] * 3  # declared names come first
    assert len(values) % 3 == 0  # a name is expired on all its domains, or not at all


def test_the_issue_13_host_and_jar_give_at_most_the_cap():
    """H1 as reported: 1,200 labels of Host and 250 matching cookies gave 161,000 headers."""
    names = [f"_ga_{i}" for i in range(250)]
    values = expiry_headers(make_policy(), {"analytics", "advertising"}, names, "a." * 1200 + "localhost",
                            secure=False)
    assert 0 < len(values) <= MAX_EXPIRY_HEADERS
    assert not any(b"Domain=" in v for v in values)  # an invalid Host: host-only expiry, nothing from the header


def test_denied_categories_expire_only_what_the_request_carries():
    values = expiry_headers(POLICY, [], ["_ga", "_ga_X", "_ads", "theme"], "example.com", secure=False,
                            denied={"analytics"})
    assert sorted({v.split(b"=", 1)[0] for v in values}) == [b"_ga", b"_ga_X"]  # not _gid, not _ads
    assert expiry_headers(POLICY, [], ["theme"], "example.com", secure=False, denied={"analytics"}) == []


@pytest.mark.parametrize(
    ("expires", "deletes"),
    [
        ("Thu, 01 Jan 1970 00:00:00 GMT", True),
        ("Thu, 01 Jan 70 00:00:00 GMT", True),  # 70-99: 19xx
        ("Wed, 01 Jan 69 00:00:00 GMT", False),  # 0-69: 20xx, as browsers read it (2069)
        ("Thu, 01 Jan 1970 00:00 GMT", False),  # no seconds: browsers ignore the attribute (a session cookie)
        ("Thu, 01-Jan-1970 00:00:00 GMT", True),
        ("1 jan 1970 00:00:00", True),
        ("Thu, 31 Feb 1970 00:00:00 GMT", False),  # no such day
        ("Thu, 01 Jan 1600 00:00:00 GMT", False),  # before 1601
        ("Thu, 01 Jan 1970 24:00:00 GMT", False),
    ],
)
def test_an_expiry_counts_as_a_deletion_only_as_rfc_6265_reads_it(expires, deletes):
    """L2: the filter agrees with the browser's date parser (RFC 6265 5.1.1)."""
    value = f"_ga=GA1.1.1; Path=/; Expires={expires}"
    assert (filter_set_cookies([sc(value)], POLICY, {}, now=NOW) == [sc(value)]) is deletes


def test_a_cookie_chromium_would_keep_never_passes_as_a_deletion():
    from consentkit.cookie_dates import parse_cookie_date

    assert parse_cookie_date(b"Wed, 01 Jan 69 00:00:00 GMT") == datetime(2069, 1, 1, tzinfo=UTC)
    assert parse_cookie_date(b"Thu, 01 Jan 1970 00:00 GMT") is None
