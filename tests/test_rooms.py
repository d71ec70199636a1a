"""The rooms of the multiplayer game without a browser (issues 14, 27): seats bound to keys,
no move for another role, no entry without the code, a turn that resolves when every
player has chosen, the facilitator advances or its time runs out, a decision for another
turn refused, groups playing the same world, rooms that expire, a dropped player who
rejoins, and a server that listens on 127.0.0.1 by default. The browser test is
tests/test_game_browser.py; the server's defences are in tests/test_classroom_http.py."""

from __future__ import annotations

import html
import re

import pytest

from sim.model.actors.government import GovernmentAction
from sim.play import classroom
from sim.play.rooms import CODE_ALPHABET, CODE_LENGTH, Lobby, RateLimit, RoomError, StaleTurn, TooMany


@pytest.fixture()
def room():
    return Lobby().open("anti_american_pm", 1, "pm,washington", days_per_turn=28)


def test_seats_are_bound_to_keys(room):
    assert len(room.code) == CODE_LENGTH and set(room.code) <= set(CODE_ALPHABET)
    pm = room.join("pm")
    with pytest.raises(RoomError, match="taken"):
        room.join("pm")  # a second browser without the seat key
    with pytest.raises(RoomError, match="taken"):
        room.join("pm", "not-the-key")
    assert room.join("pm", pm) == pm  # a dropped browser rejoins with its key
    with pytest.raises(RoomError, match="not played by a student"):
        room.join("tehran")
    wa = room.join("washington")
    with pytest.raises(RoomError, match="do not hold the seat"):
        room.choose("pm", wa, None, turn=1)  # Washington's key cannot move for the PM
    with pytest.raises(RoomError, match="do not hold the seat"):
        room.choose("pm", None, None, turn=1)
    with pytest.raises(RoomError, match="only the facilitator"):
        room.advance(pm)


def test_a_turn_resolves_when_every_player_has_chosen(room):
    pm, wa = room.join("pm"), room.join("washington")
    room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), "now", turn=1)
    assert room.game.turn == 0 and room.waiting_for() == ["washington"]
    room.choose("washington", wa, None, "", turn=1)
    assert room.game.turn == 1
    assert room.game.turns[0].choices == {"pm": "formal_request", "washington": "keep"}
    assert room.game.turns[0].memos == {"pm": "now"}
    assert room.game.model.summary()["formal_request_week"] == 1
    room.advance(room.facilitator_key)  # nobody chose: both keep their course
    assert room.game.turn == 2 and room.game.turns[1].choices == {"pm": "keep", "washington": "keep"}
    with pytest.raises(RoomError, match="not open"):
        room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), turn=3)  # made once


def test_lobby_refuses_an_unknown_code():
    lobby = Lobby()
    lobby.open("baseline", 0, "tehran")
    with pytest.raises(RoomError, match="no game has that join code"):
        lobby.room("ABCDEF" if "ABCDEF" not in lobby.rooms else "ABCDEG")


def test_the_server_listens_on_localhost_by_default():
    server = classroom.serve(port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_a_browser_that_leaves_mid_page_is_not_an_error():
    """A page refresh or a closed tab cuts the connection while the server writes the page:
    the handler drops that page quietly (no traceback in the facilitator's terminal)."""
    import io

    from sim.play.classroom import Handler

    class Gone(io.RawIOBase):
        def write(self, b):
            raise BrokenPipeError(32, "Broken pipe")

    h = Handler.__new__(Handler)
    h.request_version, h.requestline, h.command, h.close_connection = "HTTP/1.1", "GET / HTTP/1.1", "GET", False
    h.client_address = ("127.0.0.1", 1)
    h.wfile = Gone()
    h.log_request = lambda *a, **k: None
    h._send(b"<html>a page</html>")
    assert h.close_connection


def test_a_decision_for_another_turn_is_refused_and_nothing_is_played(room):
    """Issue 27: the PM's page still shows turn 1 while the facilitator advanced twice; its
    formal request "for January" is refused, not played into March."""
    pm = room.join("pm")
    room.advance(room.facilitator_key, turns=2)
    assert room.game.turn_number == 3
    with pytest.raises(StaleTurn, match="made for turn 1, but the game is at turn 3"):
        room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), "it is January", turn=1)
    with pytest.raises(StaleTurn, match="no turn"):
        room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), turn=None)
    assert room.group(1).pending == {} and room.game.model.summary()["formal_request_week"] is None
    room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), "now, in March", turn=3)
    assert room.group(1).pending["pm"][1] == "now, in March"


