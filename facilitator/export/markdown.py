"""The bruttoliste as Markdown.

Every typed text (headings, proposals, theme names, the meeting's title) is escaped, so
it reads literally in any Markdown or HTML viewer: "# x" is no heading, "*y*" no emphasis,
"<script>" no tag, "[a](b)" no link, "&amp;" no entity, "- x" at a line's start no list.
"""

from __future__ import annotations

import re

from facilitator.export.model import Bruttoliste, Item

# Inline syntax anywhere in a text (CommonMark backslash escapes; ~ for GFM strikethrough,
# | for tables), and "&" where it would start an entity ("&lt;", "&#60;").
_INLINE = re.compile(r"([\\`*_\[\]<>|#~]|&(?=#?\w+;))")
# Block syntax at a line's start (every text starts a list item's content): a bullet,
# a setext underline, a numbered item ("1." or "1)").
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)


def _escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_start, text)


def _escape_start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    if marker.isdigit():  # "1." -> "1\." keeps the number and loses the list
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def _items(items: tuple[Item, ...], with_marks: bool) -> list[str]:
    lines: list[str] = []
    for number, item in enumerate(items, 1):
        marks = f" — {item.marks} markering{'er' if item.marks != 1 else ''}" if with_marks else ""
        theme = f" · tema: {_escape(item.theme)}" if item.theme else ""
        lines.append(f"{number}. **{_escape(item.heading)}** (gruppe {item.group}){marks}{theme}")
        lines.extend(f"   - {_escape(p)}" for p in item.proposals)
    return lines


def bruttoliste_md(data: Bruttoliste) -> str:
    out = [
        f"# Bruttoliste – {_escape(data.title)}",
        "",
        f"{_escape(data.agenda_title)}, {data.created_at:%d.%m.%Y}. "
        f"{len(data.wishes)} ønsker fra grupperne.",
        "",
        "## Ønsker og drømme",
        "",
    ]
    out.extend(_items(data.wishes, True) or ["Ingen ønsker er skrevet ind endnu."])
    out += ["", "## Styrker fra interviewene", ""]
    out.extend(_items(data.strengths, False) or ["Ingen styrker er skrevet ind."])
    return "\n".join(out) + "\n"
