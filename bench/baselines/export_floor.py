"""The floor for `facilitator export --what bruttoliste`: the same bytes, written with the
standard library alone (sqlite3, tomllib, csv, json, re) straight from the SQLite file.

    python bench/baselines/export_floor.py DB_FILE MEETING md|csv|json -o FILE

It follows the app's writers (facilitator/export/) rule for rule; the benchmark checks that
the bytes are equal, so a change there shows up as a mismatch rather than a wrong figure.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
import tomllib
from datetime import UTC, datetime


def load(path: str, meeting: int) -> dict:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    title, agenda_name, agenda_toml, created = db.execute(
        "SELECT title, agenda_name, agenda_toml, created_at FROM meeting WHERE id = ?", (meeting,)
    ).fetchone()
    try:
        agenda = tomllib.loads(agenda_toml)
        phases = [p["title"] for p in agenda["phase"]]
        agenda_title = agenda["title"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        phases, agenda_title = [], agenda_name
    themes = dict(db.execute("SELECT id, name FROM theme WHERE meeting_id = ?", (meeting,)))
    marks = dict(
        db.execute(
            "SELECT flipover_id, count(*) FROM vote WHERE meeting_id = ? GROUP BY flipover_id",
            (meeting,),
        )
    )
    proposals: dict[int, list[str]] = {}
    for flip, text in db.execute(
        "SELECT p.flipover_id, p.text FROM proposal p JOIN flipover f ON f.id = p.flipover_id"
        " WHERE f.meeting_id = ? ORDER BY p.flipover_id, p.position",
        (meeting,),
    ):
        proposals.setdefault(flip, []).append(text)
    items: dict[str, list[tuple]] = {"wish": [], "strength": []}
    for fid, number, phase, kind, heading, theme in db.execute(
        "SELECT f.id, g.number, f.phase_index, f.kind, f.heading, f.theme_id"
        ' FROM flipover f JOIN "group" g ON g.id = f.group_id'
        " WHERE f.meeting_id = ? AND NOT f.confidential"
        " ORDER BY g.number, f.id",
        (meeting,),
    ):
        if kind in items:
            items[kind].append(
                (
                    number,
                    heading,
                    proposals.get(fid, []),
                    marks.get(fid, 0),
                    themes.get(theme, "") if theme else "",
                    phases[phase] if phase < len(phases) else "",
                )
            )
    return {
        "id": meeting,
        "title": title,
        "agenda": agenda_title,
        "created": _utc(datetime.fromisoformat(created)),
        "wishes": items["wish"],
        "strengths": items["strength"],
    }


def _utc(moment: datetime) -> datetime:
    """The app's instants are UTC; SQLite keeps them without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------- Markdown
_INLINE = re.compile(r"([\\`*_\[\]<>|#~]|&(?=#?\w+;))")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def _start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    return f"{indent}{marker}\\" if marker.isdigit() else f"{indent}\\{marker}"


def esc(text: str) -> str:
    return _LINE_START.sub(_start, _INLINE.sub(r"\\\1", text))


def md(data: dict) -> bytes:
    out = [
        f"# Bruttoliste – {esc(data['title'])}",
        "",
        f"{esc(data['agenda'])}, {data['created']:%d.%m.%Y}. "
        f"{len(data['wishes'])} ønsker fra grupperne.",
        "",
        "## Ønsker og drømme",
        "",
    ]

    def items(rows: list[tuple], with_marks: bool) -> list[str]:
        lines = []
        for n, (group, heading, proposals, marks, theme, _phase) in enumerate(rows, 1):
            count = f" — {marks} markering{'er' if marks != 1 else ''}" if with_marks else ""
            tema = f" · tema: {esc(theme)}" if theme else ""
            lines.append(f"{n}. **{esc(heading)}** (gruppe {group}){count}{tema}")
            lines.extend(f"   - {esc(p)}" for p in proposals)
        return lines

    out.extend(items(data["wishes"], True) or ["Ingen ønsker er skrevet ind endnu."])
    out += ["", "## Styrker fra interviewene", ""]
    out.extend(items(data["strengths"], False) or ["Ingen styrker er skrevet ind."])
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------------- CSV
def cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def csv_(data: dict) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["Nr.", "Slags", "Gruppe", "Overskrift", "Forslag", "Markeringer", "Tema", "Vurdering"]
    )
    for kind, rows in (("Ønske", data["wishes"]), ("Styrke", data["strengths"])):
        for n, (group, heading, proposals, marks, theme, _phase) in enumerate(rows, 1):
            writer.writerow(
                [
                    n,
                    kind,
                    group,
                    cell(heading),
                    cell("\n".join(proposals)),
                    marks if kind == "Ønske" else "",
                    cell(theme),
                    cell(""),
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------- JSON
def json_(data: dict) -> bytes:
    def item(row: tuple) -> dict:
        group, heading, proposals, marks, theme, phase = row
        return {
            "group": group,
            "heading": heading,
            "proposals": proposals,
            "marks": marks,
            "theme": theme or None,
            "assessment": None,
            "phase": phase,
        }

    document = {
        "format": 1,
        "meeting": {
            "id": data["id"],
            "title": data["title"],
            "agenda": data["agenda"],
            "created_at": data["created"].isoformat(),
        },
        "wishes": [item(r) for r in data["wishes"]],
        "strengths": [item(r) for r in data["strengths"]],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def main() -> None:
    path, meeting, fmt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    output = sys.argv[sys.argv.index("-o") + 1]
    data = {"md": md, "csv": csv_, "json": json_}[fmt](load(path, meeting))
    with open(output, "wb") as out:
        out.write(data)


if __name__ == "__main__":
    main()
