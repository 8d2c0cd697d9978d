"""The demo insurer site in-process: its pages, its Content-Security-Policy, its
stand-in third parties, and the quote form's fallback when reCAPTCHA is refused."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from demo_site import create_app, load_policy
from demo_site.app import POLICY_FILE
from demo_site.formguard import FormGuard, RateLimit
from demo_site.site import outbox_entry

pytestmark = pytest.mark.anyio
SITE = "http://localhost:8000"
SECRET = "demo-test-secret-0123456789abcdef"
PAGES = ["/", "/quote", "/signup", "/privacy", "/dev/outbox"]
DECLARED = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
ANSWERS = {"zip": "94105", "coverage": "family", "age": "30_44", "tobacco": "no"}


def demo(**options: Any) -> Starlette:
    options.setdefault("secret_keys", [SECRET])
    return create_app("memory://", **options)


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE)


@pytest.fixture
async def site() -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []

    def make(**options: Any) -> httpx.AsyncClient:
        c = client(demo(**options))
        opened.append(c)
        return c

    yield make
    for c in opened:
        await c.aclose()


def started_token(html: str) -> str:
    match = re.search(r'name="form_started" value="([^"]+)"', html)
    assert match, "the quote form carries no signed start time"
    return match.group(1)


async def quote(c: httpx.AsyncClient, **fields: str) -> httpx.Response:
    form = (await c.get("/quote")).text
    return await c.post("/quote", data={**ANSWERS, "website": "", "form_started": started_token(form), **fields})


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_runs_under_a_strict_csp_with_its_own_nonce(site, path):
    c = site()
    first, second = await c.get(path), await c.get(path)
    assert first.status_code == 200
    csp = first.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert nonce not in second.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "style-src 'self'" in csp
    html = first.text
    assert 'src="/consentkit/widget.js?v=' in html and f'nonce="{nonce}"' in html
    assert " style=" not in html and "<style" not in html
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL):
        if body.strip() and 'type="application/json"' not in attrs and 'type="text/plain"' not in attrs:
            assert f'nonce="{nonce}"' in attrs, f"inline script without the nonce: {attrs}"


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_has_the_opt_out_link_and_the_choices_control(site, path):
    html = (await site().get(path)).text
    assert re.search(r'<a href="/consentkit/do-not-sell" data-consentkit-action="do-not-sell">'
                     r"Do Not Sell or Share My Personal Information</a>", html)
    assert 'data-consentkit-action="open"' in html


async def test_privacy_policy_renders_the_ccpa_table_from_the_policy_file(site):
    html = (await site().get("/privacy")).text
    declared = DECLARED["extra"]["ccpa_categories"]
    rows = re.findall(r'<tr data-category="([A-K])">\s*<th scope="row">[A-K]\. (.*?)</th>.*?'
                      r'<td class="collected">(Yes|No)</td>', html, flags=re.DOTALL)
    assert [r[0] for r in rows] == list("ABCDEFGHIJK")
    for letter, name, collected in rows:
        assert name == declared[letter]["name"]
        assert collected == ("Yes" if declared[letter]["collected"] else "No")
    assert "Biometric information" in html and "_ga</code> (2 years)" in html


async def test_opt_in_serves_every_tracker_inert_and_opt_out_serves_them_live(site):
    inert = (await site(mode="opt_in").get("/quote")).text
    assert 'data-src="https://www.googletagmanager.com/gtag/js?id=G-DEMO"' in inert
    assert 'data-src="http://analytics.localhost:8000/a.js"' in inert
    assert 'data-src="http://pixel.localhost:8000/p.gif?page=/quote"' in inert
    assert not re.search(r'<(script|img)[^>]* src="https?://(www\.google|analytics\.|pixel\.)', inert)
    assert "This site is protected by reCAPTCHA." in inert and "data-captcha-notice hidden" in inert
    live = (await site(mode="opt_out").get("/quote")).text
    assert 'src="http://analytics.localhost:8000/a.js"' in live
    assert 'src="https://www.google.com/recaptcha/api.js"' in live
    assert "data-captcha-notice>" in live  # the notice shows when reCAPTCHA loads


async def test_gpc_keeps_the_sale_pixel_off_but_not_analytics(site):
    html = (await site(mode="opt_out").get("/", headers={"Sec-GPC": "1"})).text
    assert 'data-src="http://pixel.localhost:8000/p.gif?page=/"' in html
    assert 'src="http://analytics.localhost:8000/a.js"' in html


async def test_stand_ins_play_third_parties_outside_the_middleware(site):
    c = site()
    script = await c.get("http://analytics.localhost:8000/a.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["set-cookie"].startswith("_ga=GA1.1.") and "document.cookie" in script.text
    gif = await c.get("http://pixel.localhost:8000/p.gif")
    assert gif.content.startswith(b"GIF89a") and gif.headers["set-cookie"].startswith("_px=")
    # Third parties know nothing of the visitor's consent: no consent cookie, no gating headers.
    assert "consentkit=" not in script.headers["set-cookie"] and "vary" not in gif.headers
    assert (await c.get("http://analytics.localhost:8000/quote")).status_code == 404
    assert (await c.get("http://pixel.localhost:8000/consentkit/state")).status_code == 404


async def test_a_reasonable_quote_gets_premiums(site):
    r = await quote(site(quote_min_seconds=0))
    assert r.status_code == 200
    assert "My family, oldest person 30 to 44, ZIP 94105." in r.text
    prices = dict(re.findall(r"<th scope=\"row\">(Bronze|Silver|Gold)</th><td>\$(\d+\.\d\d)</td>", r.text))
    assert list(prices) == ["Bronze", "Silver", "Gold"]
    # Base premium x family (2.7) x age 30-44 (1.35), no tobacco surcharge.
    assert [round(float(p) / 3.645) for p in prices.values()] == [289, 371, 458]


@pytest.mark.parametrize(
    ("options", "fields", "status", "message"),
    [
        ({"quote_min_seconds": 0}, {"website": "http://spam.example"}, 400, "could not accept this form"),
        ({"quote_min_seconds": 30}, {}, 400, "That was quick"),
        ({"quote_min_seconds": 0}, {"form_started": "forged.token.value"}, 400, "too old"),
        ({"quote_min_seconds": 0}, {"zip": "9410"}, 422, "5-digit ZIP"),
        ({"quote_min_seconds": 0}, {"coverage": "everyone"}, 422, "who the plan covers"),
    ],
)
async def test_the_fallback_refuses_bots_and_explains_mistakes(site, options, fields, status, message):
    r = await quote(site(**options), **fields)
    assert r.status_code == status
    assert message in r.text
    assert 'id="quote-result"' not in r.text
    assert 'value="94105"' in r.text or fields.get("zip") == "9410"  # answers are kept for the retry


async def test_a_form_signed_with_another_secret_is_refused(site):
    other = client(demo(secret_keys=["another-secret-0123456789abcdef"], quote_min_seconds=0))
    async with other:
        token = started_token((await other.get("/quote")).text)
    r = await site(quote_min_seconds=0).post("/quote", data={**ANSWERS, "form_started": token})
    assert r.status_code == 400 and "too old" in r.text


async def test_the_rate_limit_counts_per_client(site):
    c = site(quote_min_seconds=0, quote_rate=(3, 600.0))
    statuses = [(await quote(c)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many quote requests" in (await quote(c)).text


async def test_captcha_refused_the_form_still_works_without_google(site):
    c = site(quote_min_seconds=0)
    r = await c.post("/consentkit/consent", json={"choices": {"captcha": False}, "source": "banner"}, headers={"Origin": SITE})
    assert r.status_code == 200 and r.json()["categories"]["captcha"] is False
    form = (await c.get("/quote")).text
    assert 'data-consentkit-placeholder="captcha"' in form and ' src="https://www.google.com/recaptcha' not in form
    assert "data-captcha-notice hidden" in form
    done = await c.post("/quote", data={**ANSWERS, "form_started": started_token(form)})
    assert done.status_code == 200 and 'id="quote-result"' in done.text


async def test_signup_asks_the_age_once_and_takes_only_the_band(site):
    c = site()
    page = (await c.get("/signup")).text
    assert 'id="signup-age"' in page
    # The birth fields have no name: the browser never submits them.
    assert re.search(r'<select id="signup-birth-month" data-birth="month"', page)
    assert 'name="birth' not in page
    refused = await c.post("/signup", data={"email": "pat@example.test", "password": "correct horse battery"})
    assert refused.status_code == 422 and "date of birth question" in refused.text
    r = await c.post("/consentkit/consent", json={"age_band": "16_plus"}, headers={"Origin": SITE})
    assert r.json()["age_band"] == "16_plus"
    assert 'id="signup-age"' not in (await c.get("/signup")).text
    done = await c.post("/signup", data={"email": "pat@example.test", "password": "correct horse battery"})
    assert done.status_code == 200 and 'data-band="16_plus"' in done.text


async def test_signup_of_a_child_asks_for_a_parent(site):
    c = site()
    await c.post("/consentkit/consent", json={"age_band": "under_13"}, headers={"Origin": SITE})
    done = await c.post("/signup", data={"email": "kid@example.test", "password": "long enough pw"})
    assert 'data-band="under_13"' in done.text
    assert 'action="/consentkit/parental/request"' in done.text and 'name="parent_email"' in done.text


async def test_signup_validates_without_storing(site):
    r = await site().post("/signup", data={"email": "not-an-address", "password": "short"})
    assert r.status_code == 422
    assert "Enter your e-mail address" in r.text and "at least 10 characters" in r.text
    assert "not-an-address" not in r.text  # what was typed is not echoed back


class Outbox:
    site_url = "http://localhost:8000"

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []


def _from(app: Starlette, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url=SITE)


@pytest.mark.parametrize(("access", "address", "shown"), [
    ("local", "127.0.0.1", True),
    ("local", "::1", True),
    ("local", "203.0.113.9", False),  # anyone who reaches a demo started with --host 0.0.0.0
    ("local", "192.168.1.20", False),
    ("open", "203.0.113.9", True),
    ("off", "127.0.0.1", False),
])
async def test_the_outbox_shows_parents_addresses_only_where_the_demo_allows(access, address, shown):
    """Info of issue 13: /dev/outbox listed every parent's address to anyone who opened it."""
    notifier = Outbox()
    notifier.messages.append({"to": "parent@example.test", "subject": "s", "body": "b"})
    async with _from(demo(notifier=notifier, outbox=access), address) as c:
        r = await c.get("/dev/outbox")
    assert (r.status_code, "parent@example.test" in r.text) == ((200, True) if shown else (404, False))


