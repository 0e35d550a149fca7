"""Exports of a meeting: the bruttoliste (and, later, the handleplan), one module per format."""

from __future__ import annotations

from facilitator.export.model import Bruttoliste, ExportError, bruttoliste

FORMATS = ("md", "csv", "json")
WHATS = ("bruttoliste",)


def render(data: Bruttoliste, fmt: str) -> bytes:
    """The bruttoliste in a format, as the bytes to write."""
    if fmt == "md":
        from facilitator.export.markdown import bruttoliste_md

        return bruttoliste_md(data).encode("utf-8")
    if fmt == "csv":
        from facilitator.export.csv import bruttoliste_csv

        return bruttoliste_csv(data)
    if fmt == "json":
        from facilitator.export.json import bruttoliste_json

        return bruttoliste_json(data).encode("utf-8")
    raise ExportError(f"formatet {fmt!r} kan ikke skrives endnu; brug {', '.join(FORMATS)}")


__all__ = ["FORMATS", "WHATS", "Bruttoliste", "ExportError", "bruttoliste", "render"]
