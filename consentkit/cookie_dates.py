"""A ``Set-Cookie`` ``Expires`` date read exactly as browsers read it: the algorithm
of RFC 6265 section 5.1.1.

The e-mail date parsers of the standard library are both stricter and looser than
that (``01 Jan 69`` is 1969 there, 2069 in a browser; ``00:00`` without seconds
passes there, while a browser ignores the whole attribute), and the cookie filter
must agree with the browser about whether a header deletes a cookie or sets it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_cookie_date"]

# delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
_DELIMITERS = re.compile(rb"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
# Each production: its digits, then nothing or a non-digit followed by anything.
_TIME = re.compile(rb"^([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?$", re.DOTALL)
_DAY = re.compile(rb"^([0-9]{1,2})(?:[^0-9].*)?$", re.DOTALL)
_YEAR = re.compile(rb"^([0-9]{2,4})(?:[^0-9].*)?$", re.DOTALL)
_MONTHS = (b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec")


def parse_cookie_date(value: bytes) -> datetime | None:
    """The moment a cookie-date names (UTC), or None when a browser would ignore
    the attribute (RFC 6265 5.1.1: a part missing, out of range, or no such day)."""
    time = day = month = year = None
    for token in _DELIMITERS.split(value):
        if not token:
            continue
        if time is None and (found := _TIME.match(token)):
            time = tuple(int(part) for part in found.groups())
        elif day is None and (found := _DAY.match(token)):
            day = int(found.group(1))
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (found := _YEAR.match(token)):
            year = int(found.group(1))
    if time is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # a day the month does not have
        return None