async def test_outbox_is_empty_without_messages_and_lists_them_escaped(site):
    empty = await site().get("/dev/outbox")
    assert 'id="outbox-empty"' in empty.text and empty.headers["cache-control"] == "no-store"
    notifier = Outbox()
    notifier.messages.append({
        "to": "parent@example.test", "subject": "Your child <b>asked</b>",
        "body": "Open http://localhost:8000/consentkit/parental/abc123 to decide.",
    })
    page = (await site(notifier=notifier).get("/dev/outbox")).text
    assert "parent@example.test" in page and "Your child &lt;b&gt;asked&lt;/b&gt;" in page
    assert '<a href="http://localhost:8000/consentkit/parental/abc123">' in page


def test_outbox_entries_from_every_message_shape():
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["To"], mail["Subject"] = "p@example.test", "Consent"
    mail.set_content("Link: https://site.test/consentkit/parental/t0k")

    class Message:
        to, subject, body = "q@example.test", "Hello", "no link"

    assert outbox_entry(mail)["links"] == ["https://site.test/consentkit/parental/t0k"]
    assert outbox_entry(Message())["to"] == "q@example.test"
    assert outbox_entry({"recipient": "r@example.test", "text": "x"})["to"] == "r@example.test"


def test_the_mode_flag_overrides_the_policy_and_its_lifetime():
    assert load_policy().mode == "opt_out" and load_policy().lifetime_days == 365
    opt_in = load_policy("opt_in")
    assert opt_in.mode == "opt_in" and opt_in.lifetime_days == 182
    assert opt_in.category("advertising").sale_or_sharing


