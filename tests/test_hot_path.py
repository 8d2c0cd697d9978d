"""What the middleware keeps from one request to the next (issue 16): each shortcut
gives exactly what the long way gives."""

from __future__ import annotations

from typing import Any

import pytest

from consentkit import Category, ConsentKit, Policy, Service
from consentkit.head import WidgetHead, state_block
from consentkit.middleware import _state_block
from consentkit.rules import Signals, evaluate
from consentkit.state import Choices
from consentkit.visit import Visit
from tests.kits import SECRET, Clock, make_policy


def _scope(cookie: str = "", gpc: bool = False) -> dict[str, Any]:
    headers = [(b"host", b"www.example.test"), (b"cookie", cookie.encode())]
    if gpc:
        headers.append((b"sec-gpc", b"1"))
    return {"type": "http", "method": "GET", "path": "/", "root_path": "", "scheme": "https", "headers": headers,
            "query_string": b"", "client": ("127.0.0.1", 5000)}


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
@pytest.mark.parametrize("gpc", [False, True])
@pytest.mark.parametrize("sells", [False, True])
def test_a_new_visitors_outcome_and_state_block_are_the_long_ways(mode: str, gpc: bool, sells: bool) -> None:
    policy = make_policy(mode)
    if not sells:  # no sale_or_sharing category: GPC decides nothing, the choices just keep it
        policy = Policy(policy.version, [c for c in policy.categories if not c.sale_or_sharing], mode=mode)
    kit = ConsentKit(policy, secret_keys=[SECRET], store="memory://", clock=Clock())
    for _ in range(3):  # the first visitor makes the template, the next ones use it
        visit = Visit.begin(kit, _scope("theme=dark", gpc))
        vid = visit.state.visitor_id
        expected = evaluate(policy, Choices(visitor_id=vid), Signals(gpc=gpc), kit.clock())
        assert visit.outcome == expected
        assert visit.state.choices == expected.choices
        assert visit.dirty == (expected.choices != Choices(visitor_id=vid))
        assert _state_block(visit) == state_block(expected.state)
        assert (visit.fresh is None) == (expected.decision is not None)
    other = Visit.begin(kit, _scope("theme=dark", gpc))
    assert other.state.visitor_id != vid and _state_block(other) != _state_block(visit)


def test_a_visitor_id_that_is_not_plain_is_written_the_long_way() -> None:
    class Odd(ConsentKit):
        @staticmethod
        def new_visitor_id() -> str:
            return 'a"</script><b>'

    kit = Odd(make_policy("opt_in"), secret_keys=[SECRET], store="memory://")
    visit = Visit.begin(kit, _scope())
    assert visit.fresh is not None
    block = _state_block(visit)
    assert block == state_block(visit.state) and b"</script><b>" not in block


def test_a_decision_in_the_request_leaves_the_new_visitors_template() -> None:
    kit = ConsentKit(make_policy("opt_in"), secret_keys=[SECRET], store="memory://", clock=Clock())
    visit = Visit.begin(kit, _scope())
    visit.adopt(visit.choices.evolve(choices={"analytics": True}, decided_at=kit.clock()))
    assert visit.fresh is None
    assert _state_block(visit) == state_block(visit.state) and b'"analytics":true' in _state_block(visit)


def _category_for_cookie_by_rules(policy: Policy, name: str) -> str | None:
    for category in policy.categories:
        if not category.required and any(rule.matches(name) for rule in category.cookies):
            return category.id
    return None


def test_category_for_cookie_is_the_first_category_whose_rule_matches() -> None:
    policy = Policy("1", [
        Category("necessary", required=True, services=[Service("site", vendor="us", cookies={"sess": "session"})]),
        Category("a", services=[Service("x", vendor="X", cookies={"_x_*": "1 day", "both": "1 day"})]),
        Category("b", services=[Service("y", vendor="Y", cookies={"_x_y*": "1 day", "_y": "1 day", "sess*": "1 day"})]),
    ])
    names = ["sess", "sessx", "_x_", "_x_y1", "_y", "_y1", "both", "bot", "", "_x", "x" * 100]
    for _ in range(2):  # answered, then remembered
        for name in names:
            assert policy.category_for_cookie(name) == _category_for_cookie_by_rules(policy, name), name
    assert policy.category_for_cookie("_x_y1") == "a"  # the first category in the policy's order wins


