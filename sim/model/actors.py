"""The actor registry: one record per actor of the negotiation.

Each `Actor` says what the actor can do (its action set, an `IntEnum`), what it sees (a
pure function of the state giving its payoffs and open actions), which stage of
`stages.STAGES` is its decision, which `State` fields hold its last action and a player's
imposed one (role play), and the role name a player picks it by. The Mesa agents, the role
play (`sim.play`) and the browser app read actors from here; nothing else lists them.
Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Callable

import numpy as np

from . import views
from .actions import FactionStance, GovernmentAction, TehranAction, WashingtonAction, names
from .params import ModelParams
from .stages import STAGE_BY_NAME, Stage
from .state import State

View = Callable[[State, ModelParams, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Actor:
    name: str                     # registry key, also the stage's `actor`
    title: str                    # how texts name it
    actions: type[IntEnum]        # what it can do; codes index its payoff columns
    view: View                    # (state, params, step) -> (values, open actions)
    stage: str                    # the stage in which it decides
    facts: str                    # the facts its behaviour comes from
    action_field: str | None = None   # State field with its last action (-1: none yet)
    forced_field: str | None = None   # State field a player's choice is written to (-1: none this step)
    human_field: str | None = None    # State field that marks the actor a player's (the model never moves it)
    role: str | None = None           # the name a player picks it by (None: not playable)
    brief: str = ""                   # what a player of this actor reads first (role play, handouts)

    @property
    def action_names(self) -> tuple[str, ...]:
        return names(self.actions)

    @property
    def decision_stage(self) -> Stage:
        return STAGE_BY_NAME[self.stage]

    def action_name(self, code: int) -> str | None:
        """The printed name of an action code, None for -1 (no action)."""
        return self.action_names[code] if code >= 0 else None


ACTORS: dict[str, Actor] = {
    a.name: a
    for a in (
        Actor("factions", "Baghdad's factions", FactionStance, views.factions_view, "factions",
              "F12, F14, F16, F17, F18, F22"),
        Actor("government", "the Iraqi prime minister", GovernmentAction, views.government_view, "government",
              "F4, F5, F10, F11, F13, F15", action_field="government_action",
              forced_field="forced_government_action",
              human_field="human_government", role="pm",
              brief=("You are Iraq's prime minister. Parliament has asked you to expel US troops (F12), but only a "
                    "formal request under the 2014 notes starts the one-year clock (F4, F10). Washington threatens "
                    "'very big sanctions' (F22) and links everything to the whole relationship (F17); the Kurdish and "
                    "Sunni blocs want the troops to stay (F14); Tehran's allies press you (F16). Your moves: wait, ask "
                    "Washington for talks on a drawdown (F5), make the formal request, take it back, accept an offer.")),
        Actor("washington", "Washington", WashingtonAction, views.washington_view, "washington",
              "F4, F7, F17, F19, F20, F21, F22, F23", action_field="washington_action",
              forced_field="forced_washington_action",
              human_field="human_washington", role="washington",
              brief=("You are the US administration. Your 5,000 troops fight IS (F1, F3) and hold back Iran "
                    "(F7, F24). Before a formal request you reassure, threaten sanctions (F22) or link issues "
                    "(F17), and you may offer a drawdown (F19); after one you withdraw on schedule, negotiate a "
                    "retraction or stay past the year, which the article calls an occupation (F4, F11, F21), "
                    "and you decide whether to impose your sanctions (F22, F23).")),
        Actor("tehran", "Tehran", TehranAction, views.tehran_view, "tehran",
              "F7, F12, F16, F23, F24", action_field="tehran_action",
              forced_field="forced_tehran_action",
              human_field="human_tehran", role="tehran",
              brief=("You are the Iranian leadership. The strike that killed Soleimani (F12) gives you a cause: you "
                    "restrain your allies, press them in parliament (F16) or escalate through proxies against US "
                    "forces (F12). US departure and Iranian influence are your aims (F7, F24); escalation risks a "
                    "US response.")),
    )
}
#: the actors a player can take on, by role name (`python -m sim.play --as ROLE`)
ROLES: dict[str, Actor] = {a.role: a for a in ACTORS.values() if a.role is not None}


def actor_options(s: State, p: ModelParams, actor: str, week: int) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(action names, payoffs (R, A), open (R, A)) of a playable actor in the current state:
    what a player of that actor chooses between."""
    if actor not in ACTORS or ACTORS[actor].role is None:
        raise ValueError(f"actor {actor!r} is not one of {', '.join(a.name for a in ROLES.values())}")
    a = ACTORS[actor]
    u, avail = a.view(s, p, week)
    return a.action_names, u, avail
