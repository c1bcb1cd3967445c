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


_AGO = re.compile(r"(\d{1,6})\s*([hdw])")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_moment(text: str, end_of_day: bool = False, now: datetime | None = None) -> str:
    """An ISO date or datetime as a UTC bound; also ``today``, ``yesterday`` (whole
    UTC days) and a time ago: ``12h``, ``7d``, ``2w``.  A day as an upper bound means
    the end of that day.  Raises ValueError on anything else."""
    text = text.strip().lower()
    now = now or datetime.now(timezone.utc)
    if m := _AGO.fullmatch(text):
        return utc_iso(now - int(m.group(1)) * _UNIT[m.group(2)])
    if text in ("today", "yesterday"):
        text = (now.astimezone(timezone.utc).date() - timedelta(days=text == "yesterday")).isoformat()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = date.fromisoformat(text)
        dt = datetime.combine(d + timedelta(days=1) if end_of_day else d, time(), tzinfo=timezone.utc)
        if end_of_day:
            dt -= timedelta(microseconds=1)
        return utc_iso(dt)
    return utc_iso(datetime.fromisoformat(text.upper()))
