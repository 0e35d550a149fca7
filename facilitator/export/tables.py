"""The bruttoliste and the handleplan as tables of typed cells: the sheets of the XLSX and
the sections of the CSV. One definition, so the two never disagree."""

from __future__ import annotations

from facilitator.course.model import (
    ActionRow,
    Bruttoliste,
    ConfidentialItem,
    Handleplan,
    Wish,
)
from facilitator.export.model import (
    CONFIDENTIAL_TITLE,
    Cell,
    Day,
    Decimal,
    Percent,
    Rank,
    Table,
    action_label,
    assessment_label,
    date_da,
    flags_text,
    proposal_text,
    unit_label,
)


def lines(items: object) -> str:
    """Proposals or activities, one a line (a cell with line breaks)."""
    return "\n".join(proposal_text(p) if hasattr(p, "level") else str(p) for p in items)


def priority_cell(priority: int | None) -> Cell:
    return priority if priority else None


# ---------------------------------------------------------------- the bruttoliste
def meeting_facts(data: Bruttoliste) -> tuple[tuple[str, Cell], ...]:
    return (
        ("Arbejdsplads", data.workplace),
        ("Møde", data.title),
        ("Dagsorden", data.agenda_title),
        ("Dato", data.created_at.date() if data.created_at else None),
        ("Ønsker", len(data.wishes)),
    )


def wishes_table(data: Bruttoliste) -> Table:
    columns = (
        ("Nr.", 8),
        ("Overskrift", 40),
        ("Forslag", 50),
        ("Gruppe", 8),
        ("Markeringer", 12),
        ("Tema", 24),
        ("Temaets markeringer", 12),
        ("Prioritet", 10),
        ("Vurdering", 22),
        ("Begrundelse", 40),
    )
    rows = tuple(
        (
            Rank(w.rank, w.tied),
            w.heading,
            lines(w.proposals),
            w.group,
            w.marks,
            w.theme,
            w.theme_marks if w.theme else None,
            priority_cell(w.priority),
            assessment_label(w.status),
            w.reason,
        )
        for w in ranked_wishes(data)
    )
    return Table("Bruttoliste", columns, rows)


def themes_table(data: Bruttoliste) -> Table:
    headings = {w.id: w.heading for w in data.wishes}
    columns = (("Nr.", 8), ("Tema", 30), ("Markeringer", 12), ("Prioritet", 10))
    columns += (("Ønsker", 60),)
    rows = tuple(
        (
            Rank(t.rank, any(o.rank == t.rank and o is not t for o in data.themes)),
            t.name,
            t.marks,
            priority_cell(t.priority),
            "\n".join(headings[i] for i in t.wishes if i in headings),
        )
        for t in data.themes
    )
    return Table("Temaer", columns, rows)


def prioritised(data: Bruttoliste) -> list[tuple[int, str, str, int]]:
    """The prioritised themes and wishes in their order: (priority, kind, name, marks); a
    prioritised theme stands for its wishes (they are not listed again)."""
    items = [(t.priority, "Tema", t.name, t.marks) for t in data.themes if t.priority]
    in_theme = {i for t in data.themes if t.priority for i in t.wishes}
    items += [
        (w.priority, "Ønske", w.heading, w.marks)
        for w in data.prioritised
        if w.id not in in_theme and not w.confidential
    ]
    return sorted(items, key=lambda item: item[0])


def prioritised_table(data: Bruttoliste) -> Table:
    columns = (("Prioritet", 10), ("Slags", 10), ("Overskrift", 44), ("Markeringer", 12))
    return Table("Prioriteret", columns, tuple(prioritised(data)))


NO_WISH = "(intet valgt ønske)"


def ranked_wishes(data: Bruttoliste) -> list[Wish]:
    """The wishes shown ranked by marks: a 2nd meeting's chosen wishes are shown with the
    action groups' results under them instead (never twice)."""
    chosen = {c.id for c in data.chosen}
    return [w for w in data.wishes if not w.confidential and w.id not in chosen]


