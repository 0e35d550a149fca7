"""The export writers on hand-made course data: what a workplace reads in each format.

Every format is read back the way its reader would: Markdown rendered (markdown-it), CSV
with ``csv`` (``;``, BOM), XLSX with openpyxl, DOCX with python-docx (and its XML where
python-docx has no API: the PAGE field, the language), JSON with ``json``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import docx
import pytest
from docx.shared import Cm
from openpyxl import load_workbook
from PIL import Image

from facilitator.course.model import (
    PLAN_STEPS,
    AbsenceRow,
    ActionResult,
    ActionRow,
    Bruttoliste,
    ChosenWish,
    ConfidentialItem,
    FollowUpEntry,
    ForloebInfo,
    Handleplan,
    PlannedStep,
    ProposalLine,
    ThemeTotal,
    Wish,
)
from facilitator.export import (
    FORMATS,
    render_bruttoliste,
    render_confidential,
    render_handleplan,
)

CREATED = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
SECRET = "Chikane fra en kollega"
SECRET_PLAN = "Krænkende adfærd"


# ---------------------------------------------------------------- hand-made data
def P(*texts: str, level: str = "") -> tuple[ProposalLine, ...]:  # noqa: N802
    return tuple(ProposalLine(t, level) for t in texts)


def wish(wid: int, rank: int, heading: str, **fields) -> Wish:  # noqa: ANN003
    values = dict(
        id=wid,
        rank=rank,
        tied=False,
        heading=heading,
        proposals=(),
        group=1,
        marks=0,
        theme="",
        theme_marks=0,
        priority=None,
        status="",
        reason="",
        phase="Ønsker og drømme",
    )
    values.update(fields)
    if not values["theme"]:
        values["theme_marks"] = values["marks"]
    return Wish(**values)


def secret_item() -> ConfidentialItem:
    return ConfidentialItem(
        id=31,
        meeting_id=1,
        meeting_title="1. dialogmøde",
        heading=SECRET,
        proposals=P("Tal med AMR"),
        problem_kind=SECRET_PLAN,
        gravity="Alvorlig",
        responsible="Leder Lis",
        start="01-02-2027",
        follow_up="1. marts",
        status="in_progress",
        flags=("Opfølgningsdato kan ikke læses",),
    )


def first_meeting() -> Bruttoliste:
    """A 1st meeting: ties, a theme, priorities, vurderinger, a strength, a secret."""
    return Bruttoliste(
        meeting_id=1,
        title="1. dialogmøde på Ærø",
        agenda_title="1. dialogmøde – anerkendende interview",
        agenda_name="dialogmoede-1",
        created_at=CREATED,
        forloeb_id=1,
        workplace="Ærø Skole",
        wishes=(
            wish(
                11,
                1,
                "Færre afbrydelser",
                proposals=P("Stille time", "Fælles kalender"),
                group=2,
                marks=5,
                theme="Arbejdsro",
                theme_marks=7,
                priority=1,
                status="work_on",
                reason="Vi har budget til det",
            ),  # fmt: skip
            wish(
                12,
                1,
                "Vagtplan i god tid",
                group=3,
                marks=2,
                theme="Arbejdsro",
                theme_marks=7,
                priority=1,
            ),  # fmt: skip
            wish(
                13,
                2,
                "Mere anerkendelse",
                tied=True,
                marks=3,
                priority=2,
                status="cannot_now",
                reason="Kræver en ny ledelse",
            ),  # fmt: skip
            wish(14, 2, "Bedre kaffe", tied=True, marks=3, proposals=P("=SUM(A1)", "+45 kopper")),
            wish(15, 4, "Æbler på bordet", marks=0, proposals=P("Økologiske", "Ærø-æbler")),
        ),
        themes=(ThemeTotal("Arbejdsro", 7, 1, 1, (11, 12)),),
        strengths=(
            wish(21, 0, "Vi hjælper hinanden", proposals=P("Makkerpar"), phase="Interview"),
        ),
        has_interview=True,
        chosen=(),
        confidential=(secret_item(),),
    )


def second_meeting() -> Bruttoliste:
    """A 2nd meeting: two chosen wishes; the action groups' numbers cross the wishes'
    (group 2 works on group 1's wish), so mixing by group number would show."""
    return Bruttoliste(
        meeting_id=2,
        title="2. dialogmøde",
        agenda_title="2. dialogmøde – prioritering og handling",
        agenda_name="dialogmoede-2",
        created_at=CREATED,
        forloeb_id=1,
        workplace="Ærø Skole",
        wishes=(
            wish(41, 1, "Stabil bemanding", group=1, marks=4, proposals=P("Faste vikarer")),
            wish(42, 2, "Bedre møder", group=2, marks=1),
        ),
        themes=(),
        strengths=(),
        has_interview=False,
        chosen=(
            ChosenWish(
                41,
                "Stabil bemanding",
                P("Faste vikarer"),
                1,
                11,
                4,
                1,
                (
                    ActionResult(
                        51,
                        2,
                        "Vikarpulje",
                        P("Lav en pulje", level="personalegruppe")
                        + P("Spørg kommunen", level="leder"),
                    ),
                ),
            ),  # fmt: skip
            ChosenWish(
                42,
                "Bedre møder",
                (),
                2,
                None,
                3,
                2,
                (ActionResult(52, 1, "Mødeplan", P("Fast dagsorden", level="samarbejdspartnere")),),
            ),  # fmt: skip
        ),
        confidential=(secret_item(),),
    )


def handleplan() -> Handleplan:
    info = ForloebInfo(
        id=1,
        name="Ærø Skole – Kontoret",
        workplace="Ærø Skole",
        unit="Kontoret",
        tovholder="Hanne Ørsted",
        moedeleder="Åse",
        help_contacts=("AMR Ole, tlf. 12 34 56 78",),
        plan=tuple(
            PlannedStep(k, v, "14-01-2027" if k == "meeting_1" else "")
            for k, v in PLAN_STEPS.items()
        ),  # fmt: skip
        handleplan_date="15-01-2027",
        created_at=CREATED,
        meetings=(),
        next_step="Opfølgning 1. mar.",
        overdue=1,
        revision_due=date(2030, 1, 15),
    )
    rows = (
        ActionRow(1, 1, "Arbejdsro", "Færre afbrydelser", ("Stille time", "Fælles kalender"),
                  "Hanne", "01-02-2027", "1. marts", "in_progress", "Husk at fejre det", 11,
                  (FollowUpEntry(1, "15-02-2027", "in_progress", "Godt i gang"),), ()),
        ActionRow(2, 2, "Bemanding", "=Faste vikarer", ("Vikarpulje",), "", "snart", "",
                  "not_started", "", None, (), ("Ansvarlig mangler", "Opfølgningsdato mangler")),
    )  # fmt: skip
    absence = (
        AbsenceRow(1, 1, "Før", "2026-01-01", "2026-06-30", 10.0, 190.0, "days"),
        AbsenceRow(2, 2, "Efter", "2027-01-01", "2027-06-30", 37.0, 1443.0, "hours"),
    )
    made = datetime(2027, 1, 20, 10, 0)
    return Handleplan(info, rows, absence, confidential=(secret_item(),), made_at=made)


# ---------------------------------------------------------------- readers
def md(data: Bruttoliste | Handleplan) -> str:
    if isinstance(data, Handleplan):
        return render_handleplan(data, "md").decode("utf-8")
    return render_bruttoliste(data, "md").decode("utf-8")


def csv_rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_book(raw: bytes):  # noqa: ANN201
    return load_workbook(io.BytesIO(raw))


def xlsx_text(raw: bytes) -> str:
    book = xlsx_book(raw)
    parts = [sheet.title for sheet in book]
    for sheet in book:
        parts += [sheet.oddHeader.left.text or "", sheet.oddHeader.center.text or ""]
        parts += [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    return "\n".join(parts)


def docx_doc(raw: bytes):  # noqa: ANN201
    return docx.Document(io.BytesIO(raw))


def docx_text(raw: bytes) -> str:
    """Every text of the document: body paragraphs, table cells, headers and footers."""
    document = docx_doc(raw)
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def heading_texts(raw: bytes) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in docx_doc(raw).paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]


def table_with(document, header: str):  # noqa: ANN001, ANN201
    """The first table whose header row holds ``header``, as a list of rows of texts."""
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if header in rows[0]:
            return rows
    raise AssertionError(f"no table with {header!r}")


def page_of(document, table) -> tuple[int, int]:  # noqa: ANN001
    """The page size (width, height in EMU) of the section a table is in: the next
    section break after it, or the body's last one."""
    from docx.oxml.ns import qn

    children = list(document.element.body.iterchildren())
    for element in children[children.index(table._tbl) :]:
        if element.tag == qn("w:sectPr"):
            found = element
        elif element.tag == qn("w:p"):
            found = next(iter(element.xpath("./w:pPr/w:sectPr")), None)
        else:
            found = None
        if found is not None:
            size = found.find(qn("w:pgSz"))
            return int(size.get(qn("w:w"))) * 635, int(size.get(qn("w:h"))) * 635
    raise AssertionError("no section after the table")


def every_format(data: Bruttoliste | Handleplan) -> dict[str, str]:
    """The default export of ``data`` in every format, as the text a reader finds."""
    render = render_handleplan if isinstance(data, Handleplan) else render_bruttoliste
    texts = {}
    for fmt in FORMATS:
        raw = render(data, fmt)
        if fmt == "xlsx":
            texts[fmt] = xlsx_text(raw)
        elif fmt == "docx":
            texts[fmt] = docx_text(raw)
        else:
            texts[fmt] = raw.decode("utf-8-sig")
    return texts


# ---------------------------------------------------------------- Markdown
def test_markdown_bruttoliste_is_ranked_with_ties_themes_priorities_and_vurdering():
    text = md(first_meeting())
    order = [text.index(h) for h in ("Færre afbrydelser", "Mere anerkendelse", "Æbler på bordet")]
    assert order == sorted(order)
    assert "- **Mere anerkendelse** — delt 2. plads · 3 markeringer" in text
    assert "- **Bedre kaffe** — delt 2. plads" in text
    assert (
        "- **Færre afbrydelser** — 1. plads · 5 markeringer · tema: Arbejdsro "
        "(7 markeringer i alt) · gruppe 2" in text
    )
    assert "(7 markeringer i alt)" in text and "**prioriteret som nr. 1**" in text
    assert "   - Vurdering: **Arbejdes videre med** – Vi har budget til det" in text
    assert "   - Vurdering: **Kan ikke ændres nu** – Kræver en ny ledelse" in text
    assert "## Temaer" in text and "- **Arbejdsro** — 1. plads · 7 markeringer i alt" in text
    prioritised = text.split("## Prioriterede ønsker")[1].split("##")[0]
    # The prioritised theme stands for its wishes; the wish prioritised alone follows.
    assert prioritised.strip().splitlines() == [
        "- **Nr. 1:** Arbejdsro (tema, 7 markeringer)",
        "- **Nr. 2:** Mere anerkendelse (ønske, 3 markeringer)",
    ]
    assert "## Styrker fra interviewene" in text and "Vi hjælper hinanden" in text
    assert text.startswith("# Bruttoliste – 1\\. dialogmøde på Ærø\n\nÆrø Skole · ")
    assert "15.01.2027" in text.splitlines()[2]


def test_markdown_second_meeting_puts_actions_under_their_wish_and_has_no_strengths():
    text = md(second_meeting())
    assert "Styrker" not in text and "Ønsker efter markeringer" not in text
    chosen = text.split("## Valgte ønsker og handlingsgruppernes forslag")[1]
    lines = chosen.strip().splitlines()
    assert lines == [
        "- **Stabil bemanding** — gruppe 1 · brænder for: 4 · 4 markeringer · "
        "**prioriteret som nr. 1**",
        "   - Faste vikarer",
        "   - Handlingsgruppe 2: **Vikarpulje**",
        "     - Personalegruppen: Lav en pulje",
        "     - Lederen: Spørg kommunen",
        "- **Bedre møder** — gruppe 2 · brænder for: 3 · 1 markering · **prioriteret som nr. 2**",
        "   - Handlingsgruppe 1: **Mødeplan**",
        "     - Samarbejdspartnere/kunder: Fast dagsorden",
    ]


def test_markdown_handleplan_rows_flags_log_absence_and_revision():
    from markdown_it import MarkdownIt

    text = md(handleplan())
    assert text.startswith("# Handleplan – Ærø Skole, Kontoret\n")
    assert "Tovholder: Hanne Ørsted · Mødeleder: Åse" in text
    assert "APV'en revideres senest 15.01.2030" in text and "1 opfølgning overskredet" in text
    rows = text.split("## Indsatser")[1].split("## Opfølgning")[0]
    assert rows.index("**1. Arbejdsro**") < rows.index("**2. Bemanding**")
    assert "   - Mål: \\=Faste vikarer" in rows  # escaped: no setext heading, no formula
    assert "   - Start: 01-02-2027 · Opfølgning: 1\\. marts" in rows
    assert "   - Status: I gang" in rows and "   - Status: Ikke startet" in rows
    assert "   - **⚠ Ansvarlig mangler**" in rows and "   - **⚠ Opfølgningsdato mangler**" in rows
    assert "- **1. Arbejdsro** – 15-02-2027: I gang – Godt i gang" in text
    assert "| Før | 2026-01-01 – 2026-06-30 | 10 | 190 | dagsværk | 5,0 % |" in text
    assert "| Efter | 2027-01-01 – 2027-06-30 | 37 | 1.443 | timer | 2,5 % |" in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<tr>") == 3  # the sygefravær table: a header and two rows
    assert set(re.findall(r"</?([a-z0-9]+)", html)) <= {
        "h1", "h2", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip


# ---------------------------------------------------------------- CSV
def test_csv_bruttoliste_reads_back_with_semicolons_bom_and_danish_letters():
    rows = csv_rows(render_bruttoliste(first_meeting(), "csv"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Nr.", "Slags", "Gruppe", "Overskrift", "Forslag", "Markeringer"]
    records = [dict(zip(header, r, strict=True)) for r in body]
    wishes = [r for r in records if r["Slags"] == "Ønske"]
    assert [(r["Nr."], r["Overskrift"]) for r in wishes] == [
        ("1.", "Færre afbrydelser"),
        ("1.", "Vagtplan i god tid"),
        ("delt 2.", "Mere anerkendelse"),
        ("delt 2.", "Bedre kaffe"),
        ("4.", "Æbler på bordet"),
    ]
    first = wishes[0]
    assert (first["Tema"], first["Temaets markeringer"], first["Prioritet"]) == (
        "Arbejdsro",
        "7",
        "1",
    )
    assert (first["Vurdering"], first["Begrundelse"]) == (
        "Arbejdes videre med",
        "Vi har budget til det",
    )
    assert wishes[3]["Forslag"] == "'=SUM(A1)\n+45 kopper"  # a formula stays text
    assert wishes[4]["Forslag"] == "Økologiske\nÆrø-æbler"
    assert {r["Arbejdsplads"] for r in records} == {"Ærø Skole"}
    assert {r["Dato"] for r in records} == {"15.01.2027"}
    assert [r["Overskrift"] for r in records if r["Slags"] == "Tema"] == ["Arbejdsro"]
    assert [r["Overskrift"] for r in records if r["Slags"] == "Styrke"] == ["Vi hjælper hinanden"]


def test_csv_second_meeting_has_actions_under_their_wish_and_no_strengths():
    rows = csv_rows(render_bruttoliste(second_meeting(), "csv"))
    header = rows[0]
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [(r["Slags"], r["Overskrift"], r["Under ønske"], r["Gruppe"]) for r in records] == [
        ("Valgt ønske", "Stabil bemanding", "", "1"),
        ("Handling", "Vikarpulje", "Stabil bemanding", "2"),
        ("Valgt ønske", "Bedre møder", "", "2"),
        ("Handling", "Mødeplan", "Bedre møder", "1"),
    ]
    assert records[0]["Brænder for"] == "4"
    assert records[1]["Forslag"] == "Personalegruppen: Lav en pulje\nLederen: Spørg kommunen"


def test_csv_handleplan_sections_with_flags_and_percent_with_decimal_comma():
    rows = csv_rows(render_handleplan(handleplan(), "csv"))
    assert rows[0][:4] == ["Nr.", "Indsatsområde", "Mål", "Aktiviteter"]
    assert rows[1][:8] == [
        "1", "Arbejdsro", "Færre afbrydelser", "Stille time\nFælles kalender", "Hanne",
        "01-02-2027", "1. marts", "I gang",
    ]  # fmt: skip
    assert rows[2][2] == "'=Faste vikarer"
    assert rows[2][9] == "⚠ Ansvarlig mangler\n⚠ Opfølgningsdato mangler"
    sections = {row[0]: n for n, row in enumerate(rows) if len(row) == 1}
    log = rows[sections["Opfølgning"] + 2]
    assert log == ["1", "Arbejdsro", "15-02-2027", "I gang", "Godt i gang"]
    absence = rows[sections["Sygefravær"] + 2 : sections["Sygefravær"] + 4]
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in absence] == [
        ("Før", "10", "190", "dagsværk", "5,0 %"),
        ("Efter", "37", "1.443", "timer", "2,5 %"),
    ]
    facts = dict(r for r in rows[sections["Forløb"] + 2 :] if len(r) == 2)
    assert facts["Revideres senest"] == "15.01.2030"
    assert facts["Tovholder"] == "Hanne Ørsted"


# ---------------------------------------------------------------- XLSX
def test_xlsx_bruttoliste_sheets_header_filter_and_typed_cells():
    book = xlsx_book(render_bruttoliste(first_meeting(), "xlsx"))
    assert book.sheetnames == ["Bruttoliste", "Temaer", "Prioriteret", "Styrker", "Møde"]
    sheet = book["Bruttoliste"]
    assert [c.value for c in sheet[1]][:4] == ["Nr.", "Overskrift", "Forslag", "Gruppe"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J6"
    assert sheet.column_dimensions["B"].width >= 30
    tied = sheet["A4"]  # "Mere anerkendelse": a number that shows "delt 2."
    assert (tied.value, sheet["B4"].value) == (2, "Mere anerkendelse")
    assert "delt" in tied.number_format and "delt" not in sheet["A2"].number_format
    formula = sheet["C5"]
    assert formula.value == "=SUM(A1)\n+45 kopper" and formula.data_type == "s"
    assert (
        sheet["I2"].value == "Arbejdes videre med" and sheet["J2"].value == "Vi har budget til det"
    )
    assert book["Temaer"]["B2"].value == "Arbejdsro" and book["Temaer"]["C2"].value == 7
    facts = {row[0].value: row[1].value for row in book["Møde"].iter_rows(min_row=2)}
    assert facts["Arbejdsplads"] == "Ærø Skole" and facts["Dato"] == datetime(2027, 1, 15)
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"


def test_xlsx_second_meeting_actions_under_their_wish_and_no_strengths_sheet():
    book = xlsx_book(render_bruttoliste(second_meeting(), "xlsx"))
    assert book.sheetnames == ["Valgte ønsker", "Møde"]
    rows = [[c.value for c in r] for r in book["Valgte ønsker"].iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        ("Valgt ønske", "Stabil bemanding", 1, "Stabil bemanding"),
        ("Handling", "Stabil bemanding", 2, "Vikarpulje"),
        ("Valgt ønske", "Bedre møder", 2, "Bedre møder"),
        ("Handling", "Bedre møder", 1, "Mødeplan"),
    ]


def test_xlsx_handleplan_dates_as_dates_unreadable_dates_as_text():
    book = xlsx_book(render_handleplan(handleplan(), "xlsx"))
    assert book.sheetnames == ["Handleplan", "Opfølgning", "Sygefravær", "Forløb"]
    for sheet in book:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    plan = book["Handleplan"]
    start, follow_up = plan["F2"], plan["G2"]
    assert start.value == datetime(2027, 2, 1) and start.is_date
    assert follow_up.value == "1. marts" and follow_up.data_type == "s"  # no year: text
    assert plan["F3"].value == "snart" and plan["F3"].data_type == "s"
    assert plan["G3"].value is None
    assert plan["C3"].value == "=Faste vikarer" and plan["C3"].data_type == "s"
    assert plan["J3"].value == "⚠ Ansvarlig mangler\n⚠ Opfølgningsdato mangler"
    assert plan["H2"].value == "I gang"
    log = book["Opfølgning"]
    assert [c.value for c in log[2]] == [
        1,
        "Arbejdsro",
        datetime(2027, 2, 15),
        "I gang",
        "Godt i gang",
    ]
    absence = book["Sygefravær"]
    assert [c.value for c in absence[2]][:7] == [
        "Før", datetime(2026, 1, 1), datetime(2026, 6, 30), 10, 190, "dagsværk", 5.0,
    ]  # fmt: skip
    assert absence["G3"].value == 2.5 and "0.0" in absence["G3"].number_format
    facts = {row[0].value: row[1].value for row in book["Forløb"].iter_rows(min_row=2)}
    assert facts["Revideres senest"] == datetime(2030, 1, 15)
    assert facts["Handleplanens dato"] == datetime(2027, 1, 15)
    assert facts["1. dialogmøde"] == datetime(2027, 1, 14)


# ---------------------------------------------------------------- DOCX
def webp_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, format="WEBP")
    return buffer.getvalue()


def test_docx_bruttoliste_is_a4_danish_with_page_numbers_table_and_photos():
    photos = {11: ("image/webp", webp_photo()), 13: ("image/jpeg", b"\xff\xd8 not a photo")}
    raw = render_bruttoliste(first_meeting(), "docx", photos=photos.get)
    document = docx_doc(raw)
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    texts = [p.text for p in document.paragraphs]
    assert texts[:5] == [
        "Bruttoliste",
        "1. dialogmøde på Ærø",
        "Arbejdsplads: Ærø Skole",
        "1. dialogmøde – anerkendende interview, 15.01.2027",
        "5 ønsker fra grupperne.",
    ]
    rows = table_with(document, "Ønske og forslag")
    assert [r[0] for r in rows] == ["Plads", "1.", "1.", "delt 2.", "delt 2.", "4."]
    assert rows[1][1].startswith("Færre afbrydelser\n• Stille time\n• Fælles kalender")
    assert rows[1][5] == "Arbejdes videre med\nVi har budget til det"
    assert "Styrker fra interviewene" in texts
    # Danish: in the styles' defaults and on the file.
    styles = document.styles.element.xml
    assert re.search(r'<w:rPrDefault>.*<w:lang w:val="da-DK"', styles, re.S)
    assert document.core_properties.language == "da-DK"
    assert document.core_properties.created.year >= 2026  # not the template's 2013
    # Page numbers: a PAGE field in the footer, in raw OXML.
    footer = section.footer._element.xml
    assert 'w:fldCharType="begin"' in footer and 'w:fldCharType="end"' in footer
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert section.footer.paragraphs[0].text.startswith("Side ")
    # The WebP photo is in the document as JPEG or PNG; the broken one is said to be so.
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0].endswith((".jpeg", ".jpg", ".png"))
    assert len(document.inline_shapes) == 1
    assert "Gruppe 2: Færre afbrydelser" in texts
    assert "(Fotoet kan ikke læses.)" in texts


def test_docx_second_meeting_actions_under_their_wish_no_strengths():
    raw = render_bruttoliste(second_meeting(), "docx")
    headings = heading_texts(raw)
    assert headings == [
        ("Title", "Bruttoliste"),
        ("Heading 1", "Valgte ønsker og handlingsgruppernes forslag"),
        ("Heading 2", "Stabil bemanding"),
        ("Heading 3", "Handlingsgruppe 2: Vikarpulje"),
        ("Heading 2", "Bedre møder"),
        ("Heading 3", "Handlingsgruppe 1: Mødeplan"),
    ]
    texts = [p.text for p in docx_doc(raw).paragraphs]
    assert "Lederen: Spørg kommunen" in texts
    assert "Samarbejdspartnere/kunder: Fast dagsorden" in texts
    assert "Gruppe 1 · brænder for: 4 · 4 markeringer · prioriteret som nr. 1" in texts


def test_docx_handleplan_table_in_its_columns_on_landscape_pages():
    raw = render_handleplan(handleplan(), "docx")
    document = docx_doc(raw)
    rows = table_with(document, "Indsatsområde")
    assert rows[0] == [
        "Nr.", "Indsatsområde", "Mål", "Aktiviteter", "Ansvarlig", "Start", "Opfølgning",
        "Status", "Noter",
    ]  # fmt: skip
    assert rows[1] == [
        "1.", "Arbejdsro", "Færre afbrydelser", "• Stille time\n• Fælles kalender", "Hanne",
        "01-02-2027", "1. marts", "I gang", "Husk at fejre det",
    ]  # fmt: skip
    assert rows[2][4] == "–" and rows[2][8] == "⚠ Ansvarlig mangler\n⚠ Opfølgningsdato mangler"
    # The rows' table is on landscape A4 pages; the title page is portrait.
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Indsatsområde")
    width, height = page_of(document, table)
    assert abs(width - Cm(29.7)) < Cm(0.01) and abs(height - Cm(21)) < Cm(0.01)
    assert document.sections[0].page_width < document.sections[0].page_height
    text = docx_text(raw)
    assert "5,0 %" in text and "2,5 %" in text and "1.443" in text
    assert "15.01.2030" in text and "Hanne Ørsted" in text
    assert "AMR Ole, tlf. 12 34 56 78" in text
    log = table_with(document, "Note")
    assert log[1] == ["1.", "Arbejdsro", "15-02-2027", "I gang", "Godt i gang"]
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])


