"""The desk, through its Python API (what the endpoints, the CLI and the console
call): intake, verification, the clocks on a movable clock, staff actions, the
sources, the package, and the ledger's record of every step."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consentkit import ConsentKit
from consentkit.minors.notifiers import NotifierError
from consentkit.requests import Answer, Intake, RequestError, Subject, ledger_key

from ..kits import Clock
from .flow import code_in, last_code, messages_to

pytestmark = pytest.mark.anyio

ANA = "ana@example.com"
FRIDAY_BEFORE_THANKSGIVING = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # 10:00 in California


def package_of(kit: ConsentKit) -> str:
    """The download path in the newest answer."""
    link = kit.notifier.messages[-1].link  # type: ignore[attr-defined]
    assert "/consentkit/requests/download/" in link
    return link.rsplit("/", 1)[-1]


async def test_a_request_is_acknowledged_with_a_code_and_its_deadlines(kit: ConsentKit, clock: Clock) -> None:
    clock.now = FRIDAY_BEFORE_THANKSGIVING
    request = await kit.requests.submit(Intake("access", " Ana@Example.com "), visitor_id="v-1")
    assert (request.acknowledge_by, request.respond_by) == (date(2026, 12, 7), date(2027, 1, 4))
    assert request.status == "received" and request.acknowledged_at == clock.now
    [message] = messages_to(kit, ANA)
    assert "request to know the specific pieces" not in message.subject
    assert request.id in message.body and "04 January 2027" in message.body
    code = last_code(kit)
    assert code not in json.dumps(request.verification)  # only its keyed hash is kept
    steps = [r.extra["step"] for r in await kit.requests.records(request.id)]
    assert steps == ["received", "acknowledged"]
    assert all(ANA not in json.dumps(r.extra) for r in await kit.requests.records(request.id))


async def test_access_end_to_end_package_once(kit: ConsentKit, clock: Clock) -> None:
    seen: list[Subject] = []

    async def signups(subject: Subject) -> Any:
        seen.append(subject)
        return [{"email": subject.email, "plan": "gold"}]

    kit.register_source("signups", export=signups)
    request = await kit.requests.submit(Intake("access", ANA), visitor_id="v-1")
    with pytest.raises(RequestError, match="not right"):
        await kit.requests.verify(request.id, Answer(code="00000000", declaration=True))
    with pytest.raises(RequestError, match="declaration"):
        await kit.requests.verify(request.id, Answer(code=last_code(kit)))
    done = await kit.requests.verify(request.id, Answer(code=last_code(kit), declaration=True))
    assert done.status == "fulfilled" and done.method == "email_code+declaration"
    assert seen == [Subject(request.id, ANA, "v-1", "consumer")]
    # The data given to make and verify the request is gone with its end.
    assert (done.contact, done.details, done.verification, done.visitor_id) == (None, {}, {}, None)
    token = package_of(kit)
    data = await kit.requests.download(token)
    assert data is not None
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["README.txt", "consentkit.csv", "data.json", "signups.csv"]
    document = json.loads(archive.read("data.json"))
    assert document["request_id"] == request.id
    assert document["sources"]["signups"] == [{"email": ANA, "plan": "gold"}]
    assert archive.read("signups.csv").decode().splitlines() == ["email,plan", f"{ANA},gold"]
    assert await kit.requests.download(token) is None  # single use
    assert await kit.requests.download(token[:-2] + "xx") is None
    steps = [r.extra["step"] for r in await kit.requests.records(request.id)]
    assert steps == ["received", "acknowledged", "verified", "source.export", "source.export", "fulfilled",
                     "downloaded"]


async def test_a_download_link_expires(kit: ConsentKit, clock: Clock) -> None:
    request = await kit.requests.submit(Intake("know_categories", ANA))
    await kit.requests.verify(request.id, Answer(code=last_code(kit)))
    token = package_of(kit)
    clock.advance(days=8)
    assert await kit.requests.download(token) is None


async def test_a_third_request_to_know_in_twelve_months_is_refused(kit: ConsentKit, clock: Clock) -> None:
    for _ in range(2):
        request = await kit.requests.submit(Intake("know_categories", ANA))
        assert (await kit.requests.verify(request.id, Answer(code=last_code(kit)))).status == "fulfilled"
        clock.advance(days=100)
    third = await kit.requests.submit(Intake("access", ANA))
    refused = await kit.requests.verify(third.id, Answer(code=last_code(kit), declaration=True))
    assert refused.status == "denied" and "2 requests to know" in (refused.reason or "")
    assert "2 requests to know" in messages_to(kit, ANA)[-1].body
    # A deletion is not a request to know; another person is not limited by Ana's.
    clock.advance(days=1)
    other = await kit.requests.submit(Intake("access", "bo@example.com"))
    assert (await kit.requests.verify(other.id, Answer(code=last_code(kit), declaration=True))).status == "fulfilled"
    # Twelve months after the first, a request to know is answered again.
    clock.advance(days=170)
    again = await kit.requests.submit(Intake("know_categories", ANA))
    assert (await kit.requests.verify(again.id, Answer(code=last_code(kit)))).status == "fulfilled"


async def test_an_unverified_request_is_closed_with_its_reason(kit: ConsentKit, clock: Clock) -> None:
    request = await kit.requests.submit(Intake("delete", ANA))
    clock.advance(days=13)
    assert await kit.requests.close_unverified() == 0
    clock.advance(days=2)
    assert await kit.requests.close_unverified() == 1
    closed = await kit.requests.get(request.id)
    assert closed is not None and closed.status == "denied" and "could not be verified" in (closed.reason or "")
    assert closed.contact is None
    assert "could not be verified" in messages_to(kit, ANA)[-1].body


async def test_guessing_the_code_closes_the_request(kit: ConsentKit) -> None:
    request = await kit.requests.submit(Intake("delete", ANA))
    for _ in range(2):  # two more codes may be asked for
        for _ in range(5):
            with pytest.raises(RequestError):
                await kit.requests.verify(request.id, Answer(code="12345678"))
        await kit.requests.resend(request.id)
    code = last_code(kit)
    for _ in range(5):
        with pytest.raises(RequestError) as caught:
            await kit.requests.verify(request.id, Answer(code="12345678"))
    assert "closed as unverified" in caught.value.message
    assert (await kit.requests.get(request.id)).status == "denied"  # type: ignore[union-attr]
    with pytest.raises(RequestError, match="closed"):
        await kit.requests.verify(request.id, Answer(code=code))


async def test_a_code_expires(kit: ConsentKit, clock: Clock) -> None:
    request = await kit.requests.submit(Intake("correct", ANA, correction="my surname is Lopez"))
    code = last_code(kit)
    clock.advance(minutes=31)
    with pytest.raises(RequestError, match="expired"):
        await kit.requests.verify(request.id, Answer(code=code))


async def test_staff_extend_once_before_the_deadline_with_a_reason(kit: ConsentKit, clock: Clock) -> None:
    clock.now = FRIDAY_BEFORE_THANKSGIVING
    kit.requests.auto_fulfil = False
    request = await kit.requests.submit(Intake("delete", ANA))
    with pytest.raises(RequestError, match="reason"):
        await kit.requests.transition(request.id, "extend", actor="lee@staff")
    extended = await kit.requests.transition(request.id, "extend", actor="lee@staff", reason="backups are offline")
    assert extended.extended_to == date(2027, 2, 18) and extended.due == date(2027, 2, 18)
    assert "backups are offline" in messages_to(kit, ANA)[-1].body and "18 February 2027" in messages_to(kit, ANA)[-1].body
    with pytest.raises(RequestError, match="one extension"):
        await kit.requests.transition(request.id, "extend", actor="lee@staff", reason="again")
    late = await kit.requests.submit(Intake("delete", "bo@example.com"))
    clock.now = datetime(2027, 1, 6, 18, 0, tzinfo=UTC)
    with pytest.raises(RequestError, match="before it"):
        await kit.requests.extend(late.id, "too late", actor="lee@staff")
    overdue = await kit.requests.list(overdue=True)
    assert [s.id for s in overdue] == [late.id]
    assert [s.id for s in await kit.requests.list()] == [late.id, request.id]
    [record] = [r for r in await kit.requests.records(request.id) if r.extra["step"] == "extended"]
    assert record.extra["actor"] == "lee@staff" and record.extra["reason"] == "backups are offline"


async def test_staff_approve_deny_and_done(kit: ConsentKit) -> None:
    kit.requests.auto_fulfil = False
    deleted: list[str] = []

    async def delete(subject: Subject) -> None:
        deleted.append(subject.request_id)

    kit.register_source("signups", delete=delete)
    one = await kit.requests.submit(Intake("delete", ANA))
    two = await kit.requests.submit(Intake("limit_sensitive", "bo@example.com"))
    with pytest.raises(RequestError, match="not verified"):
        await kit.requests.transition(one.id, "approve", actor="lee")
    await kit.requests.verify(one.id, Answer(code=code_in(messages_to(kit, ANA)[-1].body)))
    approved = await kit.requests.transition(one.id, "approve", actor="lee")
    assert approved.status == "fulfilled" and deleted == [one.id]
    with pytest.raises(RequestError, match="reason"):
        await kit.requests.transition(two.id, "deny", actor="lee")
    denied = await kit.requests.transition(two.id, "deny", actor="lee", reason="we hold no sensitive data")
    assert denied.status == "denied" and "we hold no sensitive data" in messages_to(kit, "bo@example.com")[-1].body
    with pytest.raises(RequestError, match="closed"):
        await kit.requests.transition(two.id, "done", actor="lee")
    with pytest.raises(RequestError, match="actor"):
        await kit.requests.transition(two.id, "done", actor="")


async def test_a_failing_source_keeps_the_request_open_and_approve_retries(kit: ConsentKit) -> None:
    calls: list[str] = []

    async def flaky(subject: Subject) -> None:
        calls.append("flaky")
        if len(calls) == 1:
            raise ConnectionError("down")

    async def steady(subject: Subject) -> None:
        calls.append("steady")

    kit.register_source("flaky", delete=flaky)
    kit.register_source("steady", delete=steady)
    request = await kit.requests.submit(Intake("delete", ANA))
    stuck = await kit.requests.verify(request.id, Answer(code=last_code(kit)))
    assert stuck.status == "in_progress" and stuck.results["flaky"] == {"ok": False, "error": "ConnectionError"}
    done = await kit.requests.transition(request.id, "approve", actor="lee")
    assert done.status == "fulfilled"
    assert calls == ["flaky", "steady", "flaky"]  # the one that succeeded is not run again
    steps = [(r.extra["step"], r.extra.get("detail", {}).get("source")) for r in await kit.requests.records(request.id)]
    assert ("source.delete", "flaky") in steps and steps[-1] == ("fulfilled", None)


async def test_the_sweep_retries_failed_sources_not_requests_awaiting_approval(kit: ConsentKit) -> None:
    calls: list[str] = []

    async def flaky(subject: Subject) -> None:
        calls.append(subject.request_id)
        if len(calls) == 1:
            raise ConnectionError("down")

    kit.register_source("flaky", delete=flaky)
    stuck = await kit.requests.submit(Intake("delete", ANA))
    assert (await kit.requests.verify(stuck.id, Answer(code=last_code(kit)))).status == "in_progress"
    kit.requests.auto_fulfil = False  # this one waits for staff: the sweep must not answer it
    waiting = await kit.requests.submit(Intake("delete", "bo@example.com"))
    assert (await kit.requests.verify(waiting.id, Answer(code=last_code(kit)))).status == "in_progress"
    assert await kit.requests.retry_failed() == 1
    assert (await kit.requests.get(stuck.id)).status == "fulfilled"  # type: ignore[union-attr]
    assert (await kit.requests.get(waiting.id)).status == "in_progress"  # type: ignore[union-attr]
    assert calls == [stuck.id, stuck.id]
    assert await kit.requests.retry_failed() == 0
    [last] = [r for r in await kit.requests.records(stuck.id) if r.extra["step"] == "fulfilled"]
    assert last.extra["actor"] == "consentkit"


async def test_an_agent_needs_permission_and_the_consumer_confirms(kit: ConsentKit) -> None:
    with pytest.raises(RequestError, match="signed permission") as caught:
        await kit.requests.submit(Intake("delete", ANA, requester="agent", agent_name="Acme Agents"))
    assert caught.value.status == 403
    request = await kit.requests.submit(Intake("delete", ANA, requester="agent", agent_name="Acme Agents",
                                               permission=True))
    # The code goes to the consumer, not the agent: the agent cannot act alone.
    [message] = messages_to(kit, ANA)
    assert "authorized agent" in message.body
    assert (await kit.requests.verify(request.id, Answer(code=last_code(kit)))).status == "fulfilled"
    with pytest.raises(RequestError, match="parent"):
        await kit.requests.submit(Intake("delete", ANA, requester="parent"))


@pytest.mark.parametrize(("intake", "message"), [
    (Intake("access", "not-an-address"), "e-mail address"),
    (Intake("access", "a@b.co\r\nBcc: x@y.z"), "e-mail address"),
    (Intake("correct", ANA), "correction"),
    (Intake("correct", ANA, correction="x" * 501), "at most 500"),
    (Intake("access", ANA, name="a\x00b"), "plain text"),
])
async def test_bad_intake_is_refused_and_keeps_nothing(kit: ConsentKit, intake: Intake, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        await kit.requests.submit(intake)
    assert await kit.requests.list(status=None) == []
    assert kit.notifier.messages == []  # type: ignore[attr-defined]


async def test_a_contact_may_ask_three_times_a_day(kit: ConsentKit, clock: Clock) -> None:
    for _ in range(3):
        await kit.requests.submit(Intake("delete", ANA))
    with pytest.raises(RequestError, match="too many") as caught:
        await kit.requests.submit(Intake("delete", "ANA@example.com"))
    assert caught.value.status == 429
    clock.advance(days=1, seconds=1)
    await kit.requests.submit(Intake("delete", ANA))


async def test_nothing_is_kept_when_the_message_cannot_be_sent(kit: ConsentKit) -> None:
    class Broken:
        site_url = None

        async def send(self, message: object) -> None:
            raise NotifierError("the SMTP server could not be reached")

    kit.requests.notifier = Broken()  # type: ignore[assignment]
    with pytest.raises(RequestError) as caught:
        await kit.requests.submit(Intake("delete", ANA))
    assert caught.value.status == 503
    assert await kit.requests.list(status=None) == []


async def test_one_requests_data_never_reaches_anothers_package(kit: ConsentKit) -> None:
    rows = {ANA: {"plan": "gold"}, "bo@example.com": {"plan": "silver"}}

    async def export(subject: Subject) -> Any:
        return rows.get(subject.email or "", {})

    kit.register_source("signups", export=export)
    first = await kit.requests.submit(Intake("access", ANA), visitor_id="v-ana")
    second = await kit.requests.submit(Intake("access", "bo@example.com"), visitor_id="v-bo")
    await kit.requests.verify(second.id, Answer(code=last_code(kit), declaration=True))
    bo_token = package_of(kit)
    await kit.requests.verify(first.id, Answer(code=code_in(messages_to(kit, ANA)[0].body), declaration=True))
    ana_token = package_of(kit)
    ana = json.loads(zipfile.ZipFile(io.BytesIO(await kit.requests.download(ana_token) or b"")).read("data.json"))
    bo = json.loads(zipfile.ZipFile(io.BytesIO(await kit.requests.download(bo_token) or b"")).read("data.json"))
    assert ana["sources"]["signups"] == {"plan": "gold"} and ana["request_id"] == first.id
    assert bo["sources"]["signups"] == {"plan": "silver"} and bo["request_id"] == second.id


async def test_metrics_for_a_year(kit: ConsentKit, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    request = await kit.requests.submit(Intake("delete", ANA))
    other = await kit.requests.submit(Intake("delete", "bo@example.com"))
    clock.advance(minutes=10)
    await kit.requests.verify(request.id, Answer(code=code_in(messages_to(kit, ANA)[-1].body)))
    clock.advance(days=15)
    await kit.requests.close_unverified()
    await kit.requests.submit(Intake("access", "cy@example.com"))
    figures = await kit.requests.metrics(2026)
    assert figures.by_type["delete"] == {"received": 2, "complied": 1, "denied": 1, "open": 0,
                                         "median_days": 7.5, "mean_days": 7.5}
    assert figures.by_type["access"]["open"] == 1
    assert (await kit.requests.metrics(2025)).by_type == {}
    assert other.id != request.id


async def test_every_step_is_a_ledger_record_kept_under_the_requests_pseudonym(kit: ConsentKit) -> None:
    request = await kit.requests.submit(Intake("delete", ANA))
    await kit.requests.verify(request.id, Answer(code=last_code(kit)))
    records = await kit.requests.records(request.id)
    assert len(records) == len(await kit.ledger.for_visitor(ledger_key(request.id)))
    assert {r.kind for r in records} == {"request"} and {r.source for r in records} == {"request"}
    assert [r.extra["step"] for r in records] == ["received", "acknowledged", "verified", "source.delete",
                                                 "fulfilled"]
    assert records[2].verification == "email_code"
    assert records[-1].at >= records[0].at - timedelta(seconds=1)
