"""Dates as people type them, read when they can be, and the flags on them.

A date is kept as typed; ``parse_date`` reads it when it can: ISO ("2027-01-14"), Danish
numeric ("14-01-2027", "14.01.2027", "14/1/2027", a two-digit year meaning 20xx) and
with the month's name ("14. jan. 2027", "14. januar 2027", "14 jan 2027"). Without a
year ("14. jan.", "14/1") it is read only when a ``today`` is given: the next such date
on or after today. What cannot be read is flagged ("Datoen kan ikke læses: …", or
"Året mangler i datoen: …" for a date without its year), never changed or dropped.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS_DA = {
    "januar": 1,
    "februar": 2,
    "marts": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
SHORT_DA = (
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "maj",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{2}|\d{4}))?\.?$")
_NAMED = re.compile(r"^(\d{1,2})\.?\s*([a-zæøå]+)\.?(?:\s+(\d{4}))?$")
LONG_PAST_DAYS = 365


def parse_date(text: str, today: date | None = None) -> date | None:
    """The date the text means, or None when it cannot be read (see the module's doc)."""
    value = " ".join(str(text or "").strip().lower().split())
    if not value:
        return None
    match = _ISO.match(value)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]))
    match = _NUMERIC.match(value)
    if match:
        day, month, year = int(match[1]), int(match[2]), match[3]
        return _with_year(day, month, year, today)
    match = _NAMED.match(value)
    if match:
        word = match[2]
        months = [m for name, m in MONTHS_DA.items() if len(word) >= 3 and name.startswith(word)]
        if not months:
            return None
        return _with_year(int(match[1]), months[0], match[3], today)
    return None


def _with_year(day: int, month: int, year: str | None, today: date | None) -> date | None:
    if year is not None:
        number = int(year)
        return _make(number + 2000 if len(year) == 2 else number, month, day)
    if today is None:
        return None
    for candidate_year in (today.year, today.year + 1):
        found = _make(candidate_year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def format_date_da(value: date, *, year: bool = True) -> str:
    """14. jan. 2027 (``year=False``: 14. jan.)."""
    text = f"{value.day}. {SHORT_DA[value.month - 1]}"
    return f"{text} {value.year}" if year else text


def short_date_da(value: date, today: date) -> str:
    """The date without its year when it is near today (within 300 days), else with it."""
    return format_date_da(value, year=abs((value - today).days) >= 300)


def add_years(value: date, years: int) -> date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def unreadable(text: str) -> str:
    return f"Datoen kan ikke læses: {text}"


def date_problem(text: str) -> str | None:
    """The flag on a typed date: None when it is empty or reads; "Året mangler i datoen:
    …" when it reads only with a year ("14. jan."); else "Datoen kan ikke læses: …"."""
    if not str(text or "").strip() or parse_date(text) is not None:
        return None
    if parse_date(text, today=date(2000, 1, 1)) is not None:
        return f"Året mangler i datoen: {text}"
    return unreadable(text)


def row_flags(
    *,
    responsible: str,
    start: str,
    follow_up: str,
    status: str,
    today: date,
) -> tuple[str, ...]:
    """Flags of a handleplan row (or a særskilt spor plan): missing ansvarlig or dates,
    dates that cannot be read, in the wrong order, long past, a follow-up passed."""
    flags: list[str] = []
    if not responsible.strip():
        flags.append("Ansvarlig mangler")
    begin = parse_date(start)
    end = parse_date(follow_up)
    if not start.strip():
        flags.append("Startdato mangler")
    elif begin is None:
        flags.append(date_problem(start) or unreadable(start))
    if not follow_up.strip():
        flags.append("Opfølgningsdato mangler")
    elif end is None:
        flags.append(date_problem(follow_up) or unreadable(follow_up))
    if begin and end and end < begin:
        flags.append("Opfølgning før start")
    if begin and status == "not_started" and begin < today - timedelta(days=LONG_PAST_DAYS):
        flags.append("Startdato er over et år siden")
    if end and status != "done" and end < today:
        flags.append("Opfølgning overskredet")
    return tuple(flags)


def is_overdue(follow_up: str, status: str, today: date) -> bool:
    end = parse_date(follow_up)
    return end is not None and status != "done" and end < today
