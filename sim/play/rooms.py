"""Games several students play together, each from their own browser (`sim.play.classroom`).

A facilitator opens a room: one or more groups, each a `Game` of the same scenario, seed and
random world (the class as an ensemble: every group meets the same world, so their outcomes
differ only by their choices), a join code and the facilitator's own key. A student joins
with the code, a group and a role and is given a seat key; the seat is bound to that key
(kept in the browser as a cookie, and shown so a dropped browser can rejoin from anywhere).
Nobody moves for another role, nobody without the code joins.

Turns. A decision belongs to the turn it was made for: one sent for another turn is refused
(`StaleTurn`) and nothing is played. A group's turn resolves when every player who has a
choice to make has chosen, when the facilitator advances it, or when the turn's time budget
runs out after the facilitator started the clock (`tick`); players who have not chosen keep
their course. So a class game needs the facilitator only to open it and start the clock.

All state of a room is guarded by its lock: the server answers each browser in its own
thread. Rooms expire when idle (`Lobby.sweep`); the lobby holds at most `MAX_ROOMS`.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model.action_texts import action_text
from .compare import comparison_parts
from .game import ROLE_TITLES, ROLES, Game, parse_roles
from .screen import moves_of, record_markdown

#: join codes use letters and digits that cannot be confused on a projector
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: the debrief's comparison ensemble
DEBRIEF_RUNS = 1000
#: a room with no request for this long is closed (seconds)
ROOM_IDLE_SECONDS = 3 * 3600
#: rooms open at once, at most
MAX_ROOMS = 40
#: groups of one room, at most
MAX_GROUPS = 8
#: turn lengths a facilitator can choose (days) and time budgets per turn (seconds; 0: none)
TURN_DAYS = {91: "a quarter (13 weeks)", 56: "two months (8 weeks)", 28: "a month (4 weeks)", 14: "two weeks"}
TURN_SECONDS = {90: "90 seconds", 60: "60 seconds", 120: "2 minutes", 180: "3 minutes", 0: "no limit"}


class RoomError(Exception):
    """A request a room refuses (wrong code, taken seat, wrong key, a role not in play)."""


class StaleTurn(RoomError):
    """A decision sent for a turn that is not the current one."""


class TooMany(RoomError):
    """Too many requests or rooms: try again later."""

    def __init__(self, message: str, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimit:
    """At most `limit` events per `window` seconds per key (a sliding window)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self.events: dict[str, deque] = {}
        self.lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> int:
        """Count an event; 0 if it is allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self.lock:
            q = self.events.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(1, int(q[0] + self.window - now) + 1)
            q.append(now)
            if len(self.events) > 10_000:  # forget keys with no recent event
                for k in [k for k, v in self.events.items() if not v or v[-1] <= now - self.window]:
                    del self.events[k]
            return 0

    def blocked(self, key: str, now: float | None = None) -> int:
        """Seconds to wait before the next event is allowed (0: allowed), counting nothing."""
        now = time.monotonic() if now is None else now
        with self.lock:
            q = self.events.get(key)
            while q and q[0] <= now - self.window:
                q.popleft()
            return max(1, int(q[0] + self.window - now) + 1) if q and len(q) >= self.limit else 0


@dataclass
class Group:
    """One group's game: its seats and the choices waiting for the turn to resolve."""

    number: int
    game: Game
    seats: dict[str, str | None] = field(default_factory=dict)       # role -> seat key (None: free)
    pending: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # role -> (choice, memo)
    turn_started: float = 0.0
    debrief: dict | None = None

    def waiting_for(self) -> list[str]:
        """Roles that have a choice to make this turn and have not chosen yet."""
        if self.game.over:
            return []
        return [r for r in self.game.roles if r not in self.pending and self.game.needs_choice(r)]


