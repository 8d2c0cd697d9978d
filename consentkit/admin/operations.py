"""The day-to-day work: a child's parental consent (looked up by the child's
visitor id; refusing further collection or deleting the child's records on the
parent's behalf, COPPA §312.6), exports of the records, the policy in force, and
the audit trail of the console itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from starlette.responses import RedirectResponse, Response, StreamingResponse

from ..catalogue import catalogue
from ..ledger.export import FORMATS, lines
from ..minors import records as parental
from .config import Role
from .page import AUDIT_VISITOR, AdminCall, Handler, Refused
from .policy_diff import compare
from .proof import ID

AUDIT_SHOWN = 500


def _child(call: AdminCall, value: str) -> str:
    child = value.strip()
    if not ID.match(child) or child == AUDIT_VISITOR:
        raise Refused(400, "a visitor id is letters, digits, '-' and '_'")
    return child


async def get_parental(call: AdminCall) -> Response:
    wanted = call.query.get("child", "").strip()
    if not wanted:
        return call.render("parental.html", child="", history=None, parental_status=None, grants={})
    child = _child(call, wanted)
    await call.kit.startup()
    found = await parental.history(call.kit, child)
    status, grants = found.status()
    await call.audit("parental_lookup", child=child)
    return call.render("parental.html", child=child, history=found, parental_status=status, grants=grants,
                       done=call.query.get("done", ""))


async def post_parental(call: AdminCall) -> Response:
    """On the parent's behalf (who asked support): refuse further collection, or
    delete the child's records (the parent's decision in force is kept as proof)."""
    form = await call.form()
    child = _child(call, form.get("child", ""))
    action = form.get("action", "")
    reason = form.get("reason", "").strip()[:500]
    if action not in ("refuse", "delete"):
        raise Refused(400, "action is refuse or delete")
    if not reason:
        raise Refused(400, "say why (the parent's request, how it was checked): it is recorded")
    kit = call.kit
    assert call.user is not None
    async with kit.parental.lock:
        found = await parental.history(kit, child)
        if not found.records:
            raise Refused(404, "the ledger holds nothing for this visitor id")
        if action == "refuse":
            latest = found.latest_decision
            await parental.append(
                kit, child_id=child, at=found.next_moment(call.now), kind="decision", source="parent",
                choices={c.id: c.required for c in kit.policy.categories}, parental_consent="denied",
                verification=latest.verification if latest else None,
                extra={"by": f"admin:{call.user.name}", "reason": reason},
            )
        else:
            await kit.ledger.erase_visitor(child, parental.erasure_proof(kit, found, call.now))
            kit.parental.statuses.forget(child)
    await call.audit(f"parental_{action}", child=child, reason=reason)
    return RedirectResponse(f"{call.url('parental')}?child={child}&done={action}", status_code=303,
                            headers={"Cache-Control": "no-store"})


async def get_export(call: AdminCall) -> Response:
    """The form, or with ``format``, the records of [since, until) streamed as a download."""
    query = call.query
    fmt = query.get("format")
    today = call.now.date()
    if fmt is None:
        return call.render("export.html", formats=FORMATS, since=(today - timedelta(days=30)).isoformat(),
                           until=(today + timedelta(days=1)).isoformat())
    if fmt not in FORMATS:
        raise Refused(400, f"format is one of {', '.join(FORMATS)}")
    try:
        since, until = date.fromisoformat(query.get("since", "")), date.fromisoformat(query.get("until", ""))
    except ValueError:
        raise Refused(400, "since and until are dates: YYYY-MM-DD") from None
    if not since < until:
        raise Refused(400, "since comes before until")
    await call.kit.startup()
    await call.audit("export", format=fmt, since=since.isoformat(), until=until.isoformat())
    start = datetime.combine(since, datetime.min.time(), UTC)
    end = datetime.combine(until, datetime.min.time(), UTC)
    body = lines(call.kit.ledger.store, fmt=fmt, since=start, until=end)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="consent-records-{since}-{until}.{fmt}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


async def get_policy(call: AdminCall) -> Response:
    """The policy in force; with ``?compare=VERSION``, what changed since that
    earlier version (one of ``Admin(policy_history=...)``)."""
    policy = call.kit.policy
    history = [p for p in call.kit.admin.policy_history if p.version != policy.version] if call.kit.admin else []
    wanted = call.query.get("compare", "")
    earlier = None
    if wanted:
        earlier = next((p for p in history if p.version == wanted), None)
        if earlier is None:
            raise Refused(404, "no such earlier version of the policy")
    return call.render("policy.html", policy=policy, categories=catalogue(policy), history=history,
                       earlier=earlier, changes=compare(earlier, policy) if earlier else None)


async def get_audit(call: AdminCall) -> Response:
    await call.kit.startup()
    trail = await call.kit.ledger.for_visitor(AUDIT_VISITOR)
    return call.render("audit.html", trail=list(reversed(trail))[:AUDIT_SHOWN], shown=AUDIT_SHOWN)


ROUTES: dict[tuple[str, str], tuple[Handler, Role]] = {
    ("GET", "parental"): (get_parental, "operator"),
    ("POST", "parental"): (post_parental, "operator"),
    ("GET", "export"): (get_export, "operator"),
    ("GET", "policy"): (get_policy, "viewer"),
    ("GET", "audit"): (get_audit, "operator"),
}