# ---------------------------------------------------------------- JSON
def test_json_bruttoliste_and_handleplan_say_what_they_are():
    first = json.loads(render_bruttoliste(first_meeting(), "json"))
    assert (first["kind"], first["format"]) == ("facilitator-bruttoliste", 2)
    assert "confidential" not in first and first["has_interview"] is True
    assert [w["heading"] for w in first["wishes"]][:3] == [
        "Færre afbrydelser", "Vagtplan i god tid", "Mere anerkendelse",
    ]  # fmt: skip
    assert first["wishes"][2]["tied"] is True and first["wishes"][0]["status_label"] == (
        "Arbejdes videre med"
    )
    second = json.loads(render_bruttoliste(second_meeting(), "json"))
    assert "strengths" not in second
    assert [(c["heading"], [a["heading"] for a in c["actions"]]) for c in second["chosen"]] == [
        ("Stabil bemanding", ["Vikarpulje"]),
        ("Bedre møder", ["Mødeplan"]),
    ]
    assert second["chosen"][0]["actions"][0]["proposals"][1] == {
        "text": "Spørg kommunen",
        "level": "leder",
    }
    plan = json.loads(render_handleplan(handleplan(), "json"))
    assert (plan["kind"], plan["format"]) == ("facilitator-handleplan", 2)
    assert plan["rows"][0]["start"] == {"text": "01-02-2027", "iso": "2027-02-01"}
    assert plan["rows"][0]["follow_up"] == {"text": "1. marts", "iso": None}
    assert plan["absence"][0]["percent"] == 5.0


