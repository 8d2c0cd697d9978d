"""What tests build kits from: a policy like the model site's, the secrets, and a
clock tests move by hand. The fixtures of ``tests/conftest.py`` use them; a test
module imports them from here, never from a conftest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentkit import Category, Policy, Service

SECRET = "test-secret-key-0123456789"
OLD_SECRET = "older-secret-key-abcdefghij"
START = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def make_policy(mode: str = "opt_out", *, age_gate: bool = True, version: str = "2026-11-01") -> Policy:
    return Policy(
        version=version,
        mode=mode,
        age_gate=age_gate,
        controller={"name": "Example Health Insurance", "contact": "privacy@example.test"},
        categories=[
            Category("necessary", required=True),
            Category("analytics", services=[
                Service("web-analytics", vendor="Google",
                        hosts=["www.googletagmanager.com", "www.google-analytics.com"],
                        cookies={"_ga": "2 years", "_ga_*": "2 years", "_gid": "24 hours"}),
                Service("clear-gif", vendor="Example Analytics", hosts=["pixel.example-analytics.test"]),
            ]),
            Category("captcha", services=[
                Service("recaptcha", vendor="Google", hosts=["www.google.com/recaptcha", "www.gstatic.com/recaptcha"]),
            ]),
            Category("advertising", sale_or_sharing=True, services=[
                Service("ads", vendor="Example Ads", hosts=["ads.example-ads.test"], cookies={"_ads": "13 months"}),
            ]),
        ],
    )


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def embeds_policy(mode: str = "opt_in") -> Policy:
    """The test policy with a "media" category of two embeds: YouTube and Google Maps."""
    base = make_policy(mode)
    media = Category("media", label="Media", description="Videos and maps from other sites.", services=[
        Service("youtube", name="YouTube", vendor="Google", description="Plays videos from YouTube.",
                hosts=["www.youtube.com", "www.youtube-nocookie.com"],
                cookies={"YSC": "session", "VISITOR_INFO1_LIVE": "6 months"}),
        Service("maps", name="Google Maps", vendor="Google", description="Shows maps from Google Maps.",
                hosts=["www.google.com/maps", "maps.googleapis.com"], cookies={"NID": "6 months"}),
    ])
    return Policy(version=base.version, mode=mode, age_gate=base.age_gate, controller=base.controller,
                  categories=[*base.categories, media])
