"""No response grows beyond a small multiple of its request (issue 13, H1).

A withdrawal expires the withdrawn categories' cookies, and every page view the
denied ones the request still carries: on the host and its registrable domain
only, never on every parent of a ``Host`` the client chose, and never more than
``MAX_EXPIRY_HEADERS`` headers. Checked for any Host and any cookie jar, on the two
requests that expire cookies: the POST that withdraws, and a ``Sec-GPC: 1`` page
view of a new visitor in ``opt_out`` mode.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit import ConsentKit
from consentkit.cookies_out import MAX_EXPIRY_HEADERS
from tests.apps import make_app
from tests.kits import SECRET, Clock, make_policy

from .exchange import Answer, assert_clean_headers, exchange
from .test_requests import _consent_cookie

# The bound: what the response may add beyond a multiple of what the request sent
# (the consent cookie itself, Vary, Content-Type, and MAX_EXPIRY_HEADERS expiries of
# names up to 256 bytes on domains up to 253).
MULTIPLE = 4
ALLOWANCE = 16 * 1024
WITHDRAW = b'{"choices": {"analytics": false, "advertising": false, "captcha": false}, "source": "banner"}'

label = st.from_regex(r"[a-z0-9]{1,4}", fullmatch=True)
hosts = st.one_of(
    st.lists(label, min_size=1, max_size=400).map(lambda labels: ".".join(labels) + ".localhost"),
    st.lists(label, min_size=1, max_size=60).map(lambda labels: ".".join(labels) + ".example.co.uk"),
    st.binary(max_size=600),
    st.sampled_from([b"a." * 1200 + b"localhost", b"testserver", b"[::1]:8000", b"127.0.0.1", b"", b"x" * 9000]),
).map(lambda host: host if isinstance(host, bytes) else host.encode())
cookie_names = st.one_of(
    st.sampled_from(["_ga_", "_ads", "_gid", "_ga", "theme_", "__Host-_ga_"]).flatmap(
        lambda prefix: st.from_regex(r"[A-Za-z0-9]{0,12}", fullmatch=True).map(lambda tail: prefix + tail)),
    st.from_regex(r"_ga_[!#$%&'*+.^_`|~0-9A-Za-z-]{200,300}", fullmatch=True),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters=";="), max_size=20),
)
jars = st.lists(st.tuples(cookie_names, st.sampled_from(["1", "GA1.1.1", ""])), max_size=300)


def _request_bytes(method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    line = len(method) + len(path) + len(" HTTP/1.1\r\n") + 1
    return line + sum(len(n) + len(v) + 4 for n, v in headers) + 2 + len(body)


def _response_header_bytes(answer: Answer) -> int:
    return len("HTTP/1.1 200 OK\r\n") + sum(len(n) + len(v) + 4 for n, v in answer.headers) + 2


def _check(kit: ConsentKit, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    answer = asyncio.run(exchange(make_app(kit), method, path, headers=headers, body=body))
    assert answer.status < 500
    sent = _request_bytes(method, path, headers, body)
    got = _response_header_bytes(answer)
    assert got <= MULTIPLE * sent + ALLOWANCE, f"{got} header bytes for a request of {sent}"
    expiries = [v for v in answer.all(b"set-cookie") if b"Max-Age=0" in v]
    assert len(expiries) <= MAX_EXPIRY_HEADERS
    assert_clean_headers(answer)


def _jar(pairs: list[tuple[str, str]], *extra: str) -> bytes:
    return "; ".join([f"{name}={value}" for name, value in pairs] + list(extra)).encode("latin-1")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(host=hosts, jar=jars)
def test_a_withdrawal_answers_within_a_multiple_of_the_request(host: bytes, jar: list[tuple[str, str]]) -> None:
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())
    granting = _consent_cookie(kit, analytics=True, advertising=True, captcha=True)
    headers = [(b"host", host), (b"origin", b"http://" + host), (b"content-type", b"application/json"),
               (b"cookie", _jar(jar, f"consentkit={granting}"))]
    _check(kit, "POST", "/consentkit/consent", headers, WITHDRAW)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(host=hosts, jar=jars)
def test_a_gpc_page_view_answers_within_a_multiple_of_the_request(host: bytes, jar: list[tuple[str, str]]) -> None:
    kit = ConsentKit(make_policy("opt_out"), secret_keys=[SECRET], store="memory://", clock=Clock())
    headers = [(b"host", host), (b"sec-gpc", b"1"), (b"cookie", _jar(jar))]
    _check(kit, "GET", "/", headers, b"")


def test_the_reported_request_gets_a_small_answer() -> None:
    """The request of the report: 1,200 labels of Host and 250 ``_ga_N`` cookies."""
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())
    host = b"a." * 1200 + b"localhost"
    jar = [(f"_ga_{i}", "1") for i in range(250)]
    headers = [(b"host", host), (b"origin", b"http://" + host), (b"content-type", b"application/json"),
               (b"cookie", _jar(jar, f"consentkit={_consent_cookie(kit, analytics=True)}"))]
    answer = asyncio.run(exchange(make_app(kit), "POST", "/consentkit/consent", headers=headers, body=WITHDRAW))
    assert answer.status == 200 and b'"analytics":false' in answer.body
    assert _response_header_bytes(answer) < 16 * 1024