@dataclass
class Room:
    code: str
    groups: list[Group]
    facilitator_key: str
    show_payoffs: bool = True
    turn_seconds: int = 0
    clock_running: bool = False
    version: int = 0
    last_active: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def game(self) -> Game:
        """The first group's game (a room of one group)."""
        return self.groups[0].game

    def group(self, number: int | str | None) -> Group:
        if number in (None, ""):
            k = 1
        elif isinstance(number, int):
            k = number
        else:  # ASCII digits only: int() also reads other scripts' digits
            k = int(number) if re.fullmatch(r"[0-9]{1,4}", str(number).strip()) else 0
        if not 1 <= k <= len(self.groups):
            raise RoomError(f"group {number!r} is not allowed: a group from 1 to {len(self.groups)}")
        return self.groups[k - 1]

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def _changed(self) -> None:
        self.version += 1
        self.touch()

    # ------------------------------------------------------------------ seats
    def join(self, role: str, key: str | None = None, group: int | str | None = 1) -> str:
        """Take a free seat (a new key) or rejoin one's own (the same key)."""
        with self.lock:
            g = self.group(group)
            if role not in g.seats:
                raise RoomError(f"the role '{role}' is not played by a student in this game "
                                f"(students play: {', '.join(g.seats)})")
            held = g.seats[role]
            if held is None:
                g.seats[role] = secrets.token_urlsafe(12)
                self._changed()
                return g.seats[role]  # type: ignore[return-value]
            if key is not None and secrets.compare_digest(held, key):
                return held
            raise RoomError(f"the seat of {role} in group {g.number} is taken; to rejoin it, give its seat key")

    def seated(self, role: str, key: str | None, group: int | str | None = 1) -> bool:
        held = self.group(group).seats.get(role)
        return held is not None and key is not None and secrets.compare_digest(held, key)

    def is_facilitator(self, key: str | None) -> bool:
        return key is not None and secrets.compare_digest(self.facilitator_key, key)

    # ------------------------------------------------------------------ turns
    def waiting_for(self, group: int | str | None = 1) -> list[str]:
        with self.lock:
            return self.group(group).waiting_for()

    def seconds_left(self, group: int | str | None = 1, now: float | None = None) -> int | None:
        """Seconds left in the group's turn, None while there is no running clock."""
        g = self.group(group)
        if not (self.clock_running and self.turn_seconds > 0) or g.game.over:
            return None
        now = time.monotonic() if now is None else now
        return max(0, int(round(g.turn_started + self.turn_seconds - now)))

    def choose(self, role: str, key: str | None, choice: int | None, memo: str = "", *, turn: int | None,
               group: int | str | None = 1) -> None:
        """A seated player's choice for turn `turn` (None keeps the course); refused unless
        `turn` is the group's current turn. The turn resolves once every player with a choice
        to make has chosen."""
        with self.lock:
            g = self.group(group)
            if not self.seated(role, key, group):
                raise RoomError(f"you do not hold the seat of {role}")
            if g.game.over:
                raise RoomError("the game is over")
            now = g.game.turn_number
            if turn != now:
                asked = "no turn" if turn is None else f"turn {turn}"
                raise StaleTurn(f"This decision was made for {asked}, but the game is at turn {now} "
                                f"({g.game.model.date.isoformat()}) now: it was not played. Read the new situation "
                                "and choose again.")
            if choice is not None and choice not in {o.index for o in g.game.options(role)}:
                raise RoomError(f"that option is not open to {role} now")
            g.pending[role] = (choice, memo[:200])
            self._changed()
            if not g.waiting_for():
                self._resolve(g)

    def advance(self, key: str | None, turns: int = 1, group: int | str | None = None) -> None:
        """The facilitator ends the current turn `turns` times (every group's, or one
        group's): players who have not chosen keep their course."""
        with self.lock:
            if not self.is_facilitator(key):
                raise RoomError("only the facilitator can advance the turn")
            if not 1 <= turns <= 40:
                raise RoomError(f"turns = {turns} is not allowed: 1 to 40")
            groups = self.groups if group in (None, "", "all") else [self.group(group)]
            for _ in range(turns):
                for g in groups:
                    if not g.game.over:
                        self._resolve(g)
            self._changed()

    def set_clock(self, key: str | None, running: bool) -> None:
        """The facilitator starts (every group's turn clock starts afresh) or pauses the clock."""
        with self.lock:
            if not self.is_facilitator(key):
                raise RoomError("only the facilitator can start or pause the clock")
            self.clock_running = running
            now = time.monotonic()
            for g in self.groups:
                g.turn_started = now
            self._changed()

    def tick(self, now: float | None = None) -> bool:
        """Resolve every group whose turn's time budget ran out; True if any did."""
        if not (self.clock_running and self.turn_seconds > 0):
            return False
        now = time.monotonic() if now is None else now
        done = False
        with self.lock:
            for g in self.groups:
                if not g.game.over and now >= g.turn_started + self.turn_seconds:
                    self._resolve(g, now)
                    done = True
            if done:
                self.version += 1
        return done

    def play_on(self, key: str | None) -> None:
        with self.lock:
            if not self.is_facilitator(key):
                raise RoomError("only the facilitator can decide to play on")
            for g in self.groups:
                g.game.play_on()
                g.debrief = None
            self._changed()

    def _resolve(self, g: Group, now: float | None = None) -> None:
        choices = {r: c for r, (c, _memo) in g.pending.items()}
        memos = {r: m for r, (_c, m) in g.pending.items() if m}
        g.pending = {}
        g.game.play_turn(choices, memos)
        g.turn_started = time.monotonic() if now is None else now
        self.version += 1

    @property
    def over(self) -> bool:
        return all(g.game.over for g in self.groups)

    # ------------------------------------------------------------------ the end
    def debrief(self, group: int | str | None = 1) -> dict:
        """A group's debrief (computed once per end): the outcome against the model's
        distribution in the same random world, each role's moves (`compare.comparison_parts`)."""
        with self.lock:
            g = self.group(group)
            if g.debrief is None:
                game = g.game
                moves = {r: moves_of(game, r) for r in game.roles}
                g.debrief = comparison_parts(game.scenario, game.seed, game.run_index, game.model.summary(),
                                             DEBRIEF_RUNS, game.roles, moves, game.overrides)
            return g.debrief

    def debrief_text(self, group: int | str | None = 1) -> str:
        return self.debrief(group)["text"]

    def memos_by_choice(self) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
        """Every memo of every group, by (role, choice): [(group, turn, memo)]."""
        out: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for g in self.groups:
            for t in g.game.turns:
                for role, memo in t.memos.items():
                    out.setdefault((role, t.choices.get(role, "keep")), []).append((g.number, t.number, memo))
        return out

    def choice_label(self, role: str, choice: str) -> str:
        return "kept its course" if choice == "keep" else action_text(ROLES[role], choice).label

    def record(self) -> str:
        with self.lock:
            parts = []
            for g in self.groups:
                text = self.debrief_text(g.number) if g.game.over else "(the game is not over)"
                head = f"# Group {g.number}\n\n" if len(self.groups) > 1 else ""
                parts.append(head + record_markdown(g.game, text, numbers=self.show_payoffs))
            return "\n".join(parts)


