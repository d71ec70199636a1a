"""The class game's server on a classroom network (issue 27), in-process on a free
localhost port: a body whose Content-Length is not a whole number gets a 400 (not a
traceback), a large one a 413; stalled connections time out and do not keep others out;
wrong join codes and new games are rate-limited per address; every page carries a content
security policy; the exported record is plain text, a download, in a sandbox; a room's
state is for its seats and facilitator only."""

from __future__ import annotations

import re
import socket
import time

import pytest
from webtools import call, client, serving

from sim.play import classroom

TIMEOUT = 1.0  # the server's socket timeout in these tests (seconds)


@pytest.fixture()
def server():
    with serving(socket_timeout=TIMEOUT, max_connections=16, guesses_per_minute=5, opens_per_ten_minutes=3) as running:
        yield running




def _raw(port: int, request: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                return b"".join(chunks)
            chunks.append(b)


def _open(url, opener=None, **form):
    opener = opener or client()
    data = {"scenario": "baseline", "seed": "0", "turn_days": "91", "turn_seconds": "90", "groups": "1",
            "role_pm": "1", **form}
    status, body, _h, where = call(opener, url + "/open", data)
    return opener, status, body, where


@pytest.mark.parametrize("length,status", [(b"-1", 400), (b"abc", 400), (b"1e3", 400), (b"\xb2", 400),
                                           (b"\xd9\xa3", 400), (b"20000", 413)])
def test_a_bad_content_length_gets_an_answer(server, capfd, length, status):
    """'\\xb2' (the superscript two, as the server reads the header: Latin-1) passes
    str.isdigit() and int() refuses it: a 400, not a traceback and an empty reply."""
    srv, url = server
    reply = _raw(srv.server_address[1], b"POST /join HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n")
    assert reply.startswith(f"HTTP/1.0 {status}".encode()), reply[:200]
    assert b"Content-Length" in reply and b"not allowed" in reply
    assert call(client(), url + "/")[0] == 200  # the server goes on
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("seed", ["\u00b2", "\u0663", "\uff11"])
def test_a_number_in_other_digits_is_refused_not_a_traceback(server, capfd, seed):
    """Form fields are numbers only in the digits 0-9: '\u00b2' (isdigit, and int() refuses it),
    the Arabic-Indic three and the full-width one (int() would read them) get the form again with
    a message, and the server goes on."""
    srv, url = server
    _opener, status, body, _where = _open(url, seed=seed)
    assert status == 400 and "seed = " in body and "is not allowed" in body
    assert call(client(), url + "/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_stalled_connections_time_out_and_keep_nobody_out(server):
    """More stalled connections than the server answers at once (a body promised and never
    sent): a normal request is still answered once the stalled ones time out, and each
    stalled one is closed after about the timeout."""
    srv, url = server
    port = srv.server_address[1]
    stalled = []
    for _ in range(24):  # the server answers 16 at once
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"POST /join HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nco")
        stalled.append(s)
    t0 = time.monotonic()
    status = call(client(), url + "/")[0]
    waited = time.monotonic() - t0
    assert status == 200 and waited < 4 * TIMEOUT + 2, waited
    t0 = time.monotonic()
    for s in stalled:
        s.settimeout(10)
        try:
            while s.recv(65536):
                pass
        except (ConnectionResetError, TimeoutError):
            pass
        s.close()
    assert time.monotonic() - t0 < 4 * TIMEOUT + 3


def test_join_code_guesses_are_rate_limited(server):
    srv, url = server
    fac, status, body, _ = _open(url)
    code = re.search(r"id='code'>(\w+)<", body).group(1)
    guesser = client()
    answers = []
    for k in range(8):
        wrong = "ZZZZZ" + "23456789"[k]
        answers.append(call(guesser, url + "/join", {"code": wrong if wrong != code else "YYYYYY", "role": "pm"}))
    assert [a[0] for a in answers] == [403] * 5 + [429] * 3
    assert "too many wrong join codes" in answers[-1][1] and int(answers[-1][2]["Retry-After"]) > 0
    # while blocked, no code is looked up at all: the right one is refused too
    assert call(guesser, url + "/join", {"code": code, "role": "pm"})[0] == 429


def test_new_games_are_rate_limited(server):
    srv, url = server
    statuses = [_open(url)[1] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(srv.RequestHandlerClass.lobby.rooms) == 3


def test_pages_carry_a_policy_and_the_record_is_inert(server):
    srv, url = server
    fac, status, body, where = _open(url)
    code = re.search(r"id='code'>(\w+)<", body).group(1)
    student = client()
    status, body, headers, where = call(student, url + "/join", {"code": code, "group": "1", "role": "pm"})
    assert where.endswith(f"/p/{code}/1/pm") and "script-src 'self'" in headers["Content-Security-Policy"]
    turn = re.search(r"name='turn' value='(\d+)'", body).group(1)
    memo = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    call(student, f"{url}/p/{code}/1/pm/choose", {"choice": "formal_request", "memo": memo, "turn": turn})
    status, page, _h, _ = call(fac, f"{url}/f/{code}")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page  # escaped on the page
    status, text, headers, _ = call(fac, f"{url}/f/{code}/record.md")
    assert status == 200 and memo in text
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in headers["Content-Security-Policy"] and "default-src 'none'" in headers["Content-Security-Policy"]
    assert call(student, f"{url}/f/{code}/record.md")[0] == 403
    # the room's state: for its seats and its facilitator, not for anyone with the code
    assert call(student, f"{url}/v/{code}?g=1")[0] == 200
    assert call(fac, f"{url}/v/{code}?g=1")[0] == 200
    assert call(client(), f"{url}/v/{code}?g=1")[0] == 403
    status, js, headers, _ = call(client(), url + "/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and "fetch(poll" in js


def test_the_facilitator_page_shows_the_address_and_a_qr_code(server):
    srv, url = server
    fac, status, body, where = _open(url)
    code = re.search(r"id='code'>(\w+)<", body).group(1)
    assert re.search(r"id='address'>http://127\.0\.0\.1:\d+/<", body)
    assert "Only this computer can open it" in body and "--host 0.0.0.0" in body
    assert "<svg" in body and f"?code={code}" in body
    assert classroom.addresses("0.0.0.0", 8766, "192.0.2.7:8766")[0] == "http://192.0.2.7:8766/"
    assert classroom.addresses("0.0.0.0", 8766, "localhost:8766")[0].startswith("http://")


def test_lan_addresses_are_this_computer_s_and_never_loopback():
    import ipaddress

    found = classroom.lan_addresses()
    assert all(not ipaddress.ip_address(ip).is_loopback for ip in found)
    address, note = classroom.addresses("0.0.0.0", 8766, None)
    assert address == (f"http://{found[0]}:8766/" if found else "http://THIS-COMPUTER:8766/")


def test_the_facilitator_chooses_the_group_shown(server):
    """With several groups the facilitator's page shows the group asked for (`?g=`): its
    situation, its story and, after the game, its decisions and fork; a group that does not
    exist is refused."""
    srv, url = server
    fac, status, body, where = _open(url, groups="2", role_pm="1")
    code = re.search(r"id='code'>(\w+)<", body).group(1)
    assert "id='groupform'" in body and "<option value='1' selected>group 1</option>" in body
    room = srv.RequestHandlerClass.lobby.room(code)
    room.advance(room.facilitator_key, group=2)  # group 2 is a turn ahead of group 1
    status, page, _h, _ = call(fac, f"{url}/f/{code}?g=2")
    assert status == 200 and "<option value='2' selected>group 2</option>" in page
    assert "Turn 2:" in page and "Turn 1:" not in page
    assert f"/v/{code}?g=2&amp;all=1" in page or f"/v/{code}?g=2&all=1" in page
    assert call(fac, f"{url}/f/{code}?g=9")[0] == 403
