"""``POST /consentkit/parental/request``: only for a child under 13, a well-formed
address, 202 with the pending state; the address goes in the message and nowhere
else; bad input changes nothing."""

from __future__ import annotations

import logging

import pytest

from consentkit.cookie import COOKIE_NAME
from consentkit.minors import MemoryNotifier, NotifierError, ParentMessage
from tests.apps import client

from .flow import HTML, PARENT, SITE, CountingStore, all_records, ask_parent, make_child

pytestmark = pytest.mark.anyio
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_a_child_asks_and_the_parent_gets_a_link(make_kit, caplog):
    kit = make_kit()
    with caplog.at_level(logging.DEBUG):
        async with client(kit, Origin=SITE) as c:
            child = await make_child(c)
            r = await c.post("/consentkit/parental/request", json={"parent_email": PARENT})
            assert r.status_code == 202
            state = r.json()
            assert state["parental_consent"] == "pending" and state["visitor_id"] == child
            assert not any(v for k, v in state["categories"].items() if k != "necessary")
            assert COOKIE_NAME in r.cookies
            again = await c.get("/consentkit/state")
            assert again.json()["parental_consent"] == "pending"
            receipts = (await c.get("/consentkit/receipts")).text
    message = kit.notifier.messages[-1]
    assert message.to == "parent.person@example.com" and message.kind == "request"
    assert message.link.startswith(f"{SITE}/consentkit/parental/") and message.link in message.body
    assert "until 04 December 2026" in message.body  # 7 days on the kit's clock
    request = [r for r in await all_records(kit) if r.kind == "request"]
    assert len(request) == 1
    assert request[0].visitor_id == child and request[0].source == "api" and request[0].parental_consent == "pending"
    assert request[0].extra["email_hash"] == kit.parental.tokens.email_hash("parent.person@example.com")
    # The address is nowhere but in the message: not in records, receipts, logs or the link.
    stored = repr(await all_records(kit))
    for text in (stored, receipts, caplog.text, message.link):
        assert "parent.person" not in text.lower() and "example.com" not in text.lower()


async def test_a_plain_form_post_gets_a_page(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        r = await c.post("/consentkit/parental/request", content=f"parent_email={PARENT}&next=/signup",
                         headers={**FORM, **HTML})
        assert r.status_code == 202 and r.headers["content-type"].startswith("text/html")
        assert "We asked your parent" in r.text and 'href="/signup"' in r.text
        # A script posting a form gets the state.
        fetched = await c.post("/consentkit/parental/request", content=f"parent_email={PARENT}", headers=FORM)
        assert fetched.status_code == 202 and fetched.json()["parental_consent"] == "pending"


@pytest.mark.parametrize(
    ("band", "status", "message"),
    [(None, 409, "under 13"), ("13_15", 409, "under 13"), ("16_plus", 409, "'16_plus'")],
)
async def test_only_a_child_under_13_may_ask(make_kit, band, status, message):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        if band:
            await c.post("/consentkit/consent", json={"age_band": band})
        r = await c.post("/consentkit/parental/request", json={"parent_email": PARENT})
    assert r.status_code == status and message in r.json()["error"]
    assert kit.notifier.messages == []
    assert [rec for rec in await all_records(kit) if rec.kind == "request"] == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b'{"parent_email": "not an address"}', {"Content-Type": "application/json"}, 400, "e-mail address"),
        (b'{"parent_email": "p@example.com\\r\\nBcc: x@example.com"}', {"Content-Type": "application/json"}, 400,
         "e-mail address"),
        (b'{"parent_email": 12}', {"Content-Type": "application/json"}, 400, "e-mail address"),
        (b'{"parent_email": "' + b"a" * 300 + b'@example.com"}', {"Content-Type": "application/json"}, 400,
         "e-mail address"),
        (b'{}', {"Content-Type": "application/json"}, 400, "missing"),
        (b'{"parent_email": "p@example.com", "child_name": "Sam"}', {"Content-Type": "application/json"}, 400,
         "unknown key"),
        (b'["p@example.com"]', {"Content-Type": "application/json"}, 400, "JSON object"),
        (b'{"parent_email": ', {"Content-Type": "application/json"}, 400, "not valid JSON"),
        (b"parent_email=p@example.com", {"Content-Type": "text/plain"}, 415, "application/json"),
        (b'{"parent_email": "p@example.com", "x": "' + b"x" * 9000 + b'"}', {"Content-Type": "application/json"},
         413, "larger than"),
        (b'{"parent_email": "p@example.com"}', {"Content-Type": "application/json", "Origin": "https://evil.test"},
         403, "cross-site"),
    ],
)
async def test_bad_input_changes_nothing(make_kit, body, headers, status, message):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        before = await all_records(kit)
        r = await c.post("/consentkit/parental/request", content=body, headers=headers)
        assert r.status_code == status and message in r.json()["error"]
        assert (await c.get("/consentkit/state")).json()["parental_consent"] is None
    assert kit.notifier.messages == [] and await all_records(kit) == before


