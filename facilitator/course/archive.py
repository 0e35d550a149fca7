"""The forløb archive: the whole course as one JSON document, and reading it back.

``{"kind": "facilitator-forloeb", "version": 1, ...}``. It holds what a workplace needs
to carry the course on elsewhere: the forløb, its meetings (agenda snapshot, groups,
flip-overs with proposals and levels, themes, priorities, vurdering, marks and
"brænder for" choices as counts, photos), the handleplan with its follow-up log and the
sygefravær. None of the secrets: no database ids, codes, tokens, device ids, device
secret or lease. Rows refer to each other by archive-local numbers ("ref": 1..n in
archive order, counted over the whole archive), so export → import → export gives the
same document. Særskilt spor (and its plans) only when asked for.

``read`` checks a whole document before anything is written and returns what
storage.course.CourseStore.import_forloeb writes in one transaction.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from typing import Any

from facilitator.agenda import AgendaError, parse_agenda
from facilitator.course.errors import ArchiveError
from facilitator.course.model import (
    ACTION_STATUSES,
    ARCHIVE_KIND,
    ARCHIVE_VERSION,
    ASSESSMENT_STATUSES,
    LEVELS,
    PLAN_STEPS,
)
from facilitator.engine.flipovers import MAX_HEADING, MAX_PROPOSAL, MAX_PROPOSALS
from facilitator.engine.photos import MAX_PHOTO
from facilitator.text import BadText, clean_text

NOT_OURS = "Filen er ikke et facilitator-forløb"
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PLAN_FIELDS = (
    "problem_kind",
    "gravity",
    "extent",
    "cause",
    "solution",
    "responsible",
    "start",
    "follow_up",
    "status",
    "notes",
)
MAX_COUNT = 100_000  # marks or choices on one card in one phase
MAX_AMOUNT = 10_000_000  # fravær or faktiske arbejdsdagsværk of one period (as the service)
MAX_TEXT = 2000  # one field of the course (as the service)
GROUPINGS = ("interview", "fours", "wishes")  # facilitator.meeting_size.GROUPING_LABELS


def _when(value: datetime) -> str:
    return value.isoformat()


# ---------------------------------------------------------------- export
def export(store: Any, forloeb: dict, include_confidential: bool) -> dict:
    try:
        plan = json.loads(forloeb["plan"] or "{}")
    except ValueError:
        plan = {}
    meetings = store.forloeb_meetings(forloeb["id"])
    # ``confidential`` as read: moved to særskilt spor, or taken from / working on a wish
    # that was (storage's course_flipovers); the document keeps each one's own flag.
    flips_all = store.course_flipovers([m["id"] for m in meetings])
    hidden = {f["id"] for f in flips_all if f["confidential"]}
    flips_all = [f for f in flips_all if include_confidential or not f["confidential"]]
    flip_ref = {f["id"]: n for n, f in enumerate(_in_meeting_order(flips_all, meetings), 1)}
    plans = (
        store.confidential_plans([f["id"] for f in flips_all if f["confidential"]])
        if include_confidential
        else {}
    )
    photos: dict[int, list[dict]] = {}
    for photo in store.course_photos(list(flip_ref)):
        photos.setdefault(photo["flipover_id"], []).append(
            {
                "content_type": photo["content_type"],
                "data": base64.b64encode(bytes(photo["data"])).decode("ascii"),
            }
        )
    group_n = theme_n = 0
    out_meetings = []
    for meeting in meetings:
        mid = meeting["id"]
        group_ref: dict[int, int] = {}
        groups = []
        for group in store.course_groups(mid):
            group_n += 1
            group_ref[group["id"]] = group_n
            groups.append(
                {
                    "ref": group_n,
                    "grouping": group["grouping"],
                    "number": group["number"],
                    "label": group["label"],
                }
            )
        theme_ref: dict[int, int] = {}
        themes = []
        # Only the themes an exported flip-over is in: a theme whose members all went to
        # særskilt spor would otherwise keep its name in the document.
        used = {f["theme_id"] for f in flips_all if f["meeting_id"] == mid}
        for theme in store.course_themes([mid]):
            if theme["id"] not in used:
                continue
            theme_n += 1
            theme_ref[theme["id"]] = theme_n
            themes.append({"ref": theme_n, "name": theme["name"], "priority": theme["priority"]})
        marks = store.marks_by_phase(mid)
        flips = []
        for flip in (f for f in flips_all if f["meeting_id"] == mid):
            entry: dict[str, Any] = {
                "ref": flip_ref[flip["id"]],
                "group": group_ref[flip["group_id"]],
                "phase_index": flip["phase_index"],
                "kind": flip["kind"],
                "heading": flip["heading"],
                "proposals": [{"text": t, "level": lv} for t, lv in flip["proposals"]],
                "theme": theme_ref.get(flip["theme_id"]),
                "priority": flip["priority"],
                "wish": flip_ref.get(flip["wish_id"]),
                "assessment": None,
                "confidential": _own(flip),
                "marks": [
                    {"phase_index": phase, "count": count}
                    for (fid, phase), count in sorted(marks.items())
                    if fid == flip["id"]
                ],
                "photos": photos.get(flip["id"], []),
            }
            if flip["assessment_id"] is not None:
                entry["assessment"] = {"status": flip["status"], "reason": flip["reason"]}
            if flip["confidential"]:  # itself, or through its wish: it may have a plan
                row = plans.get(flip["id"])
                entry["plan"] = None if row is None else {k: row[k] for k in PLAN_FIELDS}
            flips.append(entry)
        choices = []
        for (phase, kind, oid), count in store.choice_counts(mid).items():
            ref = flip_ref.get(oid) if kind == "f" else theme_ref.get(oid)
            if ref is not None:
                option = {"flipover": ref} if kind == "f" else {"theme": ref}
                choices.append({"phase_index": phase, "option": option, "count": count})
        choices.sort(key=lambda c: (c["phase_index"], sorted(c["option"].items())))
        out_meetings.append(
            {
                "title": meeting["title"],
                "agenda_name": meeting["agenda_name"],
                "agenda_toml": meeting["agenda_toml"],
                "created_at": _when(meeting["created_at"]),
                "groups": meeting["groups"],
                "participants": meeting["participants"],
                "current_phase": meeting["current_phase"],
                "room_groups": groups,
                "themes": themes,
                "flipovers": flips,
                "choices": choices,
            }
        )
    logs: dict[int, list[dict]] = {}
    for entry in store.follow_up_rows(forloeb["id"]):
        logs.setdefault(entry["action_item_id"], []).append(
            {"date": entry["date"], "status": entry["status"], "note": entry["note"]}
        )
    handleplan = [
        {
            "area": a["area"],
            "goal": a["goal"],
            "activities": [x for x in (a["activities"] or "").split("\n") if x],
            "responsible": a["responsible"],
            "start": a["start"],
            "follow_up": a["follow_up"],
            "status": a["status"],
            "notes": a["notes"],
            "wish": flip_ref.get(a["flipover_id"]),
            "created_at": _when(a["created_at"]),
            "follow_ups": logs.get(a["id"], []),
        }
        for a in store.action_rows(forloeb["id"])
        # a row whose wish is in særskilt spor (moved there after the plan was seeded)
        if include_confidential or a["flipover_id"] not in hidden
    ]
    absence = [
        {
            "label": r["label"],
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "absence": float(r["absence"]),
            "actual": float(r["actual"]),
            "unit": r["unit"],
        }
        for r in store.absence_rows(forloeb["id"])
    ]
    return {
        "kind": ARCHIVE_KIND,
        "version": ARCHIVE_VERSION,
        "confidential": include_confidential,
        "forloeb": {
            "name": forloeb["name"],
            "workplace": forloeb["workplace"],
            "unit": forloeb["unit"],
            "tovholder": forloeb["tovholder"],
            "moedeleder": forloeb["moedeleder"],
            "help_contacts": [x for x in (forloeb["help_contacts"] or "").split("\n") if x],
            "plan": {k: str(v) for k, v in plan.items()} if isinstance(plan, dict) else {},
            "handleplan_date": forloeb["handleplan_date"],
            "created_at": _when(forloeb["created_at"]),
        },
        "meetings": out_meetings,
        "handleplan": handleplan,
        "absence": absence,
    }


def _own(flip: dict) -> bool:
    """The flip-over's own særskilt spor flag (not the one it has through its wish)."""
    return bool(flip.get("own_confidential", flip["confidential"]))


