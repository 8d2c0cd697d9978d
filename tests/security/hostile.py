"""Hostile input: a policy whose every text is an attack, and the apps that serve it."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from consentkit import Category, ConsentKit, ConsentMiddleware, Policy, Service
from consentkit.i18n import DEFAULT_TEXTS

# Each runs script if it ever reaches the page as markup; all count into window.__xss.
XSS_IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
XSS_ATTR = '"><svg onload="window.__xss=(window.__xss||0)+1">'
XSS_CLOSE = "</script><script>window.__xss=(window.__xss||0)+1</script>"
ATTACKS = (XSS_IMG, XSS_ATTR, XSS_CLOSE)
assert len(XSS_CLOSE) <= 64  # it must fit in a policy version


def hostile_texts(lang: str) -> dict[str, str]:
    """Every visitor-facing string of ``lang``, each an attack that names its key."""
    return {key: f"{lang}.{key} {ATTACKS[n % 3]}" for n, key in enumerate(sorted(DEFAULT_TEXTS["en"]))}


def hostile_policy(mode: str = "opt_in", *, version: str = XSS_CLOSE) -> Policy:
    """A policy whose labels, descriptions, vendors, storage names, controller and
    translations (English, Spanish and a language the policy adds) are attacks."""
    return Policy(
        version=version,
        mode=mode,
        age_gate=True,
        controller={"name": f"Controller {XSS_IMG}", "contact": f"privacy{XSS_ATTR}@example.test"},
        categories=[
            Category("necessary", required=True, label=f"Necessary {XSS_IMG}", description=f"Keeps {XSS_ATTR}"),
            Category("analytics", label=f"Analytics {XSS_CLOSE}", description=f"Counts {XSS_IMG}", services=[
                Service("web-analytics", vendor=f"Vendor {XSS_IMG}", description=f"Measures {XSS_CLOSE}",
                        hosts=["analytics.localhost"], cookies={"_ga": "2 years", "_ga_*": "2 years"},
                        local_storage=[f"ga_{XSS_ATTR}"]),
            ]),
            Category("advertising", sale_or_sharing=True, label=f"Ads {XSS_ATTR}", description=f"Sells {XSS_CLOSE}",
                     services=[Service("ads", vendor=XSS_CLOSE, hosts=["ads.localhost"], cookies={"_ads": "1 year"})]),
        ],
        texts={"en": hostile_texts("en"), "es": hostile_texts("es"), "xx": hostile_texts("xx")},
    )


def hostile_strings(policy: Policy) -> list[str]:
    """Every text of the policy a visitor may be shown."""
    found = []
    for category in policy.categories:
        found += [category.label, category.description]
        for service in category.services:
            found += [service.vendor, service.description, *service.local_storage]
    return [s for s in found if s]


PAGE = """<!doctype html><html lang="en"><head><title>Home</title></head>
<body><main><h1>Quotes</h1><p>Welcome.</p></main></body></html>"""


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


def site(kit: ConsentKit, *routes: Route) -> Starlette:
    """A page behind ConsentMiddleware, and ``routes`` outside it."""
    inner = Starlette(routes=[Route("/", home)], middleware=[Middleware(ConsentMiddleware, kit=kit)])
    from starlette.routing import Mount

    return Starlette(routes=[*routes, Mount("", inner)], lifespan=None)
