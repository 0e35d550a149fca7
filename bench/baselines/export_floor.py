"""The floor for `facilitator export --what bruttoliste`: the same bytes, written with the
standard library alone (sqlite3, tomllib, csv, json, re) straight from the SQLite file.

    python bench/baselines/export_floor.py DB_FILE MEETING md|csv|json -o FILE

It follows the course door (facilitator/course/bruttoliste.py, storage/course.py's
course_flipovers, facilitator/engine/ranking.py) and the writers (facilitator/export/
markdown.py, csv.py, json.py, tables.py, model.py) rule for rule: the open wishes ranked
by marks, a theme counting as one wish with its members' marks summed, equal marks sharing
a rank ("delt 3.") and keeping the order written; særskilt spor left out, also a wish that
is in it through the wish it names (wish_id, followed back); proposals with their level;
the vurdering; the themes, the prioritised wishes and the interview's strengths. The
benchmark checks that the bytes are equal, so a change in the app shows up as a mismatch
rather than a wrong figure.

What it does not cover (it says so and stops, exit status 2, rather than write something
else): a 2nd meeting (an agenda with a ``choose`` phase: the chosen wishes and the action
groups' results). It trusts the agenda snapshot the app stored (the app validated it when
the meeting was made); one that does not read as TOML with a title and phases is treated
as the app treats an unreadable one (no agenda title, no phases).
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

# facilitator.course.model's vocabularies
ASSESSMENT_STATUSES = {
    "work_on": "Arbejdes videre med",
    "in_progress": "Allerede i gang",
    "cannot_now": "Kan ikke ændres nu",
    "separate_track": "Særskilt spor",
}
LEVELS = {
    "personalegruppe": "Personalegruppen",
    "leder": "Lederen",
    "samarbejdspartnere": "Samarbejdspartnere/kunder",
}

# A wish (or a strength) on the list, as facilitator.course.model.Wish has it.
ID, RANK, TIED, HEADING, PROPOSALS, GROUP, MARKS, THEME, THEME_MARKS = range(9)
PRIORITY, STATUS, REASON, PHASE = range(9, 13)


class Uncovered(Exception):
    pass


def _agenda(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(agenda title, [(kind, title)] of its phases); ("", []) when it cannot be read."""
    try:
        data = tomllib.loads(text or "")
        return data["title"], [(p["kind"], p["title"].strip()) for p in data["phase"]]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError):
        return "", []


def _hidden(db: sqlite3.Connection, known: dict[int, tuple[bool, int | None]]) -> set[int]:
    """The meeting's flip-overs in særskilt spor, themselves or through the wish they
    name (followed across meetings; a cycle or a deleted wish ends the chain)."""
    mine = list(known)
    wanted = {w for _c, w in known.values() if w is not None and w not in known}
    while wanted:
        marks = ",".join("?" * len(wanted))
        found = db.execute(
            f"SELECT id, confidential, wish_id FROM flipover WHERE id IN ({marks})",
            sorted(wanted),
        ).fetchall()
        for fid, confidential, wish in found:
            known[fid] = (bool(confidential), wish)
        for fid in wanted - {row[0] for row in found}:
            known[fid] = (False, None)
        wanted = {w for _c, w in known.values() if w is not None and w not in known}
    hidden = set()
    for fid in mine:
        seen: set[int] = set()
        current: int | None = fid
        while current is not None and current not in seen:
            seen.add(current)
            confidential, current = known.get(current, (False, None))
            if confidential:
                hidden.add(fid)
                break
    return hidden


def _rank(wishes: list[tuple], themes: dict[int, tuple[str, int | None]]) -> list[tuple]:
    """facilitator.engine.ranking.rank: ``wishes`` [(id, marks, theme_id, priority,
    heading)] in the order written -> [(is_theme, title, marks, rank, tied, member ids,
    priority, theme_id)] by marks, most first, equal marks in the order written."""
    members: dict[int, list[tuple]] = {}
    items = []
    for w in wishes:
        if w[2] in themes:
            members.setdefault(w[2], []).append(w)
        else:
            items.append((w[1], w[0], False, w[4], (w[0],), w[3], None))
    for theme_id, flips in members.items():
        name, priority = themes[theme_id]
        ids = tuple(f[0] for f in flips)
        items.append((sum(f[1] for f in flips), ids[0], True, name, ids, priority, theme_id))
    items.sort(key=lambda i: (-i[0], i[1]))
    tally: dict[int, int] = {}
    for item in items:
        tally[item[0]] = tally.get(item[0], 0) + 1
    first_at: dict[int, int] = {}
    out = []
    for position, (marks, _first, is_theme, title, ids, priority, theme_id) in enumerate(items, 1):
        first_at.setdefault(marks, position)
        out.append(
            (is_theme, title, marks, first_at[marks], tally[marks] > 1, ids, priority, theme_id)
        )
    return out


