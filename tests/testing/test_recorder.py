"""The recorder's bookkeeping of consent, and the assertions' messages.

Real browser traffic goes through the recorder in ``test_plugin.py``; here its
learning from consent requests is driven directly, request by request."""

from __future__ import annotations

import json

import pytest

from consentkit.testing import (
    TrackedRequest,
    TrackerRecorder,
    assert_category_not_requested,
    assert_category_requested,
    assert_no_tracker_before_consent,
)
from tests.kits import make_policy


class FakeRequest:
    """The four attributes of a Playwright request the recorder reads."""

    def __init__(self, url: str, method: str = "GET", body: str | None = None, content_type: str = "") -> None:
        self.url = url
        self.method = method
        self.resource_type = "script"
        self.post_data = body
        self.headers = {"content-type": content_type} if content_type else {}


def feed(recorder: TrackerRecorder, *requests: FakeRequest) -> None:
    for request in requests:
        recorder._on_request(request)  # type: ignore[arg-type]


GA = "https://www.googletagmanager.com/gtag/js?id=G-X"
ADS = "https://ads.example-ads.test/p.gif"


def consent(choices: dict[str, bool]) -> FakeRequest:
    return FakeRequest("http://site.test/consentkit/consent", "POST", json.dumps({"choices": choices}),
                       "application/json")


@pytest.mark.parametrize(
    ("steps", "consented_urls", "early_urls"),
    [
        ([FakeRequest(GA)], [], [GA]),
        ([consent({"analytics": True}), FakeRequest(GA), FakeRequest(ADS)], [GA], [ADS]),
        ([consent({"analytics": True, "advertising": True}),
          FakeRequest("http://site.test/consentkit/opt-out", "POST", "", "application/x-www-form-urlencoded"),
          FakeRequest(GA), FakeRequest(ADS)], [GA], [ADS]),
        ([FakeRequest("http://site.test/consentkit/preferences", "POST", "analytics=on&next=%2F",
                      "application/x-www-form-urlencoded"), FakeRequest(GA)], [GA], []),
        ([consent({"analytics": True}), consent({"analytics": False}), FakeRequest(GA)], [], [GA]),
        ([FakeRequest("http://site.test/consentkit/consent", "POST", "{not json", "application/json"),
          FakeRequest(GA)], [], [GA]),
        ([FakeRequest("https://www.example.test/page.js"), FakeRequest("http://site.test/app.js")], [], []),
    ],
)
def test_requests_are_stamped_with_the_consent_of_their_moment(steps, consented_urls, early_urls):
    recorder = TrackerRecorder(make_policy())
    feed(recorder, *steps)
    assert [r.url for r in recorder.requests if r.consented] == consented_urls
    assert [r.url for r in recorder.before_consent] == early_urls


def test_categories_and_clear():
    recorder = TrackerRecorder(make_policy())
    feed(recorder, FakeRequest(GA), FakeRequest(ADS))
    assert recorder.categories == {"analytics", "advertising"}
    assert [r.host for r in recorder.for_category("advertising")] == ["ads.example-ads.test"]
    recorder.clear()
    assert recorder.requests == []


def test_assertions_name_the_culprits():
    recorder = TrackerRecorder(make_policy())
    feed(recorder, FakeRequest(GA))
    with pytest.raises(AssertionError, match=r"1 request\(s\) to a tracker before consent:\n  - GET https://www.googletag"):
        assert_no_tracker_before_consent(recorder)
    assert_category_requested(recorder, "analytics")
    with pytest.raises(AssertionError, match=r"no request to a host of 'captcha' \(www.google.com/recaptcha"):
        assert_category_requested(recorder, "captcha")
    with pytest.raises(AssertionError, match="the policy has no category 'tracking'"):
        assert_category_requested(recorder, "tracking")
    assert_category_not_requested(recorder, "advertising")
    with pytest.raises(AssertionError, match="hosts of 'analytics'"):
        assert_category_not_requested(recorder, "analytics")


def test_a_tracked_request_reads_well():
    early = TrackedRequest(GA, "www.googletagmanager.com", "analytics", "script", "GET", False, 1.5)
    assert str(early) == f"GET {GA} [analytics, script, BEFORE consent, at 1.50s]"
