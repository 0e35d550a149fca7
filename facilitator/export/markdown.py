"""The bruttoliste as Markdown."""

from __future__ import annotations

from facilitator.export.model import Bruttoliste, Item


def _escape(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


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
