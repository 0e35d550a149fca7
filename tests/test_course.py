"""The APV course's door (facilitator.course.Course) on SQLite and PostgreSQL: forløb,
bruttoliste, vurdering, særskilt spor, handleplan, sygefravær, the next step, deletion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import text

from facilitator.agenda import load_agenda
from facilitator.course.dates import format_date_da, parse_date
from facilitator.course.model import PLAN_STEPS
from facilitator.course.service import Course, CourseError
from facilitator.engine import create_meeting
from storage.repo import Store

TODAY = date(2027, 1, 15)


def meeting(store: Store, agenda: str, title: str, forloeb_id: int | None = None) -> int:
    return create_meeting(
        store, load_agenda(agenda), agenda, title, groups=3, participants=12, forloeb_id=forloeb_id
    )


def flip(
    store: Store,
    meeting_id: int,
    phase: int,
    group: int,
    heading: str,
    proposals: Sequence[str] = (),
    *,
    grouping: str = "fours",
    kind: str = "wish",
) -> int:
    return store.add_flipover(
        meeting_id,
        phase_index=phase,
        grouping=grouping,
        group=group,
        kind=kind,
        heading=heading,
        proposals=list(proposals),
    )


def marks(store: Store, meeting_id: int, flipover_id: int, count: int, phase: int = 4) -> None:
    """Marks counted by hand (device "") – they count like a phone's."""
    for _ in range(count):
        store.add_vote(meeting_id, flipover_id, "", phase)


def phone_mark(
    store: Store, meeting_id: int, flipover_id: int, device: str, phase: int = 4
) -> None:
    store.add_vote(meeting_id, flipover_id, device, phase)


def set_wish(store: Store, flipover_id: int, wish_id: int) -> None:
    """What the live path writes for "the wish this flip-over works on"."""
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE flipover SET wish_id = :w WHERE id = :f"), {"w": wish_id, "f": flipover_id}
        )


def set_levels(store: Store, flipover_id: int, levels: Sequence[str]) -> None:
    """The level of each proposal, in order (what the live path writes)."""
    with store.engine.begin() as conn:
        for position, level in enumerate(levels):
            conn.execute(
                text("UPDATE proposal SET level = :l WHERE flipover_id = :f AND position = :p"),
                {"l": level, "f": flipover_id, "p": position},
            )


def table_count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar())


@pytest.fixture
def course(store: Store, user_agenda_dir) -> Course:  # noqa: ANN001
    return Course(store, today=TODAY)


def first_meeting(store: Store, course: Course) -> tuple[int, int, dict[str, int]]:
    """A forløb with a 1st meeting: wishes with marks and a theme; (forløb, meeting, ids)."""
    fid = course.create_forloeb("Ærø Skole", unit="Kontoret", tovholder="Hanne")
    mid = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    ids = {
        "a": flip(store, mid, 2, 1, "Stabil bemanding", ["Faste vikarer", "Færre skift"]),
        "b": flip(store, mid, 2, 1, "Bedre møder"),
        "c": flip(store, mid, 2, 2, "Mindre støj", ["Lydabsorbenter"]),
        "d": flip(store, mid, 2, 3, "Ro i frokosten"),
        "e": flip(store, mid, 2, 3, "Kortere møder"),
        "s": flip(store, mid, 1, 1, "Godt kollegaskab", grouping="interview", kind="strength"),
    }
    marks(store, mid, ids["a"], 4)
    phone_mark(store, mid, ids["a"], "phone-1")  # phones and hands count alike: 5
    marks(store, mid, ids["b"], 2)
    marks(store, mid, ids["c"], 3)
    marks(store, mid, ids["d"], 3)
    marks(store, mid, ids["e"], 1)
    store.create_theme(mid, "Møder", [ids["b"], ids["e"]])  # 2 + 1 = 3
    return fid, mid, ids


# ---------------------------------------------------------------- forløb
def test_create_forloeb_cleans_and_refuses_empty_workplace(course: Course) -> None:
    with pytest.raises(CourseError, match="Arbejdspladsen mangler"):
        course.create_forloeb("  \t ")
    fid = course.create_forloeb(
        "  Ærø \x1b[31mSkole\u202e ",
        tovholder="Hanne\x07 Hansen",
        help_contacts=["Arbejdsmiljørep. Ole, tlf. 12 34", "  ", "Tillidsrep. Åse"],
        plan={"meeting_1": "14-01-2027", "meeting_2": "3. mar. 2027"},
    )
    info = course.forloeb(fid)
    assert info.workplace == "Ærø Skole"
    assert info.name == "Ærø Skole"
    assert info.tovholder == "Hanne Hansen"
    assert info.help_contacts == ("Arbejdsmiljørep. Ole, tlf. 12 34", "Tillidsrep. Åse")
    plan = {p.step: p.date for p in info.plan}
    assert list(plan) == list(PLAN_STEPS)
    assert plan["meeting_1"] == "14-01-2027" and plan["meeting_2"] == "3. mar. 2027"
    assert info.meetings == () and info.flags == ()
    with pytest.raises(CourseError, match="Ukendt trin"):
        course.create_forloeb("X", plan={"meeting_9": "1-1-2027"})


