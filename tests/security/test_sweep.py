"""A hostile-input sweep of every route the app serves, straight through ASGI: each
method on each ``/consentkit/*`` route (and the admin console's), with random and
hostile queries, forms, JSON bodies and headers (edge geo headers, Cookie, Origin,
Sec-GPC, Accept-Language, Host, X-Forwarded-For). Whatever comes in:

- the answer is never a 5xx;
- the answer is no bigger than the route's plain answer plus a small multiple of the request;
- a 4xx changes nothing (no ledger record, no consent cookie);
- no log line carries the client's IP address or an e-mail address sent in.

The admin console answers an unauthenticated request on any of its routes with
nothing but its login (a 303 to the login page, or a bare 401).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit import Admin, ConsentKit, Policy, Region
from consentkit.admin import create_user
from consentkit.admin.console import ROUTES as ADMIN_ROUTES
from consentkit.cookie import COOKIE_NAME
from consentkit.routing import ROUTES
from tests.apps import make_app
from tests.kits import SECRET, Clock, make_policy

from .exchange import SITE, Answer, assert_clean_headers, exchange

IP = "203.0.113.77"
EMAIL = "victim.sweep@example.test"
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
GEO = [b"cloudfront-viewer-country", b"cloudfront-viewer-country-region"]
# The fixed part an answer may have on top of its route's plain answer, and the
# multiple of the request it may add (an error page quoting what was sent, escaped).
SLACK = 8192
MULTIPLE = 8


def _policy() -> Policy:
    base = make_policy("opt_out", age_gate=True)
    return Policy(base.version, base.categories, mode="opt_out", age_gate=True, controller=base.controller,
                  regions=[Region("EU", mode="opt_in"), Region("US-CA"), Region("US-CO")])


def _kit() -> ConsentKit:
    return ConsentKit(_policy(), secret_keys=[SECRET], store="memory://", clock=Clock(), region_source="cloudfront")


def _paths() -> list[str]:
    """Every route's path; a wildcard route with a few tails."""
    found: set[str] = {"/.well-known/gpc.json"}
    for _, name in ROUTES:
        if name.endswith("/*"):
            for tail in ("x", "0" * 40, "..%2f..%2fetc", "a/b/c", "%00", "é"):
                found.add(f"/consentkit/{name[:-1]}{tail}")
        else:
            found.add(f"/consentkit/{name}")
    return sorted(found)


PATHS = _paths()

text = st.text(max_size=40)
hostile_text = st.sampled_from([
    "", "\x00", "\r\nX-Injected: 1", "<script>alert(1)</script>", "../../etc/passwd", "A" * 3000, "%ff%fe",
    "\ud800", "-1", "1e400", "NaN", "[]", "{}", "null", "true", EMAIL, IP, "US", "US-CO", "EU", "XX", "FR",
    "__proto__", "analytics", "web-analytics", "on", "1", "0", "2000-01-01", "1900-13-45",
]) | text
header_value = st.binary(max_size=60) | hostile_text.map(lambda s: s.encode("utf-8", "surrogatepass"))
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
KEYS = ["choices", "services", "age_band", "source", "gpc", "sale_opt_in", "parent_email", "email", "kind",
        "name", "birth_date", "confirm", "token", "code", "service", "region", "csrf", "limit", "id"]
json_body = st.dictionaries(st.sampled_from(KEYS) | hostile_text, json_value, max_size=5).map(
    lambda d: json.dumps(d).encode())
form_body = st.dictionaries(st.sampled_from(KEYS) | hostile_text, hostile_text, max_size=5).map(
    lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "surrogatepass"))
query = st.dictionaries(st.sampled_from(KEYS) | hostile_text, hostile_text, max_size=4).map(
    lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "surrogatepass"))
headers = st.lists(st.tuples(st.sampled_from([
    *GEO, b"cookie", b"origin", b"sec-gpc", b"accept-language", b"host", b"x-forwarded-for", b"referer",
    b"content-type", b"accept",
]), header_value), max_size=6)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _logged(app, *args, **kw) -> tuple[Answer, list[str]]:  # type: ignore[no-untyped-def]
    handler = _Lines()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        answer = asyncio.run(exchange(app, *args, **kw))
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    return answer, handler.lines


_PLAIN: dict[tuple[str, str], int] = {}


def _plain_size(method: str, path: str) -> int:
    key = (method, path)
    if key not in _PLAIN:
        kit = _kit()
        answer = asyncio.run(exchange(make_app(kit), method, path, headers=[(b"origin", SITE.encode())]))
        _PLAIN[key] = len(answer.body)
    return _PLAIN[key]


async def _records(kit: ConsentKit) -> int:
    return len([r async for r in kit.ledger.store.iter_records()])


