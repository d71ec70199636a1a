"""What each actor sees, for the layers that show it: the value of each of its actions,
which are open, and the named terms each value is the sum of, in the current state.

These are the very kernels the actors decide by, applied to every run without deciding
(`assemble`: each deciding actor's `weigh`, and the factions' `values_of`): the role play,
the browser app, the story's "why" and the tests read the same numbers the model chooses
from. Values are in weeks of payoff (`valuation`). Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import numpy as np

from . import outlook, packing
from .actors import ACTORS
from .actors import factions as factions_actor
from .params import ModelParams
from .stages import ASSEMBLED
from .state import State


def _views(actor: str, s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    spec = ACTORS[actor]
    if not spec.decides_alone:
        raise ValueError(f"actor {actor!r} has members that decide apart: use faction_values")
    n, t = len(spec.actions), max(len(spec.terms), 1)
    values, available, terms = np.zeros((s.runs, n)), np.zeros((s.runs, n), dtype=np.bool_), np.zeros((s.runs, n, t))
    par, fac = packing.packed(p)
    kernel = getattr(ASSEMBLED, f"{actor}_view_rows")
    context = {"lo": 0, "hi": s.runs, "par": par, "fac": fac, "day": p.day(step), "values": values,
               "available": available, "terms_out": terms}
    from .assemble import parameters

    kernel(*[context[name] if name in context else getattr(s, name) for name in parameters(kernel)])
    return values, available, terms


def warm(s: State, p: ModelParams) -> None:
    """Loads every view kernel now (from numba's cache: some 15 ms each, once per process), so
    that a recording model (the app, the role play, a story) does not pause at the first
    decision it explains."""
    for name, spec in ACTORS.items():
        if spec.decides_alone:
            _views(name, s, p, 0)


def view(actor: str, s: State, p: ModelParams, step: int) -> tuple[np.ndarray, np.ndarray]:
    """An actor's values (R, A) of its actions and which are open (R, A), at the end of step
    `step` (the day its values read); the factions: every faction's (R, F, K), all open."""
    if actor == "factions":
        u = np.stack([faction_values(s, p, j) for j in range(p.factions.size)], axis=1)
        return u, np.ones(u.shape, dtype=bool)
    values, available, _ = _views(actor, s, p, step)
    return values, available


def terms(actor: str, s: State, p: ModelParams, step: int) -> np.ndarray:
    """An actor's values split into their named terms, (R, A, T) over `ACTORS[actor].terms`:
    each value is the sum of its row, first to last (`actors.base.totals`)."""
    return _views(actor, s, p, step)[2]


def faction_values(s: State, p: ModelParams, j: int) -> np.ndarray:
    """Faction j's value (R, K) of each stance of `POSITION_GRID` (`actors.factions.values_of`)."""
    par, fac = packing.packed(p)
    out = np.zeros((s.runs, factions_actor.POSITION_GRID.size))
    factions_actor.values_rows(0, s.runs, par, fac, j, s.salience, s.stance, s.isis_threat, s.troops,
                               s.tehran_pressure, s.mobilisation, out)
    return out


def rationality(actor: str, p: ModelParams) -> np.ndarray:
    """An actor's logit rationality per run (its own, else `behaviour.rationality`)."""
    par, _ = packing.packed(p)
    return par[:, packing.COLUMNS[f"LAM_{actor.upper()}"]]


def pm_capacity(s: State, p: ModelParams) -> tuple[np.ndarray, np.ndarray]:
    """The PM's capacity to act per run (`outlook.pm_rate_of`): the share of its chances to
    act it takes (F13, F14, F15) and how often per day it reconsiders its course."""
    par, _ = packing.packed(p)
    share, rate = np.zeros(s.runs), np.zeros(s.runs)
    outlook.pm_rate_rows(0, s.runs, par, s.caretaker, s.pm_majority, s.protests, share, rate)
    return share, rate


def outlook_now(s: State, p: ModelParams, step: int) -> dict[str, np.ndarray]:
    """What the PM and Washington both read before deciding, per run (`outlook.outlook_of`,
    its `OUTLOOK` fields by name: Washington's stake, its courses after a request and the day
    it would leave, its loss if a request came now, the PM's value of a request and its
    hazard, the drawdown both would agree)."""
    par, _ = packing.packed(p)
    _, rate = pm_capacity(s, p)
    out = np.zeros((s.runs, len(outlook.OUTLOOK)))
    outlook.outlook_rows(0, s.runs, par, p.day(step), rate, s.pm_position, s.collective_stance, s.troops, s.troop_target,
                         s.isis_threat, s.iran_influence, s.tension, s.request_state, s.request_day, s.us_withdrawing,
                         s.outcome, s.credibility_belief, s.linkage_level, s.mandate, out)
    return {name: out[:, k] for k, name in enumerate(outlook.OUTLOOK)}
