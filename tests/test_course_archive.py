"""The forløb archive on SQLite and PostgreSQL: export → import → export gives the same
document, no secrets in it, særskilt spor only when asked, and refused imports write
nothing."""

from __future__ import annotations

import base64
import copy
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

import storage.course as storage_course
from facilitator.course.archive import PLAN_FIELDS
from facilitator.course.model import ARCHIVE_KIND, ARCHIVE_VERSION
from facilitator.course.service import ArchiveError, Course
from storage.repo import Store
from tests.test_course import (
    TODAY,
    flip,
    marks,
    meeting,
    phone_mark,
    second_meeting,
    table_count,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


@pytest.fixture
def course(store: Store, user_agenda_dir) -> Course:  # noqa: ANN001
    return Course(store, today=TODAY)


def whole_course(store: Store, course: Course) -> tuple[int, int, int, dict[str, int]]:
    fid, m1, m2, first, ids = second_meeting(store, course)
    course.update_forloeb(
        fid,
        moedeleder="Mads",
        help_contacts=["Ole 12 34 56 78", "Åse"],
        plan={"meeting_1": "14-01-2027", "meeting_2": "efter vinterferien"},
        handleplan_date="2027-03-01",
    )
    store.set_priorities(m1, [("f", first["a"])])
    store.set_choice(m2, 3, "phone-secret-device", ("f", ids["stoej"]))
    phone_mark(store, m1, first["c"], "phone-secret-device")
    course.assess(first["a"], "work_on", "Budget\nfindes")
    course.assess(first["d"], "separate_track", "Én person")
    course.set_confidential_plan(first["d"], cause="Larm", responsible="Lis", status="in_progress")
    store.set_photo(m1, first["a"], "image/png", PNG)
    course.seed_handleplan(fid)
    rows = course.handleplan(fid).rows
    course.update_action(rows[0].id, responsible="Lis", start="1-2-2027", follow_up="1-4-2027")
    course.add_follow_up(rows[0].id, "1-3-2027", "in_progress", "Godt i gang")
    course.add_absence(fid, label="Før", absence=30, actual=570, period_start="1-1-2026")
    course.add_absence(fid, label="Efter 1", absence=222, actual=4218, unit="hours")
    first["m1"], first["m2"] = m1, m2
    return fid, m1, m2, {**first, **{f"2{k}": v for k, v in ids.items()}}


def dumped(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("confidential", [False, True])
def test_export_import_export_is_the_same_document(
    store: Store, course: Course, confidential: bool
) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    document = course.archive(fid, include_confidential=confidential)
    assert document["kind"] == ARCHIVE_KIND and document["version"] == ARCHIVE_VERSION
    text = dumped(document)
    new = course.import_archive(json.loads(text))
    assert new != fid
    assert dumped(course.archive(new, include_confidential=confidential)) == text
    # … and the course carries on from it
    old, again = course.handleplan(fid), course.handleplan(new)
    assert [(r.area, r.activities, r.responsible, r.status) for r in again.rows] == [
        (r.area, r.activities, r.responsible, r.status) for r in old.rows
    ]
    assert [e.note for e in again.rows[0].log] == ["Godt i gang"]
    assert [a.percent for a in again.absence] == pytest.approx([5.0, 5.0])
    assert again.forloeb.revision_due == old.forloeb.revision_due
    new_m1, new_m2 = (m.id for m in again.forloeb.meetings)
    for old_id, new_id in ((_m1, new_m1), (_m2, new_m2)):
        before, after = course.bruttoliste(old_id), course.bruttoliste(new_id)
        assert [
            (w.heading, w.rank, w.marks, w.theme, w.priority, w.status) for w in after.wishes
        ] == [(w.heading, w.rank, w.marks, w.theme, w.priority, w.status) for w in before.wishes]
        assert [(c.heading, c.burning, [a.heading for a in c.actions]) for c in after.chosen] == [
            (c.heading, c.burning, [a.heading for a in c.actions]) for c in before.chosen
        ]
    assert store.photo(new_m1, course.bruttoliste(new_m1).wishes[0].id) == ("image/png", PNG)
    # a meeting made from an archive can be run: one phase clock per phase, fresh codes
    assert len(store.phase_runs(new_m2)) == 7
    assert store.get_meeting(new_m2).code != store.get_meeting(_m2).code


def test_archive_holds_no_secrets_and_no_saerskilt_spor_by_default(
    store: Store, course: Course
) -> None:
    fid, m1, m2, ids = whole_course(store, course)
    text = dumped(course.archive(fid))
    for mid in (m1, m2):
        row = store.get_meeting(mid)
        for secret in (row.code, row.assistant_token, row.control_token, row.device_secret):
            assert secret not in text
    assert "phone-secret-device" not in text
    assert "Ro i frokosten" not in text and "Larm" not in text
    assert '"id"' not in text  # archive-local refs only, no database ids
    full = dumped(course.archive(fid, include_confidential=True))
    assert "Ro i frokosten" in full and "Larm" in full


def test_imported_marks_and_choices_are_hand_counted(store: Store, course: Course) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    before = table_count(store, "vote"), table_count(store, "choice")
    new = course.import_archive(course.archive(fid))
    from sqlalchemy import text

    with store.engine.connect() as conn:
        devices = set(
            conn.execute(
                text(
                    "SELECT DISTINCT v.device_id FROM vote v JOIN meeting m ON m.id = v.meeting_id "
                    "WHERE m.forloeb_id = :f UNION SELECT DISTINCT c.device_id FROM choice c "
                    "JOIN meeting m ON m.id = c.meeting_id WHERE m.forloeb_id = :f"
                ),
                {"f": new},
            ).scalars()
        )
    assert devices == {""}
    assert table_count(store, "vote") == 2 * before[0] - 3  # the særskilt spor's 3 stayed home
    assert table_count(store, "choice") == 2 * before[1]


def refused(course: Course, store: Store, document: object, match: str) -> None:
    counts = [table_count(store, t) for t in ("forloeb", "meeting", "flipover", "actionitem")]
    with pytest.raises(ArchiveError, match=match):
        course.import_archive(document)
    assert [
        table_count(store, t) for t in ("forloeb", "meeting", "flipover", "actionitem")
    ] == counts


def test_import_refuses_what_is_not_ours_or_newer(store: Store, course: Course) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    document = course.archive(fid)
    refused(course, store, [1, 2], "ikke et facilitator-forløb")
    refused(course, store, {"wishes": []}, "ikke et facilitator-forløb")
    refused(course, store, {**document, "kind": "facilitator-bruttoliste"}, "ikke et facilitator")
    refused(course, store, {**document, "version": 2}, r"nyere version .*\(format 2\); opdatér")


DAMAGES = [
    (lambda d: d.pop("meetings"), "meetings"),
    (lambda d: d["forloeb"].pop("workplace"), "forloeb.workplace"),
    (
        lambda d: d["meetings"][1]["flipovers"][0].pop("heading"),
        r"meetings\[1\].flipovers\[0\].heading",
    ),
    (lambda d: d["meetings"][0]["flipovers"][0].update(group=999), r"flipovers\[0\].group"),
    (
        lambda d: d["meetings"][0]["flipovers"][1]["marks"].append(
            {"phase_index": 4, "count": "x"}
        ),
        "count",
    ),
    (lambda d: d["handleplan"][0].update(status="halvt"), r"handleplan\[0\].status"),
    (lambda d: d["handleplan"][0].update(wish=10_000), r"handleplan\[0\].wish"),
    (lambda d: d["absence"][0].update(absence=-5), r"absence\[0\].absence"),
    (lambda d: d["meetings"][0].update(agenda_toml="not = [toml"), "agenda_toml"),
    (lambda d: d["meetings"][0]["flipovers"][0]["photos"][0].update(data="%%%"), "data"),
]


def test_import_refuses_a_damaged_archive_and_writes_nothing(store: Store, course: Course) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    archive = course.archive(fid)
    course.forloeb(course.import_archive(copy.deepcopy(archive)))  # whole, it is taken
    for damage, field in DAMAGES:
        document = copy.deepcopy(archive)
        damage(document)
        refused(course, store, document, field)


def test_import_cleans_every_text(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    mid = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    marks(store, mid, flip(store, mid, 2, 1, "Ro"), 1)
    document = course.archive(fid)
    document["forloeb"]["workplace"] = "Ærø\x1b[2J  Skole\u202e"
    document["meetings"][0]["flipovers"][0]["heading"] = "Ro\x00 på\tgangen"
    new = course.forloeb(course.import_archive(document))
    assert new.workplace == "Ærø Skole"
    assert course.bruttoliste(new.meetings[0].id).wishes[0].heading == "Ro på gangen"


typed = st.text(
    st.characters(blacklist_categories=("Cs",)),  # a lone surrogate is refused at the door
    max_size=40,
)


@pytest.mark.sqlite_only
@given(area=typed, note=typed, contact=typed, date_text=typed)
def test_any_typed_text_survives_the_archive(
    store: Store, course: Course, area: str, note: str, contact: str, date_text: str
) -> None:
    fid = course.create_forloeb("Ærø", help_contacts=[contact], plan={"meeting_1": date_text})
    row = course.add_action(fid, area=area, notes=note, start=date_text, activities=[note])
    course.add_follow_up(row, date_text, "", note)
    course.add_absence(fid, label=area, period_start=date_text, absence=1, actual=2)
    text = dumped(course.archive(fid))
    again = course.import_archive(json.loads(text))
    assert dumped(course.archive(again)) == text
    course.handleplan(again)  # reads, flags and all


# ---------------------------------------------------------------- review findings (H1b)
def test_default_archive_leaves_out_what_went_to_saerskilt_spor_after_seeding(
    store: Store, course: Course
) -> None:
    fid, _m1, _m2, ids = whole_course(store, course)
    assert "Stabil bemanding" in dumped(course.archive(fid))
    # after the handleplan was seeded, the 1st meeting's wish goes to særskilt spor: the
    # 2nd meeting's copy ("stabil", taken from it), the action result naming it and the
    # handleplan row made from it go with it
    course.assess(ids["a"], "separate_track", "Én person")
    course.set_confidential_plan(ids["2stabil"], cause="Vikarer mangler")  # the copy's plan
    text = dumped(course.archive(fid))
    for secret in ("Stabil bemanding", "Vikarbank", "Faste vikarer", "Ring rundt"):
        assert secret not in text, secret
    everything = course.archive(fid, include_confidential=True)
    assert "Stabil bemanding" in dumped(everything) and "Vikarer mangler" in dumped(everything)
    again = course.import_archive(json.loads(dumped(everything)))
    assert dumped(course.archive(again, include_confidential=True)) == dumped(everything)
    assert "Stabil bemanding" not in dumped(course.archive(again))


def test_a_theme_of_saerskilt_spor_only_is_not_in_the_default_archive(
    store: Store, course: Course
) -> None:
    fid = course.create_forloeb("Ærø Skole")
    mid = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    a, b = flip(store, mid, 2, 1, "Chikane fra Ole"), flip(store, mid, 2, 2, "Ro")
    c = flip(store, mid, 2, 3, "Mere ro")
    store.create_theme(mid, "Oles opførsel", [a])
    store.create_theme(mid, "Ro og fred", [b, c])
    store.set_confidential(mid, a, True)  # leaves the theme's name behind
    document = course.archive(fid)
    assert [t["name"] for t in document["meetings"][0]["themes"]] == ["Ro og fred"]
    assert "Oles" not in dumped(document)


def test_import_reads_a_time_without_zone_as_utc(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    course.add_action(fid, area="A", start="2027-02-01")
    document = course.archive(fid)
    document["forloeb"]["created_at"] = "2026-01-01"
    document["handleplan"][0]["created_at"] = "2026-01-02T10:00:00"
    again = course.import_archive(document)
    back = course.archive(again)
    assert back["forloeb"]["created_at"].startswith("2026-01-01T00:00:00")
    assert back["handleplan"][0]["created_at"].startswith("2026-01-02T10:00:00")
    assert course.forloeb(again).revision_due == date(2030, 2, 1)


LIMITS = [
    (lambda d: d["meetings"][0]["flipovers"][0].update(heading="x" * 201), "heading"),
    (
        lambda d: d["meetings"][0]["flipovers"][0]["proposals"].append(
            {"text": "x" * 501, "level": ""}
        ),
        r"proposals\[2\].text",
    ),
    (
        lambda d: d["meetings"][0]["flipovers"][0].update(
            proposals=[{"text": "x", "level": ""}] * 11
        ),
        "proposals",
    ),
    (
        lambda d: d["meetings"][0]["flipovers"][0]["photos"][0].update(
            data=base64.b64encode(b"x" * (2 * 1024 * 1024 + 1)).decode()
        ),
        "photos",
    ),
    (lambda d: d["meetings"][0]["room_groups"][0].update(grouping="nonsense"), "grouping"),
    (lambda d: d["absence"][0].update(absence=1e308, actual=1e308), r"absence\[0\].absence"),
    (lambda d: d["absence"][0].update(actual=10_000_001), r"absence\[0\].actual"),
    (lambda d: d["forloeb"].update(created_at="i går"), "created_at"),
    (
        lambda d: d["meetings"][0]["flipovers"][0]["photos"][0].update(data="AAAA"),
        r"photos\[0\].data er ikke et billede af typen image/png",
    ),
    (
        lambda d: d["meetings"][0]["flipovers"][0].update(
            plan={**dict.fromkeys(PLAN_FIELDS, ""), "status": "not_started"}
        ),
        r"flipovers\[0\].plan hører kun til særskilt spor",
    ),
    (
        lambda d: d["meetings"][0]["room_groups"][0].update(grouping="x\x1b[2J\ud800"),
        r"grouping har en ukendt værdi \(x\?\)$",
    ),
]


@pytest.mark.parametrize("damage,field", LIMITS)
def test_import_applies_the_apps_limits(
    store: Store,
    course: Course,
    damage,  # noqa: ANN001
    field: str,
) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    document = course.archive(fid)
    damage(document)
    refused(course, store, document, field)


def test_a_failure_while_writing_an_import_writes_nothing(
    store: Store, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    fid, _m1, _m2, _ids = whole_course(store, course)
    document = course.archive(fid, include_confidential=True)
    tables = ("forloeb", "meeting", "flipover", "proposal", "vote", "choice", "theme", "photo")
    tables += ("assessment", "confidentialplan", "actionitem", "followup", "absencerecord")
    counts = [table_count(store, t) for t in tables]
    real = storage_course.insert
    written = []

    def insert(table):  # noqa: ANN001, ANN202
        written.append(table.name)
        if table is storage_course.ABSENCE and written.count(table.name) == 2:  # the last
            raise OperationalError("INSERT", {}, Exception("some driver failure"))
        return real(table)

    monkeypatch.setattr(storage_course, "insert", insert)
    with pytest.raises(ArchiveError, match="^Forløbet kunne ikke indlæses") as caught:
        course.import_archive(document)
    assert "driver" not in str(caught.value)  # Danish, never the driver's words
    assert "intet er gemt" in str(caught.value)
    assert [table_count(store, t) for t in tables] == counts


def test_import_writes_rows_in_few_statements(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Stor")
    mid = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    for n in range(40):
        marks(store, mid, flip(store, mid, 2, n % 3 + 1, f"Ønske {n}", ["a", "b", "c"]), 2)
    document = course.archive(fid)
    statements = []

    def count(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        statements.append(1)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        course.import_archive(document)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) <= 40 + 30  # one per flip-over (its id) and a few per meeting