def test_rate_limit_forgets_old_attempts_and_never_keeps_the_address():
    now = [1000.0]
    limit = RateLimit(2, 60, clock=lambda: now[0])
    assert limit.hit("203.0.113.7") and limit.hit("203.0.113.7") and not limit.hit("203.0.113.7")
    assert limit.hit("198.51.100.1")  # another client has its own budget
    now[0] += 61
    assert limit.hit("203.0.113.7")
    assert not any("203.0.113" in key for key in limit._attempts)
    assert limit.client_key("203.0.113.7") != RateLimit(2, 60).client_key("203.0.113.7")  # salted per process


def test_form_guard_times_the_fill():
    now = [5000.0]
    guard = FormGuard("secret-for-guard-test", min_seconds=3, clock=lambda: now[0])
    token = guard.issue()
    now[0] += 1
    assert guard.judge({"form_started": token}, "192.0.2.1") == "too_fast"
    now[0] += 5
    assert guard.judge({"form_started": token}, "192.0.2.1") == "ok"
    assert guard.judge({"form_started": token, "website": "x"}, "192.0.2.1") == "honeypot"
    assert guard.judge({}, "192.0.2.1") == "expired"


# -- `consentkit demo` ------------------------------------------------------------------

REPO = POLICY_FILE.parents[1]


