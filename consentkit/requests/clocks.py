"""The legal clocks of a privacy request (11 CCR §7021; Civ. Code §1798.130, §1798.145):
acknowledge within 10 business days, answer within 45 calendar days, one extension
of up to 45 more days with the reason told before the first deadline, and at most
two requests to know in 12 months per person.

Business days skip weekends and the US federal holidays as the maintained
``holidays`` package lists them (observed days included); a site can name another
country or subdivision, or add its own closures. Pure functions of their inputs:
the clock is passed in, so tests move it instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars


class BusinessCalendar:
    """Which days are business days: not a weekend day, not a public holiday of
    ``country`` (``"US"``: the federal holidays) and ``subdivision`` (a state,
    ``"CA"``), not one of ``closed`` (the site's own closures)."""

    def __init__(self, country: str = "US", subdivision: str | None = None, *,
                 weekend: Iterable[int] = (5, 6), closed: Iterable[date] = ()) -> None:
        try:
            self._holidays = holiday_calendars.country_holidays(country, subdiv=subdivision)
        except NotImplementedError:
            raise ValueError(f"no holiday calendar for country {country!r} / subdivision {subdivision!r}: "
                             "use an ISO code the holidays package knows, such as 'US' and 'CA'") from None
        self.country = country
        self.subdivision = subdivision
        self.weekend = frozenset(weekend)
        self.closed = frozenset(closed)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self._holidays and day not in self.closed

    def holiday(self, day: date) -> str | None:
        """The holiday's name on that day, if any."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return day

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.country!r}, {self.subdivision!r})"


@dataclass(frozen=True)
class RequestClocks:
    """The clocks' settings. The defaults are California's; a site may shorten them,
    never lengthen them past the law's (checked at start-up).

    ``timezone``: where "the end of the day" is (an IANA name). ``know_limit``
    requests to know (categories or specific pieces) per ``know_window_days``.
    """

    acknowledge_business_days: int = 10
    respond_days: int = 45
    extension_days: int = 45
    know_limit: int = 2
    know_window_days: int = 365
    timezone: str = "America/Los_Angeles"
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    def __post_init__(self) -> None:
        if not 1 <= self.acknowledge_business_days <= 10:
            raise ValueError("acknowledge_business_days must be between 1 and 10 (11 CCR §7021(a))")
        if not 1 <= self.respond_days <= 45:
            raise ValueError("respond_days must be between 1 and 45 (Civ. Code §1798.130(a)(2))")
        if not 0 <= self.extension_days <= 45:
            raise ValueError("extension_days must be between 0 and 45: at most 90 days in all")
        if self.know_limit < 2 or self.know_window_days > 365:
            raise ValueError("a consumer may ask to know at least twice in 12 months (Civ. Code §1798.130(b))")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone such as 'America/Los_Angeles'") \
                from None

    def local_date(self, moment: datetime) -> date:
        """The day a moment falls on in the desk's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def deadlines(self, received_at: datetime) -> tuple[date, date]:
        """(acknowledge by, respond by) for a request received at that moment."""
        received = self.local_date(received_at)
        return (self.calendar.add_business_days(received, self.acknowledge_business_days),
                received + timedelta(days=self.respond_days))

    def extended(self, respond_by: date) -> date:
        """The deadline after the one extension."""
        return respond_by + timedelta(days=self.extension_days)

    def know_window_start(self, now: datetime) -> datetime:
        return now - timedelta(days=self.know_window_days)


__all__ = ["BusinessCalendar", "RequestClocks"]