# ---------------------------------------------------------------- særskilt spor
@pytest.mark.parametrize("data", [first_meeting(), second_meeting(), handleplan()],
                         ids=["meeting-1", "meeting-2", "handleplan"])  # fmt: skip
def test_the_secret_is_in_no_default_export(data):
    assert data.confidential  # the data carry it; the writers must leave it out
    for fmt, text in every_format(data).items():
        assert SECRET not in text and SECRET_PLAN not in text, fmt
        assert "FORTROLIGT" not in text, fmt


def test_a_wish_flagged_confidential_is_left_out_too():
    data = first_meeting()
    data = replace(data, wishes=(*data.wishes, wish(16, 5, SECRET, confidential=True)))
    for fmt, text in every_format(data).items():
        assert SECRET not in text, fmt


def test_the_confidential_file_is_marked_on_every_page_in_every_format():
    items = (secret_item(),)
    where = "Ærø Skole · 1. dialogmøde"

    def confidential(fmt: str) -> bytes:
        return render_confidential(items, fmt, where=where, kind="facilitator-bruttoliste",
                                   context={"meeting": {"id": 1}})  # fmt: skip

    text = confidential("md").decode("utf-8")
    assert text.splitlines()[0].startswith("**FORTROLIGT – særskilt spor**")
    assert SECRET in text and SECRET_PLAN in text and "Leder Lis" in text

    rows = csv_rows(confidential("csv"))
    assert rows[0] == [f"FORTROLIGT – særskilt spor – {where}"]
    record = dict(zip(rows[1], rows[2], strict=True))
    assert (record["Overskrift"], record["Problemets art"]) == (SECRET, SECRET_PLAN)

    book = xlsx_book(confidential("xlsx"))
    (sheet,) = book
    assert sheet.title.startswith("FORTROLIGT")
    assert sheet["A1"].value.startswith("FORTROLIGT") and sheet["A3"].value == SECRET
    assert "FORTROLIGT" in sheet.oddHeader.center.text
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert sheet["J3"].value == datetime(2027, 2, 1) and sheet["K3"].value == "1. marts"

    document = docx_doc(confidential("docx"))
    assert all("FORTROLIGT" in s.header.paragraphs[0].text for s in document.sections)
    assert all(not s.header.is_linked_to_previous for s in document.sections[:1])
    assert SECRET in docx_text(confidential("docx"))

    document_json = json.loads(confidential("json"))
    assert document_json["confidential"] is True
    assert document_json["kind"] == "facilitator-bruttoliste"
    assert document_json["separate_track"][0]["heading"] == SECRET


