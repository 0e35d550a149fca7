"""The bruttoliste and the handleplan as Markdown.

Every typed text (headings, proposals, theme names, the meeting's title, the handleplan's
cells) is escaped, so it reads literally in any Markdown or HTML viewer: "# x" is no
heading, "*y*" no emphasis, "<script>" no tag, "[a](b)" no link, "&amp;" no entity, "- x"
at a line's start no list. The export writes only headings, lists, bold text and
paragraphs itself (and a table for the sygefravær series).
"""

from __future__ import annotations

import re

from facilitator.course.model import (
    ActionRow,
    Bruttoliste,
    ConfidentialItem,
    Handleplan,
    ProposalLine,
    Wish,
)
from facilitator.export.model import (
    CONFIDENTIAL_TITLE,
    action_label,
    assessment_label,
    date_da,
    flag_text,
    marks_text,
    number_da,
    percent_da,
    period_text,
    proposal_text,
    rank_label,
    unit_label,
)
from facilitator.export.tables import prioritised, ranked_wishes

# Inline syntax anywhere in a text (CommonMark backslash escapes; ~ for GFM strikethrough,
# | for tables), and "&" where it would start an entity ("&lt;", "&#60;").
_INLINE = re.compile(r"([\\`*_\[\]<>|#~]|&(?=#?\w+;))")
# Block syntax at a line's start (every text starts a list item's content): a bullet,
# a setext underline, a numbered item ("1." or "1)").
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def _escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_start, text)


def _escape_start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    if marker.isdigit():  # "1." -> "1\." keeps the number and loses the list
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def _one_line(text: str) -> str:
    """A typed text inside one list line or table cell: its line breaks become spaces."""
    return _escape(" ".join(text.split("\n")))


def _proposals(proposals: tuple[ProposalLine, ...], indent: str = "   ") -> list[str]:
    return [f"{indent}- {_one_line(proposal_text(p))}" for p in proposals]


# ---------------------------------------------------------------- the bruttoliste
def _wish(w: Wish) -> list[str]:
    facts = [f"{rank_label(w.rank, w.tied)} plads", marks_text(w.marks)]
    if w.theme:
        facts.append(f"tema: {_one_line(w.theme)} ({marks_text(w.theme_marks)} i alt)")
    facts.append(f"gruppe {w.group}")
    if w.priority:
        facts.append(f"**prioriteret som nr. {w.priority}**")
    out = [f"- **{_one_line(w.heading)}** — {' · '.join(facts)}"]
    out += _proposals(w.proposals)
    if w.status or w.reason:
        label = assessment_label(w.status) if w.status else "Ingen status"
        reason = f" – {_one_line(w.reason)}" if w.reason else ""
        out.append(f"   - Vurdering: **{_escape(label)}**{reason}")
    return out


def _header(data: Bruttoliste) -> list[str]:
    where = f"{_one_line(data.workplace)} · " if data.workplace else ""
    return [
        f"# Bruttoliste – {_one_line(data.title)}",
        "",
        f"{where}{_one_line(data.agenda_title)}, {date_da(data.created_at)}. "
        f"{len(data.wishes)} ønsker fra grupperne.",
    ]


def bruttoliste_md(data: Bruttoliste) -> str:
    out = _header(data)
    ranked = ranked_wishes(data)
    if ranked or not data.chosen:
        out += ["", "## Ønsker efter markeringer", ""]
        wishes = [line for w in ranked for line in _wish(w)]
        out += wishes or ["Ingen ønsker er skrevet ind endnu."]
    if data.themes:
        out += ["", "## Temaer", ""]
        headings = {w.id: w.heading for w in data.wishes}
        for t in data.themes:
            members = "; ".join(_one_line(headings[i]) for i in t.wishes if i in headings)
            tied = any(o.rank == t.rank and o is not t for o in data.themes)
            facts = [f"{rank_label(t.rank, tied)} plads", marks_text(t.marks) + " i alt"]
            if t.priority:
                facts.append(f"**prioriteret som nr. {t.priority}**")
            out.append(f"- **{_one_line(t.name)}** — {' · '.join(facts)}")
            if members:
                out.append(f"   - Ønsker: {members}")
    chosen = prioritised(data)
    if chosen:
        out += ["", "## Prioriterede ønsker", ""]
        out += [
            f"- **Nr. {priority}:** {_one_line(name)} ({kind.lower()}, {marks_text(marks)})"
            for priority, kind, name, marks in chosen
        ]
    by_id = {w.id: w for w in data.wishes}
    if data.chosen:
        out += ["", "## Valgte ønsker og handlingsgruppernes forslag", ""]
        for wish in data.chosen:
            facts = [f"gruppe {wish.group}", f"brænder for: {wish.burning}"]
            own = by_id.get(wish.id)
            if own is not None and own.marks:
                facts.append(marks_text(own.marks))
            if wish.priority:
                facts.append(f"**prioriteret som nr. {wish.priority}**")
            out.append(f"- **{_one_line(wish.heading)}** — {' · '.join(facts)}")
            out += _proposals(wish.proposals)
            for action in wish.actions:
                out.append(f"   - Handlingsgruppe {action.group}: **{_one_line(action.heading)}**")
                out += _proposals(action.proposals, "     ")
            if not wish.actions:
                out.append("   - Ingen handlingsgruppe har skrevet forslag til dette ønske.")
    if data.unassigned_actions:
        out += ["", "## Handlingsforslag uden valgt ønske", ""]
        for action in data.unassigned_actions:
            out.append(f"- Handlingsgruppe {action.group}: **{_one_line(action.heading)}**")
            out += _proposals(action.proposals)
    if data.has_interview:
        out += ["", "## Styrker fra interviewene", ""]
        strengths = []
        for s in data.strengths:
            strengths.append(f"- **{_one_line(s.heading)}** (gruppe {s.group})")
            strengths += _proposals(s.proposals)
        out += strengths or ["Ingen styrker er skrevet ind."]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- særskilt spor
