"""What the ledger says of a child's parental consent: pending while a request
waits, else the parent's latest decision; links used once; management links
revoked by a revocation or by a newer link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from consentkit.ledger.base import Record
from consentkit.minors.history import History
from tests.kits import START

CHILD = "child-visitor-id-0123"
GRANT = {"necessary": True, "analytics": True, "advertising": False}
DENY = {"necessary": True, "analytics": False, "advertising": False}


def rec(minute: int, kind: str, source: str = "parent", status: str | None = None,
        choices: dict[str, bool] | None = None, **extra: Any) -> Record:
    return Record(
        receipt_id=f"r{minute:03d}", visitor_id=CHILD, at=START + timedelta(minutes=minute), policy_version="v",
        mode="opt_out", choices=choices or {}, source=source, age_band="under_13", parental_consent=status,
        kind=kind, extra=extra,
    )


def request(minute: int, request_id: str) -> Record:
    return rec(minute, "request", "api", "pending", request_id=request_id, email_hash="h" * 64)


def decision(minute: int, request_id: str, management_id: str, choices: dict[str, bool] = GRANT) -> Record:
    status = "granted" if any(v for k, v in choices.items() if k != "necessary") else "denied"
    return rec(minute, "decision", "parent", status, choices, request_id=request_id, management_id=management_id)


CHILDS_OWN = rec(0, "decision", "banner", None, {"necessary": True, "analytics": True})


@pytest.mark.parametrize(
    ("records", "status"),
    [
        ([], (None, {})),
        ([CHILDS_OWN], (None, {})),
        ([CHILDS_OWN, request(1, "q1")], ("pending", {})),
        ([request(1, "q1"), decision(2, "q1", "m1")], ("granted", GRANT)),
        ([request(1, "q1"), decision(2, "q1", "m1", DENY)], ("denied", DENY)),
        # A new request after a refusal waits for its own answer...
        ([request(1, "q1"), decision(2, "q1", "m1", DENY), request(3, "q2")], ("pending", {})),
        # ...which a decision through the old management link gives, too.
        ([request(1, "q1"), decision(2, "q1", "m1", DENY), request(3, "q2"), decision(4, "q1", "m1")],
         ("granted", GRANT)),
        # A refusal through the management link overrides the grant.
        ([request(1, "q1"), decision(2, "q1", "m1"), decision(3, "q1", "m1", DENY)], ("denied", DENY)),
        # After deletion only the proof remains, and it still applies.
        ([rec(2, "proof", "parent", "denied", DENY, management_id="m1")], ("denied", DENY)),
        # A revocation is no decision.
        ([request(1, "q1"), decision(2, "q1", "m1"), rec(3, "revocation", "parent", None, management_id="m1")],
         ("granted", GRANT)),
    ],
)
def test_status(records, status):
    assert History(records).status() == status


def test_the_order_is_by_time_whatever_order_the_store_gives():
    shuffled = [decision(2, "q1", "m1"), request(1, "q1"), request(3, "q2")]
    assert History(shuffled).status() == ("pending", {})


def test_a_request_is_open_until_answered_once():
    records = [request(1, "q1")]
    opened = History(records).open_request("q1")
    assert opened is not None and opened.child_id == CHILD and opened.email_hash == "h" * 64
    assert History(records).open_request("q2") is None
    answered = [*records, decision(2, "q1", "m1")]
    assert History(answered).open_request("q1") is None


def test_any_later_decision_closes_older_requests():
    records = [request(1, "q1"), request(2, "q2"), decision(3, "q2", "m1")]
    assert History(records).open_request("q1") is None


def test_management_links_are_revoked_by_a_revocation_or_a_newer_link():
    records = [request(1, "q1"), decision(2, "q1", "m1"), decision(3, "q1", "m1", DENY)]
    managed = History(records).managed_decision("m1")
    assert managed is not None and managed.receipt_id == "r003"
    assert History(records).managed_decision("m0") is None
    revoked = [*records, rec(4, "revocation", "parent", None, management_id="m1")]
    assert History(revoked).managed_decision("m1") is None
    replaced = [*records, request(5, "q2"), decision(6, "q2", "m2")]
    assert History(replaced).managed_decision("m1") is None
    assert History(replaced).managed_decision("m2") is not None


def test_next_moment_never_ties_with_the_latest_record():
    records = [request(1, "q1")]
    later = START + timedelta(minutes=5)
    assert History(records).next_moment(later) == later
    same = History(records).next_moment(START)
    assert same > records[0].at and same - records[0].at == timedelta(microseconds=1)


def test_requests_since():
    records = [request(1, "q1"), request(10, "q2"), request(20, "q3")]
    assert History(records).requests_since(START + timedelta(minutes=10)) == 2
