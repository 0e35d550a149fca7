"""The bruttoliste and the handleplan as an Excel workbook (openpyxl): one sheet per part,
a bold and frozen header row with an autofilter, column widths, dates as real dates (a
date that does not parse stays the text typed, never a wrong date), numbers as numbers,
and a print set-up (landscape, fit to width, the header row repeated, a page header)."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.course.model import Bruttoliste, ConfidentialItem, Handleplan
from facilitator.export.model import (
    CONFIDENTIAL_MARK,
    NO_STEPS,
    Day,
    Decimal,
    Percent,
    Rank,
    Steps,
    Table,
    cell_text,
    date_da,
    parse_date,
)
from facilitator.export.tables import bruttoliste_tables, confidential_table, handleplan_tables

DATE_FORMAT = "DD-MM-YYYY"
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Rank):
        cell.value = value.rank
        cell.number_format = '"delt "0"."' if value.tied else '0"."'
    elif isinstance(value, Day):
        parsed = parse_date(value.text)
        if parsed is None:
            cell.value = _text(value.text) or None
            cell.data_type = "s"
        else:
            cell.value = parsed
            cell.number_format = DATE_FORMAT
    elif isinstance(value, Percent):
        cell.value = None if value.value is None else round(value.value, 1)
        cell.number_format = '0.0" %"'
    elif isinstance(value, Decimal):
        cell.value = value.value
        cell.number_format = "#,##0.0#"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        # Typed text is a string, never a formula (openpyxl reads "=…" as one).
        cell.value = _text(value) or None
        cell.data_type = "s"
        if "\n" in value:
            cell.alignment = WRAP
            return
    elif isinstance(value, int | float) or value is None:
        cell.value = value
    else:  # anything else as its text
        cell.value = _text(cell_text(value))  # type: ignore[arg-type]
        cell.data_type = "s"
    cell.alignment = TOP


def _sheet(book: Workbook, table: Table, header: tuple[str, str, str], steps: Steps) -> None:
    sheet = book.create_sheet(table.name[:31])
    top = 1
    if table.title:  # the confidential mark above the header
        sheet.cell(row=1, column=1, value=_text(table.title)).font = Font(bold=True, size=14)
        top = 2
    for column, (name, width) in enumerate(table.columns, 1):
        cell = sheet.cell(row=top, column=column, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, len(name) + 2)
    for number, row in enumerate(table.rows, top + 1):
        for column, value in enumerate(row, 1):
            _put(sheet, number, column, value)
        steps.advance()
    last = get_column_letter(len(table.columns))
    sheet.freeze_panes = f"A{top + 1}"
    sheet.auto_filter.ref = f"A{top}:{last}{top + max(len(table.rows), 1)}"
    # Printing: landscape, as wide as the page, the header row on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{top}:{top}"
    left, center, right = header
    sheet.oddHeader.left.text = _text(left).replace("&", "&&")
    sheet.oddHeader.center.text = _text(center).replace("&", "&&")
    sheet.oddHeader.right.text = _text(right).replace("&", "&&")
    sheet.oddFooter.center.text = "Side &P af &N"


def _book(tables: list[Table], header: tuple[str, str, str], steps: Steps) -> bytes:
    steps.begin(sum(len(t.rows) for t in tables) or 1, "Skriver regnearket")
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _sheet(book, table, header, steps)
    book.properties.language = "da-DK"
    book.properties.creator = "facilitator"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bruttoliste_xlsx(data: Bruttoliste, steps: Steps = NO_STEPS) -> bytes:
    header = (data.workplace, f"Bruttoliste – {data.title}", date_da(data.created_at))
    return _book(bruttoliste_tables(data), header, steps)


def handleplan_xlsx(plan: Handleplan, steps: Steps = NO_STEPS) -> bytes:
    info = plan.forloeb
    header = (info.workplace, "Handleplan", f"Udskrevet {date_da(plan.made_at)}")
    return _book(handleplan_tables(plan), header, steps)


def confidential_xlsx(
    items: tuple[ConfidentialItem, ...], where: str, steps: Steps = NO_STEPS
) -> bytes:
    """The særskilt spor alone: FORTROLIGT in the sheet's name, above its header and in
    the header of every printed page."""
    mark = f"{CONFIDENTIAL_MARK} – særskilt spor"
    return _book([confidential_table(items, where)], (where, mark, CONFIDENTIAL_MARK), steps)