def test_demo_command_options():
    from consentkit.commands.demo import display_url, secret_keys, store_url

    assert store_url("consentkit-demo.db") == f"sqlite:///{Path.cwd() / 'consentkit-demo.db'}"
    assert store_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert display_url("127.0.0.1", 8000) == "http://localhost:8000/"
    assert display_url("192.0.2.5", 9000) == "http://192.0.2.5:9000/"
    assert secret_keys({"CONSENTKIT_SECRET": "new-key, old-key"}) == (["new-key", "old-key"], True)
    keys, from_env = secret_keys({})
    assert not from_env and len(keys) == 1 and len(keys[0]) >= 32 and keys != secret_keys({})[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _console_sign_in(http: httpx.Client, base: str, name: str, password: str) -> None:
    page = http.get(f"{base}/consentkit/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token, page.text[:200]
    signed_in = http.post(f"{base}/consentkit/admin/login",
                          data={"csrf": token.group(1), "name": name, "password": password, "code": ""})
    assert signed_in.status_code == 303 and signed_in.headers["location"].startswith("/consentkit/admin"), signed_in.text


def test_consentkit_demo_serves_the_site_on_sqlite_and_stops_cleanly(tmp_path):
    """The demo serves the site, and the admin console with an account seeded for this
    run and printed at start, whose dashboard counts the demo's own visits."""
    port, db = _free_port(), tmp_path / "demo.db"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CONSENTKIT_SECRET": SECRET}
    command = [sys.executable, "-m", "consentkit.cli", "demo", "--port", str(port), "--db", str(db), "--mode", "opt_in"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()  # type: ignore[union-attr]
        assert first == f"Example Health (consentkit demo, opt_in mode): http://localhost:{port}/\n"
        printed = [process.stdout.readline() for _ in range(4)]  # type: ignore[union-attr]
        [console_line] = [line for line in printed if "admin console" in line]
        seeded = re.search(rf"http://localhost:{port}/consentkit/admin/  user 'admin', password '([^']+)'",
                           console_line)
        assert seeded, console_line
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = httpx.get(f"{base}/", timeout=2)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert page.status_code == 200 and "Example Health" in page.text
        decided = httpx.post(f"{base}/consentkit/consent", json={"choices": {"analytics": True}})
        assert decided.json()["mode"] == "opt_in" and decided.json()["categories"]["analytics"] is True
        everything = {c["id"]: True for c in DECLARED["categories"]}
        assert httpx.post(f"{base}/consentkit/consent", json={"choices": everything}).status_code == 200
        # Nothing of the console without signing in; then the visits above are on its dashboard.
        assert httpx.get(f"{base}/consentkit/admin/").status_code == 303
        with httpx.Client() as http:
            _console_sign_in(http, base, "admin", seeded.group(1))
            dashboard = http.get(f"{base}/consentkit/admin/")
            assert dashboard.status_code == 200 and "data-total>2<" in dashboard.text
            csv_rows = http.get(f"{base}/consentkit/admin/dashboard.csv", params={"chart": "outcomes"}).text.splitlines()
            header, today = csv_rows[0].split(","), csv_rows[-1].split(",")
            assert dict(zip(header, today, strict=True)) | {"period": ""} == {
                **dict.fromkeys(header, "0"), "period": "", "accepted_all": "1", "customised": "1", "total": "2"}
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "CONSENTKIT_SECRET is not set" not in err
    assert seeded.group(1) not in err  # the password is printed once, to the person who started the demo
    with sqlite3.connect(db) as ledger:
        tables = [row[0] for row in ledger.execute("select name from sqlite_master where type = 'table'")]
        assert tables, "the demo's ledger was not created"
    assert not list(tmp_path.glob("*.json")), "the seeded account's file outlives the run"


def test_the_seeded_console_account_keeps_only_a_hash(tmp_path):
    from consentkit.commands.demo import seed_admin

    admin, password = seed_admin(tmp_path)  # type: ignore[misc]
    assert admin.accounts is not None and len(password) >= 16
    stored = (tmp_path / "admin-users.json").read_text()
    assert password not in stored and '"admin"' in stored and "operator" in stored


def test_consentkit_demo_says_when_the_port_is_taken(tmp_path, capsys):
    from consentkit.commands import demo as demo_command

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        status = demo_command.main(["--port", str(taken.getsockname()[1]), "--db", str(tmp_path / "x.db")])
    assert status == 1 and "is in use" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


async def test_R33_signup_and_a_quote_work_with_cookies_refused(site):
    """A browser that refuses every cookie keeps no consent cookie: the age answer comes
    with the form too (the page's script puts the band in it), so applying works; a band
    that is not one is refused, and the state's band wins when there is one."""
    c = site(quote_min_seconds=0)

    async def cookieless(method, path, **kwargs):
        c.cookies.clear()
        return await c.request(method, path, **kwargs)

    page = (await cookieless("GET", "/signup")).text
    assert 'name="age_band" value=""' in page
    band = await cookieless("POST", "/consentkit/consent", json={"age_band": "18_plus"}, headers={"Origin": SITE})
    assert band.status_code == 200
    done = await cookieless("POST", "/signup", data={"email": "pat@example.test", "password": "correct horse battery",
                                                     "age_band": "18_plus"})
    assert done.status_code == 200 and 'data-band="18_plus"' in done.text
    bogus = await cookieless("POST", "/signup", data={"email": "pat@example.test", "password": "correct horse battery",
                                                      "age_band": "42"})
    assert bogus.status_code == 422 and "date of birth question" in bogus.text
    # A quote, too, without any cookie.
    form = (await cookieless("GET", "/quote")).text
    quote = await cookieless("POST", "/quote", data={**ANSWERS, "form_started": started_token(form)})
    assert quote.status_code == 200 and 'id="quote-result"' in quote.text
    # With a consent cookie, its band is the authority: the form cannot make a child an adult.
    c.cookies.clear()
    await c.post("/consentkit/consent", json={"age_band": "under_13"}, headers={"Origin": SITE})
    child = await c.post("/signup", data={"email": "kid@example.test", "password": "long enough pw",
                                          "age_band": "18_plus"})
    assert 'data-band="under_13"' in child.text


async def test_the_ccpa_table_follows_the_seed_or_says_why_not(site):
    """The model site's policy (the seed) says D and F "No", E and I "Yes"; the demo
    follows it, except F, where the page says why."""
    html = (await site().get("/privacy")).text
    rows = dict(re.findall(r'<tr data-category="([A-K])">.*?<td class="collected">(Yes|No)</td>', html, flags=re.DOTALL))
    assert (rows["D"], rows["E"], rows["I"]) == ("No", "Yes", "Yes")
    assert rows["F"] == "Yes" and DECLARED["extra"]["ccpa_categories"]["F"]["seed"] == "No"
    assert re.search(r'<p class="differs" data-category="F">F: The model site(?:&#39;|\')s policy says No', html)
