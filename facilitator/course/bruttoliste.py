"""The bruttoliste of one meeting, built from the store's plain rows.

The ranking is the prioritering's (facilitator.engine.ranking.rank): a theme counts as
one wish with its members' marks summed, equal marks share a rank (``tied``) and keep
the order written. A 2nd meeting (an agenda with a ``choose`` phase) splits its
flip-overs at the choose phase: those written before are the wishes the groups chose
(the candidates, with their "brænder for" counts); those written after are the action
groups' results and go under their wish (by the flip-over's ``wish_id``, else by the
action group's number: group N is the Nth option somebody chose), never among the
wishes. Særskilt spor is never in the wishes, the strengths or the chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from facilitator.agenda import AgendaError, Phase, parse_agenda
from facilitator.course.dates import row_flags
from facilitator.course.model import (
    ActionResult,
    Bruttoliste,
    ChosenWish,
    ConfidentialItem,
    ProposalLine,
    ThemeTotal,
    Wish,
)
from facilitator.engine.ranking import RankItem, rank
from storage.rows import FlipoverRow, ThemeRow

Row = dict[str, Any]
PLAN_TEXT_FIELDS = (
    "problem_kind",
    "gravity",
    "extent",
    "cause",
    "solution",
    "responsible",
    "start",
    "follow_up",
    "status",
    "notes",
)


def agenda_of(meeting: Row) -> tuple[str, tuple[Phase, ...]]:
    """(agenda title, phases) of the meeting's snapshot; ("", ()) when it cannot be read."""
    try:
        agenda = parse_agenda(meeting["agenda_toml"] or "", meeting["agenda_name"] or "<agenda>")
    except AgendaError:
        return "", ()
    return agenda.title, agenda.phases


def choose_index(phases: Sequence[Phase]) -> int | None:
    return next((i for i, p in enumerate(phases) if p.kind == "choose"), None)


def proposals_of(flip: Row) -> tuple[ProposalLine, ...]:
    return tuple(ProposalLine(text, level) for text, level in flip["proposals"])


def flip_row(flip: Row, *, kind: str | None = None) -> FlipoverRow:
    return FlipoverRow(
        id=flip["id"],
        phase_index=flip["phase_index"],
        group=flip["group"],
        grouping=flip["grouping"],
        kind=kind or flip["kind"],
        heading=flip["heading"],
        proposals=tuple(text for text, _level in flip["proposals"]),
        confidential=bool(flip["confidential"]),
        marks=flip["marks"],
        theme_id=flip["theme_id"],
        priority=flip["priority"],
        has_photo=flip.get("has_photo", False),
    )


def is_action(flip: Row, choose_at: int | None) -> bool:
    return choose_at is not None and flip["phase_index"] > choose_at


def open_wishes(flips: Sequence[Row], choose_at: int | None) -> list[Row]:
    """The wishes on the bruttoliste: not særskilt spor, not an action group's result."""
    return [
        f
        for f in flips
        if f["kind"] == "wish" and not f["confidential"] and not is_action(f, choose_at)
    ]


def confidential_item(flip: Row, meeting: Row, plan: Row | None, today: date) -> ConfidentialItem:
    values = {k: (plan or {}).get(k) or "" for k in PLAN_TEXT_FIELDS}
    values["status"] = values["status"] or "not_started"
    return ConfidentialItem(
        id=flip["id"],
        meeting_id=meeting["id"],
        meeting_title=meeting["title"],
        heading=flip["heading"],
        proposals=proposals_of(flip),
        flags=row_flags(
            responsible=values["responsible"],
            start=values["start"],
            follow_up=values["follow_up"],
            status=values["status"],
            today=today,
        ),
        **values,
    )


def build(
    meeting: Row,
    workplace: str,
    flips: Sequence[Row],
    themes: Sequence[Row],
    choices: dict[tuple[int, str, int], int],
    plans: dict[int, Row] | None,
    today: date,
) -> Bruttoliste:
    """The bruttoliste (``plans`` given: with its særskilt spor and their plans)."""
    agenda_title, phases = agenda_of(meeting)
    choose_at = choose_index(phases)
    theme_rows = [ThemeRow(t["id"], t["name"], t["priority"]) for t in themes]

    def phase_title(index: int) -> str:
        return phases[index].title if 0 <= index < len(phases) else ""

    by_id = {f["id"]: f for f in flips}
    wishes_rows = open_wishes(flips, choose_at)
    ranking = rank([flip_row(f) for f in wishes_rows], theme_rows)
    theme_names = {t.id: t.name for t in theme_rows}
    wishes: list[Wish] = []
    totals: list[ThemeTotal] = []
    for item in ranking:
        for member in item.flipovers:
            flip = by_id[member.id]
            wishes.append(
                Wish(
                    id=flip["id"],
                    rank=item.rank,
                    tied=item.tied,
                    heading=flip["heading"],
                    proposals=proposals_of(flip),
                    group=flip["group"],
                    marks=flip["marks"],
                    theme=theme_names.get(flip["theme_id"], "") if item.is_theme else "",
                    theme_marks=item.marks,
                    priority=item.priority,
                    status=flip["status"],
                    reason=flip["reason"],
                    phase=phase_title(flip["phase_index"]),
                )
            )
        if item.is_theme:
            totals.append(
                ThemeTotal(
                    name=item.title,
                    marks=item.marks,
                    rank=item.rank,
                    priority=item.priority,
                    wishes=tuple(f.id for f in item.flipovers),
                )
            )
    strengths = _strengths(flips, phase_title)
    chosen: tuple[ChosenWish, ...] = ()
    unassigned: tuple[ActionResult, ...] = ()
    if choose_at is not None:
        chosen, unassigned = _chosen(flips, theme_rows, choices, phases, choose_at)
    confidential: tuple[ConfidentialItem, ...] = ()
    if plans is not None:
        confidential = tuple(
            confidential_item(f, meeting, plans.get(f["id"]), today)
            for f in flips
            if f["confidential"]
        )
    return Bruttoliste(
        meeting_id=meeting["id"],
        title=meeting["title"],
        agenda_title=agenda_title,
        agenda_name=meeting["agenda_name"],
        created_at=meeting["created_at"],
        forloeb_id=meeting["forloeb_id"],
        workplace=workplace,
        wishes=tuple(wishes),
        themes=tuple(totals),
        strengths=strengths,
        has_interview=any(p.kind == "interview" for p in phases),
        chosen=chosen,
        confidential=confidential,
        unassigned_actions=unassigned,
    )


