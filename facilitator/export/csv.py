"""The bruttoliste as CSV the way Danish Excel opens it: UTF-8 with BOM, ';' separated."""

from __future__ import annotations

import csv
import io

from facilitator.export.model import Bruttoliste

HEADER = ["Nr.", "Slags", "Gruppe", "Overskrift", "Forslag", "Markeringer", "Tema", "Vurdering"]
# A cell that starts with one of these is a formula to Excel (and LibreOffice): typed text
# gets a leading apostrophe, so a heading such as "=HYPERLINK(...)" stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A typed text as a cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def bruttoliste_csv(data: Bruttoliste) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for kind, items in (("Ønske", data.wishes), ("Styrke", data.strengths)):
        for number, item in enumerate(items, 1):
            writer.writerow(
                [
                    number,
                    kind,
                    item.group,
                    _cell(item.heading),
                    _cell("\n".join(item.proposals)),
                    item.marks if kind == "Ønske" else "",
                    _cell(item.theme),
                    _cell(item.assessment),
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")
