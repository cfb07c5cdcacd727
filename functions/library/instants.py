"""Instants as the library keeps them: UTC, milliseconds, "Z" ("2026-03-31T12:00:00.250Z"), fixed width, so
string order is time order; and their epoch milliseconds, which searches compare."""
from __future__ import annotations

from datetime import UTC, datetime


def instant_of(moment: datetime) -> str:
    """A datetime (any zone) as a stored instant."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def instant_from_ms(ms: int) -> str:
    """Epoch milliseconds as a stored instant."""
    return instant_of(datetime.fromtimestamp(ms / 1000, tz=UTC))


def ms_of(instant: str) -> int:
    """A stored instant as epoch milliseconds."""
    return int(datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp() * 1000)
