"""Consent receipts and the proof of opt-out kept after erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consentkit.ledger.base import Record
from consentkit.policy import Category, Controller, Policy, Service
from consentkit.receipts import RECEIPT_VERSION, proof_of_opt_out, to_receipt

T0 = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def _policy(mode: str = "opt_out") -> Policy:
    return Policy(
        "2026-11-01",
        [
            Category("necessary", required=True),
            Category("analytics", label="Analytics", services=[
                Service("web-analytics", vendor="Google", hosts=["www.google-analytics.com"], cookies={"_ga": "2 years"}),
            ]),
            Category("advertising", sale_or_sharing=True, label="Advertising", services=[
                Service("ads", vendor="AdCo", hosts=["ads.example.test"]),
            ]),
        ],
        mode=mode,
        controller=Controller(name="Example Insurance", contact="privacy@example.test", url="https://example.test"),
        privacy_url="https://example.test/privacy",
    )


def _record(at: datetime = T0, **changes: Any) -> Record:
    fields: dict[str, Any] = {
        "receipt_id": f"r-{at.timestamp()}-{changes.get('source', 'banner')}",
        "visitor_id": "visitor-1", "at": at, "policy_version": "2026-11-01", "mode": "opt_out",
        "choices": {"necessary": True, "analytics": True, "advertising": True}, "source": "banner",
        "age_band": "16_plus", "browser": "Firefox", "browser_major": "128", "os": "Linux", "device": "desktop",
    }
    fields.update(changes)
    return Record(**fields)


def test_receipt_carries_the_kantara_core_fields() -> None:
    record = _record(choices={"necessary": True, "analytics": False, "advertising": False}, gpc=True, source="gpc")
    receipt = to_receipt(record, _policy())
    assert receipt["version"] == RECEIPT_VERSION
    assert receipt["consentReceiptID"] == record.receipt_id
    assert receipt["piiPrincipalId"] == "visitor-1"
    assert receipt["consentTimestamp"] == int(T0.timestamp())
    assert receipt["timestamp"] == "2026-11-27T13:00:00Z"
    assert receipt["collectionMethod"] == "gpc"
    assert receipt["noticeVersion"] == "2026-11-01"
    assert receipt["jurisdiction"] == "US"
    assert receipt["piiControllers"][0]["piiController"] == "Example Insurance"
    assert receipt["piiControllers"][0]["contact"] == "privacy@example.test"
    assert receipt["policyUrl"] == "https://example.test/privacy"
    assert receipt["withdrawal"] == {"preferences": "/consentkit/preferences", "doNotSell": "/consentkit/do-not-sell"}
    assert "/consentkit/preferences" in receipt["withdrawalMethod"]
    assert receipt["gpc"] is True
    purposes = {p["purpose"]: p for p in receipt["services"][0]["purposes"]}
    assert list(purposes) == ["necessary", "analytics", "advertising"]
    assert purposes["advertising"]["state"] == "denied" and purposes["advertising"]["thirdPartyDisclosure"] is True
    assert purposes["advertising"]["vendors"] == ["AdCo"]
    assert purposes["analytics"]["thirdPartyDisclosure"] is False
    assert purposes["analytics"]["purposeCategory"] == ["Analytics"]
    assert purposes["analytics"]["cookies"] == ["_ga"]
    assert purposes["necessary"]["state"] == "granted" and purposes["necessary"]["primaryPurpose"] is True
    json.dumps(receipt)  # a receipt is plain JSON


def test_receipt_keeps_categories_an_older_policy_had() -> None:
    receipt = to_receipt(_record(choices={"necessary": True, "retired": False}, mode="opt_in"), _policy("opt_in"))
    purposes = {p["purpose"]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["retired"]["state"] == "denied" and purposes["retired"]["purposeCategory"] == ["retired"]
    assert purposes["retired"]["consentType"] == "EXPLICIT"
    assert receipt["jurisdiction"] == "EU"


def test_receipt_has_no_do_not_sell_link_without_a_sale_category() -> None:
    policy = Policy("v1", [Category("necessary", required=True), Category("analytics")])
    assert to_receipt(_record(choices={"necessary": True}), policy, prefix="/c")["withdrawal"] == {
        "preferences": "/c/preferences"
    }


DENY_ADS = {"necessary": True, "analytics": True, "advertising": False}
ALLOW_ALL = {"necessary": True, "analytics": True, "advertising": True}


@pytest.mark.parametrize(
    ("history", "mode", "proved_source"),
    [
        ([{"choices": DENY_ADS}], "opt_out", "banner"),
        ([{"choices": ALLOW_ALL}], "opt_out", None),
        ([{"choices": DENY_ADS, "mode": "opt_in"}], "opt_in", None),  # the default in opt_in mode
        ([{"choices": DENY_ADS, "mode": "opt_in", "source": "gpc", "gpc": True}], "opt_in", "gpc"),
        ([{"choices": ALLOW_ALL, "mode": "opt_in"}, {"choices": DENY_ADS, "mode": "opt_in"}], "opt_in", "banner"),
        ([{"choices": DENY_ADS, "age_band": "under_13"}], "opt_out", None),  # a child's default
        ([{"choices": DENY_ADS, "source": "link"}, {"choices": ALLOW_ALL, "source": "preferences"}], "opt_out", "link"),
        ([{"choices": DENY_ADS, "source": "link"}, {"choices": DENY_ADS, "source": "preferences"}], "opt_out",
         "preferences"),
    ],
)
def test_proof_of_opt_out_keeps_the_latest_opt_out(
    history: list[dict[str, Any]], mode: str, proved_source: str | None
) -> None:
    records = [_record(T0 + timedelta(days=i), **changes) for i, changes in enumerate(history)]
    now = T0 + timedelta(days=30)
    proof = proof_of_opt_out(list(reversed(records)), now, "new-receipt", policy=_policy(mode))
    if proved_source is None:
        assert proof == []
        return
    [kept] = proof
    original = next(r for r in reversed(records) if r.source == proved_source)
    assert kept.kind == "proof"
    assert kept.receipt_id == "new-receipt"
    assert kept.visitor_id == "visitor-1"
    assert kept.source == proved_source and kept.at == original.at
    assert dict(kept.choices) == {"advertising": False}
    assert (kept.browser, kept.browser_major, kept.os, kept.device) == ("", "", "", "")
    assert kept.age_band == "unknown" and kept.parental_consent is None
    assert kept.gpc == original.gpc
    assert kept.extra["erased_at"] == "2026-12-27T13:00:00Z"


def test_proof_survives_a_second_erasure() -> None:
    [first] = proof_of_opt_out([_record(choices=DENY_ADS, source="gpc", gpc=True)], T0, "p1", policy=_policy())
    [second] = proof_of_opt_out([first], T0 + timedelta(days=1), "p2", policy=_policy())
    assert (second.receipt_id, dict(second.choices), second.gpc, second.at) == ("p2", {"advertising": False}, True, T0)


def test_without_the_policy_sale_categories_come_from_opt_out_actions() -> None:
    gpc = _record(choices=DENY_ADS, source="gpc", gpc=True)
    [kept] = proof_of_opt_out([gpc], T0, "p")
    assert dict(kept.choices) == {"advertising": False}
    assert proof_of_opt_out([_record(choices=DENY_ADS)], T0, "p") == []
