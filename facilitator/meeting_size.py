"""How big a meeting may be, and what groups its size gives.

Light on purpose (no storage, no engine): the CLI's ``--help`` names these limits, and the
new-meeting form shows the group plan on every key.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilitator.agenda import Agenda

# The method is for 10–80 employees in groups of 3–8; the limits leave room around that
# and stop where a room stops being one dialogmøde: 120 people make 40 interview threes,
# and 40 groups is as many as the projector's lists and the group picker are meant to hold
# (a bigger workplace holds its meetings per unit).
GROUPS_MAX = 40
PARTICIPANTS_MAX = 120
MEETING_LIMITS = (
    f"grupper: 1–{GROUPS_MAX}; deltagere: 1–{PARTICIPANTS_MAX} (metoden: 10–80 medarbejdere)"
)
GROUPING_LABELS = {"interview": "Interview", "fours": "Grupper på 4", "wishes": "Brænder for"}
GROUP_PHASE_KINDS = ("interview", "rounds", "flipover", "present")


def meeting_size_problem(groups: int | None, participants: int | None) -> str | None:
    """Why a meeting's size makes no sense (one Danish line naming the limits), or None.

    None means "not given"; a given 0 is refused like any other number out of range."""
    if groups is not None and not 1 <= groups <= GROUPS_MAX:
        return (
            f"antal grupper skal være fra 1 til {GROUPS_MAX}, ikke {groups} "
            "(udelad det for at regne grupperne ud fra deltagerne)"
        )
    if participants is not None and not 1 <= participants <= PARTICIPANTS_MAX:
        return (
            f"antal deltagere skal være fra 1 til {PARTICIPANTS_MAX}, ikke {participants} "
            "(metoden er til 10–80 medarbejdere; del en større arbejdsplads i flere møder)"
        )
    if groups and participants and groups > participants:
        return f"{participants} deltagere kan ikke fordeles på {groups} grupper"
    return None


def groupings_of(agenda: Agenda) -> list[str]:
    """The groupings the room goes through in an agenda, in order (no repeats)."""
    seen: list[str] = []
    chosen = False
    for phase in agenda.phases:
        if phase.kind == "choose":
            chosen = True
        if phase.kind not in GROUP_PHASE_KINDS:
            continue
        grouping = "interview" if phase.kind == "interview" else "wishes" if chosen else "fours"
        if grouping not in seen:
            seen.append(grouping)
    return seen


def group_plan(agenda: Agenda, groups: int | None, participants: int | None) -> str:
    """What the room's size gives, for each grouping in the agenda, as one line:
    "Interview: 8 grupper à 3 · Grupper på 4: 6 grupper (4–5 pers.)". The counts are
    the ones the engine uses (the interview in threes from the participants, else the
    groups given, else fours from the participants)."""
    groups, participants = groups or 0, participants or 0
    parts = []
    for grouping in groupings_of(agenda):
        label = GROUPING_LABELS[grouping]
        if grouping == "wishes":
            parts.append(f"{label}: én gruppe pr. valgt ønske")
            continue
        if grouping == "interview":
            count = math.ceil(participants / 3) if participants else groups
        else:
            count = groups or (math.ceil(participants / 4) if participants else 0)
        if not count:
            parts.append(f"{label}: angiv deltagere eller grupper")
            continue
        noun = "gruppe" if count == 1 else "grupper"
        if not participants:
            parts.append(f"{label}: {count} {noun}")
            continue
        small, large = participants // count, math.ceil(participants / count)
        if small == large:
            parts.append(f"{label}: {count} {noun} à {small}")
        else:
            parts.append(f"{label}: {count} {noun} ({small}–{large} pers.)")
    return " · ".join(parts)
