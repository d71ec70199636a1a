"""`python -m sim.play.classroom [--host 127.0.0.1] [--port 8766]`: the negotiation several
students play together, each from their own browser.

The facilitator opens a game at http://HOST:PORT/ (scenario, seed, which roles students
play, whether they see the model's payoffs) and reads out the join code; each student
opens the same address, types the code and picks the prime minister, Washington or Tehran.
The model plays every other actor. Each player sees their role's brief, the situation, the
options (with the model's expected payoffs if allowed) and a one-line memo field; a turn
(a month) resolves when every player has chosen, or when the facilitator advances it. When
the outcome is decided the game stops; the facilitator may play on. The debrief sets the
class's path against the model's distribution in the same random world; the facilitator
exports the record (moves, memos, story, debrief) as Markdown.

Plain HTML forms and a page that reloads itself every few seconds: no JavaScript library,
nothing fetched from the internet. It listens on 127.0.0.1 unless `--host` says otherwise.
Seats and the facilitator's page are bound to keys kept in cookies (HttpOnly,
SameSite=Strict); a seat key is also shown so a dropped browser can rejoin.
"""

from __future__ import annotations

import argparse
import html
import sys
import urllib.parse
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..config import ConfigError, available_scenarios
from ..config.validate import SEED_LIMIT
from .game import ROLE_TITLES, ROLES
from .rooms import Lobby, Room, RoomError
from .screen import ROLE_BRIEFS, is_move

REFRESH_SECONDS = 2
STYLE = """
body{font-family:system-ui,sans-serif;font-size:20px;margin:0;background:#fafafa;color:#111}
main{max-width:1240px;margin:0 auto;padding:12px 20px}
h1{font-size:28px;margin:6px 0} h2{font-size:22px;margin:12px 0 6px}
.code{font-size:56px;letter-spacing:8px;font-weight:700;color:#0072B2}
.card{background:#fff;border:1px solid #ccc;border-radius:8px;padding:10px 14px;margin:8px 0}
.cols{display:flex;gap:14px;flex-wrap:wrap} .cols>.card{flex:1 1 380px}
label{display:block;margin:4px 0} input,select,button{font-size:20px}
button{padding:6px 16px;border-radius:6px;border:1px solid #0072B2;background:#0072B2;color:#fff;cursor:pointer}
.muted{color:#555} .error{color:#D55E00;font-weight:700} .ok{color:#009E73;font-weight:700}
ul.events li{margin:4px 0} table{border-collapse:collapse} td,th{padding:2px 10px;border-bottom:1px solid #ddd}
pre{white-space:pre-wrap;font-size:17px}
"""


def _e(x: object) -> str:
    return html.escape(str(x))


def page(title: str, body: str, refresh: bool = False) -> bytes:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if refresh else ""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{meta}<title>{_e(title)}</title>"
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>").encode()


def situation_html(room: Room) -> str:
    g = room.game
    m, s = g.model, g.model.state
    pm = "caretaker" if bool(s.caretaker[0]) else "confirmed" + (" with a majority" if bool(s.pm_majority[0]) else "")
    return (f"<div class='card situation'><h2>Turn {g.turn + 1}: {_e(m.date.isoformat())} ({_e(g.week_line())})</h2>"
            f"<p>US troops <b>{float(s.troops[0]):,.0f}</b> · Iranian influence {float(s.iran_influence[0]):.2f} · "
            f"ISIS threat {float(s.isis_threat[0]):.2f} · tension {float(s.tension[0]):.2f}"
            + (" · <b>sanctions imposed</b>" if bool(s.sanctions_imposed[0]) else "") + "</p>"
            f"<p>Request: {_e(g.clock())} (F4)</p>"
            f"<p>Prime minister: {_e(pm)}, stance {float(s.pm_position[0]):.2f}; Baghdad's collective stance "
            f"{float(s.collective_stance[0]):.2f} (0 = US forces stay, 1 = leave now)</p>"
            + (f"<p class='ok outcome'>Outcome decided: {_e(g.outcome)}</p>" if g.decided else "") + "</div>")


