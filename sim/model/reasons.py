"""Why an actor moved: a move's value split into its named terms, in weeks of payoff.

The terms are the very parts the actor's value is the sum of (each actor's `view` writes
them and adds them up, `actors.base.totals`), so they add up to the value it chose by. The
story of a run (`sim.abm.story`) compares an actor's new course with its old one term by
term and names the largest differences ("because ..."). Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import numpy as np

from .actors import ACTORS
from .params import ModelParams
from .state import State
from .views import terms as view_terms

#: the actors whose moves a story explains: those whose values have named terms
EXPLAINED: frozenset[str] = frozenset(name for name, a in ACTORS.items() if a.terms)
#: the term every posture carries for the switching cost it saves by standing
KEEPING = "keeping its course"


def action_terms(actor: str, s: State, p: ModelParams, step: int, action: int) -> dict[str, float]:
    """Run 0's terms of `action` (those that are not zero), by name."""
    row = view_terms(actor, s, p, step)[0, action]
    return {name: float(v) for name, v in zip(ACTORS[actor].terms, row) if v != 0.0}


def change_terms(actor: str, s: State, p: ModelParams, step: int, new: int, old: int) -> dict[str, float]:
    """Run 0's terms of `new` less those of `old`: why it preferred its new course. Courses
    valued by different sums (a posture before a request against one after it) are compared
    whole: the new course's value and minus the old one's."""
    table = view_terms(actor, s, p, step)[0]
    names = ACTORS[actor].terms
    a = {k: float(v) for k, v in zip(names, table[new]) if v != 0.0}
    b = {k: float(v) for k, v in zip(names, table[old]) if v != 0.0} if old >= 0 else {}
    own_a, own_b = set(a) - {KEEPING}, set(b) - {KEEPING}
    if own_a and own_b and own_a != own_b:
        action_names = ACTORS[actor].action_names
        return {f"the value of {action_names[new].replace('_', ' ')}": float(np.sum(table[new])),
                f"the value of {action_names[old].replace('_', ' ')} (given up)": -float(np.sum(table[old]))}
    return {k: a.get(k, 0.0) - b.get(k, 0.0) for k in dict.fromkeys([*a, *b])}
