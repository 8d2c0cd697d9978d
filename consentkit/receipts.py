"""Consent receipts (Kantara Consent Receipt 1.1 / ISO/IEC TS 27560 core fields) and
the minimal proof of an opt-out kept after a visitor erases their records.

A receipt is built from a ledger record and the policy: the record says who chose
what, when and how; the policy names the controller, the purposes' labels, their
vendors and whether they are a sale or sharing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from .ledger.base import Record
from .policy import Policy

RECEIPT_VERSION = "KI-CR-v1.1.0"
# Sources that only ever record an opt-out of sale or sharing.
OPT_OUT_SOURCES = frozenset({"gpc", "link"})
_MINORS = frozenset({"under_13", "13_15"})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jurisdiction(policy: Policy, record: Record) -> str:
    if record.region:  # the region whose rules applied: "US-CO", "EU"
        return record.region
    mode = record.mode
    explicit = policy.extra.get("jurisdiction")
    if isinstance(explicit, str) and explicit:
        return explicit
    return "EU" if mode == "opt_in" else "US"


def _purpose(policy: Policy, record: Record, category_id: str, granted: bool) -> dict[str, Any]:
    category = policy.category(category_id) if category_id in policy else None
    vendors = sorted({s.vendor for s in category.services if s.vendor}) if category else []
    required = bool(category and category.required)
    sale = bool(category and category.sale_or_sharing)
    if required:
        consent_type = "NOT REQUIRED"  # necessary: no consent asked, shown for completeness
    else:
        consent_type = "EXPLICIT" if record.mode == "opt_in" else "OPT-OUT"
    return {
        "purpose": category_id,
        "purposeCategory": [category.label if category else category_id],
        "consentType": consent_type,
        "state": "granted" if granted else "denied",
        "granted": granted,
        "primaryPurpose": required,
        "piiCategory": ["cookies and similar identifiers"],
        "cookies": [c.pattern for c in category.cookies] if category else [],
        "services": [
            {"id": s.id, "vendor": s.vendor, "granted": bool(record.services.get(s.id, granted))}
            for s in category.services
        ] if category else [],
        "vendors": vendors,
        "termination": f"until withdrawn, or {policy.lifetime_days} days after the decision",
        "thirdPartyDisclosure": sale,
        # State-law purposes (sale, sharing, targeted_advertising, profiling) and sensitive data.
        "optOutPurposes": list(category.purposes) if category else [],
        "sensitive": bool(category and category.sensitive),
        "thirdPartyName": ", ".join(vendors),
    }


def to_receipt(record: Record, policy: Policy, *, prefix: str = "/consentkit") -> dict[str, Any]:
    """The record as a consent receipt: the Kantara CR 1.1 fields (``version``,
    ``consentReceiptID``, ``piiPrincipalId``, ``consentTimestamp``, ``collectionMethod``,
    ``piiControllers``, ``services`` with their purposes and state), the notice
    version, the withdrawal method, and the signals that applied."""
    known = [cid for cid in policy.category_ids if cid in record.choices]
    unknown = sorted(cid for cid in record.choices if cid not in policy)  # from an older policy
    controller = policy.controller
    withdrawal = {"preferences": f"{prefix}/preferences"}
    if policy.sale_or_sharing_ids:
        withdrawal["doNotSell"] = f"{prefix}/do-not-sell"
    text = f"Change or withdraw consent at any time at {prefix}/preferences"
    if policy.sale_or_sharing_ids:
        text += f"; opt out of the sale or sharing of personal information at {prefix}/do-not-sell"
    receipt = {
        "version": RECEIPT_VERSION,
        "schemaVersion": RECEIPT_VERSION,
        "consentReceiptID": record.receipt_id,
        "jurisdiction": _jurisdiction(policy, record),
        "consentTimestamp": int(record.at.timestamp()),
        "timestamp": _iso(record.at),
        "collectionMethod": record.source,
        "piiPrincipalId": record.visitor_id,
        "language": "en",
        "piiControllers": [{
            "piiController": controller.name,
            "contact": controller.contact,
            "piiControllerUrl": controller.url,
        }],
        "policyUrl": policy.privacy_url,
        "noticeVersion": record.policy_version,
        "mode": record.mode,
        "services": [{
            "service": controller.name or "website",
            "purposes": [_purpose(policy, record, cid, bool(record.choices[cid])) for cid in known + unknown],
        }],
        # Kantara CR 1.1: whether sensitive personal information is involved, and its categories.
        "sensitive": bool(policy.sensitive_ids or policy.sensitive_service_ids),
        "spiCat": [policy.category(cid).label for cid in policy.sensitive_ids],
        "withdrawalMethod": text,
        "withdrawal": withdrawal,
        "recordKind": record.kind,
        "gpc": record.gpc,
        "ageBand": record.age_band,
        "parentalConsent": record.parental_consent,
        "verificationMethod": record.verification,
    }
    if record.browser or record.os or record.device:
        # The record of an opt-out (GPC, the link) has none: nothing about the browser (R7).
        receipt["browser"] = {
            "family": record.browser, "major": record.browser_major, "os": record.os, "device": record.device,
        }
    return receipt


def _sale_ids(records: Sequence[Record], policy: Policy | None) -> frozenset[str]:
    if policy is not None:
        return frozenset(policy.sale_or_sharing_ids)
    return infer_sale_ids(
        frozenset(cid for cid, value in r.choices.items() if value is False)
        for r in records if r.source in OPT_OUT_SOURCES
    )


def infer_sale_ids(opt_out_denials: Iterable[frozenset[str]]) -> frozenset[str]:
    """Without the policy, the sale_or_sharing categories are those that every
    opt-out action (GPC, the "Do Not Sell" link) left denied: the intersection, so
    that a category the visitor had also refused is not mistaken for one."""
    common: frozenset[str] | None = None
    for denied in opt_out_denials:
        common = denied if common is None else common & denied
    return (common or frozenset()) - {"necessary"}


def is_opt_out(record: Record, previous: Record | None, sale_ids: Iterable[str]) -> bool:
    """Whether this record is an opt-out of sale or sharing: a sale category is
    denied, by an opt-out action, a withdrawal (``previous`` granted it), or a "no"
    where the default is "yes" (an adult in opt_out mode)."""
    denied = [cid for cid in sale_ids if record.choices.get(cid) is False]
    if not denied or record.extra.get("action") == "limit":
        return False  # a limit request left sale as it was: not the opt-out's own record
    if record.kind == "proof" or record.source in OPT_OUT_SOURCES:
        return True
    if previous is not None and any(previous.choices.get(cid) is True for cid in denied):
        return True  # a withdrawal
    # Sale is on by default only in opt_out mode, for adults: a "no" there is a choice.
    # In opt_in mode, or for a minor, "no" is just the default.
    return record.mode == "opt_out" and record.age_band not in _MINORS


def proof_of_opt_out(
    records: Sequence[Record], now: datetime, new_receipt_id: str, *, policy: Policy | None = None
) -> list[Record]:
    """What is kept when a visitor erases their records: a single proof record of
    their latest opt-out of sale or sharing (its time, source, notice version, GPC
    flag and the sale categories turned off; nothing about the browser), or nothing
    if they never opted out. Pass ``policy`` to name the sale categories; without
    it they are inferred from GPC and "Do Not Sell" records only."""
    sale_ids = _sale_ids(records, policy)
    ordered = sorted(records, key=lambda r: (r.at, r.receipt_id))
    latest: Record | None = None
    previous: Record | None = None
    for record in ordered:
        if is_opt_out(record, previous, sale_ids):
            latest = record
        previous = record
    if latest is None:
        return []
    choices = {cid: False for cid in sorted(sale_ids) if latest.choices.get(cid) is False}
    return [_proof(latest, new_receipt_id, choices, {"erased_at": _iso(now), "proves": latest.receipt_id})]


def _proof(latest: Record, receipt_id: str, choices: dict[str, bool], extra: dict[str, Any],
           **more: Any) -> Record:
    """The one record an erasure keeps to prove ``latest``: its time, notice version,
    mode, source, signal and jurisdiction, with the ``choices`` it proves."""
    return Record(
        receipt_id=receipt_id, visitor_id=latest.visitor_id, at=latest.at, policy_version=latest.policy_version,
        mode=latest.mode, choices=choices, source=latest.source, gpc=latest.gpc, kind="proof", extra=extra,
        region=latest.region, **more,
    )


def proof_of_limit(
    records: Sequence[Record], now: datetime, new_receipt_id: str, *, policy: Policy | None = None
) -> list[Record]:
    """What is kept of a "Limit the Use of My Sensitive Personal Information" request
    when the visitor erases their records: a single proof record of the latest one
    (time, notice version, region, the sensitive categories it turned off), unless a
    later decision of theirs granted a sensitive category again; nothing otherwise."""
    ordered = sorted(records, key=lambda r: (r.at, r.receipt_id))
    limits = [r for r in ordered if r.extra.get("action") == "limit"]
    if not limits:
        return []
    latest = limits[-1]
    sensitive = set(policy.sensitive_ids) if policy is not None else {
        cid for cid, value in latest.choices.items() if value is False}
    if any(r.at >= latest.at and r is not latest and r.source not in OPT_OUT_SOURCES
           and any(r.choices.get(cid) is True for cid in sensitive) for r in ordered):
        return []  # lifted since
    choices = {cid: False for cid in sorted(sensitive) if latest.choices.get(cid) is False}
    extra = {"action": "limit", "erased_at": _iso(now), "proves": latest.extra.get("proves", latest.receipt_id)}
    return [_proof(latest, new_receipt_id, choices, extra)]


def proof_of_consent(
    records: Sequence[Record], now: datetime, new_receipt_id: str, *, policy: Policy | None = None
) -> list[Record]:
    """What is kept of a visitor's consent when they erase their records (GDPR Art.
    7(1), R27): a single proof record of the consent still in force, that is, of
    the latest decision of theirs (not an opt-out, not a parent's) that granted
    something optional: its time, notice version, mode, source, age band, the
    categories and services it granted, and, for a two-step opt-in, both steps'
    times; nothing about the browser. Nothing if they granted nothing. The opt-out
    a later record made is proven by ``proof_of_opt_out``; the categories it
    withdrew are no longer in the proof's grants (they were not in force)."""
    required = frozenset(c.id for c in policy.categories if c.required) if policy is not None else frozenset()
    ordered = sorted(records, key=lambda r: (r.at, r.receipt_id))
    # The visitor's own decisions, and the proof of consent an earlier erasure kept.
    own = [r for r in ordered if r.source not in OPT_OUT_SOURCES and r.source != "parent"
           and (r.kind == "decision" or any(v is True for v in r.choices.values()))]
    if not own:
        return []
    latest = own[-1]
    # Later opt-outs (GPC, the link, their proof) withdrew their categories: not in force.
    withdrawn = {cid for r in ordered if r.at >= latest.at and r is not latest
                 and (r.source in OPT_OUT_SOURCES or r.kind == "proof")
                 for cid, value in r.choices.items() if value is False}
    granted = {cid: True for cid, value in latest.choices.items()
               if value is True and cid not in required and cid != "necessary" and cid not in withdrawn}
    services = dict(latest.services)  # the services that differ from their category
    if not granted and not any(services.values()):
        return []
    extra: dict[str, Any] = {"erased_at": _iso(now), "proves": latest.extra.get("proves", latest.receipt_id)}
    if services:
        extra["services"] = services
    for key in ("confirmed", "requested_at"):
        if key in latest.extra:
            extra[key] = latest.extra[key]
    return [_proof(latest, new_receipt_id, granted, extra, age_band=latest.age_band)]
