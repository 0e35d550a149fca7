"""The bruttoliste's bytes, on SQLite and on PostgreSQL, through the course door.

A meeting of three groups, built through the storage API with everything an export meets
(strengths and wishes entered out of group order, edits, a deleted card, marks from phones
and by hand, themes, priorities, særskilt spor, hostile text, a second meeting beside it),
is read by ``Course.bruttoliste`` and exported as Markdown, CSV and JSON and compared byte
for byte with the files in tests/export_golden/ (XLSX and DOCX are zip files with dates
inside: tests/test_export_writers.py reads them back instead). The golden files were
written by this export (issue 9: ranked by marks, themes summed, priorities marked) and
checked by hand; ``FACILITATOR_WRITE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from facilitator.agenda import load_agenda
from facilitator.export import bruttoliste, render
from storage.models import Meeting
from storage.repo import Store
from tests.conftest import PG_SKIP, PG_URL, reset_pg

GOLDEN = Path(__file__).parent / "export_golden"
CREATED = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
STRENGTHS, WISHES, VOTE = 1, 2, 4  # phases of dialogmoede-1
TEXT_FORMATS = ("md", "csv", "json")  # byte for byte; xlsx and docx hold zip dates


@pytest.fixture(params=["sqlite", "postgresql"])
def export_db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh database at the newest schema (conftest.py: emptied, or a migrated copy)."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        return reset_pg()
    shutil.copyfile(sqlite_template, tmp_path / "export.db")
    return f"sqlite:///{tmp_path}/export.db"


def new_meeting(store: Store, title: str) -> int:
    agenda = load_agenda("dialogmoede-1")
    meeting = store.create_meeting(
        title=title,
        agenda_name="dialogmoede-1",
        agenda_toml=agenda.source,
        phase_seconds=[(float(p.seconds), 0) for p in agenda.phases],
        groups=3,
        participants=12,
    )
    with store.engine.begin() as conn:  # a fixed date: the export prints it
        conn.execute(update(Meeting).where(Meeting.id == meeting.id).values(created_at=CREATED))
    return meeting.id


def three_groups(store: Store) -> int:
    """The meeting the golden files hold (its id is 1 on an empty database)."""
    mid = new_meeting(store, 'Møde på "Ærø" & <Strynø> # 1')

    def card(group: int, heading: str, *proposals: str, kind: str = "wish") -> int:
        phase, grouping = (WISHES, "fours") if kind == "wish" else (STRENGTHS, "interview")
        return store.add_flipover(
            mid,
            phase_index=phase,
            grouping=grouping,
            group=group,
            kind=kind,
            heading=heading,
            proposals=proposals,
        )

    card(2, "Vi griner sammen", "Fredagskage", kind="strength")
    card(1, "Vi hjælper hinanden", "Kollegial sparring", "Makkerpar", kind="strength")
    card(3, '=HYPERLINK("x")', kind="strength")
    card(1, "Åben dør", kind="strength")

    quiet = card(2, "Færre afbrydelser", "Stille time kl. 9–10", "Fælles kalender", "- ingen")
    praise = card(1, "Mere anerkendelse; også for små ting", '"Tak" på tavlen')
    gone = card(3, "Slettes igen", "x")
    secret = card(3, "Mobning i vagtplanlægningen", "Tal med AMR")
    plan = card(3, "# Vagtplan *i god tid*", "<script>alert(1)</script>", "1. uge før", "&amp;")
    coffee = card(1, "Bedre kaffe")
    tools = card(2, "+Nye skærme", "@alle", "Hæve-sænke-borde; 2 stk.")
    card(1, "Fælles frokost", "Tirsdag", "[link](http://x)", "a|b")

    store.edit_flipover(
        mid,
        quiet,
        grouping="fours",
        group=2,
        kind="wish",
        heading="Færre afbrydelser",
        proposals=["Fælles kalender", "Stille time kl. 9–10"],
    )
    store.delete_flipover(mid, gone)
    store.set_confidential(mid, secret, True)
    for device, flip in [("d1", quiet), ("d1", quiet), ("d2", quiet), ("d2", plan), ("d3", praise)]:
        assert store.add_vote(mid, flip, device, VOTE) is None
    store.add_vote(mid, plan, "", VOTE)  # by hand
    store.add_vote(mid, secret, "d3", VOTE)
    store.remove_vote(mid, quiet, "d2", VOTE)
    work = store.create_theme(mid, "Arbejdsro", [quiet, plan])
    store.rename_theme(mid, work, "Arbejdsro & *ro* på")
    split = store.create_theme(mid, "Opløses", [coffee])
    store.split_theme(mid, split)
    store.create_theme(mid, "=Udstyr", [tools])
    store.set_priorities(mid, [("t", work), ("f", praise)])
    store.set_photo(mid, praise, "image/jpeg", b"\xff\xd8jpeg")

    other = new_meeting(store, "Et andet møde")
    store.add_flipover(
        other,
        phase_index=WISHES,
        grouping="fours",
        group=1,
        kind="wish",
        heading="Hører ikke til",
        proposals=["nej"],
    )
    return mid


def test_the_three_group_bruttoliste_is_byte_identical_in_every_format(export_db):
    store = Store(export_db)
    try:
        mid = three_groups(store)
        assert mid == 1
        data = bruttoliste(store, mid)
    finally:
        store.close()
    write = os.environ.get("FACILITATOR_WRITE_GOLDEN") == "1"
    for fmt in TEXT_FORMATS:
        path = GOLDEN / f"bruttoliste_3groups.{fmt}"
        got = render(data, fmt)
        if write:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(got)
        assert got == path.read_bytes(), fmt


def test_the_bruttoliste_holds_what_the_room_wrote(export_db):
    """What the golden files say, checked in words: særskilt spor and deleted cards are
    out, the wishes are ranked by marks (a theme's wishes share its summed rank, ties are
    shared), marks, themes and priorities are the meeting's, the strengths apart."""
    store = Store(export_db)
    try:
        data = bruttoliste(store, three_groups(store))
    finally:
        store.close()
    assert [(w.rank, w.tied, w.heading) for w in data.wishes] == [
        (1, False, "Færre afbrydelser"),
        (1, False, "# Vagtplan *i god tid*"),
        (2, False, "Mere anerkendelse; også for små ting"),
        (3, True, "Bedre kaffe"),
        (3, True, "+Nye skærme"),
        (3, True, "Fælles frokost"),
    ]
    by_heading = {w.heading: w for w in data.wishes}
    assert by_heading["Færre afbrydelser"].marks == 2
    assert by_heading["Færre afbrydelser"].theme_marks == 4
    assert [p.text for p in by_heading["Færre afbrydelser"].proposals] == [
        "Fælles kalender",
        "Stille time kl. 9–10",
    ]
    assert by_heading["# Vagtplan *i god tid*"].marks == 2
    assert by_heading["# Vagtplan *i god tid*"].theme == "Arbejdsro & *ro* på"
    assert by_heading["Bedre kaffe"].theme == "" and by_heading["Bedre kaffe"].proposals == ()
    assert by_heading["Mere anerkendelse; også for små ting"].priority == 2
    assert {s.heading for s in data.strengths} == {
        "Vi hjælper hinanden",
        "Åben dør",
        "Vi griner sammen",
        '=HYPERLINK("x")',
    }
    assert data.has_interview and data.chosen == ()
    assert all(s.phase == "Interview i 3-mandsgrupper" for s in data.strengths)
    assert "Mobning" not in repr(data) and "Slettes igen" not in repr(data)


def test_the_golden_markdown_reads_as_the_room_ranked_it():
    """The golden Markdown itself (what a reader of the file sees), not only its bytes."""
    text = (GOLDEN / "bruttoliste_3groups.md").read_text("utf-8")
    wishes = text.split("## Ønsker efter markeringer")[1].split("## Temaer")[0]
    order = [wishes.index(h) for h in ("Færre afbrydelser", "Mere anerkendelse", "Bedre kaffe")]
    assert order == sorted(order)
    assert "— delt 3. plads · 0 markeringer" in wishes
    assert "## Styrker fra interviewene" in text and "Mobning" not in text
