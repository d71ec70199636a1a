"""The actors of the negotiation, one module each (`base.Actor` says what a module declares).

To add an actor, write its module beside these and add it to the line below; the state, the
parameters, the compiled step, the Mesa agents, role play, stories and sweeps read this
registry (docs/architecture.md, "Recipes").
"""

from __future__ import annotations

from . import factions, government, tehran, washington
from .base import Actor

#: the actors in the order their fields are declared and their stages listed
ACTORS: dict[str, Actor] = {m.ACTOR.name: m.ACTOR for m in (factions, government, washington, tehran)}
#: the actors a player can take on, by role name (`python -m sim.play --as ROLE`)
ROLES: dict[str, Actor] = {a.role: a for a in ACTORS.values() if a.role is not None}

__all__ = ["ACTORS", "ROLES", "Actor"]