def chosen_rows(data: Bruttoliste) -> tuple[tuple[Cell, ...], ...]:
    """A row per chosen wish, each followed by its action results; then the results that
    name no chosen wish."""
    marks = {w.id: w.marks for w in data.wishes}
    rows: list[tuple[Cell, ...]] = []
    for wish in data.chosen:
        rows.append(
            (
                "Valgt ønske",
                wish.heading,
                wish.group,
                marks.get(wish.id),
                wish.burning,
                priority_cell(wish.priority),
                wish.heading,
                lines(wish.proposals),
            )
        )
        rows.extend(
            ("Handling", wish.heading, a.group, None, None, None, a.heading, lines(a.proposals))
            for a in wish.actions
        )
    rows.extend(
        ("Handling", NO_WISH, a.group, None, None, None, a.heading, lines(a.proposals))
        for a in data.unassigned_actions
    )
    return tuple(rows)


def chosen_table(data: Bruttoliste) -> Table:
    columns = (
        ("Slags", 12),
        ("Ønske", 36),
        ("Gruppe", 8),
        ("Markeringer", 12),
        ("Brænder for", 12),
        ("Prioritet", 10),
        ("Overskrift", 36),
        ("Forslag", 60),
    )
    return Table("Valgte ønsker", columns, chosen_rows(data))


def strengths_table(data: Bruttoliste) -> Table:
    columns = (("Nr.", 6), ("Overskrift", 40), ("Forslag", 50), ("Gruppe", 8))
    rows = tuple(
        (n, s.heading, lines(s.proposals), s.group) for n, s in enumerate(data.strengths, 1)
    )
    return Table("Styrker", columns, rows)


def facts_table(name: str, facts: tuple[tuple[str, Cell], ...]) -> Table:
    return Table(name, (("Felt", 26), ("Værdi", 60)), facts)


def bruttoliste_tables(data: Bruttoliste) -> list[Table]:
    """The sheets of the bruttoliste, in order; no strengths sheet without an interview."""
    tables = []
    if ranked_wishes(data) or not data.chosen:
        tables.append(wishes_table(data))
    if data.themes:
        tables.append(themes_table(data))
    if prioritised(data):
        tables.append(prioritised_table(data))
    if data.chosen or data.unassigned_actions:
        tables.append(chosen_table(data))
    if data.has_interview:
        tables.append(strengths_table(data))
    tables.append(facts_table("Møde", meeting_facts(data)))
    return tables


