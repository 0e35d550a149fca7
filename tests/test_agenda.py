"""Agendas: the built-ins follow METHOD.md, and a broken user file says where it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.agenda import (
    AgendaError,
    builtin_names,
    list_agendas,
    load_agenda,
    load_agenda_file,
    parse_agenda,
)

HEADER = """\
format = 1
title = "Mit møde"
method = "anerkendende-interview"
language = "da"
"""


def write(tmp_path: Path, text: str, name: str = "mit-moede.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(AgendaError) as info:
        load_agenda(str(path))
    return info.value.problems


# ------------------------------------------------------------------ the built-ins


def test_builtin_agendas_are_listed(user_agenda_dir):
    assert {"dialogmoede-1", "dialogmoede-2"} <= set(builtin_names())
    listed = {name: (origin, agenda) for name, origin, agenda in list_agendas()}
    assert listed["dialogmoede-1"][0] == "indbygget"
    assert listed["dialogmoede-2"][1] is not None


def test_dialogmoede_1_follows_the_method(user_agenda_dir):
    agenda = load_agenda("dialogmoede-1")
    assert agenda.language == "da"
    assert [p.minutes for p in agenda.phases] == [15, 25, 35, 15, 15, 10]
    assert [p.kind for p in agenda.phases] == [
        "info",
        "interview",
        "flipover",
        "gallery",
        "vote",
        "info",
    ]
    assert agenda.planned_seconds == 115 * 60  # about two hours

    interview = agenda.phases[1]
    assert interview.turn_seconds == 300
    assert interview.turn_count() == 3
    assert interview.seconds - 3 * 300 == 600  # 10 minutes to sum up
    assert [interview.turn_label(i, 3) for i in range(3)] == [
        "1 interviewer 2",
        "2 interviewer 3",
        "3 interviewer 1",
    ]
    assert "Hvad giver dig mest energi i vores daglige arbejde?" in interview.questions

    dreams = agenda.phases[2]
    assert dreams.flipover_kind == "wish"
    vote = agenda.phases[4]
    assert vote.marks == 3
    assert vote.reveal in ("live", "end")


def test_dialogmoede_2_follows_the_method(user_agenda_dir):
    agenda = load_agenda("dialogmoede-2")
    assert [p.minutes for p in agenda.phases] == [10, 10, 10, 5, 50, 15, 5]
    rounds = agenda.phases[1]
    assert rounds.kind == "rounds"
    assert rounds.speakers == 4
    assert rounds.turn_seconds == 150
    assert rounds.turn_count() == 4
    assert rounds.turn_label(1, 4) == "Person 2 af 4"
    choose_one = agenda.phases[2]
    assert choose_one.kind == "flipover"
    assert choose_one.max_proposals == 3  # the wish as heading and 3 short proposals
    assert agenda.phases[3].kind == "choose"


def test_dialogmoede_2_opens_with_the_bruttoliste(user_agenda_dir):
    agenda = load_agenda("dialogmoede-2")
    opening = agenda.phases[0]
    assert opening.kind == "bruttoliste"
    assert opening.title == "Fremlæggelse af bruttolisten"
    assert opening.page_size == 8
    assert opening.text.startswith("Arbejdsmiljøgruppen fremlægger sin vurdering")


@pytest.mark.parametrize("name", ["dialogmoede-1", "dialogmoede-2"])
def test_the_builtins_show_help_contacts_in_their_closing_phase(user_agenda_dir, name):
    phases = load_agenda(name).phases
    assert phases[-1].title == "Afrunding" and phases[-1].help_contacts
    assert not any(p.help_contacts for p in phases[:-1])


def test_help_contacts_and_page_size_are_checked_with_file_line_and_field(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "bruttoliste"\ntitle = "Listen"\nminutes = 10\npage_size = 0\n'
        '\n[[phase]]\nkind = "info"\ntitle = "Slut"\nminutes = 5\nhelp_contacts = "ja"\n'
        "page_size = 5\n"
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert (
        f"{path}:{line_of(text, 'page_size = 0')}: phase[1].page_size: skal være mellem 1 og 50"
        in problems
    )
    where = f"{path}:{line_of(text, 'help_contacts')}"
    assert f"{where}: phase[2].help_contacts: skal være true eller false" in problems


def test_page_size_belongs_to_the_bruttoliste_and_help_contacts_to_any_phase(tmp_path):
    text = HEADER + ('\n[[phase]]\nkind = "info"\ntitle = "Slut"\nminutes = 5\npage_size = 5\n')
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, 'page_size')}: phase[1].page_size: "
        "kun faser af typen bruttoliste har page_size"
    ]
    good = parse_agenda(
        HEADER
        + '\n[[phase]]\nkind = "bruttoliste"\ntitle = "Listen"\nminutes = 10\npage_size = 5\n'
        + '\n[[phase]]\nkind = "vote"\ntitle = "Stem"\nminutes = 5\nhelp_contacts = true\n'
    )
    assert good.phases[0].page_size == 5 and not good.phases[0].help_contacts
    assert good.phases[1].help_contacts


def test_the_agenda_source_is_kept_as_the_meeting_snapshot(user_agenda_dir):
    agenda = load_agenda("dialogmoede-1")
    assert parse_agenda(agenda.source) == agenda


# ------------------------------------------------------------------ errors: file, line and field


def test_bad_kind_names_file_line_and_field(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = 10\n'
        '\n[[phase]]\ntitle = "Snak"\nminutes = 10\nkind = "snak"\n'
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    line = line_of(text, 'kind = "snak"')
    assert problems[0].startswith(f"{path}:{line}: phase[2].kind:")
    assert "snak" in problems[0]


def test_missing_title_is_named(tmp_path):
    text = 'format = 1\nmethod = "m"\nlanguage = "da"\n\n[[phase]]\nkind = "info"\nminutes = 5\n'
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:1: title: ") and "mangler" in p for p in problems)
    # the phase has no title either: named at its [[phase]] line
    assert any(p.startswith(f"{path}:5: phase[1].title: ") for p in problems)


def test_a_turn_plan_longer_than_the_phase_is_an_error(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "interview"\ntitle = "Interview"\nminutes = 10\nturn_seconds = 300\n'
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line_of(text, 'turn_seconds')}: phase[1].turn_seconds:")
    assert "900" in problems[0] and "600" in problems[0]  # 3 × 300 s against 10 minutes


def test_rounds_that_do_not_fit_are_an_error(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "rounds"\ntitle = "Runde"\nminutes = 5\n'
        "speakers = 4\nturn_seconds = 150\n"
    )
    problems = problems_of(write(tmp_path, text))
    assert any("phase[1].turn_seconds" in p for p in problems)


def test_a_turn_plan_that_exactly_fits_is_fine(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "rounds"\ntitle = "Runde"\nminutes = 10\n'
        "speakers = 4\nturn_seconds = 150\n"
    )
    agenda = load_agenda(str(write(tmp_path, text)))
    assert agenda.phases[0].turn_count() == 4


def test_toml_syntax_error_names_its_line(tmp_path):
    text = HEADER + '\n[[phase]]\nkind = "info"\ntitle = "Intro\nminutes = 10\n'
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1
    line = line_of(text, 'title = "Intro')
    assert problems[0].startswith(f"{path}:{line}: ugyldig TOML")


def test_toml_error_at_end_of_file_names_the_last_line(tmp_path):
    text = HEADER + '\n[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = 10\nquestions = [\n'
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert problems[0].startswith(f"{path}:{len(text.splitlines())}: ugyldig TOML")


def test_unknown_field_is_named_with_its_line(tmp_path):
    text = HEADER + '\n[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = 10\nfarve = "rød"\n'
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert problems == [f"{path}:{line_of(text, 'farve')}: phase[1].farve: ukendt felt"]


def test_unknown_top_level_field_and_wrong_type(tmp_path):
    text = (
        HEADER + 'forfatter = "AMG"\n\n[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = "ti"\n'
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert f"{path}:{line_of(text, 'forfatter')}: forfatter: ukendt felt" in problems
    assert any(
        p.startswith(f"{path}:{line_of(text, 'minutes')}: phase[1].minutes:") for p in problems
    )


def test_every_problem_is_reported_at_once(tmp_path):
    text = HEADER + (
        '\n[[phase]]\nkind = "pizza"\ntitle = "A"\nminutes = 5\n'
        '\n[[phase]]\nkind = "vote"\ntitle = "B"\nminutes = 5\nreveal = "senere"\n'
    )
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 2
    assert "phase[1].kind" in problems[0]
    assert "phase[2].reveal" in problems[1]


def test_unknown_format_is_refused(tmp_path):
    text = HEADER.replace("format = 1", "format = 2") + (
        '\n[[phase]]\nkind = "info"\ntitle = "Intro"\nminutes = 10\n'
    )
    problems = problems_of(write(tmp_path, text))
    assert any(": format: " in p for p in problems)


def test_an_agenda_without_phases_is_refused(tmp_path):
    problems = problems_of(write(tmp_path, HEADER))
    assert any("[[phase]]" in p for p in problems)


def test_a_missing_file_names_the_file(tmp_path):
    path = tmp_path / "findes-ikke.toml"
    with pytest.raises(AgendaError) as info:
        load_agenda_file(path)
    assert str(path) in str(info.value)


def test_an_unknown_name_lists_the_known_ones(user_agenda_dir):
    with pytest.raises(AgendaError) as info:
        load_agenda("dialogmoede-9")
    assert "dialogmoede-1" in str(info.value)


# ------------------------------------------------------------------ the user's own agendas


MY_VERSION = HEADER.replace("Mit møde", "Vores egen udgave") + (
    '\n[[phase]]\nkind = "info"\ntitle = "Kort intro"\nminutes = 5\n'
)


def test_a_user_agenda_wins_over_the_builtin(user_agenda_dir):
    (user_agenda_dir / "dialogmoede-1.toml").write_text(MY_VERSION, encoding="utf-8")
    agenda = load_agenda("dialogmoede-1")
    assert agenda.title == "Vores egen udgave"
    assert [p.minutes for p in agenda.phases] == [5]
    listed = [(name, origin) for name, origin, _ in list_agendas()]
    assert ("dialogmoede-1", "bruger") in listed
    assert ("dialogmoede-1", "indbygget") not in listed
    assert ("dialogmoede-2", "indbygget") in listed


def test_user_agenda_found_through_xdg_config_home(tmp_path, monkeypatch):
    """The real lookup: platformdirs' config folder, as a mødeleder's Linux laptop has it."""
    import facilitator.agenda as agenda_module
    from facilitator import paths

    config = tmp_path / "xdg"
    folder = config / "facilitator" / "agendas"
    folder.mkdir(parents=True)
    (folder / "dialogmoede-2.toml").write_text(MY_VERSION, encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setattr(agenda_module, "user_agenda_dir", paths.user_agenda_dir)
    assert load_agenda("dialogmoede-2").title == "Vores egen udgave"
    assert load_agenda("dialogmoede-1").title.startswith("1. dialogmøde")


def test_a_broken_user_agenda_is_reported_with_its_file(user_agenda_dir):
    path = user_agenda_dir / "dialogmoede-1.toml"
    path.write_text(MY_VERSION.replace("minutes = 5", "minutes = 0"), encoding="utf-8")
    with pytest.raises(AgendaError) as info:
        load_agenda("dialogmoede-1")
    assert str(path) in info.value.problems[0]
    assert "phase[1].minutes" in info.value.problems[0]
    listed = {name: (origin, agenda) for name, origin, agenda in list_agendas()}
    assert listed["dialogmoede-1"] == ("bruger", None)  # listed, marked broken, no crash
