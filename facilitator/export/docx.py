"""The bruttoliste and the handleplan as Word documents (python-docx), ready to print: A4,
Danish set as the document's language, a title with the workplace and dates, tables with a
header row repeated on every page, the handleplan's rows as a table in its columns on
landscape pages, the flip-over photos (WebP and other formats Word cannot show converted
with Pillow), and "Side X af Y" in the footer as PAGE and NUMPAGES fields in raw OXML
(python-docx has no API for fields)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from facilitator.course.model import (
    Bruttoliste,
    ConfidentialItem,
    Handleplan,
    ProposalLine,
)
from facilitator.export.model import (
    CONFIDENTIAL_MARK,
    CONFIDENTIAL_TITLE,
    NO_STEPS,
    Photos,
    Steps,
    action_label,
    assessment_label,
    date_da,
    flag_text,
    marks_text,
    no_photos,
    number_da,
    percent_da,
    period_text,
    proposal_text,
    rank_label,
    unit_label,
)
from facilitator.export.tables import prioritised, ranked_wishes

LANGUAGE = "da-DK"
A4 = (Cm(21), Cm(29.7))
MARGIN = Cm(2)
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xC0, 0x00, 0x00)
# Characters XML 1.0 cannot hold (typed text is cleaned at the door; this is the last guard).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PHOTO_PIXELS = 1600  # the longest side of a photo in the document (240 dpi at 17 cm)


def _t(text: object) -> str:
    return _NOT_XML.sub("", str(text))


# ---------------------------------------------------------------- the document
def _set_language(document: DocxDocument) -> None:
    """Danish as the language of all text (spelling, hyphenation) and of the file."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    # Styles of the template that name a language of their own follow the default.
    for element in styles.iter(qn("w:lang")):
        if element is not lang and element.get(qn("w:val")):
            element.set(qn("w:val"), LANGUAGE)
    document.core_properties.language = LANGUAGE


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) in raw OXML: begin, instruction, separate, the value
    shown until the field is updated, end."""

    def fld_char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run(shown)
    fld_char("end")


def _page_setup(section, landscape: bool = False) -> None:  # noqa: ANN001
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = Cm(1)
    section.footer_distance = Cm(1)


def _new_document(title: str, header: str, confidential: bool = False) -> DocxDocument:
    document = Document()
    _set_language(document)
    document.core_properties.title = _t(title)
    document.core_properties.author = "facilitator"
    document.core_properties.last_modified_by = "facilitator"
    document.core_properties.comments = ""
    # python-docx's template carries its own dates (2013): the document's are now.
    now = datetime.now(UTC).replace(microsecond=0)
    document.core_properties.created = now
    document.core_properties.modified = now
    document.core_properties.revision = 1
    if confidential:
        document.core_properties.keywords = CONFIDENTIAL_MARK
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    section = document.sections[0]
    _page_setup(section)
    top = section.header.paragraphs[0]
    if confidential:  # on every page: every later section links to this header
        run = top.add_run(f"{CONFIDENTIAL_MARK} – særskilt spor – må ikke deles")
        run.bold = True
        run.font.color.rgb = RED
        top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        run = top.add_run(_t(header))
        run.font.size = Pt(9)
        run.font.color.rgb = GREY
        top.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Side ")
    _field(foot, "PAGE", "1")
    foot.add_run(" af ")
    _field(foot, "NUMPAGES", "1")
    return document


def _landscape(document: DocxDocument) -> None:
    _page_setup(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)


def _portrait(document: DocxDocument) -> None:
    _page_setup(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _para(
    document: DocxDocument,
    text: str = "",
    *,
    style: str | None = None,
    bold: bool = False,
    grey: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph(style=_style(document, style))
    if text:
        run = paragraph.add_run(_t(text))
        run.bold = bold
        if grey:
            run.font.color.rgb = GREY
    return paragraph


def _style(document: DocxDocument, name: str | None) -> object:
    """The style object by name, looked up once per document: python-docx searches every
    style by name on each add_paragraph, most of the time of a long bruttoliste."""
    if name is None:
        return None
    cache = document.__dict__.setdefault("_facilitator_styles", {})
    if name not in cache:
        cache[name] = document.styles[name]
    return cache[name]


def _heading(document: DocxDocument, text: str, level: int) -> Paragraph:
    return document.add_heading(_t(text), level=level)


def _bullets(document: DocxDocument, texts: Iterable[str], style: str = "List Bullet") -> None:
    for text in texts:
        _para(document, text, style=style)


TABLE_TEXT = 19  # half-points: 9.5 pt
TWIPS_PER_CM = 567


def _runs_xml(text: str, bold: bool) -> str:
    """A text's runs in OXML, its lines separated by line breaks."""
    props = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{TABLE_TEXT}"/></w:rPr>'
    runs = []
    for number, line in enumerate(_t(text).split("\n")):
        if number:
            runs.append(f"<w:r>{props}<w:br/></w:r>")
        runs.append(f'<w:r>{props}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>')
    return "".join(runs)