def test_the_clock_ends_a_turn_when_its_time_runs_out():
    room = Lobby().open("baseline", 0, "pm,tehran", turn_seconds=60)
    pm = room.join("pm")
    room.choose("pm", pm, None, "wait", turn=1)
    assert not room.tick(now=10**9)  # the clock has not been started: nothing happens
    room.set_clock(room.facilitator_key, True)
    start = room.group(1).turn_started
    assert room.seconds_left(1, now=start + 15) == 45
    assert not room.tick(now=start + 59) and room.game.turn == 0
    assert room.tick(now=start + 60) and room.game.turn == 1
    assert room.game.turns[0].choices == {"pm": "keep", "tehran": "keep"} and room.game.turns[0].memos == {"pm": "wait"}
    assert room.seconds_left(1, now=start + 60) == 60  # the next turn's time starts when the last one ends
    room.set_clock(room.facilitator_key, False)
    assert not room.tick(now=start + 10_000) and room.game.turn == 1
    with pytest.raises(RoomError, match="only the facilitator"):
        room.set_clock(pm, True)


def test_groups_play_the_same_world_each_with_its_own_seats_and_turns():
    room = Lobby().open("anti_american_pm", 1, "pm", groups=3, days_per_turn=28)
    keys = [room.join("pm", group=k) for k in (1, 2, 3)]
    assert len(set(keys)) == 3
    with pytest.raises(RoomError, match="group '4' is not allowed"):
        room.join("pm", group="4")
    with pytest.raises(RoomError, match="do not hold the seat"):
        room.choose("pm", keys[0], None, turn=1, group=2)  # group 1's key does not move for group 2
    room.choose("pm", keys[0], int(GovernmentAction.FORMAL_REQUEST), "go", turn=1, group=1)
    room.choose("pm", keys[1], None, "wait", turn=1, group=2)
    assert [g.game.turn for g in room.groups] == [1, 1, 0]
    # the same random world: with the same choices two groups stay identical
    room.advance(room.facilitator_key, group=3)
    assert room.groups[1].game.model.summary() == room.groups[2].game.model.summary()
    assert room.groups[0].game.model.summary()["formal_request_week"] == 1
    by_choice = room.memos_by_choice()
    assert by_choice[("pm", "formal_request")] == [(1, 1, "go")] and by_choice[("pm", "keep")] == [(2, 1, "wait")]


def test_idle_rooms_close_and_the_lobby_holds_a_bounded_number():
    lobby = Lobby(max_rooms=2, idle_seconds=100)
    a = lobby.open("baseline", 0, "tehran")
    lobby.open("baseline", 0, "tehran")
    with pytest.raises(TooMany, match="2 games are open"):
        lobby.open("baseline", 0, "tehran")
    a.last_active -= 101
    assert lobby.sweep() == [a.code]
    with pytest.raises(RoomError, match="no game has that join code"):
        lobby.room(a.code)
    lobby.open("baseline", 0, "tehran")  # room again