def test_widget_tags_are_the_same_made_or_kept() -> None:
    head = WidgetHead(make_policy(), "/consentkit")
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    ie = "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko"
    for user_agent, language in [(chrome, "es-MX,es;q=0.9"), (chrome, None), (ie, "fr"), (None, None)]:
        first = head.tags(user_agent=user_agent, accept_language=language)
        with_nonce = head.tags(nonce='n"1', user_agent=user_agent, accept_language=language)
        assert head.tags(user_agent=user_agent, accept_language=language) == first
        assert with_nonce.count(' nonce="n&quot;1"') == (3 if user_agent != ie else 1)
        assert with_nonce.replace(' nonce="n&quot;1"', "") == first
        assert WidgetHead(make_policy(), "/consentkit").tags(
            nonce='n"1', user_agent=user_agent, accept_language=language) == with_nonce
    assert "lang=es" in head.tags(user_agent=chrome, accept_language="es-MX,es;q=0.9")
    assert "ck-notice" in head.tags(user_agent=ie)


@pytest.mark.parametrize("header", [
    "", "theme=dark", "_ga=1; _ads=2", " _ads =2;theme=x", "a;_ads=1", "_ads", "x=1;;  _ads=3 ; y", "_adsx=1",
    "_ga_ABC=1; theme=dark", 'q="a;_ads=1"', "=1; _ads=", "_ads=1=2",
])
def test_expiries_quick_path_gives_what_the_full_one_gives(header: str) -> None:
    from consentkit.cookies_out import _expiries, expiry_headers
    from consentkit.visit import cookie_names

    kit = ConsentKit(make_policy("opt_in"), secret_keys=[SECRET], store="memory://")
    visit = Visit.begin(kit, _scope(header))
    denied = [cid for cid, granted in visit.state.categories.items() if not granted]
    full = expiry_headers(kit.policy, [], cookie_names(visit.headers.get("cookie")), visit.host, secure=visit.secure,
                          denied=denied, cookie_domain=kit.cookie_domain)
    assert _expiries(visit) == full
    assert bool(full) == ("_ads" in cookie_names(header) or "_ga_ABC" in cookie_names(header)
                          or "_ga" in cookie_names(header))


def test_an_embed_held_with_a_placeholder_is_read_once_and_gets_each_responses_placeholder() -> None:
    from consentkit.gating.gate import HtmlGate
    from tests.kits import embeds_policy

    policy = embeds_policy()
    page = (b'<html><head><meta charset="utf-8"></head><body>'
            b'<iframe src="https://www.youtube.com/embed/abc" width="560" height="315"></iframe></body></html>')
    reads = []
    outputs = []
    for lang in ("en", "fr", "en"):
        gate = HtmlGate(policy, {}, inject=b"<!--I-->",
                        placeholders=lambda service, w, h, lang=lang: f"<p>{lang}:{service}:{w}x{h}</p>".encode())
        original = gate._read
        gate._read = lambda *a, original=original: reads.append(a[0]) or original(*a)  # type: ignore[method-assign]
        outputs.append(gate.feed(page) + gate.close())
    assert b"<p>en:youtube:560x315</p><iframe" in outputs[0]
    assert outputs[1] == outputs[0].replace(b"<p>en:", b"<p>fr:")
    assert outputs[2] == outputs[0]
    assert [r for r in reads if r.startswith(b"<iframe")] == [page[page.index(b"<iframe"):page.index(b"></iframe>") + 1]]


def test_placeholders_are_kept_per_page_and_language() -> None:
    from consentkit.middleware import _placeholders
    from tests.kits import embeds_policy

    kit = ConsentKit(embeds_policy(), secret_keys=[SECRET], store="memory://")
    kept: dict = {}

    def made(path: str, language: str) -> bytes:
        scope = _scope()
        scope.update(path=path, raw_path=path.encode())
        scope["headers"].append((b"accept-language", language.encode()))
        visit = Visit.begin(kit, scope)
        head = kit.head_at(visit.root)
        return _placeholders(visit, head.language(visit.headers.get("accept-language")), head.prefix, kept)(
            "youtube", 560, 315)

    first = made("/a", "en")
    assert made("/a", "en") is first and len(kept) == 1  # the same object, what it made kept
    assert b"next=/b" in made("/b", "en") and b"next=/a" in first
    assert made("/a", "es") != first and len(kept) == 3