def _field(label: str, value: str) -> list[str]:
    return [f"   - {label}: {_one_line(value)}"] if value else []


def confidential_md(items: tuple[ConfidentialItem, ...], where: str) -> str:
    """The særskilt spor alone; its first line says FORTROLIGT."""
    out = [
        f"**{CONFIDENTIAL_TITLE}** – må ikke vises på storskærm eller deles med gruppen.",
        "",
        f"# Særskilt spor – {_one_line(where)}" if where else "# Særskilt spor",
        "",
    ]
    for item in items:
        out.append(f"- **{_one_line(item.heading)}** (møde: {_one_line(item.meeting_title)})")
        out += _proposals(item.proposals)
        out += _field("Problemets art", item.problem_kind)
        out += _field("Alvor", item.gravity)
        out += _field("Omfang", item.extent)
        out += _field("Årsag", item.cause)
        out += _field("Løsning", item.solution)
        out += _field("Ansvarlig", item.responsible)
        out += _field("Start", item.start)
        out += _field("Opfølgning", item.follow_up)
        out += _field("Status", action_label(item.status))
        out += _field("Noter", item.notes)
        out += [f"   - {_escape(flag_text(f))}" for f in item.flags]
    if not items:
        out.append("Ingen punkter i særskilt spor.")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the handleplan
def _row(row: ActionRow) -> list[str]:
    out = [f"- **{row.position}. {_one_line(row.area) or 'Uden indsatsområde'}**"]
    out += _field("Mål", row.goal)
    if row.activities:
        out.append("   - Aktiviteter:")
        out += [f"     - {_one_line(a)}" for a in row.activities]
    out.append(f"   - Ansvarlig: {_one_line(row.responsible) or '–'}")
    out.append(f"   - Start: {_one_line(row.start) or '–'} · Opfølgning: "
               f"{_one_line(row.follow_up) or '–'}")  # fmt: skip
    out.append(f"   - Status: {_escape(action_label(row.status))}")
    out += _field("Noter", row.notes)
    out += [f"   - **{_escape(flag_text(f))}**" for f in row.flags]
    return out


def handleplan_md(plan: Handleplan) -> str:
    info = plan.forloeb
    unit = f", {_one_line(info.unit)}" if info.unit else ""
    out = [f"# Handleplan – {_one_line(info.workplace)}{unit}", ""]
    people = []
    if info.tovholder:
        people.append(f"Tovholder: {_one_line(info.tovholder)}")
    if info.moedeleder:
        people.append(f"Mødeleder: {_one_line(info.moedeleder)}")
    dates = [f"Handleplanens dato: {_one_line(info.handleplan_date) or '–'}"]
    if info.revision_due:
        dates.append(f"APV'en revideres senest {date_da(info.revision_due)}")
    if info.overdue:
        dates.append(f"{info.overdue} opfølgning{'er' if info.overdue != 1 else ''} overskredet")
    dates.append(f"udskrevet {date_da(plan.made_at)}")
    if people:
        out += [" · ".join(people), ""]
    out += [" · ".join(dates) + ".", ""]
    out += [f"**{_escape(flag_text(f))}**" for f in info.flags]
    out += ["", "## Indsatser", ""] if info.flags else ["## Indsatser", ""]
    rows = [line for row in plan.rows for line in _row(row)]
    out += rows or ["Handleplanen har ingen rækker endnu."]
    out += ["", "## Opfølgning", ""]
    log = [
        f"- **{row.position}. {_one_line(row.area)}** – {_one_line(e.date) or 'uden dato'}: "
        f"{_escape(action_label(e.status)) if e.status else 'uden status'}"
        + (f" – {_one_line(e.note)}" if e.note else "")
        for row in plan.rows
        for e in row.log
    ]
    out += log or ["Ingen opfølgning er skrevet ind endnu."]
    out += ["", "## Sygefravær", ""]
    if plan.absence:
        out += [
            "| Måling | Periode | Fravær | Faktiske | Enhed | Fraværsprocent |",
            "| --- | --- | ---: | ---: | --- | ---: |",
        ]
        for a in plan.absence:
            period = _one_line(period_text(a.period_start, a.period_end))
            out.append(
                f"| {_one_line(a.label)} | {period} | {number_da(a.absence)} | "
                f"{number_da(a.actual)} | {unit_label(a.unit)} | {percent_da(a.percent)} |"
            )
        notes = [
            f"- {_one_line(a.label)}: {_escape(flag_text(f))}"
            for a in plan.absence
            for f in a.flags
        ]
        out += ["", *notes] if notes else []
    else:
        out.append("Ingen målinger af sygefravær er skrevet ind endnu.")
    return "\n".join(out) + "\n"
