"""The prioritering's order as a pure function: no database, no engine."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facilitator.engine.ranking import rank
from storage.repo import FlipoverRow, ThemeRow


def wish(fid: int, marks: int, *, theme: int | None = None, kind: str = "wish", hidden=False):
    return FlipoverRow(fid, 2, 1, "fours", kind, f"Ønske {fid}", (), hidden, marks, theme)


def test_most_marks_first_and_ties_share_a_rank():
    items = rank([wish(1, 3), wish(2, 7), wish(3, 3), wish(4, 1)], [])
    assert [(i.key, i.rank, i.tied) for i in items] == [
        ("f2", 1, False),
        ("f1", 2, True),
        ("f3", 2, True),
        ("f4", 4, False),
    ]


def test_a_theme_counts_once_with_its_members_marks_summed():
    items = rank([wish(1, 2, theme=9), wish(2, 4), wish(3, 3, theme=9)], [ThemeRow(9, "Ro", None)])
    assert [(i.key, i.title, i.marks) for i in items] == [("t9", "Ro", 5), ("f2", "Ønske 2", 4)]
    assert [f.id for f in items[0].flipovers] == [1, 3]


def test_strengths_and_saerskilt_spor_are_not_ranked():
    items = rank([wish(1, 9, kind="strength"), wish(2, 9, hidden=True), wish(3, 0)], [])
    assert [i.key for i in items] == ["f3"]


@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=30))
def test_ranks_follow_marks(marks):
    items = rank([wish(i + 1, m) for i, m in enumerate(marks)], [])
    assert [i.marks for i in items] == sorted(marks, reverse=True)
    for item in items:
        better = sum(1 for m in marks if m > item.marks)
        assert item.rank == better + 1
        assert item.tied == (marks.count(item.marks) > 1)