async def test_a_bad_address_in_a_plain_form_gets_an_error_page(make_kit):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        r = await c.post("/consentkit/parental/request", content="parent_email=nope", headers={**FORM, **HTML})
    assert r.status_code == 400 and "e-mail address" in r.text and r.headers["content-type"].startswith("text/html")


class Failing:
    """A notifier whose server is down."""

    site_url = "https://www.example.test"

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.messages: list[ParentMessage] = []

    async def send(self, message: ParentMessage) -> None:
        raise self.error


@pytest.mark.parametrize("failure", [NotifierError("the SMTP server could not be reached"), RuntimeError("boom")])
async def test_a_message_that_cannot_be_sent_changes_nothing(make_kit, failure):
    kit = make_kit(notifier=Failing(failure))
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        before = await all_records(kit)
        r = await c.post("/consentkit/parental/request", json={"parent_email": PARENT})
        assert r.status_code == 503 and "could not be sent" in r.json()["error"]
        assert (await c.get("/consentkit/state")).json()["parental_consent"] is None
    assert await all_records(kit) == before


async def test_requests_are_limited_per_child_and_per_address(make_kit, clock):
    kit = make_kit()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        for n in range(3):
            await ask_parent(c, kit, f"parent{n}@example.com")
            clock.advance(minutes=1)
        r = await c.post("/consentkit/parental/request", json={"parent_email": "parent9@example.com"})
        assert r.status_code == 429
        clock.advance(days=1)
        await ask_parent(c, kit, "parent9@example.com")
    # Another child cannot flood one address either.
    for n in range(3):
        async with client(kit, Origin=SITE) as other:
            await make_child(other)
            r = await other.post("/consentkit/parental/request", json={"parent_email": "victim@example.com"})
            assert r.status_code == 202
    async with client(kit, Origin=SITE) as other:
        await make_child(other)
        r = await other.post("/consentkit/parental/request", json={"parent_email": "Victim@Example.com"})
        assert r.status_code == 429


async def test_links_use_the_notifiers_site_url(make_kit):
    from consentkit.minors import MemoryNotifier

    kit = make_kit(notifier=MemoryNotifier(site_url="https://www.example.com/"))
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        await c.post("/consentkit/parental/request", json={"parent_email": PARENT})
    assert kit.notifier.messages[-1].link.startswith("https://www.example.com/consentkit/parental/")


async def test_a_store_that_is_down_is_a_503_not_a_500(make_kit):
    kit = make_kit()
    kit.ledger.store = store = CountingStore()
    async with client(kit, Origin=SITE) as c:
        await make_child(c)
        path = await ask_parent(c, kit)
        store.down = True
        r = await c.post("/consentkit/parental/request", json={"parent_email": PARENT})
        assert r.status_code == 503 and "cannot be reached" in r.json()["error"]
        page = await c.get(path, headers=HTML)
        assert page.status_code == 503 and "cannot be reached" in page.text
    assert len(kit.notifier.messages) == 1


class Quiet:
    """A notifier of a site's own, which forgot where its links point."""

    async def send(self, message: ParentMessage) -> None:
        pass


@pytest.mark.parametrize("site_url", [None, "", "evil.test", "https://www.example.test/path", 3])
def test_a_notifier_without_a_site_url_stops_the_app(make_kit, site_url):
    """Info of issue 13: links followed the Host header when the notifier had no site_url."""
    notifier = Quiet()
    if site_url is not None:
        notifier.site_url = site_url  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="site_url"):
        make_kit(notifier=notifier)


def test_the_development_outbox_may_go_without_one(make_kit):
    assert make_kit(notifier=MemoryNotifier()).notifier.site_url is None


async def test_the_address_limit_sees_sub_addresses_and_every_worker(make_kit, tmp_path):
    """L4: victim+N@ reached one inbox without limit, and each worker counted alone.
    Two kits on one ledger file stand for two workers of one site."""
    store = f"sqlite:///{tmp_path / 'consent.db'}"
    workers = [make_kit(store=store), make_kit(store=store)]
    try:
        for n in range(4):
            kit = workers[n % 2]
            async with client(kit, Origin=SITE) as c:
                await make_child(c)
                r = await c.post("/consentkit/parental/request", json={"parent_email": f"Victim+{n}@example.com"})
                assert r.status_code == (202 if n < 3 else 429), (n, r.text)
        # Another inbox is not affected.
        async with client(workers[1], Origin=SITE) as c:
            await make_child(c)
            r = await c.post("/consentkit/parental/request", json={"parent_email": "victim2@example.com"})
            assert r.status_code == 202
        # The count is kept under a pseudonym: no address in the ledger.
        assert "victim" not in repr(await all_records(workers[0])).lower()
    finally:
        for kit in workers:
            await kit.shutdown()