def bruttoliste_csv_table(data: Bruttoliste) -> Table:
    """The whole bruttoliste as one table (a CSV holds one): a row per wish, theme, chosen
    wish, action result (under its wish) and strength, with the meeting on every row."""
    columns = (
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
    where = (data.workplace, data.title, date_da(data.created_at))
    rows: list[tuple[Cell, ...]] = []

    def wish_row(w: Wish) -> tuple[Cell, ...]:
        return (
            Rank(w.rank, w.tied),
            "Ønske",
            w.group,
            w.heading,
            lines(w.proposals),
            w.marks,
            w.theme,
            w.theme_marks if w.theme else None,
            priority_cell(w.priority),
            assessment_label(w.status),
            w.reason,
            None,
            None,
        )

    rows += [wish_row(w) for w in ranked_wishes(data)]
    for t in themes_table(data).rows:
        rank, name, marks, priority, _ = t
        rows.append((rank, "Tema", None, name, None, marks, name, None, priority))
    for kind, heading, group, marks, burning, priority, own, proposals in chosen_rows(data):
        under = heading if kind == "Handling" else None
        rows.append(
            (
                None,
                kind,
                group,
                own,
                proposals,
                marks,
                None,
                None,
                priority,
                None,
                None,
                burning,
                under,
            )  # fmt: skip
        )
    if data.has_interview:
        rows += [
            (n, "Styrke", s.group, s.heading, lines(s.proposals))
            for n, s in enumerate(data.strengths, 1)
        ]
    width = len(columns) - len(where)
    full = tuple(tuple(r) + (None,) * (width - len(r)) + where for r in rows)
    return Table("Bruttoliste", tuple((c, 0) for c in columns), full)


# ---------------------------------------------------------------- særskilt spor
def confidential_table(items: tuple[ConfidentialItem, ...], where: str) -> Table:
    columns = (
        ("Overskrift", 32),
        ("Forslag", 36),
        ("Møde", 20),
        ("Problemets art", 20),
        ("Alvor", 14),
        ("Omfang", 14),
        ("Årsag", 24),
        ("Løsning", 30),
        ("Ansvarlig", 18),
        ("Start", 12),
        ("Opfølgning", 12),
        ("Status", 14),
        ("Noter", 30),
        ("Mærker", 24),
    )
    rows = tuple(
        (
            i.heading,
            lines(i.proposals),
            i.meeting_title,
            i.problem_kind,
            i.gravity,
            i.extent,
            i.cause,
            i.solution,
            i.responsible,
            Day(i.start),
            Day(i.follow_up),
            action_label(i.status),
            i.notes,
            flags_text(i.flags, "\n"),
        )
        for i in items
    )
    title = f"{CONFIDENTIAL_TITLE} – {where}" if where else CONFIDENTIAL_TITLE
    return Table("FORTROLIGT særskilt spor", columns, rows, title=title)


# ---------------------------------------------------------------- the handleplan
def action_cells(row: ActionRow) -> tuple[Cell, ...]:
    return (
        row.position,
        row.area,
        row.goal,
        lines(row.activities),
        row.responsible,
        Day(row.start),
        Day(row.follow_up),
        action_label(row.status),
        row.notes,
        flags_text(row.flags, "\n"),
    )


ACTION_COLUMNS = (
    ("Nr.", 6),
    ("Indsatsområde", 28),
    ("Mål", 30),
    ("Aktiviteter", 40),
    ("Ansvarlig", 18),
    ("Start", 12),
    ("Opfølgning", 12),
    ("Status", 14),
    ("Noter", 30),
    ("Mærker", 26),
)


def actions_table(plan: Handleplan) -> Table:
    return Table("Handleplan", ACTION_COLUMNS, tuple(action_cells(r) for r in plan.rows))


def follow_up_table(plan: Handleplan) -> Table:
    columns = (("Nr.", 6), ("Indsatsområde", 28), ("Dato", 12), ("Status", 14), ("Note", 60))
    rows = tuple(
        (row.position, row.area, Day(entry.date), action_label(entry.status), entry.note)
        for row in plan.rows
        for entry in row.log
    )
    return Table("Opfølgning", columns, rows)


def absence_table(plan: Handleplan) -> Table:
    columns = (
        ("Måling", 22),
        ("Periode fra", 12),
        ("Periode til", 12),
        ("Fravær", 10),
        ("Faktiske", 10),
        ("Enhed", 10),
        ("Fraværsprocent", 15),
        ("Mærker", 26),
    )
    rows = tuple(
        (
            a.label,
            Day(a.period_start),
            Day(a.period_end),
            Decimal(a.absence),
            Decimal(a.actual),
            unit_label(a.unit),
            Percent(a.percent),
            flags_text(a.flags, "\n"),
        )
        for a in plan.absence
    )
    return Table("Sygefravær", columns, rows)


def forloeb_facts(plan: Handleplan) -> tuple[tuple[str, Cell], ...]:
    info = plan.forloeb
    facts: list[tuple[str, Cell]] = [
        ("Arbejdsplads", info.workplace),
        ("Enhed", info.unit),
        ("Tovholder", info.tovholder),
        ("Mødeleder", info.moedeleder),
        ("Handleplanens dato", Day(info.handleplan_date)),
        ("Revideres senest", info.revision_due),
        ("Overskredne opfølgninger", info.overdue),
    ]
    facts += [(step.label, Day(step.date)) for step in info.plan if step.date]
    facts += [("Hjælp at hente", "\n".join(info.help_contacts))] if info.help_contacts else []
    facts += [("Mærker", flags_text(info.flags, "\n"))] if info.flags else []
    facts.append(("Udskrevet", plan.made_at.date()))
    return tuple(facts)


def handleplan_tables(plan: Handleplan) -> list[Table]:
    return [
        actions_table(plan),
        follow_up_table(plan),
        absence_table(plan),
        facts_table("Forløb", forloeb_facts(plan)),
    ]