def load(path: str, meeting: int) -> dict:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = db.execute(
        "SELECT m.title, m.agenda_name, m.agenda_toml, m.created_at, m.forloeb_id, f.workplace"
        " FROM meeting m JOIN forloeb f ON f.id = m.forloeb_id WHERE m.id = ?",
        (meeting,),
    ).fetchone()
    if found is None:
        raise Uncovered(f"no meeting {meeting} (with its forløb)")
    title, agenda_name, agenda_toml, created, forloeb_id, workplace = found
    agenda_title, phases = _agenda(agenda_toml)
    if any(kind == "choose" for kind, _title in phases):
        raise Uncovered("a 2nd meeting (an agenda with a choose phase) is not covered")

    def phase_title(index: int) -> str:
        return phases[index][1] if 0 <= index < len(phases) else ""

    themes = {
        tid: (name, priority)
        for tid, name, priority in db.execute(
            "SELECT id, name, priority FROM theme WHERE meeting_id = ? ORDER BY id", (meeting,)
        )
    }
    marks = dict(
        db.execute(
            "SELECT v.flipover_id, count(v.id) FROM vote v JOIN flipover f"
            " ON f.id = v.flipover_id WHERE f.meeting_id = ? GROUP BY v.flipover_id",
            (meeting,),
        )
    )
    proposals: dict[int, list[tuple[str, str]]] = {}
    for fid, text, level in db.execute(
        "SELECT p.flipover_id, p.text, p.level FROM proposal p JOIN flipover f"
        " ON f.id = p.flipover_id WHERE f.meeting_id = ?"
        " ORDER BY p.flipover_id, p.position, p.id",
        (meeting,),
    ):
        proposals.setdefault(fid, []).append((text, level or ""))
    flips = db.execute(
        "SELECT f.id, f.phase_index, f.kind, f.heading, f.confidential, f.theme_id,"
        " f.priority, f.wish_id, g.number, a.status, a.reason"
        ' FROM flipover f JOIN "group" g ON g.id = f.group_id'
        " LEFT JOIN assessment a ON a.flipover_id = f.id"
        " WHERE f.meeting_id = ? ORDER BY f.id",
        (meeting,),
    ).fetchall()
    db_hidden = _hidden(db, {f[0]: (bool(f[4]), f[7]) for f in flips})
    db.close()

    by_id = {f[0]: f for f in flips}
    open_flips = [f for f in flips if f[0] not in db_hidden]
    ranking = _rank(
        [(f[0], marks.get(f[0], 0), f[5], f[6], f[3]) for f in open_flips if f[2] == "wish"],
        themes,
    )
    wishes = []
    totals = []
    for is_theme, name, total, rank, tied, ids, priority, _theme_id in ranking:
        for fid in ids:
            f = by_id[fid]
            wishes.append(
                (
                    fid,
                    rank,
                    tied,
                    f[3],
                    proposals.get(fid, ()),
                    f[8],
                    marks.get(fid, 0),
                    name if is_theme else "",
                    total,
                    priority,
                    f[9] or "",
                    f[10] or "",
                    phase_title(f[1]),
                )
            )
        if is_theme:
            totals.append((name, total, rank, priority, ids))
    strengths = sorted(
        (f for f in open_flips if f[2] == "strength"), key=lambda f: (-marks.get(f[0], 0), f[0])
    )
    created_at = datetime.fromisoformat(created)
    if created_at.tzinfo is None:  # the app's instants are UTC; SQLite keeps no zone
        created_at = created_at.replace(tzinfo=UTC)
    return {
        "id": meeting,
        "title": title,
        "agenda_title": agenda_title,
        "agenda_name": agenda_name,
        "created_at": created_at,
        "forloeb_id": forloeb_id,
        "workplace": workplace,
        "wishes": wishes,
        "themes": totals,
        "strengths": [
            (f[0], f[3], proposals.get(f[0], ()), f[8], phase_title(f[1])) for f in strengths
        ],
        "has_interview": any(kind == "interview" for kind, _title in phases),
    }