# ---------------------------------------------------------------- empty and odd data
def test_an_empty_handleplan_and_an_empty_meeting_say_so_in_every_format():
    plan = replace(handleplan(), rows=(), absence=(), confidential=())
    for fmt, text in every_format(plan).items():
        assert "Ærø Skole" in text, fmt
    assert "Handleplanen har ingen rækker endnu." in every_format(plan)["md"]
    assert "Handleplanen har ingen rækker endnu." in every_format(plan)["docx"]
    meeting = replace(first_meeting(), wishes=(), themes=(), strengths=(), confidential=())
    texts = every_format(meeting)
    assert "Ingen ønsker er skrevet ind endnu." in texts["md"]
    assert "Ingen styrker er skrevet ind." in texts["md"]
    assert json.loads(texts["json"])["wishes"] == []


def test_characters_a_file_format_cannot_hold_are_left_out_not_fatal():
    """Typed text is cleaned at the door; should a control character get past it, XLSX
    and DOCX (XML) leave it out instead of failing the export."""
    odd = "Bell\x07 og\x0b lodret tab"
    data = replace(first_meeting(), title=odd, wishes=(wish(11, 1, odd, marks=1),), themes=())
    assert "Bell og lodret tab" in xlsx_text(render_bruttoliste(data, "xlsx"))
    assert "Bell og lodret tab" in docx_text(render_bruttoliste(data, "docx"))


def test_docx_handleplan_shows_the_photos_of_its_rows_wishes_on_portrait_pages():
    raw = render_handleplan(handleplan(), "docx", photos={11: ("image/webp", webp_photo())}.get)
    document = docx_doc(raw)
    assert len(document.inline_shapes) == 1
    last = document.sections[-1]
    assert last.page_width < last.page_height  # back to portrait after the landscape table
    assert ("Heading 3", "1. Arbejdsro") in heading_texts(raw)
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        assert not [n for n in package.namelist() if n.endswith(".webp")]