def test_widget_tags_are_kept_per_language_and_browser_support_not_per_header() -> None:
    from consentkit import head as head_module

    head = WidgetHead(make_policy(), "/consentkit")
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/{}.0 Safari/537.36"
    for version in range(115, 415):  # 300 headers, one supported browser
        for language in ("es-MX,es;q=0.9", f"es;q=0.{version % 9 + 1}", "en-GB"):
            made = head.tags(user_agent=chrome.format(version), accept_language=language)
            assert made == WidgetHead(make_policy(), "/consentkit").tags(
                user_agent=chrome.format(version), accept_language=language)
            assert head.tag_bytes(head.key(chrome.format(version), language)) == made.encode()
    assert set(head._made) == {("es", True), ("en", True)}
    # The language memo is the client's headers: bounded, and a long header is negotiated, not kept.
    for n in range(head_module._LANGUAGES_KEPT + 500):
        assert head.language(f"x-{n},fr;q=0.5") == "fr"
    assert len(head._languages) == head_module._LANGUAGES_KEPT
    long_header = "zz," * 200 + "de"
    assert head.language(long_header) == head.policy.language and long_header not in head._languages


def test_is_supported_remembers_headers_cut_to_max_length() -> None:
    from consentkit.useragent import MAX_LENGTH, _supported, is_supported

    ie = "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko ".ljust(MAX_LENGTH, "x")
    assert is_supported(ie + "a" * 100_000) is False
    hits = _supported.cache_info().hits
    assert is_supported(ie + "another tail") is False  # the same first MAX_LENGTH characters: remembered
    assert _supported.cache_info().hits == hits + 1


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
@pytest.mark.parametrize("cookie", [False, True])
def test_gate_grants_kept_per_outcome_are_the_long_ways(mode: str, cookie: bool) -> None:
    from consentkit.gating.hosts import allowed_units
    from consentkit.middleware import _gate_grants, _held

    kit = ConsentKit(make_policy(mode), secret_keys=[SECRET], store="memory://", clock=Clock())
    header = "theme=dark"
    if cookie:
        choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=kit.clock(),
                          updated_at=kit.clock()).evolve(choices={"analytics": True, "advertising": False})
        header += f"; __Host-consentkit={kit.codec.dumps(choices)}"  # _scope() is HTTPS
    for _ in range(3):  # worked out, then kept on the shared outcome
        visit = Visit.begin(kit, _scope(header))
        assert (visit.fresh is not None) is not cookie
        grants, services = _held(visit)
        assert _gate_grants(visit) == (grants, services, allowed_units(kit.policy, grants, services))
        if mode == "opt_out" and not cookie:  # sale or sharing waits for the widget on a first page
            assert grants["advertising"] is False and visit.state.categories["advertising"] is True


@pytest.mark.parametrize("https", [False, True])
@pytest.mark.parametrize("template", [
    "{c}", "theme=dark; {c}", "{c}; session=s-1", "theme=dark;{c};session=s-1", "  {c}  ", '{n}="{v}"',
    "{c}; {c}", "{c}; {o}=x", "x {c}", "a={c}", "{n} ={v}", "ref=consentkit; {c}", "{c}x", "{n}=", "{n}=; {c}",
    "\t{c}", "=1; {c}", "{c}; __Secure-consentkit={v}",
])
def test_a_returning_visitor_seen_before_is_read_as_the_long_way_reads_them(https: bool, template: str) -> None:
    from consentkit.cookie_trust import PLAIN_NAME, consent_cookie_name

    kit = ConsentKit(make_policy("opt_out"), secret_keys=[SECRET], store="memory://", clock=Clock())
    name = consent_cookie_name(secure=https, cookie_domain=None)
    other = PLAIN_NAME if https else "__Host-consentkit"
    choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=kit.clock(),
                      updated_at=kit.clock()).evolve(choices={"analytics": True, "advertising": False})
    value = kit.codec.dumps(choices)
    header = template.format(c=f"{name}={value}", n=name, v=value, o=other)
    scope = _scope(header)
    scope["scheme"] = "https" if https else "http"
    for _ in range(3):  # the first request reads the cookie and keeps its outcome; the next ones may take it
        quick = Visit.begin(kit, scope)
        long_way = Visit._read(kit, scope, quick.headers, quick.now, name, False, None, kit.policy)
        assert quick.outcome.state.visitor_id != choices.visitor_id or quick.brought == choices
        for attribute in ("dirty", "superseded", "arrived"):
            assert getattr(quick, attribute) == getattr(long_way, attribute), attribute
        if quick.outcome.state.visitor_id == long_way.outcome.state.visitor_id:
            assert quick.outcome == long_way.outcome and quick.cached is long_way.cached
            assert quick.brought == long_way.brought
        else:  # each gets a new visitor id: a new visitor, or cookies merged in the visitor's favour
            assert quick.cached is long_way.cached is None
            assert (quick.brought is None) == (long_way.brought is None)
            if quick.brought is not None and long_way.brought is not None:
                assert quick.brought.evolve(visitor_id="x") == long_way.brought.evolve(visitor_id="x")


