"""Games several students play together, each from their own browser (`sim.play.classroom`).

A facilitator opens a room: a `Game` (scenario, seed, the roles students play), a join code
and the facilitator's own key. A student joins with the code and a role and is given a
seat key; the seat is bound to that key (kept in the browser as a cookie, and shown so a
dropped browser can rejoin from anywhere). Nobody moves for another role, nobody without
the code joins. A turn resolves when every player who has a choice to make has chosen, or
when the facilitator advances it; players who have not chosen keep their course. All
state of a room is guarded by its lock: the server answers each browser in its own thread.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from .compare import comparison
from .game import ROLES, Game, parse_roles
from .screen import moves_of, record_markdown

#: join codes use letters and digits that cannot be confused on a projector
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: the debrief's comparison ensemble
DEBRIEF_RUNS = 1000


class RoomError(Exception):
    """A request a room refuses (wrong code, taken seat, wrong key, a role not in play)."""


@dataclass
class Room:
    code: str
    game: Game
    facilitator_key: str
    show_payoffs: bool = True
    seats: dict[str, str | None] = field(default_factory=dict)      # role -> seat key (None: free)
    pending: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # role -> (choice, memo)
    debrief: str | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ seats
    def join(self, role: str, key: str | None = None) -> str:
        """Take a free seat (a new key) or rejoin one's own (the same key)."""
        with self.lock:
            if role not in self.seats:
                raise RoomError(f"the role '{role}' is not played by a student in this game "
                                f"(students play: {', '.join(self.seats)})")
            held = self.seats[role]
            if held is None:
                self.seats[role] = secrets.token_urlsafe(12)
                return self.seats[role]  # type: ignore[return-value]
            if key is not None and secrets.compare_digest(held, key):
                return held
            raise RoomError(f"the seat of {role} is taken; to rejoin it, give its seat key")

    def seated(self, role: str, key: str | None) -> bool:
        held = self.seats.get(role)
        return held is not None and key is not None and secrets.compare_digest(held, key)

    def is_facilitator(self, key: str | None) -> bool:
        return key is not None and secrets.compare_digest(self.facilitator_key, key)

    # ------------------------------------------------------------------ turns
    def waiting_for(self) -> list[str]:
        """Roles that have a choice to make this turn and have not chosen yet."""
        with self.lock:
            if self.game.over:
                return []
            return [r for r in self.game.roles if r not in self.pending and self.game.needs_choice(r)]

    def choose(self, role: str, key: str | None, choice: int | None, memo: str = "") -> None:
        """A seated player's choice for this turn (None keeps the course); the turn resolves
        once every player with a choice to make has chosen."""
        with self.lock:
            if not self.seated(role, key):
                raise RoomError(f"you do not hold the seat of {role}")
            if self.game.over:
                raise RoomError("the game is over")
            if choice is not None and choice not in {o.index for o in self.game.options(role)}:
                raise RoomError(f"that option is not open to {role} now")
            self.pending[role] = (choice, memo[:200])
            if not self.waiting_for():
                self._resolve()

    def advance(self, key: str | None) -> None:
        """The facilitator ends the turn: players who have not chosen keep their course."""
        with self.lock:
            if not self.is_facilitator(key):
                raise RoomError("only the facilitator can advance the turn")
            if not self.game.over:
                self._resolve()

    def play_on(self, key: str | None) -> None:
        with self.lock:
            if not self.is_facilitator(key):
                raise RoomError("only the facilitator can decide to play on")
            self.game.play_on()
            self.debrief = None

    def _resolve(self) -> None:
        choices = {r: c for r, (c, _memo) in self.pending.items()}
        memos = {r: m for r, (_c, m) in self.pending.items() if m}
        self.pending = {}
        self.game.play_turn(choices, memos)

    # ------------------------------------------------------------------ the end
    def debrief_text(self) -> str:
        """The debrief (computed once per end): the class's path against the model's
        distribution in the same random world, and each role's own moves."""
        with self.lock:
            if self.debrief is None:
                g = self.game
                moves = {r: moves_of(g, r) for r in g.roles}
                self.debrief = comparison(g.scenario, g.seed, g.run_index, g.model.summary(), DEBRIEF_RUNS,
                                          g.roles, moves, g.overrides)
            return self.debrief

    def record(self) -> str:
        with self.lock:
            return record_markdown(self.game, self.debrief_text() if self.game.over else "(the game is not over)")


class Lobby:
    """Every open room, by join code."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()

    def open(self, scenario: str, seed: int, roles: str | Sequence[str], *, run_index: int = 0,
             show_payoffs: bool = True, days_per_turn: int = 28) -> Room:
        roles = parse_roles(roles)
        game = Game(roles, scenario, seed, run_index, days_per_turn=days_per_turn)
        with self.lock:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            while code in self.rooms:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            room = Room(code, game, secrets.token_urlsafe(16), show_payoffs, {r: None for r in roles})
            self.rooms[code] = room
        return room

    def room(self, code: str) -> Room:
        room = self.rooms.get(code.strip().upper())
        if room is None:
            raise RoomError("no game has that join code")
        return room


__all__ = ["ROLES", "Lobby", "Room", "RoomError"]
