"""Assertions over a ``TrackerRecorder``, with messages that name the culprits."""

from __future__ import annotations

from .recorder import TrackedRequest, TrackerRecorder


def _listing(requests: list[TrackedRequest]) -> str:
    return "\n".join(f"  - {r}" for r in requests)


def assert_no_tracker_before_consent(recorder: TrackerRecorder) -> None:
    """No request went to a gated category's host before the visitor consented to it."""
    early = recorder.before_consent
    if early:
        raise AssertionError(
            f"{len(early)} request(s) to a tracker before consent:\n{_listing(early)}\n"
            "Gate these tags with data-consent (contract section 4) or declare their hosts in the right category."
        )


def assert_category_requested(recorder: TrackerRecorder, category: str) -> None:
    """At least one request went to a declared host of ``category``."""
    if category not in recorder.policy:
        raise AssertionError(f"the policy has no category {category!r}: it has {', '.join(recorder.policy.category_ids)}")
    if not recorder.for_category(category):
        hosts = ", ".join(str(h) for h in recorder.policy.category(category).hosts) or "(none declared)"
        seen = ", ".join(sorted(recorder.categories)) or "none"
        raise AssertionError(
            f"no request to a host of {category!r} ({hosts}) was recorded; categories requested: {seen}"
        )


def assert_category_not_requested(recorder: TrackerRecorder, category: str) -> None:
    """No request went to a declared host of ``category`` (say, after the visitor refused it)."""
    found = recorder.for_category(category)
    if found:
        raise AssertionError(f"{len(found)} request(s) to hosts of {category!r}:\n{_listing(found)}")