class Lobby:
    """Every open room, by join code; rooms expire when idle, and there are at most `max_rooms`."""

    def __init__(self, max_rooms: int = MAX_ROOMS, idle_seconds: float = ROOM_IDLE_SECONDS) -> None:
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()
        self.max_rooms = max_rooms
        self.idle_seconds = idle_seconds

    def open(self, scenario: str, seed: int, roles: str | Sequence[str], *, run_index: int = 0,
             show_payoffs: bool = True, days_per_turn: int = 91, groups: int = 1, turn_seconds: int = 0) -> Room:
        roles = parse_roles(roles)
        if not 1 <= groups <= MAX_GROUPS:
            raise ValueError(f"groups = {groups} is not allowed: 1 to {MAX_GROUPS}")
        self.sweep()
        with self.lock:
            if len(self.rooms) >= self.max_rooms:
                raise TooMany(f"{len(self.rooms)} games are open on this server, the most it holds; an idle game "
                              f"closes after {self.idle_seconds / 3600:g} hours", 300)
        made = [Group(k + 1, Game(roles, scenario, seed, run_index, days_per_turn=days_per_turn),
                      {r: None for r in roles}) for k in range(groups)]
        with self.lock:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            while code in self.rooms:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            room = Room(code, made, secrets.token_urlsafe(16), show_payoffs, int(turn_seconds))
            self.rooms[code] = room
        return room

    def room(self, code: str) -> Room:
        room = self.rooms.get(code.strip().upper())
        if room is None:
            raise RoomError("no game has that join code")
        room.touch()
        return room

    def sweep(self, now: float | None = None) -> list[str]:
        """Close the rooms idle for longer than `idle_seconds`; returns their codes."""
        now = time.monotonic() if now is None else now
        with self.lock:
            gone = [c for c, r in self.rooms.items() if now - r.last_active > self.idle_seconds]
            for c in gone:
                del self.rooms[c]
        return gone

    def tick(self, now: float | None = None) -> None:
        """Resolve the turns whose time ran out, in every room; close idle rooms."""
        for room in list(self.rooms.values()):
            room.tick(now)
        self.sweep(now)


__all__ = ["ROLES", "ROLE_TITLES", "Lobby", "RateLimit", "Room", "RoomError", "StaleTurn", "TooMany"]
