"""Agendas: the phases of a dialogmøde, loaded from TOML and validated.

An agenda is a TOML file with ``format = 1``, a title, a method, a language and a list of
``[[phase]]`` tables. NAME is looked up in the user's config directory
(``agendas/NAME.toml``) first, then among the built-ins shipped in ``facilitator/agendas``;
anything that looks like a path is read as a file. Every error names the file, the line
and the field, so a mødeleder who edits a copy can find the mistake.

Every phase may say ``warning_minutes``: the wrap-up warning, as a stage timer gives it.
When that many minutes of the phase are left, the countdown takes its wrap-up style and
word ("2 min tilbage") and the room gets a signal. A number (``1.5`` is 90 seconds);
``2`` when not given; ``0`` turns the warning off for the phase. A warning as long as the
phase or longer is allowed and gives no wrap-up (a two-minute break is not all warning),
until the phase is extended past it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from facilitator.paths import user_agenda_dir

FORMAT = 1
KINDS = (
    "info",
    "bruttoliste",
    "interview",
    "rounds",
    "flipover",
    "gallery",
    "vote",
    "choose",
    "present",
    "break",
)
TURN_KINDS = ("interview", "rounds", "present")
PAGE_SIZE = 8  # a bruttoliste phase's wishes per page, unless the agenda says otherwise
WARNING_MINUTES = 2  # a phase's wrap-up warning, unless the agenda says otherwise
KIND_NAMES_DA = {
    "info": "Information",
    "bruttoliste": "Bruttoliste",
    "interview": "Interview",
    "rounds": "Runde",
    "flipover": "Flip-over",
    "gallery": "Galleri",
    "vote": "Afstemning",
    "choose": "Brænder for",
    "present": "Fremlæggelse",
    "break": "Pause",
}


class AgendaError(Exception):
    """An agenda could not be loaded; ``problems`` holds one line per error."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems[0] if len(problems) == 1 else "\n".join(problems))