def _in_meeting_order(flips: list[dict], meetings: list[dict]) -> list[dict]:
    order = {m["id"]: n for n, m in enumerate(meetings)}
    return sorted(flips, key=lambda f: (order[f["meeting_id"]], f["id"]))


# ---------------------------------------------------------------- import
class _Reader:
    """Checks fields one by one; every problem names the field."""

    def bad(self, path: str, what: str) -> ArchiveError:
        return ArchiveError(f"Filen er ikke et gyldigt forløb: feltet {path} {what}")

    def get(self, obj: dict, key: str, path: str, kinds: Any, *, optional: bool = False) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in obj:
            if optional:
                return None
            raise self.bad(where, "mangler")
        value = obj[key]
        if value is None and optional:
            return None
        if isinstance(value, bool) and bool not in _as_tuple(kinds):
            raise self.bad(where, "har forkert type")
        if not isinstance(value, kinds):
            raise self.bad(where, "har forkert type")
        return value

    def text(
        self, obj: dict, key: str, path: str, *, multiline: bool = False, limit: int = MAX_TEXT
    ) -> str:
        value = self.get(obj, key, path, str)
        try:
            text = clean_text(value, multiline=multiline)
        except BadText:
            raise self.bad(f"{path}.{key}", "indeholder et ugyldigt tegn") from None
        if len(text) > limit:
            raise self.bad(f"{path}.{key}", f"er for lang (højst {limit} tegn)")
        return text

    def count(self, obj: dict, key: str, path: str, limit: int = MAX_COUNT) -> int:
        value = self.get(obj, key, path, int)
        if not 0 <= value <= limit:
            raise self.bad(f"{path}.{key}", "er uden for det tilladte")
        return value

    def when(self, obj: dict, key: str, path: str) -> datetime:
        value = self.get(obj, key, path, str)
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise self.bad(f"{path}.{key}", "er ikke et tidspunkt") from None
        # A time without its zone is read as UTC, the zone this program writes.
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)

    def items(self, obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
        values = self.get(obj, key, path, list)
        out = []
        for n, value in enumerate(values):
            where = f"{path}.{key}[{n}]" if path else f"{key}[{n}]"
            if not isinstance(value, dict):
                raise self.bad(where, "har forkert type")
            out.append((where, value))
        return out

    def choice(self, value: str, allowed: Any, path: str) -> str:
        if value not in allowed:
            shown = str(value).encode("utf-8", "replace").decode("utf-8")
            raise self.bad(path, f"har en ukendt værdi ({clean_text(shown)[:60]})")
        return value


def _as_tuple(kinds: Any) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def read(document: Any) -> dict:
    """The course to write (see CourseStore.import_forloeb); ArchiveError for anything
    that is not a whole, valid archive of this version or older."""
    if not isinstance(document, dict) or document.get("kind") != ARCHIVE_KIND:
        raise ArchiveError(NOT_OURS)
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ArchiveError(f"{NOT_OURS} (feltet version mangler eller er forkert)")
    if version > ARCHIVE_VERSION:
        raise ArchiveError(
            f"Filen kommer fra en nyere version af facilitator (format {version}); "
            "opdatér programmet"
        )
    r = _Reader()
    f = r.get(document, "forloeb", "", dict)
    plan = r.get(f, "plan", "forloeb", dict)
    clean_plan = {}
    for step, text in plan.items():
        r.choice(step, PLAN_STEPS, f"forloeb.plan.{step}")
        if not isinstance(text, str):
            raise r.bad(f"forloeb.plan.{step}", "har forkert type")
        clean_plan[step] = r.text(plan, step, "forloeb.plan")
    contacts = r.get(f, "help_contacts", "forloeb", list)
    for n, line in enumerate(contacts):
        if not isinstance(line, str):
            raise r.bad(f"forloeb.help_contacts[{n}]", "har forkert type")
    forloeb = {
        "name": r.text(f, "name", "forloeb"),
        "workplace": r.text(f, "workplace", "forloeb"),
        "unit": r.text(f, "unit", "forloeb"),
        "tovholder": r.text(f, "tovholder", "forloeb"),
        "moedeleder": r.text(f, "moedeleder", "forloeb"),
        "help_contacts": "\n".join(
            x for x in (r.text({"x": c}, "x", "forloeb.help_contacts") for c in contacts) if x
        ),
        "plan": json.dumps(clean_plan, ensure_ascii=False, sort_keys=True),
        "handleplan_date": r.text(f, "handleplan_date", "forloeb"),
        "created_at": r.when(f, "created_at", "forloeb"),
    }
    if not forloeb["name"]:
        raise r.bad("forloeb.name", "er tom")
    meetings = []
    flip_refs: set[int] = set()
    group_refs: set[int] = set()
    theme_refs: set[int] = set()
    wish_links: list[tuple[str, int]] = []
    plan_checks: list[tuple[str, int]] = []
    secret: dict[int, tuple[bool, int | None]] = {}  # ref → (own særskilt spor, wish ref)
    for path, m in r.items(document, "meetings", ""):
        agenda_toml = r.get(m, "agenda_toml", path, str)
        try:
            agenda = parse_agenda(agenda_toml, "agenda_toml")
        except AgendaError:
            raise r.bad(f"{path}.agenda_toml", "er ikke en gyldig dagsorden") from None
        phases = len(agenda.phases)
        meeting: dict[str, Any] = {
            "title": r.text(m, "title", path),
            "agenda_name": r.text(m, "agenda_name", path),
            "agenda_toml": agenda_toml,
            "created_at": r.when(m, "created_at", path),
            "groups": r.count(m, "groups", path, 10_000),
            "participants": r.count(m, "participants", path, 100_000),
            "current_phase": r.count(m, "current_phase", path, max(phases - 1, 0)),
            "phase_seconds": [float(p.seconds) for p in agenda.phases],
        }
        if not meeting["title"]:
            raise r.bad(f"{path}.title", "er tom")
        local_groups: set[int] = set()
        groups = []
        seen_numbers: set[tuple[str, int]] = set()
        for gpath, g in r.items(m, "room_groups", path):
            ref = _new_ref(r, g, gpath, group_refs)
            local_groups.add(ref)
            grouping = r.choice(r.get(g, "grouping", gpath, str), GROUPINGS, f"{gpath}.grouping")
            number = r.count(g, "number", gpath, 10_000)
            if (grouping, number) in seen_numbers:
                raise r.bad(f"{gpath}.number", "findes to gange")
            seen_numbers.add((grouping, number))
            groups.append(
                {
                    "ref": ref,
                    "grouping": grouping,
                    "number": number,
                    "label": r.text(g, "label", gpath),
                }
            )
        local_themes: set[int] = set()
        themes = []
        for tpath, t in r.items(m, "themes", path):
            ref = _new_ref(r, t, tpath, theme_refs)
            local_themes.add(ref)
            themes.append(
                {
                    "ref": ref,
                    "name": r.text(t, "name", tpath),
                    "priority": _priority(r, t, tpath),
                }
            )
        flips = []
        local_flips: set[int] = set()
        for fpath, fl in r.items(m, "flipovers", path):
            ref = _new_ref(r, fl, fpath, flip_refs)
            local_flips.add(ref)
            group = r.get(fl, "group", fpath, int)
            if group not in local_groups:
                raise r.bad(f"{fpath}.group", "peger på en gruppe, der ikke findes")
            theme = r.get(fl, "theme", fpath, int, optional=True)
            if theme is not None and theme not in local_themes:
                raise r.bad(f"{fpath}.theme", "peger på et tema, der ikke findes")
            wish = r.get(fl, "wish", fpath, int, optional=True)
            if wish is not None:
                wish_links.append((f"{fpath}.wish", wish))
            phase_index = r.count(fl, "phase_index", fpath, max(phases - 1, 0))
            proposals = []
            items = r.items(fl, "proposals", fpath)
            if len(items) > MAX_PROPOSALS:
                raise r.bad(f"{fpath}.proposals", f"har for mange forslag (højst {MAX_PROPOSALS})")
            for ppath, p in items:
                level = r.choice(r.get(p, "level", ppath, str), ("", *LEVELS), f"{ppath}.level")
                proposals.append((r.text(p, "text", ppath, limit=MAX_PROPOSAL), level))
            assessment = r.get(fl, "assessment", fpath, dict, optional=True)
            if assessment is not None:
                apath = f"{fpath}.assessment"
                assessment = {
                    "status": r.choice(
                        r.get(assessment, "status", apath, str),
                        ("", *ASSESSMENT_STATUSES),
                        f"{apath}.status",
                    ),
                    "reason": r.text(assessment, "reason", apath, multiline=True),
                }
            confidential = r.get(fl, "confidential", fpath, bool)
            plan_row = r.get(fl, "plan", fpath, dict, optional=True)
            if plan_row is not None:
                # særskilt spor itself, or through the wish it was taken from (checked
                # when every flip-over is read)
                plan_checks.append((f"{fpath}.plan", ref))
                ppath = f"{fpath}.plan"
                plan_row = {
                    k: r.text(plan_row, k, ppath, multiline=k == "notes") for k in PLAN_FIELDS
                }
                r.choice(plan_row["status"], ACTION_STATUSES, f"{ppath}.status")
            marks = []
            for mpath, mk in r.items(fl, "marks", fpath):
                marks.append(
                    (
                        r.count(mk, "phase_index", mpath, max(phases - 1, 0)),
                        r.count(mk, "count", mpath),
                    )
                )
            photos = []
            for ppath, ph in r.items(fl, "photos", fpath):
                content_type = r.choice(
                    r.get(ph, "content_type", ppath, str), PHOTO_TYPES, f"{ppath}.content_type"
                )
                try:
                    data = base64.b64decode(r.get(ph, "data", ppath, str), validate=True)
                except (binascii.Error, ValueError):
                    raise r.bad(f"{ppath}.data", "er ikke base64") from None
                if not data or len(data) > MAX_PHOTO:
                    raise r.bad(f"{ppath}.data", f"er for stort (højst {MAX_PHOTO // 1024} kB)")
                if not _looks_like(content_type, data):
                    raise r.bad(f"{ppath}.data", f"er ikke et billede af typen {content_type}")
                photos.append((content_type, data))
            kind = r.choice(r.get(fl, "kind", fpath, str), ("wish", "strength"), f"{fpath}.kind")
            heading = r.text(fl, "heading", fpath, limit=MAX_HEADING)
            if not heading:
                raise r.bad(f"{fpath}.heading", "er tom")
            secret[ref] = (confidential, wish)
            flips.append(
                {
                    "ref": ref,
                    "group_ref": group,
                    "theme_ref": theme,
                    "wish_ref": wish,
                    "phase_index": phase_index,
                    "kind": kind,
                    "heading": heading,
                    "confidential": confidential,
                    "priority": _priority(r, fl, fpath),
                    "proposals": proposals,
                    "assessment": assessment,
                    "plan": plan_row,
                    "marks": marks,
                    "photos": photos,
                }
            )
        choices = []
        for cpath, c in r.items(m, "choices", path):
            option = r.get(c, "option", cpath, dict)
            if set(option) == {"flipover"}:
                kind, ref, known = (
                    "f",
                    r.get(option, "flipover", f"{cpath}.option", int),
                    local_flips,
                )
            elif set(option) == {"theme"}:
                kind, ref, known = "t", r.get(option, "theme", f"{cpath}.option", int), local_themes
            else:
                raise r.bad(f"{cpath}.option", "skal være et ønske eller et tema")
            if ref not in known:
                raise r.bad(f"{cpath}.option", "peger på noget, der ikke findes")
            choices.append(
                (
                    r.count(c, "phase_index", cpath, max(phases - 1, 0)),
                    kind,
                    ref,
                    r.count(c, "count", cpath),
                )
            )
        meeting.update(groups_rows=groups, themes=themes, flipovers=flips, choices=choices)
        meetings.append(meeting)
    for where, ref in wish_links:
        if ref not in flip_refs:
            raise r.bad(where, "peger på et ønske, der ikke findes")
    for where, ref in plan_checks:
        seen: set[int] = set()
        current: int | None = ref
        while current is not None and current not in seen and not secret[current][0]:
            seen.add(current)
            current = secret[current][1]
        if current is None or not secret[current][0]:
            raise r.bad(where, "hører kun til særskilt spor")
    actions = []
    for apath, a in r.items(document, "handleplan", ""):
        wish = r.get(a, "wish", apath, int, optional=True)
        if wish is not None and wish not in flip_refs:
            raise r.bad(f"{apath}.wish", "peger på et ønske, der ikke findes")
        activities = r.get(a, "activities", apath, list)
        lines = []
        for n, line in enumerate(activities):
            if not isinstance(line, str):
                raise r.bad(f"{apath}.activities[{n}]", "har forkert type")
            lines.append(r.text({"x": line}, "x", f"{apath}.activities"))
        follow_ups = []
        for upath, u in r.items(a, "follow_ups", apath):
            follow_ups.append(
                {
                    "date": r.text(u, "date", upath),
                    "status": r.choice(
                        r.get(u, "status", upath, str), ("", *ACTION_STATUSES), f"{upath}.status"
                    ),
                    "note": r.text(u, "note", upath, multiline=True),
                }
            )
        actions.append(
            {
                "area": r.text(a, "area", apath),
                "goal": r.text(a, "goal", apath),
                "activities": "\n".join(x for x in lines if x),
                "responsible": r.text(a, "responsible", apath),
                "start": r.text(a, "start", apath),
                "follow_up": r.text(a, "follow_up", apath),
                "status": r.choice(
                    r.get(a, "status", apath, str), ACTION_STATUSES, f"{apath}.status"
                ),
                "notes": r.text(a, "notes", apath, multiline=True),
                "wish_ref": wish,
                "created_at": r.when(a, "created_at", apath),
                "follow_ups": follow_ups,
            }
        )
    absence = []
    for bpath, b in r.items(document, "absence", ""):
        absence.append(
            {
                "label": r.text(b, "label", bpath),
                "period_start": r.text(b, "period_start", bpath),
                "period_end": r.text(b, "period_end", bpath),
                "absence": _amount(r, b, "absence", bpath),
                "actual": _amount(r, b, "actual", bpath),
                "unit": r.choice(r.get(b, "unit", bpath, str), ("days", "hours"), f"{bpath}.unit"),
            }
        )
    return {"forloeb": forloeb, "meetings": meetings, "actions": actions, "absence": absence}


def _looks_like(content_type: str, data: bytes) -> bool:
    """The photo's first bytes are those of its type (the DOCX export opens it)."""
    if content_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _new_ref(r: _Reader, obj: dict, path: str, seen: set[int]) -> int:
    ref = r.get(obj, "ref", path, int)
    if ref in seen:
        raise r.bad(f"{path}.ref", "findes to gange")
    seen.add(ref)
    return ref


def _priority(r: _Reader, obj: dict, path: str) -> int | None:
    value = r.get(obj, "priority", path, int, optional=True)
    if value is not None and not 1 <= value <= 10_000:
        raise r.bad(f"{path}.priority", "er uden for det tilladte")
    return value


def _amount(r: _Reader, obj: dict, key: str, path: str) -> float:
    value = r.get(obj, key, path, (int, float))
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        raise r.bad(f"{path}.{key}", "er for stort") from None
    if not math.isfinite(number) or number < 0:
        raise r.bad(f"{path}.{key}", "skal være et tal, ikke negativt")
    if number > MAX_AMOUNT:
        raise r.bad(f"{path}.{key}", f"er for stort (højst {MAX_AMOUNT:_})".replace("_", "."))
    return number
