"""The role-play in a case's words (issue 29): a game of a case (`configs/scenario/<case>.yaml`,
`case:`) names its roles and gives their briefs in the case's words (`Game.title`,
`Game.brief`) on the terminal screen, in the Markdown record, in the debrief and on the
classroom's pages; a case without a rival offers no rival's role; Iraq 2020's texts are
those of `ROLE_TITLES` and `ROLE_BRIEFS`, unchanged."""

from __future__ import annotations

import re

import pytest
from webtools import call, client, serving

from sim.play import classroom, debrief, rooms, screen
from sim.play.compare import comparison
from sim.play.game import ROLE_TITLES, Game, case_roles
from sim.play.rooms import Lobby

#: what each case calls the host's executive, and its rival's capital (None: no rival)
CASES = {"philippines_1991": ("the Philippine president", None),
         "kyrgyzstan_2009": ("the Kyrgyz president", "Moscow")}
#: Iraq 2020's words, never shown in another case's role-play
IRAQ_WORDS = ("iraqi prime minister", "Tehran", "Baghdad")


def _check(text: str, scenario: str, where: str) -> None:
    title, rival = CASES[scenario]
    low = text.lower()
    assert title.lower() in low, (where, title)
    if rival:
        assert rival in text, (where, rival)
    for word in IRAQ_WORDS:  # "The Iraqi prime minister" too; the role's code name `tehran` is not a word shown
        found = low.find(word.lower()) if word.islower() else text.find(word)
        assert found < 0, (where, word, text[max(0, found - 200):][:400])


def _play(game: Game) -> None:
    """The PM makes the formal request in turn 1; then every player keeps its course to the end."""
    names = game.spec("pm").action_names
    game.play_turn({"pm": names.index("formal_request")}, {r: "a memo" for r in game.roles})
    while not game.over:
        game.play_turn({}, {})


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_a_case_s_terminal_game_and_record_speak_its_words(scenario):
    game = Game(",".join(case_roles(Game("pm", scenario).case)), scenario, 1, days_per_turn=91)
    case = game.case
    assert ("tehran" in game.roles) == (case.rival is not None)
    for role in game.roles:
        assert game.brief(role) == case.briefs[role]  # the case's own briefs
    assert game.title("pm") == CASES[scenario][0]
    shown = [screen.intro(game), screen.situation(game, [])]
    shown += [screen.options_text(game, screen.choosable(game, r), r) for r in game.roles]
    _play(game)
    shown.append(screen.situation(game, game.turns[-1].events))
    report = comparison(scenario, 1, 0, game.model.summary(), 50, game.roles,
                        {r: screen.moves_of(game, r) for r in game.roles})
    shown += [report, screen.closing(game, report)]
    _check("\n".join(shown), scenario, "terminal")
    record = screen.record_markdown(game, report)
    _check(record, scenario, "record")
    assert "| turn | date | " + " | ".join(game.title(r) for r in game.roles) + " |" in record
    if scenario == "kyrgyzstan_2009":
        assert "As Moscow, your moves:" in report and "Russian influence in Bishkek" in report


@pytest.fixture()
def server(monkeypatch):
    monkeypatch.setattr(rooms, "DEBRIEF_RUNS", 100)
    with serving(socket_timeout=5) as running:
        yield running




