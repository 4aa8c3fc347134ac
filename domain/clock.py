from __future__ import annotations

from datetime import UTC, date, datetime, time


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_of_utc_day(instant: datetime) -> datetime:
    return datetime.combine(instant.astimezone(UTC).date(), time.min, tzinfo=UTC)


def utc_today() -> date:
    return utc_now().date()
