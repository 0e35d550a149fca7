"""Exports of the APV course: a meeting's bruttoliste and a forløb's handleplan in
Markdown, CSV, XLSX, DOCX and JSON, the særskilt spor apart (only ever in its own
"-FORTROLIGT" file), and the forløb's archive as JSON. One module per format; the data
come from the course door (facilitator.course) as plain frozen dataclasses.

``facilitator export`` is :func:`facilitator.export.command.export_command`.
"""

from __future__ import annotations

from typing import Any

from facilitator.course.model import Bruttoliste, ConfidentialItem, Handleplan
from facilitator.export.model import NO_STEPS, ExportError, Photos, Steps, no_photos

FORMATS = ("md", "csv", "xlsx", "docx", "json")
WHATS = ("bruttoliste", "handleplan", "forloeb")
BINARY = ("xlsx", "docx")


def render_bruttoliste(
    data: Bruttoliste, fmt: str, *, photos: Photos = no_photos, steps: Steps = NO_STEPS
) -> bytes:
    """The bruttoliste in a format, as the bytes to write (never its særskilt spor)."""
    if fmt == "md":
        from facilitator.export.markdown import bruttoliste_md

        return bruttoliste_md(data).encode("utf-8")
    if fmt == "csv":
        from facilitator.export.csv import bruttoliste_csv

        return bruttoliste_csv(data)
    if fmt == "json":
        from facilitator.export.json import bruttoliste_json

        return bruttoliste_json(data).encode("utf-8")
    if fmt == "xlsx":
        from facilitator.export.xlsx import bruttoliste_xlsx

        return bruttoliste_xlsx(data, steps)
    if fmt == "docx":
        from facilitator.export.docx import bruttoliste_docx

        return bruttoliste_docx(data, photos, steps)
    raise ExportError(f"formatet {fmt!r} findes ikke; brug {', '.join(FORMATS)}")


def render_handleplan(
    plan: Handleplan, fmt: str, *, photos: Photos = no_photos, steps: Steps = NO_STEPS
) -> bytes:
    """The handleplan in a format, as the bytes to write (never its særskilt spor)."""
    if fmt == "md":
        from facilitator.export.markdown import handleplan_md

        return handleplan_md(plan).encode("utf-8")
    if fmt == "csv":
        from facilitator.export.csv import handleplan_csv

        return handleplan_csv(plan)
    if fmt == "json":
        from facilitator.export.json import handleplan_json

        return handleplan_json(plan).encode("utf-8")
    if fmt == "xlsx":
        from facilitator.export.xlsx import handleplan_xlsx

        return handleplan_xlsx(plan, steps)
    if fmt == "docx":
        from facilitator.export.docx import handleplan_docx

        return handleplan_docx(plan, photos, steps)
    raise ExportError(f"formatet {fmt!r} findes ikke; brug {', '.join(FORMATS)}")


def render_confidential(
    items: tuple[ConfidentialItem, ...],
    fmt: str,
    *,
    where: str,
    kind: str,
    context: dict[str, Any] | None = None,
) -> bytes:
    """The særskilt spor alone, marked FORTROLIGT: ``where`` names the meeting or the
    forløb on the page; ``kind`` and ``context`` go into the JSON document."""
    if fmt == "md":
        from facilitator.export.markdown import confidential_md

        return confidential_md(items, where).encode("utf-8")
    if fmt == "csv":
        from facilitator.export.csv import confidential_csv

        return confidential_csv(items, where)
    if fmt == "json":
        from facilitator.export.json import confidential_json

        return confidential_json(kind, items, context or {}).encode("utf-8")
    if fmt == "xlsx":
        from facilitator.export.xlsx import confidential_xlsx

        return confidential_xlsx(items, where)
    if fmt == "docx":
        from facilitator.export.docx import confidential_docx

        return confidential_docx(items, where)
    raise ExportError(f"formatet {fmt!r} findes ikke; brug {', '.join(FORMATS)}")


# ---------------------------------------------------------------- the older door
def bruttoliste(store: Any, meeting_id: int) -> Bruttoliste:
    """A meeting's bruttoliste from the course door (never its særskilt spor)."""
    from facilitator.course.service import Course

    return Course(store).bruttoliste(meeting_id)


def render(data: Bruttoliste | Handleplan, fmt: str) -> bytes:
    """A bruttoliste or a handleplan in a format, as the bytes to write."""
    if isinstance(data, Handleplan):
        return render_handleplan(data, fmt)
    return render_bruttoliste(data, fmt)


__all__ = [
    "BINARY",
    "FORMATS",
    "WHATS",
    "Bruttoliste",
    "ExportError",
    "Handleplan",
    "bruttoliste",
    "render",
    "render_bruttoliste",
    "render_confidential",
    "render_handleplan",
]