def _kit_with_a_cookie(clock: Clock) -> tuple[ConsentKit, Choices, str]:
    """An opt_in kit on ``clock``, a visitor's choices (analytics granted) and the Cookie
    header that brings them."""
    kit = ConsentKit(make_policy("opt_in"), secret_keys=[SECRET], store="memory://", clock=clock)
    choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=kit.clock(),
                      updated_at=kit.clock()).evolve(choices={"analytics": True})
    return kit, choices, f"__Host-consentkit={kit.codec.dumps(choices)}"


def test_a_cookie_kept_past_its_signatures_life_is_no_longer_believed() -> None:
    from consentkit.cookie import MAX_AGE_SECONDS

    clock = Clock()
    kit, choices, header = _kit_with_a_cookie(clock)
    assert Visit.begin(kit, _scope(header)).cached is not None
    assert Visit.begin(kit, _scope(header)).brought == choices  # from the kept outcome
    clock.advance(seconds=MAX_AGE_SECONDS + 1)
    late = Visit.begin(kit, _scope(header))
    assert late.brought is None and late.cached is None and late.state.visitor_id != choices.visitor_id


@pytest.mark.parametrize(("header", "found"), [
    ("consentkit=abc", "abc"), ("theme=dark; consentkit=abc; s=1", "abc"), ('  consentkit="abc" ', "abc"),
    ("theme=dark;consentkit=abc", "abc"), ("consentkit=", ""), ("consentkit=abc; consentkit=abd", None),
    ("x consentkit=abc", None), ("a=consentkit=abc", None), ("consentkit =abc", None), ("__Host-consentkit=abc", None),
    ("consentkit=abc; __Secure-consentkit=abd", None), ("ref=consentkit; consentkit=abc", None), ("", None),
])
def test_single_consent_cookie_agrees_with_consent_values(header: str, found: str | None) -> None:
    from consentkit.cookie_trust import consent_values
    from consentkit.visit import single_consent_cookie

    assert single_consent_cookie(header, "consentkit") == found
    if found is not None:
        assert consent_values(header) == [("consentkit", found)]


@pytest.mark.parametrize("returning", [False, True])
def test_a_page_views_visit_has_every_field_the_dataclass_gives(returning: bool) -> None:
    import dataclasses

    kit, _, cookie = _kit_with_a_cookie(Clock())
    header = "theme=dark" + (f"; {cookie}" if returning else "")
    for _ in range(3):  # the long way first, then the kept outcome
        visit = Visit.begin(kit, _scope(header))
        assert dataclasses.replace(visit) == visit  # every field set, as __init__ sets them
        assert visit.policy is kit.policy and visit.records == [] and visit.records is not Visit.begin(
            kit, _scope(header)).records
        assert (visit.cached is not None, visit.fresh is not None) in ((False, True), (returning, False))