def _check(kit: ConsentKit, method: str, path: str, q: bytes, hs: list[tuple[bytes, bytes]], body: bytes) -> None:
    app = make_app(kit)
    before = asyncio.run(_records(kit))
    hs = [(n, v.replace(b"@@IP@@", IP.encode())) for n, v in hs]
    hs.append((b"x-forwarded-for", IP.encode()))
    answer, lines = _logged(app, method, path, query=q, headers=hs, body=body)
    sent = len(path) + len(q) + len(body) + sum(len(n) + len(v) for n, v in hs)
    assert answer.status < 500, (answer.status, answer.body[:300])
    assert_clean_headers(answer)
    limit = _plain_size(method, path) + SLACK + MULTIPLE * sent
    assert len(answer.body) <= limit, f"{len(answer.body)} B answer to {sent} B"
    if 400 <= answer.status < 500:
        assert asyncio.run(_records(kit)) == before
        consent = [v for v in answer.all(b"set-cookie") if v.startswith(COOKIE_NAME.encode() + b"=")]
        assert not [v for v in consent if b"max-age=0" not in v.lower() and b"expires=thu, 01 jan 1970" not in v.lower()]
    for line in lines:
        assert IP not in line and "127.0.0.1" not in line, line
        assert EMAIL not in line, line


SETTINGS = settings(max_examples=int(os.environ.get("SWEEP_EXAMPLES", "300")), deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(method=st.sampled_from(METHODS), path=st.sampled_from(PATHS), q=query, hs=headers,
       body=st.one_of(json_body, form_body, st.binary(max_size=200)),
       kind=st.sampled_from([b"application/json", b"application/x-www-form-urlencoded", b"text/plain", b""]),
       same_site=st.booleans())
def test_every_route_survives_hostile_input(method, path, q, hs, body, kind, same_site) -> None:  # type: ignore[no-untyped-def]
    extra = [(b"content-type", kind)] if kind else []
    if same_site:
        extra.append((b"origin", SITE.encode()))
    _check(_kit(), method, path, q, [*extra, *hs], body)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_each_route_takes_a_hostile_classic(method: str, path: str) -> None:
    """Every route once with the same fixed worst case: geo headers of junk, a
    100-cookie header, an e-mail and an IP in the query and the body."""
    hs = [(b"content-type", b"application/json"), (b"origin", SITE.encode()),
          (GEO[0], b"U\x00S"), (GEO[1], b"C\r\nO"), (b"sec-gpc", b"1, 1"), (b"accept-language", b"*;q=NaN," * 50),
          (b"cookie", b"; ".join(b"c%d=%s" % (n, EMAIL.encode()) for n in range(100)))]
    body = json.dumps({k: EMAIL for k in KEYS}).encode()
    _check(_kit(), method, path, f"email={EMAIL}&ip={IP}&service=x&next=//evil".encode(), hs, body)


# -- the admin console: nothing but its login to a stranger ----------------------------

_USERS: dict[str, bytes] = {}


def _admin_kit(tmp_path: Path) -> ConsentKit:
    users = tmp_path / "admin-users.json"
    if "file" not in _USERS:
        create_user(users, "ana", "correct horse battery", role="viewer")
        _USERS["file"] = users.read_bytes()
    users.write_bytes(_USERS["file"])
    return ConsentKit(_policy(), secret_keys=[SECRET], store="memory://", clock=Clock(), region_source="cloudfront",
                      admin=Admin(users=users))


def _admin_paths() -> list[tuple[str, str]]:
    found = []
    for method, name in ADMIN_ROUTES:
        name = name[:-1] + "x" if name.endswith("/*") else name
        found.append((method, "/consentkit/admin" + (f"/{name}" if name else "")))
    return sorted(found)


@pytest.mark.parametrize(("method", "path"), _admin_paths())
def test_the_console_shows_a_stranger_only_its_login(tmp_path: Path, method: str, path: str) -> None:
    kit = _admin_kit(tmp_path)
    forged = [(b"cookie", b"consentkit_admin=forged; consentkit_session=x"), (b"origin", SITE.encode()),
              (b"content-type", b"application/x-www-form-urlencoded")]
    for verb in {method, "HEAD" if method == "GET" else "GET"}:
        answer = asyncio.run(exchange(make_app(kit), verb, path, headers=forged, body=b"csrf=x&name=ana"))
        if verb in ("GET", "HEAD"):
            assert answer.status == 303, (verb, path, answer.status)
            assert answer.header(b"location").startswith(b"/consentkit/admin/login?next=")  # type: ignore[union-attr]
            assert answer.body == b""
        else:
            assert answer.status == 401, (verb, path, answer.status)
            assert answer.body == b"authentication required\n"


ADMIN_PATHS = sorted({p for _, p in _admin_paths()} | {"/consentkit/admin/login", "/consentkit/admin/static/../x"})


@SETTINGS
@given(method=st.sampled_from(METHODS), path=st.sampled_from(ADMIN_PATHS), q=query, hs=headers,
       body=st.one_of(form_body, json_body, st.binary(max_size=200)),
       kind=st.sampled_from([b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x", b""]),
       same_site=st.booleans())
def test_the_console_survives_hostile_input(method, path, q, hs, body, kind, same_site) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    extra = [(b"content-type", kind)] if kind else []
    if same_site:
        extra.append((b"origin", SITE.encode()))
    with tempfile.TemporaryDirectory() as folder:
        _check(_admin_kit(Path(folder)), method, path, q, [*extra, *hs], body)
