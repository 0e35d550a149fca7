"""What every export format shares: Danish labels, numbers and dates, the typed cells of a
table (for CSV and XLSX), and the steps a long export reports.

The data come from the course door (facilitator.course) as frozen dataclasses; the writers
never read storage. The one exception is the flip-over photos, which the DOCX writer asks
for through a ``Photos`` callable (the command reads them from the store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from facilitator.course.dates import parse_date as course_parse_date
from facilitator.course.model import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    LEVELS,
    ProposalLine,
)


class ExportError(Exception):
    """The export cannot be made; the message is one Danish line for the user."""


CONFIDENTIAL_MARK = "FORTROLIGT"
CONFIDENTIAL_TITLE = "FORTROLIGT – særskilt spor"
FLAG = "⚠"  # flags are words with a sign, never colour alone

# A photo of a flip-over by its id: (content type, bytes), or None when it has none.
Photos = Callable[[int], "tuple[str, bytes] | None"]


def no_photos(_flipover_id: int) -> None:
    return None


# ---------------------------------------------------------------- steps of a long export
class Steps:
    """What a long export reports as it goes (the command shows it as a progress bar on a
    terminal); this base reports to nobody."""

    def begin(self, total: int, description: str) -> None:
        """A new task of ``total`` steps."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more of the current task are done."""


NO_STEPS = Steps()


# ---------------------------------------------------------------- labels
def assessment_label(status: str) -> str:
    return ASSESSMENT_STATUSES.get(status, status)


def action_label(status: str) -> str:
    return ACTION_STATUSES.get(status, status)


def level_label(level: str) -> str:
    return LEVELS.get(level, level)


def proposal_text(line: ProposalLine) -> str:
    """A proposal with its level ("Lederen: …") when it has one."""
    return f"{level_label(line.level)}: {line.text}" if line.level else line.text


def rank_label(rank: int, tied: bool) -> str:
    """ "3." or, for a rank shared with another wish or theme, "delt 3." """
    return f"delt {rank}." if tied else f"{rank}."


def marks_text(marks: int) -> str:
    return f"{marks} markering{'' if marks == 1 else 'er'}"


def flag_text(flag: str) -> str:
    return f"{FLAG} {flag}"


def flags_text(flags: tuple[str, ...], sep: str = "; ") -> str:
    return sep.join(flag_text(f) for f in flags)


def unit_label(unit: str) -> str:
    return "timer" if unit == "hours" else "dagsværk"


# ---------------------------------------------------------------- numbers, Danish style
def number_da(value: float, decimals: int = 2) -> str:
    """12 -> "12", 12.5 -> "12,5", 1234.25 -> "1.234,25" (Danish separators)."""
    if value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent_da(value: float | None) -> str:
    """One decimal and a decimal comma: "5,0 %"; "–" when it cannot be computed."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + " %"


# ---------------------------------------------------------------- dates
def parse_date(text: str) -> date | None:
    """A typed date as a date, or None when it does not parse (then it stays text: a
    date that cannot be read is never written as a wrong one). A date without its year
    is not read here: an export does not guess the year."""
    if not text or not text.strip():
        return None
    return course_parse_date(text)


def local(moment: datetime) -> datetime:
    """A stored instant in the machine's time zone (naive ones are taken as they are)."""
    return moment.astimezone() if moment.tzinfo is not None else moment


def date_da(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value:%d.%m.%Y}"


def period_text(start: str, end: str) -> str:
    if start and end:
        return f"{start} – {end}"
    return start or end


# ---------------------------------------------------------------- typed cells (CSV, XLSX)
@dataclass(frozen=True)
class Rank:
    rank: int
    tied: bool


@dataclass(frozen=True)
class Day:
    """A date as typed: a real date in XLSX when it parses, else the text."""

    text: str


@dataclass(frozen=True)
class Percent:
    value: float | None


@dataclass(frozen=True)
class Decimal:
    value: float


Cell = str | int | float | Rank | Day | Percent | Decimal | date | None


@dataclass(frozen=True)
class Table:
    """One part of an export: a sheet in XLSX, a section in CSV."""

    name: str  # the sheet's name (at most 31 characters)
    columns: tuple[tuple[str, int], ...]  # header and width in characters
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""  # a line above the header (the confidential sheet's mark)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def cell_text(value: Cell) -> str:
    """A cell as the text a CSV or a document shows."""
    if value is None:
        return ""
    if isinstance(value, Rank):
        return rank_label(value.rank, value.tied)
    if isinstance(value, Day):
        return value.text
    if isinstance(value, Percent):
        return percent_da(value.value)
    if isinstance(value, Decimal):
        return number_da(value.value)
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, float):
        return number_da(value)
    if isinstance(value, datetime):
        return date_da(value)
    if isinstance(value, date):
        return date_da(value)
    return str(value)
