"""Instants as the library keeps them: UTC, milliseconds, "Z" ("2026-03-31T12:00:00.250Z"), fixed width, so
string order is time order; and their epoch milliseconds, which searches compare.

Instants range over the years 1 to 9999 in UTC, what ISO 8601's four-digit years (and Python's datetime) hold:
a caller's date beyond them (9999-12-31T23:59:59-23:59 is in the year 10000 in UTC) is no instant here.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_MS = -62_135_596_800_000  # 0001-01-01T00:00:00.000Z
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def instant_of(moment: datetime) -> str:
    """A datetime (any zone) as a stored instant (four-digit years: strftime's %Y is not, below the year 1000)."""
    utc = moment.astimezone(UTC)
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}."
            f"{utc.microsecond // 1000:03d}Z")


def instant_from_ms(ms: int) -> str:
    """Epoch milliseconds as a stored instant; beyond the years 1 to 9999 the first or last one (a key bound)."""
    return instant_of(_EPOCH + timedelta(milliseconds=min(max(ms, MIN_MS), MAX_MS)))


def ms_of(instant: str) -> int:
    """A stored instant as epoch milliseconds."""
    return whole_ms(datetime.fromisoformat(instant.replace("Z", "+00:00")))


def whole_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, in whole numbers (a float timestamp loses milliseconds near the year 9999)."""
    delta = moment - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def parse_instant_ms(text: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 text (UTC unless it names a zone); None if it is none or out of range."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    ms = whole_ms(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return ms if MIN_MS <= ms <= MAX_MS else None