def events_html(room: Room, last: int = 12) -> str:
    from ..abm import story

    entries = [e for e in story.chronicle(room.game.model) if e["kind"] != "context"][-last:][::-1]
    items = "".join(f"<li><b>{_e(e['date'])}</b> {_e(e['text'])}</li>" for e in entries)
    return f"<div class='card events'><h2>What has happened (newest first)</h2><ul class='events'>{items}</ul></div>"


def debrief_html(room: Room) -> str:
    return f"<div class='card debrief'><h2>Debrief</h2><pre>{_e(room.debrief_text())}</pre></div>"


class Handler(BaseHTTPRequestHandler):
    lobby: Lobby  # set on the server's handler class
    server_version = "classroom"

    def log_message(self, fmt, *args):  # quiet: a classroom does not need an access log
        pass

    # ------------------------------------------------------------------ plumbing
    def _cookies(self) -> dict[str, str]:
        c = SimpleCookie(self.headers.get("Cookie", ""))
        return {k: v.value for k, v in c.items()}

    def _form(self) -> dict[str, str]:
        n = min(int(self.headers.get("Content-Length", "0") or 0), 10_000)
        data = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        return {k: v[-1] for k, v in data.items()}

    def _send(self, body: bytes, status: HTTPStatus = HTTPStatus.OK, ctype: str = "text/html; charset=utf-8",
              cookies: dict[str, str] | None = None, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (cookies or {}).items():
            self.send_header("Set-Cookie", f"{k}={v}; Path=/; HttpOnly; SameSite=Strict")
        if location:
            self.send_header("Location", location)
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # the browser left before the page arrived (a refresh, a closed tab): nothing to send it
            self.close_connection = True

    def _redirect(self, location: str, cookies: dict[str, str] | None = None) -> None:
        self._send(b"", HTTPStatus.SEE_OTHER, cookies=cookies, location=location)

    def _refuse(self, message: str, status: HTTPStatus = HTTPStatus.FORBIDDEN) -> None:
        body = f"<h1>Not allowed</h1><p class='error refused'>{_e(message)}</p><p><a href='/'>Back</a></p>"
        self._send(page("Not allowed", body), status)

    def _parts(self) -> list[str]:
        return [p for p in urllib.parse.urlsplit(self.path).path.split("/") if p]

    # ------------------------------------------------------------------ GET
    def do_GET(self):
        parts = self._parts()
        try:
            if not parts:
                return self._send(page("The 2020 negotiation", self._home()))
            if parts[0] == "f" and len(parts) == 2:
                return self._facilitator(parts[1])
            if parts[0] == "f" and len(parts) == 3 and parts[2] == "record.md":
                room = self.lobby.room(parts[1])
                if not room.is_facilitator(self._cookies().get(f"fac_{room.code}")):
                    return self._refuse("only the facilitator can export the record")
                return self._send(room.record().encode(), ctype="text/markdown; charset=utf-8")
            if parts[0] == "p" and len(parts) == 3:
                return self._player(parts[1], parts[2])
        except RoomError as err:
            return self._refuse(str(err))
        self._send(page("Not found", "<h1>Not found</h1>"), HTTPStatus.NOT_FOUND)

    def _home(self, error: str = "") -> str:
        options = "".join(f"<option{' selected' if s == 'anti_american_pm' else ''}>{_e(s)}</option>"
                          for s in available_scenarios())
        roles = "".join(f"<label><input type='checkbox' name='role_{r}' value='1'"
                        f"{' checked' if r != 'tehran' else ''}> {_e(ROLE_TITLES[r])}</label>" for r in ROLES)
        join_roles = "".join(f"<option value='{r}'>{_e(ROLE_TITLES[r])}</option>" for r in ROLES)
        err = f"<p class='error'>{_e(error)}</p>" if error else ""
        return (f"<h1>US troops in Iraq, 2020: the negotiation, played together</h1>{err}<div class='cols'>"
                "<div class='card'><h2>Join a game (students)</h2><form method='post' action='/join' id='join'>"
                "<label>Join code <input name='code' autocomplete='off' size='8'></label>"
                f"<label>Your role <select name='role'>{join_roles}</select></label>"
                "<label>Seat key (only to rejoin your seat) <input name='key' autocomplete='off' size='18'></label>"
                "<button type='submit'>Join</button></form></div>"
                "<div class='card'><h2>Open a game (facilitator)</h2><form method='post' action='/open' id='open'>"
                f"<label>Scenario <select name='scenario'>{options}</select></label>"
                "<label>Seed <input name='seed' value='1' size='6'></label>"
                "<label>A turn lasts <select name='turn_days'><option value='28' selected>a month (28 days)</option>"
                "<option value='14'>two weeks</option><option value='7'>a week</option></select></label>"
                f"<p>Roles played by students (the model plays the others):</p>{roles}"
                "<label><input type='checkbox' name='payoffs' value='1' checked> players see the model's payoffs"
                "</label><button type='submit'>Open the game</button></form></div></div>")

    def _facilitator(self, code: str) -> None:
        room = self.lobby.room(code)
        if not room.is_facilitator(self._cookies().get(f"fac_{room.code}")):
            return self._refuse("this is the facilitator's page of another browser")
        g = room.game
        seats = "".join(
            f"<tr><td>{_e(ROLE_TITLES[r])}</td><td>{'joined' if room.seats[r] else 'free'}</td>"
            f"<td>{'chosen' if r in room.pending else ('waiting' if r in room.waiting_for() else '-')}</td></tr>"
            for r in g.roles)
        controls = ""
        if not g.over:
            controls = (f"<form method='post' action='/f/{room.code}/advance'><button id='advance'>Advance the turn"
                        "</button> <span class='muted'>(players who have not chosen keep their course)</span></form>")
        elif g.model.running:
            controls = (f"<form method='post' action='/f/{room.code}/playon'><button id='playon'>Play on to the "
                        "run's end</button></form>")
        end = debrief_html(room) if g.over else ""
        others = [ROLE_TITLES[r] for r in ROLES if r not in g.roles]
        model_plays = ", ".join([*others, "Baghdad's factions and parliament"])
        body = (f"<h1>Facilitator: scenario <code>{_e(g.scenario)}</code>, seed {g.seed}</h1>"
                f"<p>Join code: <span class='code' id='code'>{_e(room.code)}</span> "
                f"<span class='muted'>students open this address and type the code</span></p>"
                f"<div class='cols'><div class='card'><h2>Seats</h2><table>{seats}</table>"
                f"<p class='muted'>The model plays {_e(model_plays)}.</p>{controls}"
                f"<p><a href='/f/{room.code}/record.md' id='export'>Export the record (Markdown)</a></p></div>"
                f"{situation_html(room)}</div>{end}{events_html(room)}")
        self._send(page(f"Facilitator {room.code}", body, refresh=not g.over))

    def _player(self, code: str, role: str) -> None:
        room = self.lobby.room(code)
        if not room.seated(role, self._cookies().get(f"seat_{room.code}_{role}")):
            return self._refuse("you do not hold this seat: join with the code (and your seat key to rejoin)")
        g = room.game
        key = room.seats[role]
        head = (f"<h1>You are {_e(ROLE_TITLES[role])}</h1><p class='muted'>Game {_e(room.code)}, your seat key "
                f"<code class='seatkey'>{_e(key)}</code> (keep it to rejoin from another browser)</p>"
                f"<div class='card brief'><b>Your brief.</b> {_e(ROLE_BRIEFS[role])}</div>")
        if g.over:
            body = head + situation_html(room) + debrief_html(room) + events_html(room)
            return self._send(page(f"{ROLE_TITLES[role]}: debrief", body))
        if role in room.pending:
            choice = room.pending[role][0]
            name = g.spec(role).action_names[choice] if choice is not None else "keep your course"
            form = (f"<div class='card'><p class='ok chosen'>You chose: {_e(name)}. Waiting for the other players "
                    "or the facilitator.</p></div>")
        elif not g.needs_choice(role):
            form = "<div class='card'><p class='muted nochoice'>You have no decision to take this month.</p></div>"
        else:
            opts = g.options(role)
            rows = []
            for o in opts:
                tags = " (a move)" if is_move(g, role, o) else ""
                tags += " (your standing posture)" if o.index == g.standing(role) else ""
                pay = (f" <span class='muted'>payoff {o.payoff:+.2f}, model's chance {100 * o.model_chance:.0f} %"
                       "</span>") if room.show_payoffs else ""
                rows.append(f"<label><input type='radio' name='choice' value='{o.name}'> {_e(o.name)}{tags}{pay}</label>")
            closed = g.standing(role) >= 0 and g.standing(role) not in {o.index for o in opts}
            note = " (your standing posture is no longer open: choose a new course)" if closed else ""
            rows.append(f"<label><input type='radio' name='choice' value='keep' checked> keep your course{note}</label>")
            form = (f"<div class='card'><h2>Your options this month</h2><form method='post' "
                    f"action='/p/{room.code}/{role}/choose' id='choose'>{''.join(rows)}"
                    "<label>Decision memo (one line) <input name='memo' size='60' maxlength='200'></label>"
                    "<button type='submit'>Decide</button></form></div>")
        body = head + f"<div class='cols'>{situation_html(room)}{form}</div>" + events_html(room)
        self._send(page(f"{ROLE_TITLES[role]}", body, refresh=role in room.pending or not g.needs_choice(role)))

    # ------------------------------------------------------------------ POST
    def do_POST(self):
        parts = self._parts()
        form = self._form()
        try:
            if parts == ["open"]:
                return self._open(form)
            if parts == ["join"]:
                room = self.lobby.room(form.get("code", ""))
                role = form.get("role", "")
                key = room.join(role, form.get("key") or None)
                return self._redirect(f"/p/{room.code}/{role}", {f"seat_{room.code}_{role}": key})
            if len(parts) == 3 and parts[0] == "f" and parts[2] in ("advance", "playon"):
                room = self.lobby.room(parts[1])
                key = self._cookies().get(f"fac_{room.code}")
                room.advance(key) if parts[2] == "advance" else room.play_on(key)
                return self._redirect(f"/f/{room.code}")
            if len(parts) == 4 and parts[0] == "p" and parts[3] == "choose":
                room = self.lobby.room(parts[1])
                role = parts[2]
                name = form.get("choice", "keep")
                names = room.game.spec(role).action_names if role in ROLES else ()
                if name != "keep" and name not in names:
                    raise RoomError(f"'{name}' is not an option")
                choice = None if name == "keep" else names.index(name)
                room.choose(role, self._cookies().get(f"seat_{room.code}_{role}"), choice, form.get("memo", ""))
                return self._redirect(f"/p/{room.code}/{role}")
        except RoomError as err:
            return self._refuse(str(err))
        self._send(page("Not found", "<h1>Not found</h1>"), HTTPStatus.NOT_FOUND)

    def _open(self, form: dict[str, str]) -> None:
        roles = [r for r in ROLES if form.get(f"role_{r}")]
        scenario = form.get("scenario", "baseline")
        try:
            seed = int(form.get("seed", "0"))
            if not 0 <= seed < SEED_LIMIT:
                raise ValueError
        except ValueError:
            return self._send(page("Open a game", self._home(f"seed = {form.get('seed')!r} is not allowed: a whole "
                                                             f"number in [0, {SEED_LIMIT - 1}]")), HTTPStatus.BAD_REQUEST)
        if not roles:
            return self._send(page("Open a game", self._home("choose at least one role for the students")),
                              HTTPStatus.BAD_REQUEST)
        try:
            turn_days = int(form.get("turn_days", "28"))
            if turn_days not in (7, 14, 28):
                raise ValueError(f"turn_days = {turn_days} is not allowed: 7, 14 or 28")
            room = self.lobby.open(scenario, seed, roles, show_payoffs=bool(form.get("payoffs")),
                                   days_per_turn=turn_days)
        except (ConfigError, ValueError) as err:
            return self._send(page("Open a game", self._home(str(err))), HTTPStatus.BAD_REQUEST)
        self._redirect(f"/f/{room.code}", {f"fac_{room.code}": room.facilitator_key})


def serve(host: str = "127.0.0.1", port: int = 8766) -> ThreadingHTTPServer:
    """A server for a fresh lobby (call `serve_forever` on it)."""
    handler = type("ClassroomHandler", (Handler,), {"lobby": Lobby()})
    return ThreadingHTTPServer((host, port), handler)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.play.classroom",
                                description="The negotiation several students play together in their browsers.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8766, help="port (default 8766)")
    args = p.parse_args(argv)
    server = serve(args.host, args.port)
    print(f"Classroom game: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