@dataclass(frozen=True)
class Phase:
    kind: str
    title: str
    minutes: float
    text: str = ""
    questions: tuple[str, ...] = ()
    turn_seconds: int = 0
    speakers: int = 0  # rounds: speakers per group; present: groups presenting (0 = all)
    flipover_kind: str = "wish"  # flipover: "wish" or "strength"
    max_proposals: int = 3  # flipover: proposals under the heading
    marks: int = 3  # vote: marks per person
    cap_per_card: int = 3  # vote: marks one person may put on one card
    reveal: str = "end"  # vote: "live" or "end"
    page_size: int = PAGE_SIZE  # bruttoliste: wishes per page on the projector and phones
    help_contacts: bool = False  # any phase: show the forløb's "hvor kan du få hjælp"
    warning_minutes: float = WARNING_MINUTES  # any phase: the wrap-up warning (0 = none)

    @property
    def seconds(self) -> int:
        return int(round(self.minutes * 60))

    @property
    def warning_seconds(self) -> int:
        """The wrap-up warning's length in seconds (0: the phase has none)."""
        return int(round(self.warning_minutes * 60))

    def turn_count(self, groups: int = 0) -> int:
        """How many turns the phase has (0 for a phase without turns)."""
        if self.kind not in TURN_KINDS or self.turn_seconds <= 0:
            return 0
        if self.kind == "interview":
            return 3
        if self.kind == "rounds":
            return max(1, self.speakers)
        # present: one turn per presenting group; as many as fit when not fixed
        wanted = self.speakers or groups or 1
        return max(1, min(wanted, self.seconds // self.turn_seconds))

    def turn_label(self, index: int, count: int) -> str:
        """What the projector says about turn ``index`` (0-based)."""
        if self.kind == "interview":
            interviewer = index % 3 + 1
            return f"{interviewer} interviewer {interviewer % 3 + 1}"
        if self.kind == "present":
            return f"Gruppe {index + 1} af {count}"
        return f"Person {index + 1} af {count}"


@dataclass(frozen=True)
class Agenda:
    title: str
    method: str
    language: str
    phases: tuple[Phase, ...]
    description: str = ""
    source: str = field(default="", compare=False)  # the TOML text, kept as the snapshot

    @property
    def planned_seconds(self) -> int:
        return sum(p.seconds for p in self.phases)


# ---------------------------------------------------------------- validation
_SPEC: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # field: (types, required)
    "kind": (str, True),
    "title": (str, True),
    "minutes": ((int, float), True),
    "text": (str, False),
    "questions": (list, False),
    "turn_seconds": (int, False),
    "speakers": (int, False),
    "flipover_kind": (str, False),
    "max_proposals": (int, False),
    "marks": (int, False),
    "cap_per_card": (int, False),
    "reveal": (str, False),
    "page_size": (int, False),
    "help_contacts": (bool, False),
    "warning_minutes": ((int, float), False),
}
_TOP_SPEC: dict[str, tuple[type, bool]] = {
    "format": (int, True),
    "title": (str, True),
    "method": (str, True),
    "language": (str, True),
    "description": (str, False),
    "phase": (list, True),
}


class _Lines:
    """Finds the line of a key in the TOML text, for error messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.phase_starts = [
            i + 1 for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*phase\s*\]\]", line)
        ]

    def top(self, key: str) -> int:
        end = self.phase_starts[0] if self.phase_starts else len(self.lines) + 1
        return self._find(key, 1, end) or 1

    def phase(self, index: int, key: str | None = None) -> int:
        if index >= len(self.phase_starts):
            return 1
        start = self.phase_starts[index]
        if key is None:
            return start
        end = (
            self.phase_starts[index + 1]
            if index + 1 < len(self.phase_starts)
            else len(self.lines) + 1
        )
        return self._find(key, start, end) or start

    def _find(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        for number in range(start, min(end, len(self.lines) + 1)):
            if pattern.match(self.lines[number - 1]):
                return number
        return None


def parse_agenda(text: str, source: str = "<agenda>") -> Agenda:
    """Parse and validate agenda TOML. Raises AgendaError naming file, line and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if match:
            where = f"{source}:{match.group(1)}"
        else:  # "(at end of document)": the mistake runs to the last line
            where = f"{source}:{max(1, len(text.splitlines()))}"
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise AgendaError([f"{where}: ugyldig TOML: {message}"]) from None
    except RecursionError:
        raise AgendaError([f"{source}:1: ugyldig TOML: for dybt indlejret"]) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise AgendaError([f"{source}:1: ugyldig TOML: et tal er for langt"]) from None
    lines = _Lines(text)
    problems: list[str] = []

    def problem(line: int, fieldname: str, message: str) -> None:
        problems.append(f"{source}:{line}: {fieldname}: {message}")

    for key, (types, required) in _TOP_SPEC.items():
        if key not in data:
            if required:
                name = "[[phase]]" if key == "phase" else key
                problem(1, name, "mangler")
            continue
        if not isinstance(data[key], types) or isinstance(data[key], bool):
            problem(lines.top(key), key, f"skal være {_type_da(types)}")
    for key in data:
        if key not in _TOP_SPEC:
            problem(lines.top(key), key, "ukendt felt")
    if isinstance(data.get("format"), int) and data["format"] != FORMAT:
        problem(lines.top("format"), "format", f"kun format = {FORMAT} kendes")

    phases: list[Phase] = []
    raw_phases = data.get("phase") if isinstance(data.get("phase"), list) else []
    if isinstance(data.get("phase"), list) and not raw_phases:
        problem(1, "[[phase]]", "agendaen har ingen faser")
    for index, raw in enumerate(raw_phases):
        phase = _parse_phase(index, raw, lines, problem)
        if phase is not None:
            phases.append(phase)
    if problems:
        raise AgendaError(problems)
    return Agenda(
        title=data["title"],
        method=data["method"],
        language=data["language"],
        description=data.get("description", ""),
        phases=tuple(phases),
        source=text,
    )


def _parse_phase(index: int, raw: Any, lines: _Lines, problem: Any) -> Phase | None:
    label = f"phase[{index + 1}]"
    if not isinstance(raw, dict):
        problem(lines.phase(index), label, "skal være en tabel [[phase]]")
        return None
    ok = True
    for key, (types, required) in _SPEC.items():
        if key not in raw:
            if required:
                problem(lines.phase(index), f"{label}.{key}", "mangler")
                ok = False
            continue
        value = raw[key]
        if types is bool:
            if not isinstance(value, bool):
                problem(lines.phase(index, key), f"{label}.{key}", "skal være true eller false")
                ok = False
            continue
        if not isinstance(value, types) or isinstance(value, bool):
            problem(lines.phase(index, key), f"{label}.{key}", f"skal være {_type_da(types)}")
            ok = False
    for key in raw:
        if key not in _SPEC:
            problem(lines.phase(index, key), f"{label}.{key}", "ukendt felt")
            ok = False
    if not ok:
        return None

    def bad(key: str, message: str) -> None:
        nonlocal ok
        problem(lines.phase(index, key), f"{label}.{key}", message)
        ok = False

    kind = raw["kind"]
    if kind not in KINDS:
        bad("kind", f"ukendt type {kind!r}; brug en af {', '.join(KINDS)}")
    if not raw["title"].strip():
        bad("title", "må ikke være tom")
    minutes = raw["minutes"]
    if not 0 < minutes <= 600:
        bad("minutes", "skal være mellem 0 og 600")
    questions = raw.get("questions", [])
    if not all(isinstance(q, str) and q.strip() for q in questions):
        bad("questions", "skal være en liste af ikke-tomme tekster")
    turn_seconds = raw.get("turn_seconds", 0)
    if kind in TURN_KINDS and turn_seconds <= 0:
        bad("turn_seconds", f"en fase af typen {kind} skal have turn_seconds > 0")
    if kind not in TURN_KINDS and "turn_seconds" in raw:
        bad("turn_seconds", f"kun faser af typen {', '.join(TURN_KINDS)} har ture")
    speakers = raw.get("speakers", 0)
    if kind == "rounds" and speakers < 1:
        bad("speakers", "en runde skal have speakers >= 1")
    if speakers < 0:
        bad("speakers", "må ikke være negativ")
    flipover_kind = raw.get("flipover_kind", "wish")
    if flipover_kind not in ("wish", "strength"):
        bad("flipover_kind", 'skal være "wish" eller "strength"')
    max_proposals = raw.get("max_proposals", 3)
    if not 0 <= max_proposals <= 10:
        bad("max_proposals", "skal være mellem 0 og 10")
    marks = raw.get("marks", 3)
    if not 1 <= marks <= 20:
        bad("marks", "skal være mellem 1 og 20")
    cap = raw.get("cap_per_card", marks)
    if not 1 <= cap <= max(1, marks):
        bad("cap_per_card", "skal være mellem 1 og marks")
    reveal = raw.get("reveal", "end")
    if reveal not in ("live", "end"):
        bad("reveal", 'skal være "live" eller "end"')
    page_size = raw.get("page_size", PAGE_SIZE)
    if kind != "bruttoliste" and "page_size" in raw:
        bad("page_size", "kun faser af typen bruttoliste har page_size")
    elif not 1 <= page_size <= 50:
        bad("page_size", "skal være mellem 1 og 50")
    warning_minutes = raw.get("warning_minutes", WARNING_MINUTES)
    if warning_minutes < 0:
        bad("warning_minutes", "må ikke være negativ (0 slår advarslen fra)")
    elif not warning_minutes <= 600:  # also nan
        bad("warning_minutes", "skal være mellem 0 og 600 (0 slår advarslen fra)")
    if not ok:
        return None
    phase = Phase(
        kind=kind,
        title=raw["title"].strip(),
        minutes=float(minutes),
        text=raw.get("text", "").strip(),
        questions=tuple(q.strip() for q in questions),
        turn_seconds=turn_seconds,
        speakers=speakers,
        flipover_kind=flipover_kind,
        max_proposals=max_proposals,
        marks=marks,
        cap_per_card=cap,
        reveal=reveal,
        page_size=page_size,
        help_contacts=raw.get("help_contacts", False),
        warning_minutes=float(warning_minutes),
    )
    if kind in ("interview", "rounds"):
        needed = phase.turn_count() * turn_seconds
        if needed > phase.seconds:
            bad(
                "turn_seconds",
                f"{phase.turn_count()} ture á {turn_seconds} s er {needed} s, "
                f"mere end fasens {phase.seconds} s (minutes = {minutes:g})",
            )
    elif kind == "present" and turn_seconds > phase.seconds:
        bad("turn_seconds", f"én tur á {turn_seconds} s er længere end fasen ({phase.seconds} s)")
    return phase if ok else None


def _type_da(types: type | tuple[type, ...]) -> str:
    names = {int: "et heltal", float: "et tal", str: "en tekst", list: "en liste", dict: "en tabel"}
    if isinstance(types, tuple):
        return " eller ".join(dict.fromkeys(names[t] for t in types))
    return names[types]


# ---------------------------------------------------------------- lookup
def builtin_names() -> list[str]:
    folder = resources.files("facilitator") / "agendas"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _builtin_text(name: str) -> str | None:
    path = resources.files("facilitator") / "agendas" / f"{name}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def user_names() -> list[str]:
    folder = user_agenda_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_agenda_file(path: Path) -> Agenda:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgendaError([f"{path}: filen findes ikke"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgendaError([f"{path}: kan ikke læses ({exc})"]) from None
    return parse_agenda(text, str(path))


def load_agenda(name_or_path: str) -> Agenda:
    """NAME from the user's agendas, then the built-ins; anything path-like is a file."""
    if "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith(".toml"):
        return load_agenda_file(Path(name_or_path).expanduser())
    user_file = user_agenda_dir() / f"{name_or_path}.toml"
    if user_file.is_file():
        return load_agenda_file(user_file)
    text = _builtin_text(name_or_path)
    if text is None:
        known = ", ".join(sorted(set(builtin_names()) | set(user_names())))
        raise AgendaError([f"ukendt dagsorden {name_or_path!r}; kendte: {known}"])
    return parse_agenda(text, f"{name_or_path}.toml")


def list_agendas() -> list[tuple[str, str, Agenda | None]]:
    """(name, origin, agenda or None if broken) for every agenda NAME can reach."""
    result: list[tuple[str, str, Agenda | None]] = []
    users = set(user_names())
    for name in user_names():
        try:
            result.append((name, "bruger", load_agenda_file(user_agenda_dir() / f"{name}.toml")))
        except AgendaError:
            result.append((name, "bruger", None))
    for name in builtin_names():
        if name not in users:
            result.append((name, "indbygget", load_agenda(name)))
    return result