def test_a_kept_cookie_is_re_signed_from_the_second_the_long_way_says() -> None:
    from consentkit.visit import REFRESH_AFTER_SECONDS

    clock = Clock()
    kit, _, header = _kit_with_a_cookie(clock)
    assert Visit.begin(kit, _scope(header)).dirty is False
    clock.advance(seconds=REFRESH_AFTER_SECONDS, microseconds=999_999)
    quick = Visit.begin(kit, _scope(header))
    assert quick.cached is not None and quick.dirty is False
    clock.advance(microseconds=1)
    quick = Visit.begin(kit, _scope(header))
    long_way = Visit._read(kit, _scope(header), quick.headers, quick.now, "__Host-consentkit", False, None, kit.policy)
    assert quick.cached is not None and quick.dirty is True is long_way.dirty


@pytest.mark.parametrize("extra", ["", "_ga=1", "_ga_X=2", "_ads=1", "x_ads=1", "theme=_ads", "_adsx=1; _gid=2"])
def test_expiries_kept_per_outcome_are_each_outcomes_own(extra: str) -> None:
    """Two returning visitors who deny different categories, and a new one, bring the
    same other cookies: each gets the expiries the long way gives them, however often."""
    from consentkit.cookies_out import _expiries, expiry_headers
    from consentkit.visit import cookie_names

    kit = ConsentKit(make_policy("opt_in"), secret_keys=[SECRET], store="memory://", clock=Clock())
    headers = []
    for granted in ({"analytics": True, "advertising": False}, {"analytics": False, "advertising": True}):
        choices = Choices(visitor_id=kit.new_visitor_id(), policy_version=kit.policy.version, decided_at=kit.clock(),
                          updated_at=kit.clock()).evolve(choices=granted)
        headers.append(f"__Host-consentkit={kit.codec.dumps(choices)}" + (f"; {extra}" if extra else ""))
    headers.append(extra)
    for _ in range(3):
        for header in headers:
            visit = Visit.begin(kit, _scope(header))
            denied = [cid for cid, granted in visit.state.categories.items() if not granted]
            full = expiry_headers(kit.policy, [], cookie_names(header), visit.host, secure=visit.secure,
                                  denied=denied, cookie_domain=kit.cookie_domain)
            assert _expiries(visit) == full, header
    expired = [bool(_expiries(Visit.begin(kit, _scope(header)))) for header in headers]
    analytics = any(n.startswith("_ga") or n == "_gid" for n in cookie_names(extra))
    ads = "_ads" in cookie_names(extra)
    assert expired == [ads, analytics, analytics or ads]


def test_widget_head_key_is_kept_per_user_agent_and_language_pair() -> None:
    from consentkit import head as head_module

    head = WidgetHead(make_policy(), "/consentkit")
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    ie = "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko"
    pairs = [(chrome, "es-MX,es;q=0.9"), (chrome, "en-GB"), (ie, "es-MX,es;q=0.9"), (ie, None), (None, "es"),
             (None, None), (chrome + " " * 600, "es")]
    for _ in range(2):  # worked out, then kept: each pair its own answer
        assert [head.key(ua, lang) for ua, lang in pairs] == [
            ("es", True), ("en", True), ("es", False), ("en", False), ("es", True), ("en", True), ("es", True)]
    assert (chrome + " " * 600, "es") not in head._keys  # longer than is_supported() reads: not kept
    for n in range(head_module._KEYS_KEPT + 10):
        assert head.key(f"{chrome} {n}", "fr;q=0.5,x") == ("fr", True)
    assert len(head._keys) == head_module._KEYS_KEPT


def test_placeholders_are_kept_per_raw_path_and_query() -> None:
    from consentkit.middleware import _placeholders
    from tests.kits import embeds_policy

    kit = ConsentKit(embeds_policy(), secret_keys=[SECRET], store="memory://")
    kept: dict = {}

    def made(raw_path: bytes, query: bytes) -> bytes:
        scope = _scope()
        scope.update(path=raw_path.decode(), raw_path=raw_path, query_string=query)
        visit = Visit.begin(kit, scope)
        return _placeholders(visit, "en", "/consentkit", kept)("youtube", 560, 315)

    for _ in range(2):
        assert b"next=/a%3Fb%3D1" in made(b"/a", b"b=1") or b"next=/a?b=1" in made(b"/a", b"b=1")
        assert made(b"/a", b"b=1") != made(b"/a", b"b=2") != made(b"/a", b"")
        assert made(b"/a%20b", b"") != made(b"/a b", b"")
    assert len(kept) == 5
