"""`python -m sim.play.classroom [--host 127.0.0.1] [--port 8766]`: the negotiation several
students play together, each from their own browser.

The facilitator opens a game at http://HOST:PORT/ (scenario, seed, how long a turn lasts in
the model and in class, how many groups, which roles students play, whether they see the
model's payoffs); the page shows the address to type, a QR code for it and the join code.
Each student opens the address, types the code and picks a group and a role. The model
plays every other actor. A student sees their open options in plain words first (at 1280x720
every option and the Decide button without scrolling), what is on the table, a one-line memo
field, the situation beside them and their role's brief folded below. A group's turn
resolves when every player has chosen, when its time runs out (once the facilitator has
started the clock) or when the facilitator advances it. When the outcome is decided the
group's game stops (the facilitator may play on). The debrief: the outcome against the
model's distribution in the same random world, each decision against what the model's own
actor would have done and why, a fork (the same world replayed from a turn with the model
playing), the groups side by side with memos grouped by the choice made, and three
discussion questions tied to the article. With several groups the facilitator's page shows
the group it is asked for (`?g=N`: its situation, story, decisions and fork).

Plain HTML and one small script of the server's own (it follows the current turn and counts
down the turn's time): nothing is fetched from the internet. It listens on 127.0.0.1 unless
`--host` says otherwise (README, "A negotiation the class plays together", says what a
classroom network then reaches). Seats and the facilitator's page are bound to keys kept in
cookies (HttpOnly, SameSite=Strict); a seat key is also shown so a dropped browser can rejoin.
Stalled connections time out, bodies are bounded, join-code guesses and new games are
rate-limited per address, idle games close, and every page carries a content security policy.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import json
import re
import socket
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..config import ConfigError, available_scenarios
from ..config.validate import SEED_LIMIT
from ..model.action_texts import action_text
from ..model.case import IRAQ_SHEET, render
from ..output import OUTCOME_MEANING
from ..style import OUTCOME_LABELS
from . import debrief
from .game import ROLES, Game, case_roles, role_title
from .rooms import MAX_GROUPS, TURN_DAYS, TURN_SECONDS, Lobby, RateLimit, Room, RoomError, StaleTurn, TooMany
from .screen import tension_label

POLL_MS = 2000
#: a connection that sends nothing for this long is closed (seconds)
SOCKET_TIMEOUT = 10
#: requests answered at once, at most (more wait in the listen queue)
MAX_CONNECTIONS = 64
#: the largest request body accepted (bytes): a form of a few fields
MAX_BODY = 10_000
#: wrong join codes per address per minute, and new games per address per ten minutes
GUESSES_PER_MINUTE = 20
OPENS_PER_TEN_MINUTES = 10

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
STYLE = """
body{font-family:system-ui,sans-serif;font-size:22px;line-height:1.35;margin:0;background:#fafafa;color:#111}
main{max-width:1860px;margin:0 auto;padding:8px 18px}
h1{font-size:30px;margin:4px 0} h2{font-size:25px;margin:8px 0 6px} h3{font-size:22px;margin:8px 0 4px}
.code{font-size:56px;letter-spacing:8px;font-weight:700;color:#0072B2}
.card{background:#fff;border:1px solid #ccc;border-radius:8px;padding:8px 14px;margin:8px 0}
.cols{display:flex;gap:14px;flex-wrap:wrap;align-items:flex-start} .cols>.card{flex:1 1 440px}
label{display:block;margin:5px 0} input,select,button{font-size:22px}
button{padding:6px 16px;border-radius:6px;border:1px solid #0072B2;background:#0072B2;color:#fff;cursor:pointer}
button.quiet{background:#fff;color:#0072B2}
.muted{color:#444} .error{color:#B33C00;font-weight:700} .ok{color:#006B4F;font-weight:700}
ul.events{padding-left:22px;margin:4px 0} ul.events li{margin:4px 0}
.events ul.events{max-height:60vh;overflow-y:auto}
table{border-collapse:collapse} td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.option{border:1px solid #ddd;border-radius:6px;padding:3px 8px;margin:4px 0;line-height:1.25}
.option .does{color:#333}
.table{background:#FFF6D5;border:2px solid #E69F00}
.choices .table{border-radius:6px;padding:3px 8px;margin:0 0 4px;line-height:1.25}
.choices h2{margin:4px 0 2px} .decide{display:flex;gap:10px;align-items:center;margin:6px 0 2px}
.decide label{flex:1 1 auto;display:flex;gap:8px;align-items:center;margin:0;white-space:nowrap} .decide input{flex:1 1 0;width:0;min-width:4em}
.decide button{flex:0 0 auto}
.play>.choices{flex:2 1 560px;min-width:0} .play>.situation{flex:1 1 300px;min-width:0}
.choices p.error{margin:2px 0 4px;line-height:1.25}
.top{display:flex;gap:8px 24px;align-items:baseline;flex-wrap:wrap} .top h1{margin:2px 0}
details.brief>summary{cursor:pointer}
.left{font-weight:700;color:#B33C00} .joinrow{display:flex;gap:12px;align-items:flex-start}
.side{display:grid;grid-template-columns:1fr 1fr;gap:0 14px}
"""


def _e(x: object) -> str:
    return html.escape(str(x))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str | None) -> int | None:
    """A whole number written in ASCII digits only, else None. `str.isdigit` is not enough:
    it accepts characters `int` refuses ('\xb2', the superscript two) and digits of other
    scripts that `int` reads; a header or a form field is a number only as 0-9."""
    text = (text or "").strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def turns_text(room: Room) -> str:
    """How many turns are left (`Game.turns_left`, the most of any group) and what they
    take in class."""
    left = [g.game.turns_left() for g in room.groups]
    to_horizon, at_most = max(t[0] for t in left), max(t[1] for t in left)

    def minutes(n: int) -> str:
        return f" ({n * room.turn_seconds / 60:g} minutes at {room.turn_seconds} s)" if room.turn_seconds else ""

    head = f"{to_horizon} more turn{'s' if to_horizon != 1 else ''} to the end of the three years{minutes(to_horizon)}"
    if at_most > to_horizon:
        head += f"; at most {at_most}{minutes(at_most)} when a formal request's year runs past them (F4)"
    return head + "; fewer when the outcome is decided earlier."


def page(title: str, body: str, *, poll: str = "", turn: int = 0, version: int = 0, mode: str = "",
         left: int | None = None) -> bytes:
    """A page; `poll` is the address of the room's state, which the page's script checks
    every two seconds to follow the current turn (`mode` "form": only a new turn reloads it)."""
    data = (f" data-poll='{_e(poll)}' data-turn='{turn}' data-version='{version}' data-mode='{_e(mode)}'"
            + (f" data-left='{left}'" if left is not None else "")) if poll else ""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(title)}</title>"
            f"<style>{STYLE}</style><script src='/app.js' defer></script></head>"
            f"<body{data}><main>{body}</main></body></html>").encode()


APP_JS = """(function () {
  var b = document.body, poll = b.dataset.poll;
  var left = b.dataset.left ? parseInt(b.dataset.left, 10) : null, t0 = Date.now();
  function show() {
    var el = document.getElementById('left');
    if (!el || left === null) return;
    var s = Math.max(0, left - Math.floor((Date.now() - t0) / 1000));
    el.textContent = Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2);
  }
  function check() {
    fetch(poll, {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (s) {
      if (!s) return;
      if (String(s.turn) !== b.dataset.turn || (b.dataset.mode !== 'form' && String(s.version) !== b.dataset.version)) {
        location.replace(location.pathname + location.search);
      } else if (s.left !== null && s.left !== undefined) {
        left = s.left; t0 = Date.now();
      }
    }).catch(function () {});
  }
  if (poll) { setInterval(check, POLL_MS); }
  setInterval(show, 1000); show();
})();
""".replace("POLL_MS", str(POLL_MS))


# ---------------------------------------------------------------------- what a page shows
def situation_html(room: Room, group: int = 1) -> str:
    g = room.group(group).game
    m, s = g.model, g.model.state
    pm = "a caretaker" if bool(s.caretaker[0]) else "confirmed" + (" with a majority" if bool(s.pm_majority[0]) else "")
    left = room.seconds_left(group)
    clock = (f" · time left in this turn <span id='left' class='left'>{left // 60}:{left % 60:02d}</span>"
             if left is not None else "")
    case = g.case
    own_sheet = getattr(case, "sheet", IRAQ_SHEET) != IRAQ_SHEET
    initial = f"{float(m.params.world.initial_troops):,.0f}" if own_sheet else "5,000"
    rival = getattr(case, "rival", "Iran") is not None
    influence = f" · Iranian influence {float(s.iran_influence[0]):.2f}" if rival else ""
    pm_title = cap(g.words("prime minister"))
    return (f"<div class='card situation'><h2>Turn {g.turn_number}: {_e(m.date.isoformat())} "
            f"<span class='muted'>({_e(g.week_line())})</span>{clock}</h2>"
            + g.words(f"<p>US troops in Iraq <b>{float(s.troops[0]):,.0f}</b> (of {initial}, F3){influence} · ISIS "
                      f"threat {float(s.isis_threat[0]):.2f} · {tension_label(g)} "
                      f"{float(s.tension[0]):.2f} <span class='muted'>(0 = none, 1 = the most)</span>")
            + (" · <b>US sanctions in force</b>" if bool(s.sanctions_imposed[0]) else "") + "</p>"
            + g.words(f"<p><b>The one-year clock:</b> {_e(g.clock())} (F4)</p>"
                      f"<p>{pm_title}: {_e(pm)}, stance "
                      f"{float(s.pm_position[0]):.2f}; Baghdad's parties together "
                      f"{float(s.collective_stance[0]):.2f} <span class='muted'>(0 = US forces stay, 1 = leave now)"
                      "</span></p>")
            + (f"<p class='ok outcome'>Outcome decided: {_e(OUTCOME_LABELS.get(g.outcome, g.outcome))}: "
               f"{_e(g.words(OUTCOME_MEANING.get(g.outcome, '')))}</p>" if g.decided else "") + "</div>")


def events_html(room: Room, group: int = 1) -> str:
    """What has happened, newest first: every player's choice and the model's story, all of it
    (the box scrolls)."""
    g = room.group(group).game
    entries = [e for e in g.story(numbers=room.show_payoffs) if e["kind"] != "context"][::-1]
    items = "".join(f"<li class='{_e(e['kind'])}'><b>{_e(e['date'])}</b> {_e(e['text'])}</li>" for e in entries)
    if not items:
        items = "<li>Nothing yet: the first turn is being decided.</li>"
    return f"<div class='card events'><h2>What has happened (newest first)</h2><ul class='events'>{items}</ul></div>"


def moves_html(role: str, game: Game | None = None) -> str:
    """The role's moves and when each is open (`sim.model.action_texts`), in the words of
    `game`'s case (None: Iraq 2020's)."""
    words = game.words if game is not None else (lambda text: text)
    spec = ROLES[role]
    items = []
    from ..model.actors import ACTORS

    for name in ACTORS[spec].action_names:
        t = action_text(spec, name)
        items.append(words(f"<li><b>{_e(t.label)}</b>: {_e(t.does)} <span class='muted'>{_e(t.when())}. "
                           f"[{_e(t.facts)}]</span></li>"))
    return f"<h3>All your moves, and when each is open</h3><ul>{''.join(items)}</ul>"


def choice_form(room: Room, group: int, role: str) -> str:
    g = room.group(group).game
    menu = g.menu(role)
    table = " ".join(_e(x) for x in g.on_the_table(role))
    rows = []
    for item in menu:
        pay = (f" <span class='muted'>[payoff {item.payoff:+.2f}"
               + (" (the highest)" if "highest payoff" in item.tags else "")
               + f", model {100 * item.model_chance:.0f} %]</span>") \
            if room.show_payoffs and item.payoff == item.payoff else ""
        tag = " · ".join(t for t in item.tags if t != "highest payoff")
        rows.append(f"<label class='option'><input type='radio' name='choice' value='{_e(item.value)}' required> "
                    f"<b>{_e(item.label)}</b> <span class='muted'>({_e(tag)})</span>{pay}: "
                    + g.words(f"<span class='does'>{_e(item.does)} [{_e(item.facts)}]</span></label>"))
    note = ""
    if g.standing_closed(role):
        posture = g.words(action_text(ROLES[role], g.spec(role).action_names[g.standing(role)]).label)
        note = (f"<p class='error'>Your standing posture ({_e(posture)}) is no longer open: choose a new course. "
                "Until you do, it stands.</p>")
    closed = g.not_open(role)
    later = g.words("<p class='muted'>Not open now: " + "; ".join(f"{_e(t.label)} (when {_e(t.open_when)})"
                                                                   for t in closed) + ".</p>") if closed else ""
    return ("<div class='card choices'>"
            + (f"<p class='table'><b>On the table:</b> {table}</p>" if table else "")
            + f"<h2>Your options this turn</h2>{note}<form method='post' action='/p/{room.code}/{group}/{role}/choose' "
            f"id='choose'><input type='hidden' name='turn' value='{g.turn_number}'>{''.join(rows)}"
            "<div class='decide'><label>Memo (why?) <input name='memo' size='30' maxlength='200'></label>"
            f"<button type='submit'>Decide for turn {g.turn_number}</button></div></form>{later}</div>")


def addresses(bind_host: str, port: int, host_header: str | None) -> tuple[str, str]:
    """The address students type, and a note on who can reach it."""
    local = bind_host in ("127.0.0.1", "localhost", "::1")
    if local:
        return (f"http://127.0.0.1:{port}/", "Only this computer can open it: to let students in, start the game "
                "with --host 0.0.0.0 on the classroom network (README, 'A negotiation the class plays together').")
    seen = (host_header or "").rsplit(":", 1)[0].strip("[]")
    if seen and seen not in ("127.0.0.1", "localhost", "::1"):
        return f"http://{host_header}/", "Students on the same network open this address."
    if bind_host not in ("0.0.0.0", "::", ""):
        return f"http://{bind_host}:{port}/", "Students on the same network open this address."
    found = lan_addresses()
    if found:
        return f"http://{found[0]}:{port}/", "Students on the same network open this address."
    return f"http://THIS-COMPUTER:{port}/", "Use this computer's address on the classroom network."


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses other than loopback, read locally (no packet is sent):
    each network interface's address (Linux), else what the host name resolves to."""
    found: list[str] = []

    def add(ip: str) -> None:
        if not ipaddress.ip_address(ip).is_loopback and ip not in found:
            found.append(ip)

    try:
        import fcntl
        import struct

        for _index, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:  # SIOCGIFADDR: the interface's address
                    packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
                except OSError:
                    continue
                add(socket.inet_ntoa(packed[20:24]))
    except (ImportError, OSError, AttributeError):
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            add(str(info[4][0]))
    except OSError:
        pass
    return found


def qr_svg(text: str) -> str:
    """A QR code of `text` as inline SVG (segno, made here, nothing fetched)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=6, border=2)


# ---------------------------------------------------------------------- the server
class Handler(BaseHTTPRequestHandler):
    lobby: Lobby  # set on the server's handler class
    guesses: RateLimit
    opens: RateLimit
    bind_host: str = "127.0.0.1"
    server_version = "classroom"
    timeout = SOCKET_TIMEOUT  # a stalled connection is closed
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # quiet: a classroom does not need an access log
        pass

    # ------------------------------------------------------------------ plumbing
    def _cookies(self) -> dict[str, str]:
        try:
            c = SimpleCookie(self.headers.get("Cookie", ""))
        except Exception:  # a malformed cookie header: as if none
            return {}
        return {k: v.value for k, v in c.items()}

    def _client(self) -> str:
        return self.client_address[0]

    def _form(self) -> dict[str, str] | None:
        """The urlencoded body; None after answering 400 (a Content-Length that is not a
        whole number) or 413 (a body larger than MAX_BODY)."""
        raw = self.headers.get("Content-Length")
        if raw is None or raw.strip() == "":
            n = 0
        else:
            length = whole_number(raw)
            if length is None:  # '-1', '1e3', '\xb2': a 400, never a traceback
                self._plain(f"Content-Length = {raw!r} is not allowed: a whole number of bytes in digits 0-9",
                            HTTPStatus.BAD_REQUEST)
                return None
            n = length
        if n > MAX_BODY:
            self._plain(f"a form of {n} bytes is not allowed: at most {MAX_BODY}", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return None
        body = self.rfile.read(n) if n else b""
        data = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        return {k: v[-1] for k, v in data.items()}

    def _headers(self, status: HTTPStatus, ctype: str, length: int, extra: dict[str, str] | None = None,
                 cookies: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": ctype, "Content-Length": str(length), "Cache-Control": "no-store",
                   "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                   "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", **(extra or {})}
        for k, v in headers.items():
            self.send_header(k, v)
        for k, v in (cookies or {}).items():
            self.send_header("Set-Cookie", f"{k}={v}; Path=/; HttpOnly; SameSite=Strict")
        self.end_headers()

    def _send(self, body: bytes, status: HTTPStatus = HTTPStatus.OK, ctype: str = "text/html; charset=utf-8",
              cookies: dict[str, str] | None = None, extra: dict[str, str] | None = None) -> None:
        try:
            self._headers(status, ctype, len(body), extra, cookies)
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            # the browser left before the page arrived (a refresh, a closed tab): nothing to send it
            self.close_connection = True

    def _plain(self, text: str, status: HTTPStatus) -> None:
        self._send((text + "\n").encode(), status, "text/plain; charset=utf-8")

    def _redirect(self, location: str, cookies: dict[str, str] | None = None) -> None:
        self._send(b"", HTTPStatus.SEE_OTHER, cookies=cookies, extra={"Location": location})

    def _refuse(self, message: str, status: HTTPStatus = HTTPStatus.FORBIDDEN, back: str = "/",
                retry_after: int | None = None) -> None:
        title = "Not played" if status == HTTPStatus.CONFLICT else "Not allowed"
        body = (f"<h1>{title}</h1><p class='error refused'>{_e(message)}</p>"
                f"<p><a href='{_e(back)}' id='back'>Back</a></p>")
        extra = {"Retry-After": str(retry_after)} if retry_after else None
        self._send(page(title, body), status, extra=extra)

    def _parts(self) -> list[str]:
        return [p for p in urllib.parse.urlsplit(self.path).path.split("/") if p]

    def _query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}

    def _room(self, code: str) -> Room:
        """The room of a join code; wrong codes are counted per address and, past
        GUESSES_PER_MINUTE, refused without looking (TooMany)."""
        wait = self.guesses.blocked(self._client())
        if wait:
            raise TooMany(f"too many wrong join codes from this address: try again in {wait} s", wait)
        try:
            return self.lobby.room(code)
        except RoomError:
            self.guesses.hit(self._client())
            raise

    def _fac(self, room: Room) -> str | None:
        return self._cookies().get(f"fac_{room.code}")

    def _seat(self, room: Room, group: int, role: str) -> str | None:
        return self._cookies().get(f"seat_{room.code}_{group}_{role}")

    def _dispatch(self, handler) -> None:
        try:
            handler()
        except TooMany as err:
            self._refuse(str(err), HTTPStatus.TOO_MANY_REQUESTS, retry_after=err.retry_after)
        except StaleTurn as err:
            parts = self._parts()
            back = "/" + "/".join(parts[:4]) if len(parts) >= 4 else "/"
            self._refuse(str(err), HTTPStatus.CONFLICT, back=back)
        except RoomError as err:
            self._refuse(str(err))

    # ------------------------------------------------------------------ GET
    def do_GET(self):
        self._dispatch(self._get)

    def _get(self) -> None:
        parts = self._parts()
        if not parts:
            q = self._query()
            return self._send(page("The 2020 negotiation", self._home(code=q.get("code", ""),
                                                                     scenario=q.get("scenario", ""))))
        if parts == ["app.js"]:
            return self._send(APP_JS.encode(), ctype="text/javascript; charset=utf-8")
        if parts[0] == "v" and len(parts) == 2:
            return self._state(parts[1])
        if parts[0] == "f" and len(parts) == 2:
            return self._facilitator(parts[1])
        if parts[0] == "f" and len(parts) == 3 and parts[2] == "record.md":
            room = self._room(parts[1])
            if not room.is_facilitator(self._fac(room)):
                raise RoomError("only the facilitator can export the record")
            # plain text, as a download, in a sandbox: no browser runs what a student typed in it
            return self._send(room.record().encode(), ctype="text/plain; charset=utf-8",
                              extra={"Content-Disposition": f"attachment; filename=game-{room.code}.md",
                                     "Content-Security-Policy": "default-src 'none'; sandbox"})
        if parts[0] == "p" and len(parts) == 4:
            return self._player(parts[1], parts[2], parts[3])
        self._send(page("Not found", "<h1>Not found</h1>"), HTTPStatus.NOT_FOUND)

    def _state(self, code: str) -> None:
        """The room's turn and version for a page's script (seated players and the facilitator only)."""
        room = self._room(code)
        q = self._query()
        group = room.group(q.get("g", "1")).number
        cookies = self._cookies()
        allowed = room.is_facilitator(self._fac(room)) or any(
            room.seated(r, cookies.get(f"seat_{room.code}_{group}_{r}"), group) for r in room.group(group).game.roles)
        if not allowed:
            raise RoomError("this page belongs to a seat or to the facilitator")
        g = room.group(group)
        turn = g.game.turn_number if q.get("all") != "1" else sum(x.game.turn_number for x in room.groups)
        state = {"turn": turn, "version": room.version, "left": room.seconds_left(group), "over": g.game.over}
        self._send(json.dumps(state).encode(), ctype="application/json")

    def _joining(self, code: str) -> Room | None:
        """The room of the join code a home page is opened with (`?code=`), or None: a wrong
        code is counted as a guess, as at /join, and the page is the plain one."""
        if not code.strip():
            return None
        try:
            return self._room(code)
        except RoomError:  # a wrong code, or too many of them: the plain page
            return None

    def _home(self, error: str = "", code: str = "", scenario: str = "") -> str:
        """The home page: a form to join (its roles those of the room of `code`, if one is
        open) and one to open a game (its roles those of `scenario`, chosen on the page, by
        default the room's: the rival's role only in a scenario with a rival; every title in
        the scenario's words)."""
        from ..briefs import scenario_case

        room = self._joining(code)
        names = available_scenarios()
        if scenario not in names:  # by default the scenario of the room joined, else anti_american_pm
            scenario = room.game.scenario if room is not None else "anti_american_pm"
        case = scenario_case(scenario)
        options = "".join(f"<option{' selected' if s == scenario else ''}>{_e(s)}</option>" for s in names)
        roles = "".join(f"<label><input type='checkbox' name='role_{r}' value='1' checked> "
                        f"{_e(cap(role_title(r, case)))}</label>" for r in case_roles(case))
        join_case = room.game.case if room is not None else case
        join_roles = "".join(f"<option value='{r}'>{_e(cap(role_title(r, join_case)))}</option>"
                             for r in (room.game.roles if room is not None else case_roles(join_case)))
        groups = "".join(f"<option value='{k}'>group {k}</option>" for k in range(1, MAX_GROUPS + 1))
        turn_days = "".join(f"<option value='{d}'{' selected' if d == 91 else ''}>{_e(w)}</option>"
                            for d, w in TURN_DAYS.items())
        budgets = "".join(f"<option value='{s}'{' selected' if s == 90 else ''}>{_e(w)}</option>"
                          for s, w in TURN_SECONDS.items())
        group_counts = "".join(f"<option value='{k}'>{k}</option>" for k in range(1, MAX_GROUPS + 1))
        err = f"<p class='error'>{_e(error)}</p>" if error else ""
        if getattr(join_case, "sheet", IRAQ_SHEET) == IRAQ_SHEET:
            heading = "US troops in Iraq, 2020: the negotiation, played together"
        else:
            heading = f"US troops in {render('Iraq', join_case)}, {join_case.start_date[:4]}: the negotiation, played together"
        return (f"<h1>{_e(heading)}</h1>{err}<div class='cols'>"
                "<div class='card'><h2>Join a game (students)</h2><form method='post' action='/join' id='join'>"
                f"<label>Join code <input name='code' autocomplete='off' size='8' value='{_e(code[:12])}'></label>"
                f"<label>Your group <select name='group'>{groups}</select></label>"
                f"<label>Your role <select name='role'>{join_roles}</select></label>"
                "<label>Seat key (only to rejoin your seat) <input name='key' autocomplete='off' size='18'></label>"
                "<button type='submit'>Join</button></form></div>"
                "<div class='card'><h2>Open a game (facilitator)</h2><form method='post' action='/open' id='open'>"
                f"<label>Scenario <select name='scenario'>{options}</select></label>"
                "<label>Seed (the random world) <input name='seed' value='1' size='6'></label>"
                f"<label>A turn is <select name='turn_days'>{turn_days}</select> of the model's time</label>"
                f"<label>and lasts <select name='turn_seconds'>{budgets}</select> in class once you start the "
                "clock</label>"
                f"<label>Groups playing the same world <select name='groups'>{group_counts}</select></label>"
                f"<p>Roles played by students (the model plays the others):</p>{roles}"
                "<label><input type='checkbox' name='payoffs' value='1'> players see the model's payoffs</label>"
                "<button type='submit'>Open the game</button> <button type='submit' formmethod='get' formaction='/' "
                "class='quiet' id='pick'>Show the roles of the scenario chosen</button></form></div></div>")

    def _facilitator(self, code: str) -> None:
        room = self._room(code)
        if not room.is_facilitator(self._fac(room)):
            raise RoomError("this is the facilitator's page of another browser")
        address, reach = addresses(self.bind_host, self.server.server_address[1], self.headers.get("Host"))
        join_url = f"{address}?code={room.code}"
        g1 = room.game
        rows = []
        for g in room.groups:
            seats = ", ".join(f"{g.game.title(r)}: {'joined' if g.seats[r] else 'free'}"
                              + (" (chosen)" if r in g.pending else " (waiting)" if r in g.waiting_for() else "")
                              for r in g.game.roles)
            state = (f"over: {OUTCOME_LABELS.get(g.game.outcome, g.game.outcome)}" if g.game.over
                     else f"turn {g.game.turn_number}, {g.game.model.date.isoformat()}")
            rows.append(f"<tr><td>group {g.number}</td><td>{_e(state)}</td><td>{_e(seats)}</td></tr>")
        controls = ""
        if not room.over:
            clock = ("<button name='run' value='0' class='quiet' id='pause'>Pause the clock</button>"
                     if room.clock_running else "<button name='run' value='1' id='start'>Start the clock</button>")
            budget = (f"each turn lasts {TURN_SECONDS.get(room.turn_seconds, f'{room.turn_seconds} s')} in class"
                      if room.turn_seconds else "turns have no time limit")
            advance = "".join(f"<option value='{k}'>{k}</option>" for k in (1, 2, 4, 8))
            controls = (f"<form method='post' action='/f/{room.code}/clock' id='clock'>{clock} "
                        f"<span class='muted'>({_e(budget)}; a turn also ends once every player has chosen)"
                        "</span></form>"
                        f"<form method='post' action='/f/{room.code}/advance' id='advanceform'>"
                        f"<button id='advance' class='quiet'>Advance</button> <select name='turns' id='turns'>"
                        f"{advance}</select> turn(s) now <span class='muted'>(who has not chosen keeps their course)"
                        "</span></form>")
        elif any(g.game.model.running for g in room.groups):
            controls = (f"<form method='post' action='/f/{room.code}/playon'><button id='playon' class='quiet'>"
                        "Play on to the run's end</button></form>")
        bound = turns_text(room)
        others = [g1.title(r) for r in case_roles(g1.case) if r not in g1.roles]
        model_plays = ", ".join([*others, g1.words("Baghdad's parties and parliament")])
        query = self._query()
        shown = room.group(query.get("g", "1")).number  # the group whose decisions and fork are shown
        fork = whole_number(query.get("fork", ""))
        end = debrief.class_html(room, fork, group=shown) if room.over else ""
        choose_group = ""
        if len(room.groups) > 1:
            options = "".join(f"<option value='{g.number}'{' selected' if g.number == shown else ''}>group {g.number}"
                              "</option>" for g in room.groups)
            choose_group = (f"<form method='get' action='/f/{room.code}' id='groupform'>Show group <select name='g' "
                            f"id='group'>{options}</select> <button class='quiet'>Show</button> <span class='muted'>"
                            "(its situation, story, decisions and fork)</span></form>")
        body = (f"<h1>Facilitator: <code>{_e(g1.scenario)}</code>, seed {g1.seed}, "
                f"{len(room.groups)} group{'s' if len(room.groups) > 1 else ''}</h1>"
                f"{end}<div class='cols'><div class='card join'><div class='joinrow'><div>"
                f"<p>Students open <b id='address'>{_e(address)}</b> and type the join code</p>"
                f"<p><span class='code' id='code'>{_e(room.code)}</span></p><p class='muted'>{_e(reach)}</p></div>"
                f"<div class='qr' id='qr' title='{_e(join_url)}'>{qr_svg(join_url)}</div></div></div>"
                f"<div class='card'><h2>Groups</h2><table id='groups'>{''.join(rows)}</table>"
                f"<p class='muted'>The model plays {_e(model_plays)}. {_e(bound)}</p>{controls}"
                f"<p><a href='/f/{room.code}/record.md' id='export'>Export the record (Markdown)</a></p>"
                f"{choose_group}</div></div>"
                f"<div class='cols'>{situation_html(room, shown)}{events_html(room, shown)}</div>")
        self._send(page(f"Facilitator {room.code}", body, poll=f"/v/{room.code}?g={shown}&all=1",
                        turn=sum(g.game.turn_number for g in room.groups), version=room.version,
                        left=room.seconds_left(shown)))

    def _player(self, code: str, group_text: str, role: str) -> None:
        room = self._room(code)
        group = room.group(group_text).number
        if role not in ROLES or not room.seated(role, self._seat(room, group, role), group):
            raise RoomError("you do not hold this seat: join with the code (and your seat key to rejoin)")
        grp = room.group(group)
        g = grp.game
        title = g.title(role)
        head = (f"<div class='top'><h1>You are {_e(title)} <span class='muted'>(group {group})</span></h1>"
                f"<span class='muted' title='keep it to rejoin from another browser'>game {_e(room.code)} · "
                f"seat key <code class='seatkey'>{_e(grp.seats[role])}</code></span></div>")
        # the brief, folded: at 1280x720 the options and the Decide button come first, on screen
        brief = (f"<details class='card brief'><summary><b>Your brief</b>, all your moves and your seat key"
                 f"</summary><p>{_e(g.brief(role))}</p>{moves_html(role, g)}<p class='muted'>Your seat key "
                 f"<code>{_e(grp.seats[role])}</code>: keep it to rejoin from another browser.</p></details>")
        if g.over:
            body = (f"<h1>You were {_e(title)} <span class='muted'>(group {group})</span></h1>"
                    + debrief.group_html(room, group, role) + events_html(room, group))
            return self._send(page(f"{title}: debrief", body))
        mode = ""
        if role in grp.pending:
            choice = grp.pending[role][0]
            name = ("keep your course" if choice is None
                    else action_text(ROLES[role], g.spec(role).action_names[choice]).label)
            form = (f"<div class='card'><p class='ok chosen'>You chose for turn {g.turn_number}: {_e(name)}. "
                    "Waiting for the other players or the clock.</p></div>")
        elif not g.needs_choice(role):
            form = ("<div class='card'><p class='muted nochoice'>You have no decision to take this turn: your course "
                    "stands.</p></div>")
        else:
            form = choice_form(room, group, role)
            mode = "form"
        body = head + f"<div class='cols play'>{form}{situation_html(room, group)}</div>" + brief + events_html(room, group)
        self._send(page(f"{title}", body, poll=f"/v/{room.code}?g={group}", turn=g.turn_number,
                        version=room.version, mode=mode, left=room.seconds_left(group)))

    # ------------------------------------------------------------------ POST
    def do_POST(self):
        form = self._form()
        if form is None:
            return
        self._dispatch(lambda: self._post(form))

    def _post(self, form: dict[str, str]) -> None:
        parts = self._parts()
        if parts == ["open"]:
            return self._open(form)
        if parts == ["join"]:
            room = self._room(form.get("code", ""))
            role = form.get("role", "")
            group = room.group(form.get("group", "1")).number
            key = room.join(role, form.get("key") or None, group)
            return self._redirect(f"/p/{room.code}/{group}/{role}", {f"seat_{room.code}_{group}_{role}": key})
        if len(parts) == 3 and parts[0] == "f" and parts[2] in ("advance", "playon", "clock"):
            room = self._room(parts[1])
            key = self._fac(room)
            if parts[2] == "advance":
                room.advance(key, whole_number(form.get("turns", "1")) or 0)
            elif parts[2] == "clock":
                room.set_clock(key, form.get("run") == "1")
            else:
                room.play_on(key)
            return self._redirect(f"/f/{room.code}")
        if len(parts) == 5 and parts[0] == "p" and parts[4] == "choose":
            room = self._room(parts[1])
            group, role = room.group(parts[2]).number, parts[3]
            if role not in ROLES:
                raise RoomError(f"'{role}' is not a role")
            names = room.group(group).game.spec(role).action_names
            name = form.get("choice", "")
            if name != "keep" and name not in names:
                raise RoomError(f"'{name}' is not an option: choose one of the options shown")
            room.choose(role, self._seat(room, group, role), None if name == "keep" else names.index(name),
                        form.get("memo", ""), turn=whole_number(form.get("turn")), group=group)
            return self._redirect(f"/p/{room.code}/{group}/{role}")
        self._send(page("Not found", "<h1>Not found</h1>"), HTTPStatus.NOT_FOUND)

    def _open(self, form: dict[str, str]) -> None:
        def bad(message: str) -> None:
            self._send(page("Open a game", self._home(message, scenario=form.get("scenario", ""))),
                       HTTPStatus.BAD_REQUEST)

        roles = [r for r in ROLES if form.get(f"role_{r}")]
        scenario = form.get("scenario", "baseline")
        numbers = {}
        for key, allowed, default in (("seed", None, "0"), ("turn_days", TURN_DAYS, "91"),
                                      ("turn_seconds", TURN_SECONDS, "90"), ("groups", range(1, MAX_GROUPS + 1), "1")):
            raw = form.get(key, default).strip()
            number = whole_number(raw)
            ok = number is not None and (number < SEED_LIMIT if allowed is None else number in allowed)
            if number is None or not ok:
                what = (f"a whole number in [0, {SEED_LIMIT - 1}]" if allowed is None
                        else "one of " + ", ".join(str(a) for a in allowed))
                return bad(f"{key} = {raw!r} is not allowed: {what}")
            numbers[key] = number
        if not roles:
            return bad("choose at least one role for the students")
        wait = self.opens.hit(self._client())
        if wait:
            raise TooMany(f"too many new games from this address: try again in {wait} s", wait)
        try:
            room = self.lobby.open(scenario, numbers["seed"], roles, show_payoffs=bool(form.get("payoffs")),
                                   days_per_turn=numbers["turn_days"], groups=numbers["groups"],
                                   turn_seconds=numbers["turn_seconds"])
        except (ConfigError, ValueError) as err:
            return bad(str(err))
        self._redirect(f"/f/{room.code}", {f"fac_{room.code}": room.facilitator_key})


class ClassroomServer(ThreadingHTTPServer):
    """A threading server that answers at most MAX_CONNECTIONS requests at once (more wait in
    the listen queue) and resolves the turns whose time ran out twice a second."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, handler, max_connections: int = MAX_CONNECTIONS):
        super().__init__(address, handler)
        self.slots = threading.BoundedSemaphore(max_connections)
        self.stopping = threading.Event()
        self.ticker = threading.Thread(target=self._tick, name="classroom-clock", daemon=True)
        self.ticker.start()

    def _tick(self) -> None:
        while not self.stopping.wait(0.5):
            try:
                self.RequestHandlerClass.lobby.tick()  # type: ignore[attr-defined]
            except Exception as err:  # a clock that stops would stop every class: report, go on
                print(f"classroom clock: {err!r}", file=sys.stderr, flush=True)

    def process_request(self, request, client_address):
        self.slots.acquire()
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self):
        self.stopping.set()
        super().server_close()


def serve(host: str = "127.0.0.1", port: int = 8766, *, lobby: Lobby | None = None,
          guesses_per_minute: int = GUESSES_PER_MINUTE, opens_per_ten_minutes: int = OPENS_PER_TEN_MINUTES,
          socket_timeout: float = SOCKET_TIMEOUT, max_connections: int = MAX_CONNECTIONS) -> ClassroomServer:
    """A server for a fresh lobby (call `serve_forever` on it)."""
    handler = type("ClassroomHandler", (Handler,), {
        "lobby": lobby or Lobby(), "bind_host": host, "guesses": RateLimit(guesses_per_minute, 60.0),
        "opens": RateLimit(opens_per_ten_minutes, 600.0), "timeout": socket_timeout})
    return ClassroomServer((host, port), handler, max_connections)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.play.classroom",
                                description="The negotiation several students play together in their browsers.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network this "
                        "machine is on, e.g. the classroom's)")
    p.add_argument("--port", type=int, default=8766, help="port (default 8766)")
    args = p.parse_args(argv)
    try:
        server = serve(args.host, args.port)
    except OSError as err:
        print(f"python -m sim.play.classroom: error: cannot listen on {args.host}:{args.port}: {err.strerror or err}",
              file=sys.stderr)
        return 2
    address, reach = addresses(args.host, args.port, None)
    print(f"Classroom game: {address}  ({reach} Ctrl-C stops it.)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