def test_update_forloeb_merges_the_plan_and_flags_its_order(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole", plan={"meeting_1": "14-01-2027"})
    info = course.update_forloeb(
        fid, unit="Kontoret", plan={"meeting_2": "2027-01-10", "assessment": "næste uge"}
    )
    plan = {p.step: p.date for p in info.plan}
    assert plan["meeting_1"] == "14-01-2027"
    assert plan["meeting_2"] == "2027-01-10"
    assert plan["assessment"] == "næste uge"  # kept as typed …
    assert "Vurderingsmøde: Datoen kan ikke læses: næste uge" in info.flags  # … and flagged
    assert "2. dialogmøde ligger før 1. dialogmøde" in info.flags
    assert info.name == "Ærø Skole – Kontoret"
    with pytest.raises(CourseError):
        course.update_forloeb(fid, workplace="")
    with pytest.raises(CourseError):
        course.forloeb(fid + 100)


def test_meetings_of_a_forloeb_in_order_and_help_contacts(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole", help_contacts=["Ole 12 34 56 78"])
    m1 = meeting(store, "dialogmoede-1", "Første", fid)
    m2 = meeting(store, "dialogmoede-2", "Andet", fid)
    alone = meeting(store, "dialogmoede-1", "Et møde for sig")
    info = course.forloeb(fid)
    assert [m.id for m in info.meetings] == [m1, m2]
    assert [m.agenda_name for m in info.meetings] == ["dialogmoede-1", "dialogmoede-2"]
    assert course.forloeb_of_meeting(m2) == fid
    assert course.help_contacts(m1) == ("Ole 12 34 56 78",)
    assert course.latest_meeting(fid) == m2
    own = course.forloeb_of_meeting(alone)
    assert own != fid and course.forloeb(own).name == "Et møde for sig"
    assert [f.id for f in course.list_forloeb()] == [own, fid]  # newest first


# ---------------------------------------------------------------- bruttoliste
def test_bruttoliste_ranks_by_marks_with_themes_and_ties(store: Store, course: Course) -> None:
    _fid, mid, ids = first_meeting(store, course)
    brutto = course.bruttoliste(mid)
    got = [(w.heading, w.rank, w.tied, w.marks, w.theme, w.theme_marks) for w in brutto.wishes]
    assert got == [
        ("Stabil bemanding", 1, False, 5, "", 5),
        # 3 marks three ways: the theme (its first wish written 2nd), then as written
        ("Bedre møder", 2, True, 2, "Møder", 3),
        ("Kortere møder", 2, True, 1, "Møder", 3),
        ("Mindre støj", 2, True, 3, "", 3),
        ("Ro i frokosten", 2, True, 3, "", 3),
    ]
    assert [(t.name, t.marks, t.rank, t.wishes) for t in brutto.themes] == [
        ("Møder", 3, 2, (ids["b"], ids["e"]))
    ]
    assert brutto.wishes[0].proposals[0].text == "Faste vikarer"
    assert brutto.wishes[0].phase == "Grupper på 4: drømme og ønsker"
    assert brutto.has_interview
    assert [s.heading for s in brutto.strengths] == ["Godt kollegaskab"]
    assert brutto.chosen == ()
    assert brutto.workplace == "Ærø Skole"


def test_priorities_show_on_wishes_and_themes(store: Store, course: Course) -> None:
    _fid, mid, ids = first_meeting(store, course)
    theme = store.themes(mid)[0].id
    store.set_priorities(mid, [("t", theme), ("f", ids["c"])])
    brutto = course.bruttoliste(mid)
    by = {w.id: w for w in brutto.wishes}
    assert by[ids["b"]].priority == 1 and by[ids["e"]].priority == 1
    assert by[ids["c"]].priority == 2 and by[ids["a"]].priority is None
    assert [w.id for w in brutto.prioritised] == [ids["b"], ids["e"], ids["c"]]
    assert brutto.themes[0].priority == 1


def test_confidential_never_in_a_default_bruttoliste(store: Store, course: Course) -> None:
    fid, mid, ids = first_meeting(store, course)
    secret = flip(store, mid, 2, 2, "Chikane fra en kollega", ["Tal med lederen"])
    marks(store, mid, secret, 9)
    store.set_confidential(mid, secret, True)
    brutto = course.bruttoliste(mid)
    assert secret not in {w.id for w in brutto.wishes + brutto.strengths}
    assert brutto.confidential == ()
    assert "Chikane" not in repr(brutto)
    full = course.bruttoliste(mid, include_confidential=True)
    assert [c.heading for c in full.confidential] == ["Chikane fra en kollega"]
    assert secret not in {w.id for w in full.wishes}
    assert [c.id for c in course.confidential_items(fid)] == [secret]


def test_assessment_and_moving_to_saerskilt_spor(store: Store, course: Course) -> None:
    fid, mid, ids = first_meeting(store, course)
    course.assess(ids["a"], "work_on", "  Vi har  budget ")
    course.assess(ids["b"], "separate_track", "Handler om én person")
    brutto = course.bruttoliste(mid)
    by = {w.id: w for w in brutto.wishes}
    assert (by[ids["a"]].status, by[ids["a"]].reason) == ("work_on", "Vi har budget")
    assert ids["b"] not in by  # out of the list, and out of its theme
    assert [t.marks for t in brutto.themes] == [1]
    assert by[ids["e"]].theme_marks == 1
    course.assess(ids["a"], "cannot_now", "Ikke i år")  # an upsert
    assert course.bruttoliste(mid).wishes[0].status == "cannot_now"
    with pytest.raises(CourseError, match="Ukendt vurdering"):
        course.assess(ids["a"], "maybe", "")
    with pytest.raises(CourseError):
        course.assess(ids["a"] + 1000, "work_on", "")
    items = course.confidential_items(fid)
    assert [(i.heading, i.status, i.flags[0]) for i in items] == [
        ("Bedre møder", "not_started", "Ansvarlig mangler")
    ]
    item = course.set_confidential_plan(
        ids["b"],
        problem_kind="Konflikt",
        responsible=" Leder  Lis ",
        start="1-2-2027",
        follow_up="1-3-2027",
        status="in_progress",
    )
    assert (item.problem_kind, item.responsible, item.status) == (
        "Konflikt",
        "Leder Lis",
        "in_progress",
    )
    assert item.flags == ()
    with pytest.raises(CourseError, match="ikke i særskilt spor"):
        course.set_confidential_plan(ids["a"], cause="x")
    with pytest.raises(CourseError, match="Ukendt status"):
        course.set_confidential_plan(ids["b"], status="whatever")
    assert course.bruttoliste(mid, include_confidential=True).confidential[0].cause == ""


def second_meeting(store: Store, course: Course):  # noqa: ANN201
    """A 2nd meeting after the 1st: three chosen wishes, choices, action results."""
    fid, m1, first = first_meeting(store, course)
    m2 = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    ids = {
        "stabil": flip(store, m2, 2, 1, "Stabil bemanding", ["Faste vikarer"]),
        "moeder": flip(store, m2, 2, 2, "Bedre møder", ["Dagsorden"]),
        "stoej": flip(store, m2, 2, 3, "Mindre støj"),
    }
    set_wish(store, ids["stabil"], first["a"])
    for _ in range(3):
        store.add_hand_choice(m2, 3, ("f", ids["moeder"]))
    for _ in range(2):
        store.add_hand_choice(m2, 3, ("f", ids["stabil"]))
    # Nobody chose "Mindre støj": the action groups are 1 = Stabil, 2 = Bedre møder.
    ids["act1"] = flip(
        store, m2, 4, 1, "Vikarpulje", ["Lav en pulje", "Spørg kommunen"], grouping="wishes"
    )
    ids["act2"] = flip(store, m2, 4, 2, "Mødeplan", ["Fast dagsorden"], grouping="wishes")
    ids["act3"] = flip(store, m2, 4, 1, "Tæpper", ["Køb tæpper"], grouping="wishes")
    set_wish(store, ids["act3"], ids["stoej"])  # named its wish: goes there, not to group 1
    ids["act4"] = flip(store, m2, 4, 2, "Vikarbank", ["Ring rundt"], grouping="wishes")
    set_wish(store, ids["act4"], first["a"])  # named by the 1st meeting's wish: "Stabil"
    set_levels(store, ids["act1"], ["personalegruppe", "leder"])
    return fid, m1, m2, first, ids


def test_second_meeting_actions_under_their_chosen_wish(store: Store, course: Course) -> None:
    _fid, m1, m2, first, ids = second_meeting(store, course)
    brutto = course.bruttoliste(m2)
    assert [w.id for w in brutto.wishes] == [ids["stabil"], ids["moeder"], ids["stoej"]]
    assert not {ids["act1"], ids["act2"], ids["act3"]} & {w.id for w in brutto.wishes}
    assert not brutto.has_interview and brutto.strengths == ()
    chosen = {c.heading: c for c in brutto.chosen}
    assert [c.heading for c in brutto.chosen] == ["Stabil bemanding", "Bedre møder", "Mindre støj"]
    assert [c.burning for c in brutto.chosen] == [2, 3, 0]
    assert [a.heading for a in chosen["Stabil bemanding"].actions] == ["Vikarpulje", "Vikarbank"]
    assert [a.heading for a in chosen["Bedre møder"].actions] == ["Mødeplan"]
    assert [a.heading for a in chosen["Mindre støj"].actions] == ["Tæpper"]
    assert chosen["Stabil bemanding"].source_id == first["a"]
    assert chosen["Bedre møder"].source_id is None
    lines = chosen["Stabil bemanding"].actions[0].proposals
    assert [(p.text, p.level) for p in lines] == [
        ("Lav en pulje", "personalegruppe"),
        ("Spørg kommunen", "leder"),
    ]
    assert brutto.unassigned_actions == ()
    previous = course.previous_bruttoliste(m2)
    assert previous is not None and previous.meeting_id == m1
    assert previous.wishes[0].heading == "Stabil bemanding"
    assert course.previous_bruttoliste(m1) is None


def test_previous_bruttoliste_is_never_confidential(store: Store, course: Course) -> None:
    fid, m1, ids = first_meeting(store, course)
    course.assess(ids["c"], "separate_track", "")
    m2 = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    previous = course.previous_bruttoliste(m2)
    assert ids["c"] not in {w.id for w in previous.wishes}
    assert previous.confidential == ()


# ---------------------------------------------------------------- handleplan
def test_seed_handleplan_from_the_prioritised_wishes(store: Store, course: Course) -> None:
    fid, _m1, m2, _first, ids = second_meeting(store, course)
    store.set_priorities(m2, [("f", ids["moeder"]), ("f", ids["stabil"])])
    # With priorities the options are the prioritised, in order: group 1 = Bedre møder.
    assert course.seed_handleplan(fid) == 2
    plan = course.handleplan(fid)
    assert [(r.position, r.area, r.goal, r.source_id) for r in plan.rows] == [
        (1, "Bedre møder", "", ids["moeder"]),
        (2, "Stabil bemanding", "", ids["stabil"]),
    ]
    assert plan.rows[0].activities == (
        "Dagsorden",
        "Personalegruppen: Lav en pulje",
        "Lederen: Spørg kommunen",
    )
    assert plan.rows[1].activities == ("Faste vikarer", "Fast dagsorden", "Ring rundt")
    # "Tæpper" names a wish that was not prioritised: kept apart, not mixed in by number
    brutto = course.bruttoliste(m2)
    assert [a.heading for a in brutto.unassigned_actions] == ["Tæpper"]
    assert course.seed_handleplan(fid) == 0  # no row twice
    assert "Ansvarlig mangler" in plan.rows[0].flags


def test_seed_handleplan_without_priorities_takes_the_burning(store: Store, course: Course) -> None:
    fid, _m1, _m2, _first, ids = second_meeting(store, course)
    assert course.seed_handleplan(fid) == 2
    rows = course.handleplan(fid).rows
    assert [(r.area, r.source_id) for r in rows] == [
        ("Bedre møder", ids["moeder"]),
        ("Stabil bemanding", ids["stabil"]),
    ]
    assert rows[1].activities == (
        "Faste vikarer",
        "Personalegruppen: Lav en pulje",
        "Lederen: Spørg kommunen",
        "Ring rundt",
    )


def test_seed_handleplan_needs_a_second_meeting(store: Store, course: Course) -> None:
    fid, _mid, _ids = first_meeting(store, course)
    with pytest.raises(CourseError, match="2. dialogmøde"):
        course.seed_handleplan(fid)


def test_handleplan_rows_in_order_without_gaps(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    a = course.add_action(fid, area="Bemanding", activities=["Vikarpulje", "", " Faste  vikarer "])
    b = course.add_action(fid, area="Møder")
    c = course.add_action(fid, area="Støj")
    course.move_action(c, -1)
    assert [(r.position, r.area) for r in course.handleplan(fid).rows] == [
        (1, "Bemanding"),
        (2, "Støj"),
        (3, "Møder"),
    ]
    course.move_action(a, -1)  # already first: stays
    course.move_action(a, +5)  # clamped to the end
    assert [r.id for r in course.handleplan(fid).rows] == [c, b, a]
    course.delete_action(c)
    rows = course.handleplan(fid).rows
    assert [(r.position, r.id) for r in rows] == [(1, b), (2, a)]
    assert rows[1].activities == ("Vikarpulje", "Faste vikarer")
    course.update_action(b, goal="Kortere møder", responsible="Lis", notes="linje 1\nlinje 2")
    row = course.handleplan(fid).rows[0]
    assert (row.goal, row.responsible, row.notes) == ("Kortere møder", "Lis", "linje 1\nlinje 2")
    with pytest.raises(CourseError, match="Ukendt status"):
        course.update_action(b, status="halfway")
    with pytest.raises(CourseError, match="Ukendt felt"):
        course.update_action(b, colour="red")
    with pytest.raises(CourseError):
        course.delete_action(c)
    with pytest.raises(CourseError):
        course.add_action(fid + 99, area="x")


def test_follow_up_log_sets_the_rows_status(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    row = course.add_action(fid, area="Bemanding")
    course.add_follow_up(row, "1-2-2027", "in_progress", "Puljen er lavet")
    course.add_follow_up(row, "1-3-2027", "", "Intet nyt")
    plan = course.handleplan(fid)
    assert plan.rows[0].status == "in_progress"
    assert [(e.date, e.status, e.note) for e in plan.rows[0].log] == [
        ("1-2-2027", "in_progress", "Puljen er lavet"),
        ("1-3-2027", "", "Intet nyt"),
    ]
    with pytest.raises(CourseError):
        course.add_follow_up(row, "", "later", "")


def test_flags_on_handleplan_rows(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    wrong_order = course.add_action(
        fid, area="A", responsible="Lis", start="1-3-2027", follow_up="1-2-2027"
    )
    unreadable = course.add_action(
        fid, area="B", responsible="Lis", start="efter sommerferien", follow_up="2027-06-01"
    )
    missing = course.add_action(fid, area="C")
    overdue = course.add_action(
        fid, area="D", responsible="Ole", start="2026-11-01", follow_up="2027-01-10"
    )
    long_past = course.add_action(
        fid, area="E", responsible="Ole", start="2025-06-01", follow_up="2027-06-01"
    )
    fine = course.add_action(
        fid, area="F", responsible="Ole", start="2027-01-01", follow_up="2027-03-03"
    )
    rows = {r.id: r for r in course.handleplan(fid).rows}
    assert "Opfølgning før start" in rows[wrong_order].flags
    assert rows[unreadable].start == "efter sommerferien"  # kept as typed
    assert rows[unreadable].flags == ("Datoen kan ikke læses: efter sommerferien",)
    assert rows[missing].flags == (
        "Ansvarlig mangler",
        "Startdato mangler",
        "Opfølgningsdato mangler",
    )
    assert rows[overdue].flags == ("Opfølgning overskredet",)
    assert rows[long_past].flags == ("Startdato er over et år siden",)
    assert rows[fine].flags == ()
    assert course.handleplan(fid).forloeb.overdue == 1
    course.update_action(overdue, status="done")
    plan = course.handleplan(fid)
    assert plan.forloeb.overdue == 0
    assert "Opfølgning overskredet" not in {f for r in plan.rows for f in r.flags}


# ---------------------------------------------------------------- sygefravær
def test_fravaersprocent_worked_examples(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    course.add_absence(fid, label="Før", absence=30, actual=570, unit="days")
    course.add_absence(fid, label="Efter 1", absence="222", actual="4218", unit="hours")
    course.add_absence(fid, label="Efter 2", absence="12,5", actual=237.5)
    rows = course.handleplan(fid).absence
    assert [r.label for r in rows] == ["Før", "Efter 1", "Efter 2"]
    assert [r.position for r in rows] == [1, 2, 3]
    assert rows[0].percent == pytest.approx(5.0)
    assert rows[1].percent == pytest.approx(5.0)
    assert rows[1].absence_days == pytest.approx(30.0)
    assert rows[1].actual_days == pytest.approx(570.0)
    assert rows[2].percent == pytest.approx(5.0) and rows[2].unit == "days"


def test_absence_refuses_bad_numbers(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    with pytest.raises(CourseError, match="negativ"):
        course.add_absence(fid, absence=-1, actual=10)
    with pytest.raises(CourseError, match="et tal"):
        course.add_absence(fid, absence="mange", actual=10)
    with pytest.raises(CourseError, match="et tal"):
        course.add_absence(fid, absence=True, actual=10)
    with pytest.raises(CourseError, match="dage eller timer"):
        course.add_absence(fid, absence=1, actual=10, unit="weeks")
    record = course.add_absence(fid, label="Før", absence=1, actual=9, period_start="1-1-2026")
    course.update_absence(record, absence=2, actual=8, period_end="31-12-2025")
    row = course.handleplan(fid).absence[0]
    assert row.percent == pytest.approx(20.0)
    assert "Perioden slutter før den begynder" in row.flags
    with pytest.raises(CourseError):
        course.update_absence(record, actual=-3)
    course.delete_absence(record)
    assert course.handleplan(fid).absence == ()
    with pytest.raises(CourseError):
        course.delete_absence(record)


# ---------------------------------------------------------------- next step, revision
def test_next_step_through_the_course(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    assert course.forloeb(fid).next_step == "1. dialogmøde mangler"
    course.update_forloeb(fid, plan={"meeting_1": "2027-01-20"})
    assert course.forloeb(fid).next_step == "1. dialogmøde 20. jan."
    m1 = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    a = flip(store, m1, 2, 1, "Stabil bemanding")
    b = flip(store, m1, 2, 2, "Bedre møder")
    flip(store, m1, 1, 1, "Godt kollegaskab", grouping="interview", kind="strength")
    assert course.forloeb(fid).next_step == "Vurdering mangler (2 af 2 ønsker)"
    course.assess(a, "work_on", "")
    info = course.forloeb(fid)
    assert info.next_step == "Vurdering mangler (1 af 2 ønsker)"
    assert (info.meetings[0].wishes, info.meetings[0].assessed) == (2, 1)
    course.assess(b, "separate_track", "")  # assessed, and off the list
    assert course.forloeb(fid).next_step == "2. dialogmøde skal planlægges"
    course.update_forloeb(fid, plan={"meeting_2": "14-02-2027"})
    assert course.forloeb(fid).next_step == "2. dialogmøde 14. feb."
    meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    assert course.forloeb(fid).next_step == "Handleplan mangler"
    assert course.forloeb(fid).revision_due is None
    r1 = course.add_action(
        fid, area="A", responsible="Lis", start="1-12-2026", follow_up="2027-01-01"
    )
    r2 = course.add_action(
        fid, area="B", responsible="Ole", start="1-12-2026", follow_up="2027-01-02"
    )
    info = course.forloeb(fid)
    assert (info.next_step, info.overdue) == ("2 opfølgninger overskredet", 2)
    assert info.overdue_rows == ((1, "A", "2027-01-01"), (2, "B", "2027-01-02"))
    course.update_action(r1, status="done")
    assert course.forloeb(fid).next_step == "1 opfølgning overskredet"
    course.update_action(r2, follow_up="3-3-2027")
    assert course.forloeb(fid).next_step == "Næste opfølgning 3. mar."
    course.update_action(r2, status="done")
    course.update_forloeb(fid, handleplan_date="2027-01-10")
    info = course.forloeb(fid)
    assert info.revision_due == date(2030, 1, 10)
    assert info.next_step == "APV revideres senest 10. jan. 2030"


# ---------------------------------------------------------------- deletion
def test_delete_forloeb_erases_everything_of_it(store: Store, course: Course) -> None:
    fid, _m1, m2, _first, ids = second_meeting(store, course)
    course.seed_handleplan(fid)
    course.add_follow_up(course.handleplan(fid).rows[0].id, "1-2-2027", "in_progress", "x")
    course.add_absence(fid, absence=1, actual=9)
    course.assess(ids["stoej"], "separate_track", "")
    course.set_confidential_plan(ids["stoej"], cause="Larm")
    other = course.create_forloeb("Marstal Skole")
    kept = meeting(store, "dialogmoede-1", "Marstal", other)
    flip(store, kept, 2, 1, "Bevares")
    assert course.delete_forloeb(fid) == 2
    with pytest.raises(CourseError):
        course.forloeb(fid)
    for table in ("actionitem", "followup", "absencerecord", "assessment", "confidentialplan"):
        assert table_count(store, table) == 0, table
    assert table_count(store, "meeting") == 1
    assert table_count(store, "flipover") == 1
    assert [f.id for f in course.list_forloeb()] == [other]
    with pytest.raises(CourseError):
        course.delete_forloeb(fid)


def test_deleting_the_first_meeting_keeps_the_second_and_the_plan(
    store: Store, course: Course
) -> None:
    fid, m1, m2, _first, ids = second_meeting(store, course)
    course.seed_handleplan(fid)
    assert store.delete_meeting(m1)
    brutto = course.bruttoliste(m2)
    assert [c.source_id for c in brutto.chosen] == [None, None, None]
    assert len(course.handleplan(fid).rows) == 2
    # the handleplan belongs to the forløb: erasing the meeting it came from keeps it,
    # and the forløb someone set up stays when its last meeting goes
    assert store.delete_meeting(m2)
    rows = course.handleplan(fid).rows
    assert [(r.area, r.source_id) for r in rows] == [
        ("Bedre møder", None),
        ("Stabil bemanding", None),
    ]
    assert course.forloeb(fid).meetings == ()
    # the plan is what is left to carry on (review finding 3: rows before the meetings)
    assert course.forloeb(fid).next_step == "Handleplan mangler ansvarlig eller datoer (2 rækker)"
    alone = meeting(store, "dialogmoede-1", "Et møde for sig")
    assert store.delete_meeting(alone)
    assert [f.id for f in course.list_forloeb()] == [fid]  # its own forløb went with it


def test_delete_forloeb_refuses_while_a_meeting_runs(store: Store, course: Course) -> None:
    import os
    import time

    fid = course.create_forloeb("Ærø Skole")
    mid = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    flip(store, mid, 2, 1, "Bevares")
    store.acquire_lease(mid, os.getpid(), "terminal 2", time.time())
    with pytest.raises(CourseError, match="kører lige nu \\(terminal 2\\)"):
        course.delete_forloeb(fid)
    assert table_count(store, "flipover") == 1
    store.release_lease(mid, os.getpid())
    assert course.delete_forloeb(fid) == 1
    assert course.erased_clean


# ---------------------------------------------------------------- dates (no database)
@pytest.mark.parametrize(
    "typed",
    [
        "2027-01-14",
        "14-01-2027",
        "14.01.2027",
        "14/1/2027",
        "14/1/27",
        "14. jan. 2027",
        "14. januar 2027",
        "14 Jan 2027",
        " 14.  januar   2027 ",
    ],
)
def test_parse_date_reads_the_ways_danes_write_a_date(typed: str) -> None:
    assert parse_date(typed) == date(2027, 1, 14)


@pytest.mark.parametrize("typed", ["", "næste uge", "31-02-2027", "14. jaguar 2027", "2027-13-01"])
def test_parse_date_refuses_what_it_cannot_read(typed: str) -> None:
    assert parse_date(typed) is None


def test_a_date_without_year_needs_today() -> None:
    assert parse_date("14. jan.") is None
    assert parse_date("14. jan.", today=date(2027, 1, 15)) == date(2028, 1, 14)
    assert parse_date("3/3", today=date(2027, 1, 15)) == date(2027, 3, 3)


def test_format_date_da() -> None:
    assert format_date_da(date(2027, 1, 14)) == "14. jan. 2027"
    assert format_date_da(date(2027, 5, 1), year=False) == "1. maj"


# ---------------------------------------------------------------- through the live engine
async def test_the_engines_action_groups_land_under_their_wish(
    store: Store, course: Course, fake_clock
) -> None:
    from facilitator.engine import MeetingEngine

    fid = course.create_forloeb("Ærø Skole")
    mid = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    engine = MeetingEngine(store, mid, clock=fake_clock)
    try:
        await engine.goto(2)  # grupper på 4: vælg ét ønske
        wishes = [(await engine.add_flipover(g, f"Ønske {g}")).id for g in (1, 2, 3)]
        await engine.goto(3)  # hvem brænder for hvad
        await engine.hand_choice(f"f{wishes[2]}", +1)
        await engine.hand_choice(f"f{wishes[0]}", +1)
        await engine.hand_choice(f"f{wishes[0]}", +1)
        await engine.goto(4)  # gruppearbejde om handling: one group per chosen wish
        labels = engine.group_labels()
        assert labels == ["Ønske 1", "Ønske 3"]
        await engine.add_flipover(1, "Handling for 1", ["Gør noget"])
        await engine.add_flipover(2, "Handling for 3", ["Gør andet"])
    finally:
        engine.release()
    brutto = course.bruttoliste(mid)
    assert [w.heading for w in brutto.wishes] == ["Ønske 1", "Ønske 2", "Ønske 3"]
    assert [(c.heading, c.burning, [a.heading for a in c.actions]) for c in brutto.chosen] == [
        ("Ønske 1", 2, ["Handling for 1"]),
        ("Ønske 2", 0, []),
        ("Ønske 3", 1, ["Handling for 3"]),
    ]


# ---------------------------------------------------------------- review findings (H1b)
def seeded(store: Store, course: Course):  # noqa: ANN201
    """The 2nd meeting with its burning wishes seeded into the handleplan."""
    fid, m1, m2, first, ids = second_meeting(store, course)
    assert course.seed_handleplan(fid) == 2
    return fid, m1, m2, first, ids


def test_a_wish_moved_to_saerskilt_spor_after_seeding_leaves_the_default_handleplan(
    store: Store, course: Course
) -> None:
    fid, _m1, m2, _first, ids = seeded(store, course)
    row = next(r for r in course.handleplan(fid).rows if r.source_id == ids["moeder"])
    course.update_action(row.id, follow_up="2027-01-01")  # overdue: the status would name it
    course.assess(ids["moeder"], "separate_track", "Handler om én person")
    plan = course.handleplan(fid)
    assert [r.area for r in plan.rows] == ["Stabil bemanding"]
    assert plan.confidential == () and plan.confidential_rows == ()
    assert "Bedre møder" not in repr(plan.forloeb)  # overdue_rows, next step …
    full = course.handleplan(fid, include_confidential=True)
    assert [r.area for r in full.rows] == ["Stabil bemanding"]
    assert [r.area for r in full.confidential_rows] == ["Bedre møder"]
    assert "Bedre møder" in [i.heading for i in full.confidential]
    assert course.seed_handleplan(fid) == 0  # its row is kept, not seeded twice


def test_the_engines_saerskilt_spor_after_seeding_leaves_the_default_handleplan(
    store: Store, course: Course
) -> None:
    fid, _m1, m2, _first, ids = seeded(store, course)
    store.set_confidential(m2, ids["stabil"], True)  # the engine's path, no vurdering
    assert [r.area for r in course.handleplan(fid).rows] == ["Bedre møder"]
    assert [
        r.area for r in course.handleplan(fid, include_confidential=True).confidential_rows
    ] == ["Stabil bemanding"]


def test_a_wish_taken_from_a_saerskilt_spor_wish_is_confidential_too(
    store: Store, course: Course
) -> None:
    fid, m1, m2, first, ids = seeded(store, course)
    # "Stabil bemanding" of the 2nd meeting was taken from the 1st meeting's wish "a";
    # "Vikarbank" (an action group's result) names "a" as its wish.
    course.assess(first["a"], "separate_track", "Én person")
    brutto = course.bruttoliste(m2)
    assert "Stabil bemanding" not in [w.heading for w in brutto.wishes]
    assert "Stabil bemanding" not in [c.heading for c in brutto.chosen]
    everything = repr(brutto)
    # "Vikarpulje" (group 1 = the 1st chosen option, "Stabil bemanding") goes with it
    assert "Vikarbank" not in everything and "Vikarpulje" not in everything
    assert [a.heading for a in brutto.chosen[0].actions] == ["Mødeplan"]
    assert [r.area for r in course.handleplan(fid).rows] == ["Bedre møder"]
    assert "Stabil" not in repr(course.previous_bruttoliste(m2))
    secret = course.bruttoliste(m2, include_confidential=True).confidential
    assert {i.heading for i in secret} == {"Stabil bemanding", "Vikarbank"}
    # it is in særskilt spor, so it takes a confidential plan
    assert course.set_confidential_plan(ids["stabil"], responsible="Lis").responsible == "Lis"


def test_leaving_saerskilt_spor_in_the_vurdering_brings_the_wish_back(
    store: Store, course: Course
) -> None:
    fid, mid, ids = first_meeting(store, course)
    course.assess(ids["c"], "separate_track", "")
    assert ids["c"] not in [w.id for w in course.bruttoliste(mid).wishes]
    course.assess(ids["c"], "work_on", "Det var en fejl")
    by = {w.id: w for w in course.bruttoliste(mid).wishes}
    assert (by[ids["c"]].status, by[ids["c"]].reason) == ("work_on", "Det var en fejl")
    assert course.confidential_items(fid) == []
    # the engine's særskilt spor (no vurdering) is not undone by a vurdering
    store.set_confidential(mid, ids["d"], True)
    course.assess(ids["d"], "work_on", "")
    assert ids["d"] not in [w.id for w in course.bruttoliste(mid).wishes]


def test_next_step_handles_rows_before_the_meetings(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole", plan={"meeting_1": "2026-12-01"})
    m1 = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    course.assess(flip(store, m1, 2, 1, "A"), "work_on", "")
    course.add_action(fid, area="A", responsible="Lis", start="2026-12-10", follow_up="2027-01-05")
    assert course.forloeb(fid).next_step == "1 opfølgning overskredet"


def test_a_first_meeting_without_wishes_is_not_held(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole", plan={"meeting_1": "2027-02-01"})
    meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    assert course.forloeb(fid).next_step == "1. dialogmøde 1. feb."


def test_vurdering_counts_every_first_meeting(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    m1 = meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    flip(store, m1, 2, 1, "A")
    flip(store, m1, 2, 1, "B")
    m2 = meeting(store, "dialogmoede-1", "1. dialogmøde, hold 2", fid)
    course.assess(flip(store, m2, 2, 1, "C"), "work_on", "")
    assert course.forloeb(fid).next_step == "Vurdering mangler (2 af 3 ønsker)"


def test_next_step_flags_rows_without_ansvarlig_or_dates(store: Store, course: Course) -> None:
    fid, *_ = seeded(store, course)
    course.update_forloeb(fid, handleplan_date="2027-01-10")
    assert course.forloeb(fid).next_step == "Handleplan mangler ansvarlig eller datoer (2 rækker)"
    for row in course.handleplan(fid).rows:
        course.update_action(row.id, responsible="Lis", start="1-2-2027", follow_up="1-3-2027")
    assert course.forloeb(fid).next_step == "Næste opfølgning 1. mar."


def test_revision_clock_starts_from_the_earliest_start_date(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    course.add_action(fid, area="A")  # a draft row: no clock
    assert course.forloeb(fid).revision_due is None
    course.add_action(fid, area="B", start="1-3-2027")
    course.add_action(fid, area="C", start="2027-02-01")
    course.add_action(fid, area="D", start="en gang")
    assert course.forloeb(fid).revision_due == date(2030, 2, 1)
    course.update_forloeb(fid, plan={"handleplan": "15-01-2027"})  # the planned date wins
    assert course.forloeb(fid).revision_due == date(2030, 1, 15)
    course.update_forloeb(fid, handleplan_date="10. jan. 2027")  # and the adopted one over it
    assert course.forloeb(fid).revision_due == date(2030, 1, 10)


def test_a_second_meeting_alone_asks_for_the_first(store: Store, course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    assert course.forloeb(fid).next_step == "1. dialogmøde mangler"


def test_plan_flags_compare_with_the_latest_step_so_far(course: Course) -> None:
    fid = course.create_forloeb(
        "Ærø Skole",
        plan={
            "absence_before": "2027-06-01",  # out of the chain
            "meeting_1": "2027-03-01",
            "assessment": "2027-01-20",  # before meeting_1
            "meeting_2": "2027-02-01",  # still before meeting_1
            "absence_after": "2027-01-02",  # out of the chain
        },
    )
    assert course.forloeb(fid).flags == (
        "Vurderingsmøde ligger før 1. dialogmøde",
        "2. dialogmøde ligger før 1. dialogmøde",
    )


def test_plan_flags_a_step_long_past_that_has_not_happened(store: Store, course: Course) -> None:
    fid = course.create_forloeb(
        "Ærø Skole", plan={"meeting_1": "2025-11-01", "meeting_2": "2025-12-01"}
    )
    assert course.forloeb(fid).flags == (
        "1. dialogmøde ligger over et år tilbage",
        "2. dialogmøde ligger over et år tilbage",
    )
    meeting(store, "dialogmoede-1", "1. dialogmøde", fid)
    assert course.forloeb(fid).flags == ("2. dialogmøde ligger over et år tilbage",)


@pytest.mark.parametrize(
    "call",
    [
        lambda c, f: c.add_absence(f, absence="1\ud800", actual=2),
        lambda c, f: c.add_action(f, area="A", status="x\ud800"),
        lambda c, f: c.update_forloeb(f, plan={"x\ud800": "1"}),
        lambda c, f: c.create_forloeb("A", unit="\ud800"),
        lambda c, f: c.add_follow_up(1, "1-1-2027", "x\ud800", ""),
        lambda c, f: c.assess(1, "x\ud800", ""),
    ],
)
def test_bad_text_is_always_a_course_error(course: Course, call) -> None:  # noqa: ANN001
    fid = course.create_forloeb("Ærø Skole")
    with pytest.raises(CourseError):
        call(course, fid)


def test_absence_bounds_and_missing_actual(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole")
    with pytest.raises(CourseError, match="for stort"):
        course.add_absence(fid, absence=1e8, actual=1)
    with pytest.raises(CourseError, match="for stort"):
        course.add_absence(fid, absence="1", actual="20000000")
    course.add_absence(fid, label="Før", absence=30, actual=0)
    row = course.handleplan(fid).absence[0]
    assert row.flags == ("Faktiske arbejdsdagsværk mangler",)


def test_a_date_without_its_year_is_flagged_so(course: Course) -> None:
    fid = course.create_forloeb("Ærø Skole", plan={"meeting_1": "14. jan."})
    assert course.forloeb(fid).flags == ("1. dialogmøde: Året mangler i datoen: 14. jan.",)
    course.add_action(fid, area="A", responsible="Lis", start="10/1", follow_up="1. feb.")
    flags = course.handleplan(fid).rows[0].flags
    assert flags == ("Året mangler i datoen: 10/1", "Året mangler i datoen: 1. feb.")
    course.add_absence(fid, period_start="1/1", absence=1, actual=9)
    assert course.handleplan(fid).absence[0].flags == ("Året mangler i datoen: 1/1",)


def test_seed_handleplan_refuses_when_nothing_is_prioritised_or_chosen(
    store: Store, course: Course
) -> None:
    fid, _m1, _first = first_meeting(store, course)
    m2 = meeting(store, "dialogmoede-2", "2. dialogmøde", fid)
    flip(store, m2, 2, 1, "Stabil bemanding")
    flip(store, m2, 2, 2, "Bedre møder")
    with pytest.raises(
        CourseError, match="^Ingen ønsker er prioriteret eller valgt endnu på 2. dialogmøde$"
    ):
        course.seed_handleplan(fid)
    assert course.handleplan(fid).rows == ()