# ---------------------------------------------------------------------- shared rules
def date_da(moment: datetime) -> str:
    return f"{moment.astimezone():%d.%m.%Y}"


def proposal_text(text: str, level: str) -> str:
    return f"{LEVELS.get(level, level)}: {text}" if level else text


def rank_label(rank: int, tied: bool) -> str:
    return f"delt {rank}." if tied else f"{rank}."


def marks_text(marks: int) -> str:
    return f"{marks} markering{'' if marks == 1 else 'er'}"


def theme_ties(themes: list[tuple]) -> list[bool]:
    """A theme's rank is shown as shared when another theme has the same rank."""
    count: dict[int, int] = {}
    for t in themes:
        count[t[2]] = count.get(t[2], 0) + 1
    return [count[t[2]] > 1 for t in themes]


def prioritised(data: dict) -> list[tuple[int, str, str, int]]:
    items = [(t[3], "Tema", t[0], t[1]) for t in data["themes"] if t[3]]
    in_theme = {i for t in data["themes"] if t[3] for i in t[4]}
    ranked = sorted((w for w in data["wishes"] if w[PRIORITY]), key=lambda w: w[PRIORITY])
    items += [(w[PRIORITY], "Ønske", w[HEADING], w[MARKS]) for w in ranked if w[ID] not in in_theme]
    return sorted(items, key=lambda item: item[0])


# ---------------------------------------------------------------------- Markdown
_INLINE = re.compile(r"([\\`*_\[\]<>|#~]|&(?=#?\w+;))")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def _start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    return f"{indent}{marker}\\" if marker.isdigit() else f"{indent}\\{marker}"


def esc(text: str) -> str:
    return _LINE_START.sub(_start, _INLINE.sub(r"\\\1", text))


def one(text: str) -> str:
    return esc(" ".join(text.split("\n")))


def md(data: dict) -> bytes:
    where = f"{one(data['workplace'])} · " if data["workplace"] else ""
    out = [
        f"# Bruttoliste – {one(data['title'])}",
        "",
        f"{where}{one(data['agenda_title'])}, {date_da(data['created_at'])}. "
        f"{len(data['wishes'])} ønsker fra grupperne.",
        "",
        "## Ønsker efter markeringer",
        "",
    ]
    add = out.append
    for w in data["wishes"]:
        facts = f"{rank_label(w[RANK], w[TIED])} plads · {marks_text(w[MARKS])}"
        if w[THEME]:
            facts += f" · tema: {one(w[THEME])} ({marks_text(w[THEME_MARKS])} i alt)"
        facts += f" · gruppe {w[GROUP]}"
        if w[PRIORITY]:
            facts += f" · **prioriteret som nr. {w[PRIORITY]}**"
        add(f"- **{one(w[HEADING])}** — {facts}")
        for text, level in w[PROPOSALS]:
            add(f"   - {one(proposal_text(text, level))}")
        status, reason = w[STATUS], w[REASON]
        if status or reason:
            label = ASSESSMENT_STATUSES.get(status, status) if status else "Ingen status"
            because = f" – {one(reason)}" if reason else ""
            add(f"   - Vurdering: **{esc(label)}**{because}")
    if not data["wishes"]:
        add("Ingen ønsker er skrevet ind endnu.")
    if data["themes"]:
        out += ["", "## Temaer", ""]
        headings = {w[ID]: w[HEADING] for w in data["wishes"]}
        for (name, marks, rank, priority, ids), tied in zip(
            data["themes"], theme_ties(data["themes"]), strict=True
        ):
            members = "; ".join(one(headings[i]) for i in ids if i in headings)
            facts = f"{rank_label(rank, tied)} plads · {marks_text(marks)} i alt"
            if priority:
                facts += f" · **prioriteret som nr. {priority}**"
            add(f"- **{one(name)}** — {facts}")
            if members:
                add(f"   - Ønsker: {members}")
    chosen = prioritised(data)
    if chosen:
        out += ["", "## Prioriterede ønsker", ""]
        out += [
            f"- **Nr. {priority}:** {one(name)} ({kind.lower()}, {marks_text(marks)})"
            for priority, kind, name, marks in chosen
        ]
    if data["has_interview"]:
        out += ["", "## Styrker fra interviewene", ""]
        for _id, heading, proposals, group, _phase in data["strengths"]:
            add(f"- **{one(heading)}** (gruppe {group})")
            for text, level in proposals:
                add(f"   - {one(proposal_text(text, level))}")
        if not data["strengths"]:
            add("Ingen styrker er skrevet ind.")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------------- CSV
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "Nr.",
    "Slags",
    "Gruppe",
    "Overskrift",
    "Forslag",
    "Markeringer",
    "Tema",
    "Temaets markeringer",
    "Prioritet",
    "Vurdering",
    "Begrundelse",
    "Brænder for",
    "Under ønske",
    "Arbejdsplads",
    "Møde",
    "Dato",
)


def cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def lines(proposals: list[tuple[str, str]]) -> str:
    return "\n".join(proposal_text(text, level) for text, level in proposals)


def csv_(data: dict) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    where = [cell(data["workplace"]), cell(data["title"]), date_da(data["created_at"])]
    row = writer.writerow
    for w in data["wishes"]:
        status = w[STATUS]
        row(
            [
                rank_label(w[RANK], w[TIED]),
                "Ønske",
                str(w[GROUP]),
                cell(w[HEADING]),
                cell(lines(w[PROPOSALS])),
                str(w[MARKS]),
                cell(w[THEME]),
                str(w[THEME_MARKS]) if w[THEME] else "",
                str(w[PRIORITY]) if w[PRIORITY] else "",
                cell(ASSESSMENT_STATUSES.get(status, status)),
                cell(w[REASON]),
                "",
                "",
                *where,
            ]
        )
    for (name, marks, rank, priority, _ids), tied in zip(
        data["themes"], theme_ties(data["themes"]), strict=True
    ):
        row(
            [
                rank_label(rank, tied),
                "Tema",
                "",
                cell(name),
                "",
                str(marks),
                cell(name),
                "",
                str(priority) if priority else "",
                "",
                "",
                "",
                "",
                *where,
            ]
        )
    if data["has_interview"]:
        for n, (_id, heading, proposals, group, _phase) in enumerate(data["strengths"], 1):
            row(
                [str(n), "Styrke", str(group), cell(heading), cell(lines(proposals))]
                + [""] * 8
                + where
            )
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------- JSON
def json_(data: dict) -> bytes:
    def props(proposals: list[tuple[str, str]]) -> list[dict]:
        return [{"text": text, "level": level or None} for text, level in proposals]

    def wish(w: tuple) -> dict:
        status = w[STATUS]
        return {
            "id": w[ID],
            "rank": w[RANK],
            "tied": w[TIED],
            "heading": w[HEADING],
            "proposals": props(w[PROPOSALS]),
            "group": w[GROUP],
            "marks": w[MARKS],
            "theme": w[THEME] or None,
            "theme_marks": w[THEME_MARKS] if w[THEME] else None,
            "priority": w[PRIORITY],
            "status": status or None,
            "status_label": ASSESSMENT_STATUSES.get(status, status) if status else None,
            "reason": w[REASON],
            "phase": w[PHASE],
        }

    document: dict = {
        "kind": "facilitator-bruttoliste",
        "format": 2,
        "meeting": {
            "id": data["id"],
            "title": data["title"],
            "agenda": data["agenda_title"],
            "agenda_name": data["agenda_name"],
            "created_at": data["created_at"].isoformat(),
            "forloeb_id": data["forloeb_id"],
            "workplace": data["workplace"],
        },
        "wishes": [wish(w) for w in data["wishes"]],
        "themes": [
            {"name": name, "marks": marks, "rank": rank, "priority": priority, "wishes": list(ids)}
            for name, marks, rank, priority, ids in data["themes"]
        ],
        "has_interview": data["has_interview"],
    }
    if data["has_interview"]:
        document["strengths"] = [
            {
                "id": fid,
                "heading": heading,
                "proposals": props(proposals),
                "group": group,
                "phase": phase,
            }  # fmt: skip
            for fid, heading, proposals, group, phase in data["strengths"]
        ]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def main() -> int:
    path, meeting, fmt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    output = sys.argv[sys.argv.index("-o") + 1]
    try:
        data = {"md": md, "csv": csv_, "json": json_}[fmt](load(path, meeting))
    except Uncovered as exc:
        print(f"export_floor: {exc}", file=sys.stderr)
        return 2
    with open(output, "wb") as out:
        out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
