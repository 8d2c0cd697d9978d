"""The legal clocks: business days on the US federal holiday calendar (from the
``holidays`` package), 45 days to respond, one extension to 90."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consentkit.requests import BusinessCalendar, RequestClocks


@pytest.mark.parametrize(("received", "ack", "respond"), [
    # The Friday before Thanksgiving 2026: Thursday 26 November is skipped, Friday 27 counts.
    (datetime(2026, 11, 20, 15, 0, tzinfo=UTC), date(2026, 12, 7), date(2027, 1, 4)),
    # Received on a Saturday: the count starts on Monday.
    (datetime(2026, 11, 21, 15, 0, tzinfo=UTC), date(2026, 12, 7), date(2027, 1, 5)),
    # Across Christmas and New Year's Day (both on Fridays, 25 December 2026 and 1 January 2027).
    (datetime(2026, 12, 18, 15, 0, tzinfo=UTC), date(2027, 1, 5), date(2027, 2, 1)),
    # Independence Day 2026 falls on a Saturday: observed Friday 3 July.
    (datetime(2026, 6, 26, 15, 0, tzinfo=UTC), date(2026, 7, 13), date(2026, 8, 10)),
    # Juneteenth (Friday 19 June 2026).
    (datetime(2026, 6, 12, 15, 0, tzinfo=UTC), date(2026, 6, 29), date(2026, 7, 27)),
])
def test_deadlines_on_the_federal_calendar(received: datetime, ack: date, respond: date) -> None:
    assert RequestClocks(timezone="UTC").deadlines(received) == (ack, respond)


def test_the_day_is_the_sites_day() -> None:
    # 02:00 UTC on Saturday is still Friday evening in California.
    clocks = RequestClocks()  # America/Los_Angeles
    assert clocks.deadlines(datetime(2026, 11, 21, 2, 0, tzinfo=UTC)) == (date(2026, 12, 7), date(2027, 1, 4))


def test_one_extension_makes_ninety_days() -> None:
    clocks = RequestClocks(timezone="UTC")
    _, respond = clocks.deadlines(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    assert clocks.extended(respond) == date(2027, 2, 18)
    assert (clocks.extended(respond) - date(2026, 11, 20)).days == 90


def test_the_calendar_names_holidays_and_takes_closures() -> None:
    calendar = BusinessCalendar(closed=[date(2026, 11, 27)])
    assert calendar.holiday(date(2026, 11, 26)) == "Thanksgiving Day"
    assert not calendar.is_business_day(date(2026, 11, 26))
    assert not calendar.is_business_day(date(2026, 11, 27))  # the site's own closure
    assert calendar.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 30)
    # A state's calendar adds its own: California keeps Cesar Chavez Day (31 March).
    assert not BusinessCalendar(subdivision="CA").is_business_day(date(2026, 3, 31))
    assert BusinessCalendar().is_business_day(date(2026, 3, 31))


@pytest.mark.parametrize(("options", "message"), [
    ({"acknowledge_business_days": 11}, "between 1 and 10"),
    ({"respond_days": 46}, "between 1 and 45"),
    ({"extension_days": 50}, "at most 90"),
    ({"know_limit": 1}, "at least twice"),
    ({"timezone": "Mars/Olympus"}, "IANA"),
])
def test_settings_past_the_law_fail_at_start_up(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RequestClocks(**options)  # type: ignore[arg-type]


def test_an_unknown_country_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="holidays package"):
        BusinessCalendar("XX")