def _cell_xml(parts: list[tuple[str, bool]], width_cm: float) -> str:
    """A table cell: each (text, bold) part a paragraph of its own."""
    spacing = '<w:pPr><w:spacing w:after="0"/></w:pPr>'
    paragraphs = [f"<w:p>{spacing}{_runs_xml(text, bold)}</w:p>" for text, bold in parts if text]
    width = round(width_cm * TWIPS_PER_CM)
    body = "".join(paragraphs) or f"<w:p>{spacing}</w:p>"
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{body}</w:tc>'


def _table(
    document: DocxDocument,
    headers: tuple[str, ...] | None,
    widths: tuple[float, ...],
    rows: list,
) -> Table:
    """A table with a bold header row repeated on every page (none when ``headers`` is
    None); each cell a text or a list of (text, bold) parts; widths in cm; no row is cut
    in two by a page break. The rows are written as OXML: python-docx's cell by cell API
    takes many seconds for a long bruttoliste."""
    table = document.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):  # the grid LibreOffice reads
        column.width = Cm(width)

    def row_xml(values: Iterable, header: bool) -> str:
        flag = "<w:tblHeader/>" if header else "<w:cantSplit/>"
        cells = "".join(
            _cell_xml([(value, header)] if isinstance(value, str) else value, width)
            for value, width in zip(values, widths, strict=True)
        )
        return f"<w:tr {nsdecls('w')}><w:trPr>{flag}</w:trPr>{cells}</w:tr>"

    if headers is not None:
        table._tbl.append(parse_xml(row_xml(headers, True)))
    for values in rows:
        table._tbl.append(parse_xml(row_xml(values, False)))
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    return table


