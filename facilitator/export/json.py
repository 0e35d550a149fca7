"""The bruttoliste and the handleplan as JSON documents marked with their kind and format
version, so that neither is ever taken for the forløb's archive ("facilitator-forloeb")."""

from __future__ import annotations

import json
from datetime import date, datetime

from facilitator.course.model import (
    ActionRow,
    Bruttoliste,
    ConfidentialItem,
    ForloebInfo,
    Handleplan,
    ProposalLine,
    Wish,
)
from facilitator.export.model import action_label, assessment_label, parse_date

BRUTTOLISTE_KIND = "facilitator-bruttoliste"
HANDLEPLAN_KIND = "facilitator-handleplan"
FORMAT = 2


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _when(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat()  # an instant as stored (UTC), a date as it is


def _typed_date(text: str) -> dict:
    """A date as typed, and as ISO when it parses (else null: never a wrong date)."""
    parsed = parse_date(text)
    return {"text": text, "iso": parsed.isoformat() if parsed else None}


def _proposals(proposals: tuple[ProposalLine, ...]) -> list[dict]:
    return [{"text": p.text, "level": p.level or None} for p in proposals]


def _wish(w: Wish) -> dict:
    return {
        "id": w.id,
        "rank": w.rank,
        "tied": w.tied,
        "heading": w.heading,
        "proposals": _proposals(w.proposals),
        "group": w.group,
        "marks": w.marks,
        "theme": w.theme or None,
        "theme_marks": w.theme_marks if w.theme else None,
        "priority": w.priority,
        "status": w.status or None,
        "status_label": assessment_label(w.status) if w.status else None,
        "reason": w.reason,
        "phase": w.phase,
    }


def _meeting(data: Bruttoliste) -> dict:
    return {
        "id": data.meeting_id,
        "title": data.title,
        "agenda": data.agenda_title,
        "agenda_name": data.agenda_name,
        "created_at": _when(data.created_at),
        "forloeb_id": data.forloeb_id,
        "workplace": data.workplace,
    }


def bruttoliste_json(data: Bruttoliste) -> str:
    document: dict = {
        "kind": BRUTTOLISTE_KIND,
        "format": FORMAT,
        "meeting": _meeting(data),
        "wishes": [_wish(w) for w in data.wishes if not w.confidential],
        "themes": [
            {
                "name": t.name,
                "marks": t.marks,
                "rank": t.rank,
                "priority": t.priority,
                "wishes": list(t.wishes),
            }
            for t in data.themes
        ],
        "has_interview": data.has_interview,
    }
    if data.has_interview:
        document["strengths"] = [
            {
                "id": s.id,
                "heading": s.heading,
                "proposals": _proposals(s.proposals),
                "group": s.group,
                "phase": s.phase,
            }
            for s in data.strengths
        ]
    if data.chosen:
        document["chosen"] = [
            {
                "id": c.id,
                "heading": c.heading,
                "proposals": _proposals(c.proposals),
                "group": c.group,
                "source_id": c.source_id,
                "burning": c.burning,
                "priority": c.priority,
                "actions": [
                    {
                        "id": a.id,
                        "group": a.group,
                        "heading": a.heading,
                        "proposals": _proposals(a.proposals),
                    }
                    for a in c.actions
                ],
            }
            for c in data.chosen
        ]
    if data.unassigned_actions:
        document["unassigned_actions"] = [
            {
                "id": a.id,
                "group": a.group,
                "heading": a.heading,
                "proposals": _proposals(a.proposals),
            }
            for a in data.unassigned_actions
        ]
    return _dumps(document)


def _confidential_item(item: ConfidentialItem) -> dict:
    return {
        "id": item.id,
        "meeting_id": item.meeting_id,
        "meeting_title": item.meeting_title,
        "heading": item.heading,
        "proposals": _proposals(item.proposals),
        "problem_kind": item.problem_kind,
        "gravity": item.gravity,
        "extent": item.extent,
        "cause": item.cause,
        "solution": item.solution,
        "responsible": item.responsible,
        "start": _typed_date(item.start),
        "follow_up": _typed_date(item.follow_up),
        "status": item.status,
        "status_label": action_label(item.status),
        "notes": item.notes,
        "flags": list(item.flags),
    }


def confidential_json(kind: str, items: tuple[ConfidentialItem, ...], context: dict) -> str:
    """The særskilt spor alone, marked ``"confidential": true`` at the top."""
    document = {
        "kind": kind,
        "format": FORMAT,
        "confidential": True,
        **context,
        "separate_track": [_confidential_item(i) for i in items],
    }
    return _dumps(document)


def _forloeb(info: ForloebInfo) -> dict:
    return {
        "id": info.id,
        "name": info.name,
        "workplace": info.workplace,
        "unit": info.unit,
        "tovholder": info.tovholder,
        "moedeleder": info.moedeleder,
        "help_contacts": list(info.help_contacts),
        "plan": [
            {"step": s.step, "label": s.label, "date": _typed_date(s.date)} for s in info.plan
        ],
        "handleplan_date": _typed_date(info.handleplan_date),
        "revision_due": _when(info.revision_due),
        "overdue": info.overdue,
        "flags": list(info.flags),
    }


def _row(row: ActionRow) -> dict:
    return {
        "id": row.id,
        "position": row.position,
        "area": row.area,
        "goal": row.goal,
        "activities": list(row.activities),
        "responsible": row.responsible,
        "start": _typed_date(row.start),
        "follow_up": _typed_date(row.follow_up),
        "status": row.status,
        "status_label": action_label(row.status),
        "notes": row.notes,
        "source_id": row.source_id,
        "flags": list(row.flags),
        "log": [
            {
                "date": _typed_date(e.date),
                "status": e.status or None,
                "status_label": action_label(e.status) if e.status else None,
                "note": e.note,
            }
            for e in row.log
        ],
    }


def handleplan_context(plan: Handleplan) -> dict:
    return {"forloeb": _forloeb(plan.forloeb), "made_at": _when(plan.made_at)}


def handleplan_json(plan: Handleplan) -> str:
    document = {
        "kind": HANDLEPLAN_KIND,
        "format": FORMAT,
        **handleplan_context(plan),
        "rows": [_row(r) for r in plan.rows],
        "absence": [
            {
                "id": a.id,
                "position": a.position,
                "label": a.label,
                "period_start": _typed_date(a.period_start),
                "period_end": _typed_date(a.period_end),
                "absence": a.absence,
                "actual": a.actual,
                "unit": a.unit,
                "percent": None if a.percent is None else round(a.percent, 4),
                "flags": list(a.flags),
            }
            for a in plan.absence
        ],
    }
    return _dumps(document)


def bruttoliste_context(data: Bruttoliste) -> dict:
    return {"meeting": _meeting(data)}


def archive_json(archive: dict, confidential: bool = False) -> str:
    """The forløb's archive as the course made it (sorted keys, so two exports of the same
    course are the same bytes); the confidential one marked at the top."""
    document = {**archive, "confidential": True} if confidential else archive
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
