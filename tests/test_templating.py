"""Jinja2 helpers: consent, consent_head() and consent_tag()."""

from __future__ import annotations

import httpx
import jinja2
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from consentkit import ConsentMiddleware
from consentkit.tags import gated_tag

from .kits import make_policy

pytestmark = pytest.mark.anyio

PAGE = """<!doctype html><html><head>{{ consent_head() }}</head><body>
<p id="allows">{{ consent.allows("analytics") }}</p>
{{ consent_tag("analytics", "script", src="https://www.googletagmanager.com/gtag/js?id=G-X", async=True) }}
{{ consent_tag("captcha", "recaptcha", sitekey="site-key") }}
</body></html>"""


def app_for(kit):
    templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE}), autoescape=True))
    kit.install(templates.env)

    async def page(request: Request):
        request.state.csp_nonce = "n0nce-abcdef12"
        return templates.TemplateResponse(request, "page.html")

    return Starlette(routes=[Route("/", page)], middleware=[Middleware(ConsentMiddleware, kit=kit)])


async def test_templates_see_consent_and_render_tags(make_kit):
    kit = make_kit(make_policy("opt_in"))
    transport = httpx.ASGITransport(app=app_for(kit))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        html = (await c.get("/")).text
        assert '<p id="allows">False</p>' in html
        assert 'type="text/plain"' in html and 'data-src="https://www.googletagmanager.com/gtag/js?id=G-X"' in html
        assert "consentkit-placeholder" in html and "Load reCAPTCHA" in html
        # consent_head() rendered the widget, so the middleware does not add it twice.
        assert html.count("/consentkit/widget.js") == 1
        assert 'nonce="n0nce-abcdef12"' in html
        assert html.count('id="consentkit-state"') == 1
        await c.post("/consentkit/consent", json={"choices": {"analytics": True, "captcha": True}},
                     headers={"Origin": "http://testserver"})
        html = (await c.get("/")).text
    assert '<p id="allows">True</p>' in html
    assert '<script src="https://www.googletagmanager.com/gtag/js?id=G-X" async nonce="n0nce-abcdef12"' in html
    assert 'class="g-recaptcha"' in html and "consentkit-placeholder" not in html


@pytest.mark.parametrize(
    ("tag", "granted", "attrs", "expected"),
    [
        ("script", False, {"src": "https://x.test/a.js"},
         '<script type="text/plain" data-src="https://x.test/a.js" data-consent="analytics"></script>'),
        ("script", True, {"src": "https://x.test/a.js", "type": "text/plain"},
         '<script src="https://x.test/a.js" data-consent="analytics"></script>'),
        ("script", False, {"type": "module", "src": "/m.js"},
         '<script type="text/plain" data-type="module" data-src="/m.js" data-consent="analytics"></script>'),
        ("img", False, {"src": "https://p.test/p.gif", "alt": ""},
         '<img data-src="https://p.test/p.gif" alt="" data-consent="analytics">'),
        ("iframe", True, {"src": "https://f.test/\"><script>"},
         '<iframe src="https://f.test/&quot;&gt;&lt;script&gt;" data-consent="analytics"></iframe>'),
    ],
)
def test_gated_tag_forms(tag, granted, attrs, expected):
    assert gated_tag(make_policy(), "analytics", tag, granted=granted, **attrs) == expected


def test_gated_tag_script_body_cannot_close_the_element():
    out = gated_tag(make_policy(), "analytics", "script", granted=True, body="var s='</script><b>';")
    assert out.count("</script>") == 1


def test_gated_tag_refuses_unknown_category_and_bad_tag():
    with pytest.raises(ValueError, match="no category"):
        gated_tag(make_policy(), "tracking", granted=True)
    with pytest.raises(ValueError, match="not a tag name"):
        gated_tag(make_policy(), "analytics", "img onerror=x", granted=True)


def test_template_helpers_outside_a_request_fail_closed(make_kit):
    env = jinja2.Environment(autoescape=True)
    make_kit().install(env)
    assert env.from_string("{{ consent.allows('analytics') }}").render() == "False"


async def test_a_template_without_kit_install_says_how_to_fix(make_kit):
    """Forgetting kit.install(env): Jinja's UndefinedError carries the fix (issue 19, 5)."""
    kit = make_kit()
    templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE}), autoescape=True))

    async def page(request: Request):
        return templates.TemplateResponse(request, "page.html")

    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        with pytest.raises(jinja2.UndefinedError) as raised:
            await c.get("/")
    assert "kit.install(templates.env)" in "".join(getattr(raised.value, "__notes__", []))