def _photo(document: DocxDocument, content_type: str, data: bytes, width_cm: float) -> bool:
    """The photo, turned upright, scaled and as JPEG or PNG (Word takes those, not WebP);
    False when the bytes are no picture Pillow can read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as original:
            original.load()
            image = ImageOps.exif_transpose(original)
            image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS), reducing_gap=2.0)
            buffer = io.BytesIO()
            alpha = image.mode in ("RGBA", "LA") or (
                image.mode == "P" and "transparency" in image.info
            )
            if alpha:
                image.save(buffer, format="PNG")
            else:
                image.convert("RGB").save(buffer, format="JPEG", quality=85)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    # As wide as the text, but no taller than most of a page.
    shown = min(width_cm, 18.0 * width / height) if height else width_cm
    document.add_picture(io.BytesIO(buffer.getvalue()), width=Cm(shown))
    return True


def _photos_part(
    document: DocxDocument,
    items: list[tuple[int, str]],
    photos: Photos,
    steps: Steps,
    width_cm: float,
    portrait: bool = False,
) -> None:
    """The flip-overs' photos, each under its caption (on portrait pages after a landscape
    part); one step per flip-over (done when its photo is in the document)."""
    found = []
    for flipover_id, caption in items:
        photo = photos(flipover_id)
        if photo is not None:
            found.append((caption, photo))
        else:
            steps.advance()
    if not found:
        return
    if portrait:
        _portrait(document)
        _heading(document, "Fotos af flip-overs", 1)
    else:
        _heading(document, "Fotos af flip-overs", 1).paragraph_format.page_break_before = True
    for caption, (content_type, data) in found:
        _heading(document, caption, 3)
        if not _photo(document, content_type, data, width_cm):
            _para(document, "(Fotoet kan ikke læses.)", grey=True)
        steps.advance()


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _proposal_lines(proposals: tuple[ProposalLine, ...]) -> list[str]:
    return [proposal_text(p) for p in proposals]


# ---------------------------------------------------------------- the bruttoliste
def bruttoliste_docx(
    data: Bruttoliste, photos: Photos = no_photos, steps: Steps = NO_STEPS
) -> bytes:
    ranked = ranked_wishes(data)
    flipovers = [(w.id, f"Gruppe {w.group}: {w.heading}") for w in ranked]
    for chosen in data.chosen:
        flipovers.append((chosen.id, f"Valgt ønske, gruppe {chosen.group}: {chosen.heading}"))
        flipovers += [
            (a.id, f"Handlingsgruppe {a.group} (til «{chosen.heading}»): {a.heading}")
            for a in chosen.actions
        ]
    flipovers += [
        (a.id, f"Handlingsgruppe {a.group}: {a.heading}") for a in data.unassigned_actions
    ]
    if data.has_interview:
        flipovers += [(s.id, f"Styrke, gruppe {s.group}: {s.heading}") for s in data.strengths]
    steps.begin(len(flipovers) + 1, "Skriver dokumentet")
    where = " · ".join(x for x in (data.workplace, data.title) if x)
    document = _new_document(f"Bruttoliste – {data.title}", where)
    _heading(document, "Bruttoliste", 0)
    _para(document, data.title, bold=True)
    if data.workplace:
        _para(document, f"Arbejdsplads: {data.workplace}")
    _para(document, f"{data.agenda_title}, {date_da(data.created_at)}")
    _para(document, f"{len(data.wishes)} ønsker fra grupperne.", grey=True)

    wishes = ranked
    if wishes or not data.chosen:
        _heading(document, "Ønsker efter markeringer", 1)
        if not wishes:
            _para(document, "Ingen ønsker er skrevet ind endnu.")
        rows = []
        for w in wishes:
            what = [(w.heading, True)]
            what += [("\n".join(f"• {p}" for p in _proposal_lines(w.proposals)), False)]
            what += [(f"Gruppe {w.group}", False)]
            theme = f"{w.theme}\n({marks_text(w.theme_marks)} i alt)" if w.theme else ""
            assessment = [(assessment_label(w.status), True), (w.reason, False)]
            rows.append(
                [
                    rank_label(w.rank, w.tied),
                    what,
                    str(w.marks),
                    theme,
                    f"Nr. {w.priority}" if w.priority else "",
                    assessment,
                ]
            )
        if rows:
            headers = ("Plads", "Ønske og forslag", "Markeringer", "Tema", "Prioritet", "Vurdering")
            _table(document, headers, (1.6, 4.8, 2.7, 2.9, 2.0, 3.0), rows)

    if data.themes:
        _heading(document, "Temaer", 1)
        headings = {w.id: w.heading for w in data.wishes}
        rows = []
        for t in data.themes:
            tied = any(o.rank == t.rank and o is not t for o in data.themes)
            members = "\n".join(headings[i] for i in t.wishes if i in headings)
            priority = f"Nr. {t.priority}" if t.priority else ""
            rows.append(
                [rank_label(t.rank, tied), [(t.name, True)], str(t.marks), priority, members]
            )
        _table(document, ("Plads", "Tema", "Markeringer", "Prioritet", "Ønsker"),
               (1.6, 4.5, 2.7, 2.0, 6.2), rows)  # fmt: skip

    chosen_order = prioritised(data)
    if chosen_order:
        _heading(document, "Prioriterede ønsker", 1)
        _bullets(
            document,
            (
                f"Nr. {priority}: {name} ({kind.lower()}, {marks_text(marks)})"
                for priority, kind, name, marks in chosen_order
            ),
            style="List Number",
        )

    by_id = {w.id: w for w in data.wishes}
    if data.chosen:
        _heading(document, "Valgte ønsker og handlingsgruppernes forslag", 1)
        for chosen in data.chosen:
            _heading(document, chosen.heading, 2)
            facts = [f"Gruppe {chosen.group}", f"brænder for: {chosen.burning}"]
            own = by_id.get(chosen.id)
            if own is not None and own.marks:
                facts.append(marks_text(own.marks))
            if chosen.priority:
                facts.append(f"prioriteret som nr. {chosen.priority}")
            _para(document, " · ".join(facts), grey=True)
            _bullets(document, _proposal_lines(chosen.proposals))
            for action in chosen.actions:
                _heading(document, f"Handlingsgruppe {action.group}: {action.heading}", 3)
                _bullets(document, _proposal_lines(action.proposals))
            if not chosen.actions:
                _para(document, "Ingen handlingsgruppe har skrevet forslag til dette ønske.")
    if data.unassigned_actions:
        _heading(document, "Handlingsforslag uden valgt ønske", 1)
        for action in data.unassigned_actions:
            _heading(document, f"Handlingsgruppe {action.group}: {action.heading}", 3)
            _bullets(document, _proposal_lines(action.proposals))

    if data.has_interview:
        _heading(document, "Styrker fra interviewene", 1)
        for s in data.strengths:
            _para(document, f"{s.heading} (gruppe {s.group})", bold=True)
            _bullets(document, _proposal_lines(s.proposals))
        if not data.strengths:
            _para(document, "Ingen styrker er skrevet ind.")

    _photos_part(document, flipovers, photos, steps, 17.0)
    result = _save(document)
    steps.advance()
    return result


# ---------------------------------------------------------------- særskilt spor
def confidential_docx(items: tuple[ConfidentialItem, ...], where: str) -> bytes:
    """The særskilt spor alone, FORTROLIGT in the header of every page."""
    document = _new_document(f"Særskilt spor – {where}", where, confidential=True)
    _heading(document, "Særskilt spor", 0)
    paragraph = _para(document, CONFIDENTIAL_TITLE, bold=True)
    paragraph.runs[0].font.color.rgb = RED
    if where:
        _para(document, where)
    if not items:
        _para(document, "Ingen punkter i særskilt spor.")
    for item in items:
        _heading(document, item.heading, 2)
        fields = [
            ("Møde", item.meeting_title),
            ("Forslag", "\n".join(_proposal_lines(item.proposals))),
            ("Problemets art", item.problem_kind),
            ("Alvor", item.gravity),
            ("Omfang", item.extent),
            ("Årsag", item.cause),
            ("Løsning", item.solution),
            ("Ansvarlig", item.responsible),
            ("Start", item.start),
            ("Opfølgning", item.follow_up),
            ("Status", action_label(item.status)),
            ("Noter", item.notes),
            ("Mærker", "\n".join(flag_text(f) for f in item.flags)),
        ]
        _table(document, ("Felt", "Værdi"), (4.0, 13.0), [[k, v] for k, v in fields if v])
    return _save(document)


# ---------------------------------------------------------------- the handleplan
def handleplan_docx(plan: Handleplan, photos: Photos = no_photos, steps: Steps = NO_STEPS) -> bytes:
    info = plan.forloeb
    sources = [(r.source_id, f"{r.position}. {r.area}") for r in plan.rows if r.source_id]
    steps.begin(len(sources) + 1, "Skriver dokumentet")
    place = ", ".join(x for x in (info.workplace, info.unit) if x)
    document = _new_document(f"Handleplan – {place}", f"Handleplan · {place}")
    _heading(document, "Handleplan", 0)
    _para(document, place, bold=True)
    facts = [
        ("Tovholder", info.tovholder),
        ("Mødeleder", info.moedeleder),
        ("Handleplanens dato", info.handleplan_date),
        ("APV'en revideres senest", date_da(info.revision_due)),
        ("Overskredne opfølgninger", str(info.overdue) if info.overdue else ""),
        ("Udskrevet", date_da(plan.made_at)),
    ]
    facts += [(step.label, step.date) for step in info.plan if step.date]
    _table(document, None, (6.0, 11.0), [[[(k, True)], v] for k, v in facts if v])
    for flag in info.flags:
        _para(document, flag_text(flag), bold=True)
    if info.help_contacts:
        _heading(document, "Hvor kan du få hjælp", 2)
        _bullets(document, info.help_contacts)

    _landscape(document)
    _heading(document, "Indsatser", 1)
    if not plan.rows:
        _para(document, "Handleplanen har ingen rækker endnu.")
    else:
        headers = ("Nr.", "Indsatsområde", "Mål", "Aktiviteter", "Ansvarlig", "Start",
                   "Opfølgning", "Status", "Noter")  # fmt: skip
        widths = (1.1, 3.3, 3.1, 4.4, 2.5, 2.6, 2.6, 1.9, 4.2)
        rows = []
        for r in plan.rows:
            notes = [(r.notes, False)] + [(flag_text(f), True) for f in r.flags]
            rows.append(
                [
                    f"{r.position}.",
                    [(r.area, True)],
                    r.goal,
                    "\n".join(f"• {a}" for a in r.activities),
                    r.responsible or "–",
                    r.start or "–",
                    r.follow_up or "–",
                    action_label(r.status),
                    notes,
                ]
            )
        _table(document, headers, widths, rows)

    _heading(document, "Opfølgning", 1)
    log = [
        [f"{r.position}.", r.area, e.date, action_label(e.status) if e.status else "", e.note]
        for r in plan.rows
        for e in r.log
    ]
    if log:
        _table(document, ("Nr.", "Indsatsområde", "Dato", "Status", "Note"),
               (1.2, 6.0, 2.6, 2.6, 13.3), log)  # fmt: skip
    else:
        _para(document, "Ingen opfølgning er skrevet ind endnu.")

    _heading(document, "Sygefravær", 1)
    if plan.absence:
        rows = [
            [
                [(a.label, True)],
                period_text(a.period_start, a.period_end),
                number_da(a.absence),
                number_da(a.actual),
                unit_label(a.unit),
                [(percent_da(a.percent), True)],
                "\n".join(flag_text(f) for f in a.flags),
            ]
            for a in plan.absence
        ]
        headers = ("Måling", "Periode", "Fravær", "Faktiske", "Enhed", "Fraværsprocent", "Mærker")
        _table(document, headers, (4.2, 5.2, 2.2, 2.2, 2.2, 3.6, 6.1), rows)
        _para(document, "Fraværsprocent = fravær ÷ (faktiske + fravær) × 100.", grey=True)
    else:
        _para(document, "Ingen målinger af sygefravær er skrevet ind endnu.")

    _photos_part(document, sources, photos, steps, 17.0, portrait=True)
    result = _save(document)
    steps.advance()
    return result
