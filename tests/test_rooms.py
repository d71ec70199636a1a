"""The rooms of the multiplayer game without a browser (issue 14): seats bound to keys,
no move for another role, no entry without the code, a turn that resolves when every
player has chosen or the facilitator advances, a dropped player who rejoins, and a server
that listens on 127.0.0.1 by default. The browser test is tests/test_game_browser.py."""

from __future__ import annotations

import pytest

from sim.model.actors.government import GovernmentAction
from sim.play import classroom
from sim.play.rooms import CODE_ALPHABET, CODE_LENGTH, Lobby, RoomError


@pytest.fixture()
def room():
    return Lobby().open("anti_american_pm", 1, "pm,washington")


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
        room.choose("pm", wa, None)  # Washington's key cannot move for the PM
    with pytest.raises(RoomError, match="do not hold the seat"):
        room.choose("pm", None, None)
    with pytest.raises(RoomError, match="only the facilitator"):
        room.advance(pm)


def test_a_turn_resolves_when_every_player_has_chosen(room):
    pm, wa = room.join("pm"), room.join("washington")
    room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST), "now")
    assert room.game.turn == 0 and room.waiting_for() == ["washington"]
    room.choose("washington", wa, None, "")
    assert room.game.turn == 1
    assert room.game.turns[0].choices == {"pm": "formal_request", "washington": "keep"}
    assert room.game.turns[0].memos == {"pm": "now"}
    assert room.game.model.summary()["formal_request_week"] == 1
    room.advance(room.facilitator_key)  # nobody chose: both keep their course
    assert room.game.turn == 2 and room.game.turns[1].choices == {"pm": "keep", "washington": "keep"}
    with pytest.raises(RoomError, match="not open"):
        room.choose("pm", pm, int(GovernmentAction.FORMAL_REQUEST))  # made once


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
