"""The bruttoliste as JSON, to archive."""

from __future__ import annotations

import json

from facilitator.export.model import Bruttoliste, Item


def _item(item: Item) -> dict:
    return {
        "group": item.group,
        "heading": item.heading,
        "proposals": list(item.proposals),
        "marks": item.marks,
        "theme": item.theme or None,
        "assessment": item.assessment or None,
        "phase": item.phase,
    }


def bruttoliste_json(data: Bruttoliste) -> str:
    document = {
        "format": 1,
        "meeting": {
            "id": data.meeting_id,
            "title": data.title,
            "agenda": data.agenda_title,
            "created_at": data.created_at.isoformat(),
        },
        "wishes": [_item(i) for i in data.wishes],
        "strengths": [_item(i) for i in data.strengths],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
