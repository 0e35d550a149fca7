"""The bruttoliste and the handleplan as CSV the way Danish Excel opens it: UTF-8 with BOM,
';' separated, decimal commas."""

from __future__ import annotations

import csv
import io

from facilitator.course.model import Bruttoliste, ConfidentialItem, Handleplan
from facilitator.export.model import Table, cell_text
from facilitator.export.tables import (
    bruttoliste_csv_table,
    confidential_table,
    handleplan_tables,
)

# A cell that starts with one of these is a formula to Excel (and LibreOffice): typed text
# gets a leading apostrophe, so a heading such as "=HYPERLINK(...)" stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A cell as text that a spreadsheet shows as text, never runs as a formula."""
    text = cell_text(value)  # type: ignore[arg-type]
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _write(tables: list[Table], first_line: str = "") -> bytes:
    """The first table's header on the first line (or after ``first_line``); every further
    table after an empty line, under its name."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if first_line:
        writer.writerow([first_line])
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
            writer.writerow([table.name])
        if table.title:
            writer.writerow([table.title])
        writer.writerow(table.header)
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def bruttoliste_csv(data: Bruttoliste) -> bytes:
    return _write([bruttoliste_csv_table(data)])


def handleplan_csv(plan: Handleplan) -> bytes:
    return _write(handleplan_tables(plan))


def confidential_csv(items: tuple[ConfidentialItem, ...], where: str) -> bytes:
    """The særskilt spor alone; its first line says FORTROLIGT."""
    return _write([confidential_table(items, where)])