def _call(opener, url, data=None):
    return call(opener, url, data, timeout=60)[:2]


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_a_case_s_classroom_pages_speak_its_words(server, scenario):
    """The form to open a game (for the scenario chosen), the join form of the room's code,
    the facilitator's seats, a student's page and brief, the debrief: in the case's words;
    the rival's role only where the case has one."""
    srv, url = server
    title, rival = CASES[scenario]
    status, home = _call(client(), f"{url}/?scenario={scenario}")
    assert status == 200 and f"<option selected>{scenario}</option>" in home
    assert ("name='role_tehran'" in home) == (rival is not None)
    _check(re.sub(r"<select name='scenario'>.*?</select>", "", home), scenario, "home")  # less the scenarios' names
    roles = [r for r in ("pm", "washington", "tehran") if r != "tehran" or rival]
    fac = client()
    status, page = _call(fac, url + "/open", {"scenario": scenario, "seed": "1", "turn_days": "91",
                                              "turn_seconds": "0", "groups": "1",
                                              **{f"role_{r}": "1" for r in roles}})
    assert status == 200, page
    code = re.search(r"id='code'>(\w+)<", page).group(1)
    _check(page, scenario, "facilitator")
    assert f"{title}: free" in page
    status, join = _call(client(), f"{url}/?code={code}")
    assert f"<option value='pm'>{title[0].upper() + title[1:]}</option>" in join
    _check(re.sub(r"<select name='scenario'>.*?</select>", "", join), scenario, "join")
    students = {}
    for r in roles:
        students[r] = client()
        status, mine = _call(students[r], url + "/join", {"code": code, "group": "1", "role": r})
        assert status == 200
        if r == "pm":
            _check(mine, scenario, "student")
            room = srv.RequestHandlerClass.lobby.room(code)
            assert classroom.html.escape(room.game.brief("pm")) in mine
    room = srv.RequestHandlerClass.lobby.room(code)
    while not room.over:
        room.advance(room.facilitator_key)
    status, end = _call(fac, f"{url}/f/{code}")
    _check(end, scenario, "facilitator's debrief")
    status, over = _call(students["pm"], f"{url}/p/{code}/1/pm")
    _check(over, scenario, "student's debrief")
    _check(room.record(), scenario, "room record")
    if rival:
        status, theirs = _call(students["tehran"], f"{url}/p/{code}/1/tehran")
        assert "You were Moscow" in theirs


def test_the_terminal_game_names_the_case_s_roles_and_refuses_a_rival_it_lacks(monkeypatch, capsys):
    import io

    from sim.play.__main__ import main

    monkeypatch.setattr("sys.stdin", io.StringIO("0\n0\nq\n"))
    assert main(["--as", "pm,tehran", "scenario=kyrgyzstan_2009", "seed=1"]) == 0
    out = capsys.readouterr().out
    assert "You play the Kyrgyz president and Moscow in scenario 'kyrgyzstan_2009'" in out
    assert "the Kyrgyz president, your choice: " in out and "Tehran" not in out and "Baghdad" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["--as", "tehran", "scenario=philippines_1991"])
    assert exit_.value.code == 2
    assert "role 'tehran' is not in scenario philippines_1991: Philippines has no rival" in capsys.readouterr().err


def test_a_case_without_a_rival_is_not_opened_with_its_role():
    with pytest.raises(ValueError, match="no rival"):
        Lobby().open("philippines_1991", 1, "pm,tehran")
    assert case_roles(Game("pm", "philippines_1991").case) == ("pm", "washington")


def test_iraq_2020_s_texts_are_unchanged():
    """Iraq 2020 (baseline): the titles are ROLE_TITLES and the briefs ROLE_BRIEFS, on the
    screen and in the record."""
    game = Game("pm,washington,tehran", "baseline", 2)
    for r in game.roles:
        assert game.title(r) == ROLE_TITLES[r] and game.brief(r) == screen.ROLE_BRIEFS[r]
    assert screen.intro(game).startswith("You play " + " and ".join(ROLE_TITLES[r] for r in game.roles) + " in ")
    for r in game.roles:
        assert f"Your options as {ROLE_TITLES[r]} (" in screen.options_text(game, screen.choosable(game, r), r)
    assert "US-Iran tension" in screen.situation(game, []) and "Tehran's pressure" in screen.situation(game, [])
    names = game.spec("pm").action_names
    game.play_turn({"pm": names.index("formal_request")}, {"pm": "now"})
    record = screen.record_markdown(game, "")
    assert "| turn | date | " + " | ".join(ROLE_TITLES[r] for r in game.roles) + " |" in record
    cap = ROLE_TITLES["pm"][0].upper() + ROLE_TITLES["pm"][1:]
    assert f"Turn 1: {cap} (a player) chose: Make the formal request that US forces leave." in record
    assert f"<td>{ROLE_TITLES['pm']}</td>" in debrief.decisions_html(game)