def _strengths(flips: Sequence[Row], phase_title: Any) -> tuple[Wish, ...]:
    rows = [f for f in flips if f["kind"] == "strength" and not f["confidential"]]
    ranking = rank([flip_row(f, kind="wish") for f in rows if True], [])
    by_id = {f["id"]: f for f in rows}
    out = []
    for item in ranking:
        flip = by_id[item.flipovers[0].id]
        out.append(
            Wish(
                id=flip["id"],
                rank=item.rank,
                tied=item.tied,
                heading=flip["heading"],
                proposals=proposals_of(flip),
                group=flip["group"],
                marks=flip["marks"],
                theme="",
                theme_marks=flip["marks"],
                priority=None,
                status=flip["status"],
                reason=flip["reason"],
                phase=phase_title(flip["phase_index"]),
            )
        )
    return tuple(out)


def choice_options(
    flips: Sequence[Row], themes: Sequence[ThemeRow], phases: Sequence[Phase], choose_at: int
) -> list[RankItem]:
    """What the room chose between, as the engine has it (facilitator.engine.choices):
    the prioritised wishes; if none, the wishes of the last flip-over phase before the
    choose phase, in ranking order."""
    ranking = rank([flip_row(f) for f in flips if not f["confidential"]], themes)
    prioritised = sorted((i for i in ranking if i.priority), key=lambda i: i.priority)
    if prioritised:
        return prioritised
    flip_phases = [i for i, p in enumerate(phases[:choose_at]) if p.kind == "flipover"]
    if not flip_phases:
        return []
    last = flip_phases[-1]
    return [i for i in ranking if any(f.phase_index == last for f in i.flipovers)]


def _chosen(
    flips: Sequence[Row],
    themes: Sequence[ThemeRow],
    choices: dict[tuple[int, str, int], int],
    phases: Sequence[Phase],
    choose_at: int,
) -> tuple[tuple[ChosenWish, ...], tuple[ActionResult, ...]]:
    # The options as the room had them: a wish hidden later only through the wish it was
    # taken from (see storage's course_flipovers) still held its place in the numbering;
    # it and the action results under it are then left out.
    as_written = [
        {**f, "confidential": f.get("own_confidential", f["confidential"])} for f in flips
    ]
    options = choice_options(as_written, themes, phases, choose_at)
    hidden = {f["id"] for f in flips if f["confidential"]}
    counts = {o.key: choices.get((choose_at, o.key[0], int(o.key[1:])), 0) for o in options}
    picked = [o for o in options if counts[o.key] > 0] or list(options)
    by_id = {f["id"]: f for f in flips}
    # An action flip-over names its wish by the chosen flip-over's id, or by the
    # bruttoliste wish (of the previous meeting) that one was taken from.
    owner: dict[int, str] = {}
    for option in options:
        for member in option.flipovers:
            source = by_id[member.id].get("wish_id")
            if source is not None:
                owner.setdefault(source, option.key)
    for option in options:
        for member in option.flipovers:
            owner[member.id] = option.key
    actions: dict[str, list[ActionResult]] = {o.key: [] for o in options}
    unassigned: list[ActionResult] = []
    for flip in flips:
        if flip["confidential"] or not is_action(flip, choose_at):
            continue
        result = ActionResult(
            id=flip["id"],
            group=flip["group"],
            heading=flip["heading"],
            proposals=proposals_of(flip),
        )
        key = None
        if flip.get("wish_id") is not None:
            key = owner.get(flip["wish_id"])  # a wish that is no option: kept apart
        elif flip["grouping"] == "wishes" and 1 <= flip["group"] <= len(picked):
            key = picked[flip["group"] - 1].key
        if key is None:
            unassigned.append(result)
        else:
            actions[key].append(result)
    chosen = []
    for option in options:
        if any(member.id in hidden for member in option.flipovers):
            continue
        first = by_id[option.flipovers[0].id]
        proposals = tuple(
            line for member in option.flipovers for line in proposals_of(by_id[member.id])
        )
        chosen.append(
            ChosenWish(
                id=first["id"],
                heading=option.title,
                proposals=proposals,
                group=first["group"],
                source_id=first.get("wish_id"),
                burning=counts[option.key],
                priority=option.priority,
                actions=tuple(actions[option.key]),
            )
        )
    return tuple(chosen), tuple(unassigned)