def test_rate_limit_counts_a_sliding_window():
    r = RateLimit(3, 60)
    assert [r.hit("a", now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert r.hit("a", now=3) == 58 and r.blocked("a", now=30) == 31
    assert r.hit("b", now=3) == 0  # per key
    assert r.blocked("a", now=60.5) == 0 and r.hit("a", now=60.5) == 0


def test_the_class_debrief_sets_the_groups_against_the_model_with_memos_by_choice():
    from sim.play import debrief

    room = Lobby().open("anti_american_pm", 1, "pm", groups=2, days_per_turn=91)
    keys = [room.join("pm", group=k) for k in (1, 2)]
    room.choose("pm", keys[0], int(GovernmentAction.FORMAL_REQUEST), "Parliament asked", turn=1, group=1)
    room.choose("pm", keys[1], None, "Wait for the new government", turn=1, group=2)
    while not room.over:
        room.advance(room.facilitator_key)
    page = debrief.class_html(room)
    outcomes = [g.game.outcome for g in room.groups]
    assert "Debrief of the class" in page and "Every group played the same random world" in page
    for name in set(outcomes):
        assert f"<td>{outcomes.count(name)} of 2</td>" in page
    assert "Make the formal request that US forces leave</h3><ul><li>group 1, turn 1: &ldquo;Parliament asked" in page
    assert "keep its course</h3><ul><li>group 2, turn 1: &ldquo;Wait for the new government" in page
    assert page.count("<li>") >= 3 + 2  # the three discussion questions and the memos
    assert "Fork at turn 1:" in page  # group 1's first choice differed from the model's
    forked = debrief.class_html(room, fork=2)
    assert "Fork at turn 2:" in forked and "id='forkform'" in forked
    # the facilitator chooses the group whose decisions and fork are shown
    first, second = (debrief.decisions_html(g.game) for g in room.groups)
    assert "<td>Make the formal request that US forces leave</td>" in first
    assert "<td>Make the formal request that US forces leave</td>" not in second
    shown = debrief.class_html(room, group=2)
    assert "Group 2: its debrief, decisions and fork" in shown and second in shown and first not in shown
    assert "<input type='hidden' name='g' value='2'>" in shown  # a fork keeps the group
    with pytest.raises(RoomError, match="group 3"):
        debrief.class_html(room, group=3)


#: a code word: lower-case words joined by underscores (formal_request, request_withdrawn)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _words(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_student_reads_plain_words_not_code_names():
    """A student's situation box, debrief and story use the outcomes' labels and the moves'
    labels, never the code names (occupation as `occupation`, a move as `formal_request`);
    the turns are quarters, so no move is said to close "in the month"."""
    from sim.play import debrief
    from sim.play.screen import moves_of

    room = Lobby().open("anti_american_pm", 1, "pm,washington,tehran", days_per_turn=91)
    keys = {r: room.join(r) for r in ("pm", "washington", "tehran")}
    names = {r: room.game.spec(r).action_names for r in keys}
    room.choose("pm", keys["pm"], names["pm"].index("formal_request"), "now", turn=1)
    room.choose("washington", keys["washington"], None, "", turn=1)
    room.choose("tehran", keys["tehran"], names["tehran"].index("escalate"), "", turn=1)
    room.choose("washington", keys["washington"], names["washington"].index("withdraw_on_schedule"), "", turn=2)
    while not room.over:
        room.advance(room.facilitator_key)
    assert room.game.outcome != room.debrief(1)["own"]["outcome"], "precondition: the outcomes differ"
    for role in keys:
        for page in (classroom.situation_html(room, 1), debrief.group_html(room, 1, role),
                     classroom.events_html(room, 1), room.debrief_text(1)):
            text = _words(page)
            assert not SNAKE.findall(text), (role, sorted(set(SNAKE.findall(text))))
            assert "in the month" not in text
    assert moves_of(room.game, "pm")[0] == "make the formal request that US forces leave (turn 1, 2020-01-06)"
    assert "You reached withdrawal completed; the model reached occupation." in room.debrief(1)["outcome_lines"]
    assert "Outcome decided: withdrawal completed" in _words(classroom.situation_html(room, 1))


def test_how_many_turns_a_game_takes_agrees_with_the_readme():
    """Quarterly turns: 12 to the end of the three years; at most 17 when a formal request
    stands at the horizon and its year runs out past it (F4), as the README and the
    facilitator's page say."""
    from conftest import REPO

    from sim.play.game import Game

    g = Game("pm", "baseline", 0, days_per_turn=91)
    assert g.turns_left() == (12, 17)
    for _ in range(11):
        g.play_turn({})
    assert g.turns_left() == (1, 6)
    g.play_turn({"pm": int(GovernmentAction.FORMAL_REQUEST)})  # the last quarter's request runs on
    while not g.over:
        g.play_turn({})
    assert 12 < len(g.turns) <= 17
    room = Lobby().open("baseline", 0, "pm", days_per_turn=91, turn_seconds=90)
    assert classroom.turns_text(room).startswith(
        "12 more turns to the end of the three years (18 minutes at 90 s); at most 17 (25.5 minutes at 90 s)")
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "12 turns, 18 minutes" in readme and "17 turns, 25.5 minutes" in readme
