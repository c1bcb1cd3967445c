"""Time in the audit trail: fixed-width UTC text, so text order is time order."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone


def utc_iso(dt: datetime) -> str:
    """Fixed-width UTC form, so text order is time order in SQL."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> str:
    return utc_iso(datetime.now(timezone.utc))


def parse_moment(text: str, end_of_day: bool = False) -> str:
    """An ISO date or datetime as a UTC bound.  A bare date as an upper bound means
    the end of that day.  Raises ValueError on anything else."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = date.fromisoformat(text)
        dt = datetime.combine(d + timedelta(days=1) if end_of_day else d, time(), tzinfo=timezone.utc)
        if end_of_day:
            dt -= timedelta(microseconds=1)
        return utc_iso(dt)
    return utc_iso(datetime.fromisoformat(text))
