"""Baghdad's factions (F12, F14, F16, F18): blocs in the Council of Representatives with
seats and a position on one issue axis, 0 = US forces stay indefinitely, 1 = full withdrawal
now; Baghdad's collective stance comes from them by a published collective-decision rule
(`behaviour.collective_rule`: `compromise`, the capability-and-salience-weighted mean;
`median`; or `bdm`, `sim/model/bdm.py`).

Each faction states a stance (a point of a five-point grid) at its revision opportunities,
by logit choice over its values: its payoff per week of stating each stance over the weeks
it is expected to stand, plus the switching cost saved by keeping the current one. All
factions decide on last step's world, so their order does not matter; then the collective
stance is formed. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Optional

import numpy as np

from .. import bargaining, draws, payoffs, transitions
from .. import packing as K
from ..compiled import alive, at, kernel, unowned
from ..declare import INF, MISSING, Field, Summary, optional_param, param, setting
from .base import Actor, clock_mass, rang, revised


class FactionStance(IntEnum):
    """Stances a Baghdad faction can state, on the axis 0 = US forces stay
    indefinitely, 1 = full withdrawal now (F14, F16, F18); `POSITION_GRID` gives each its value."""

    STAY_INDEFINITELY = 0
    LEAN_STAY = 1
    UNDECIDED = 2
    LEAN_WITHDRAWAL = 3
    WITHDRAWAL_NOW = 4


#: the value on the issue axis of each `FactionStance`
POSITION_GRID: np.ndarray = np.linspace(0.0, 1.0, len(FactionStance))


@dataclass
class FactionConfig:
    label: str = ""
    active: bool = True
    seats: int = param(MISSING, 0, 3000, "2018 election (see scenario file)", "seats held (at most parliament.total_seats in all)")
    ideal_position: float = param(MISSING, 0.0, 1.0, "F14, F16", "preferred position, 0 = stay, 1 = leave now")
    salience: float = param(MISSING, 0.0, 1.0, "F12, F14, F16", "base salience of the issue")
    tension_sensitivity: float = param(0.0, 0.0, 1.0, "F12", "rise of salience with US-Iran tension")
    security_weight: float = param(0.0, 0.0, 2.0, "F1, F14", "value of US presence against ISIS")
    sanctions_exposure: float = param(0.3, 0.0, 2.0, "F22", "exposure to US sanctions (its seats' share of Baghdad's cost per week per unit of magnitude)")
    linkage_weight: float = param(0.2, 0.0, 2.0, "F17", "stake in the rest of the US relationship (its seats' share of Baghdad's cost per week of linked support at risk)")
    iran_alignment: float = param(0.0, 0.0, 2.0, "F16", "responsiveness to Tehran's pressure")
    street_responsiveness: float = param(0.0, 0.0, 2.0, "F18", "responsiveness to street mobilisation")
    mobilising_power: float = param(0.0, 0.0, 1.0, "F16, F18", "ability to bring crowds to the street")
    can_boycott: bool = setting(False, "stays away from votes it opposes", "F12, F14")
    rationality: Optional[float] = optional_param(0.0, INF, "McKelvey & Palfrey (1995); assumption", "the faction's logit rationality; null = behaviour.rationality")


def nearest_stance(position: np.ndarray) -> np.ndarray:
    """The index of the stance of `POSITION_GRID` nearest to each position."""
    return np.abs(np.asarray(position)[..., None] - POSITION_GRID).argmin(axis=-1).astype(np.int8)


def _salience(p: Any, runs: int, so_far: dict) -> np.ndarray:
    fa = p.factions
    return np.broadcast_to(transitions.salience_now(fa.salience, fa.tension_sensitivity, so_far["tension"][:, None]),
                           (runs, fa.size)).copy()


def _stance(p: Any, runs: int, so_far: dict) -> np.ndarray:
    fa = p.factions
    return np.broadcast_to(nearest_stance(np.asarray(fa.ideal_position, dtype=np.float64)), (runs, fa.size)).copy()


def _position(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return POSITION_GRID[so_far["stance"]]


def _collective(p: Any, runs: int, so_far: dict) -> np.ndarray:
    """The collective stance before the first step, by the configured rule in its configured
    reading (the replication reading of bdm started from the text reading's stance before)."""
    return np.full(runs, bargaining.collective_position(p.behaviour.collective_rule, p.factions.seats,
                                                        so_far["position"], so_far["salience"],
                                                        getattr(p.behaviour, "bdm_reading", "text")), dtype=np.float64)


FIELDS: tuple[Field, ...] = (
    Field("stance", np.int8, _stance, "each faction's stated stance (FactionStance), per run and faction",
          per_faction=True),
    Field("position", np.float64, _position, "each faction's stated position on the axis (F14, F16)", per_faction=True),
    Field("salience", np.float64, _salience, "each faction's salience, rising with tension (F12)", per_faction=True),
    Field("collective_stance", np.float64, _collective, "Baghdad's collective stance by the configured rule", trajectory=True),
    # the strike and the resolution call for a response at once (F12)
    Field("trigger_factions", np.bool_, True, "a trigger event waits for the factions' next decision"),
    Field("factions_posture_changes", np.int64, 0, "how often a faction changed its stance",
          summary=Summary("factions_posture_changes")),
)


@kernel(inline=True)
def values_of(pr: np.ndarray, fr: np.ndarray, j: int, salience: float, stance: int, isis: float, troops: float,
              tehran_pressure: float, mobilisation: float, out: np.ndarray) -> None:
    """Faction j's value of each stance x of `POSITION_GRID` (F1, F12, F14, F16, F18): its
    payoff per week over the weeks a stance stands, plus the switching cost saved by keeping
    its current one. The payoff per week is

      - salience_j |x - ideal_j|                        distance from its own position (F12, F14, F16)
      - security_j  * ISIS threat * presence * x        security lost if US forces leave (F1, F14)
      + alignment_j * Tehran's pressure * x             alignment with Tehran (F16)
      + street_j    * mobilisation * x                  pull of the street (F18)

    The security term reads presence: with no US troops left there is no security to lose
    by asking for their departure."""
    presence = transitions.presence_of(troops, pr[K.W_INITIAL_TROOPS])
    payoffs.stance_payoffs_of(POSITION_GRID, fr[K.F_IDEAL_POSITION, j], salience, fr[K.F_SECURITY_WEIGHT, j],
                              fr[K.F_IRAN_ALIGNMENT, j], fr[K.F_STREET_RESPONSIVENESS, j], isis, presence,
                              tehran_pressure, mobilisation, out)
    for k in range(out.shape[0]):
        out[k] = out[k] * pr[K.FACTIONS_WEEKS] + pr[K.B_FACTION_SWITCHING_COST] * (1.0 if k == stance else 0.0)


@kernel
def rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, first: int, last: int,
         pids: np.ndarray, record: bool, revise: np.ndarray, values: np.ndarray, tension: np.ndarray,
         isis_threat: np.ndarray, troops: np.ndarray, tehran_pressure: np.ndarray, mobilisation: np.ndarray,
         stance: np.ndarray, position: np.ndarray, salience: np.ndarray, trigger_factions: np.ndarray,
         factions_posture_changes: np.ndarray) -> None:
    """The factions first..last-1 of the runs lo..hi-1 update their salience (F12) and, at a
    revision, state a position (`pids`: every faction's purpose ids, (F, 3)); `revise` and, if
    `record`, `values` get the last one's. Block by block of runs, faction by faction: each
    run's faction decides on last step's world and its own numbers only, so the order of
    runs and factions changes nothing (`opportunity` for one run, spelled out)."""
    k = POSITION_GRID.shape[0]
    own_probs, own_u, own_every = np.empty(k), np.empty(k), np.ones(k, dtype=np.bool_)
    own_clock, own_which = np.empty(draws.BLOCK), np.empty(draws.BLOCK, dtype=np.int64)
    probs, u, every = unowned(own_probs), unowned(own_u), unowned(own_every)  # no reference counting per run
    clock, which = unowned(own_clock), unowned(own_which)
    for b0 in range(lo, hi, draws.BLOCK):
        nb = min(draws.BLOCK, hi - b0)
        for j in range(first, last):
            # a block of runs at once: the clock's draws (a loop that vectorises), each run's salience
            # and whether it may revise, and the list of those that may (no branch); then those runs
            draws.uniform_block(keys, b0, nb, pids[j, 0], clock)
            n = 0
            for i in range(b0, b0 + nb):
                pr, fr = at(par, i), at(fac, i)
                salience[i, j] = transitions.salience_of(fr[K.F_SALIENCE, j], fr[K.F_TENSION_SENSITIVITY, j],
                                                         tension[i])
                may = trigger_factions[i] or rang(clock[i - b0], pr[K.FACTIONS_RING])
                revise[i] = may
                which[n] = i
                n += 1 if may else 0
            for m in range(n):
                i = which[m]
                pr, fr, key = at(par, i), at(fac, i), keys[i]
                triggered = trigger_factions[i]
                mass = clock_mass(pr[K.B_FACTION_REVISION_RATE], pr[K.STEP_DAYS])
                values_of(pr, fr, j, salience[i, j], stance[i, j], isis_threat[i], troops[i], tehran_pressure[i],
                          mobilisation[i], u)
                chosen = revised(u, every, fr[K.F_LAM, j], stance[i, j], mass, pr[K.FACTIONS_RING], triggered, key,
                                 pids[j, 1], pids[j, 2], -1, False, probs)
                if record:
                    values[i, :] = u
                if chosen != stance[i, j]:
                    factions_posture_changes[i] += 1
                stance[i, j] = chosen
                position[i, j] = POSITION_GRID[chosen]
    alive(own_probs)
    alive(own_u)
    alive(own_every)
    alive(own_clock)
    alive(own_which)


@kernel
def collective_rows(lo: int, hi: int, rule: int, fac: np.ndarray, position: np.ndarray, salience: np.ndarray,
                    collective_stance: np.ndarray, trigger_factions: np.ndarray) -> None:
    """Baghdad's collective stance by the rule of code `rule` (`bargaining.rule_code`: every
    rule is compiled, bdm in both its readings) over seats, positions and saliences, for the
    runs lo..hi-1; every faction has now answered the trigger events it had."""
    own = np.empty(bargaining.scratch_size(rule, position.shape[1]))
    scratch = unowned(own)
    for i in range(lo, hi):
        fr = at(fac, i)
        collective_stance[i] = bargaining.collective_of(rule, fr[K.F_SEATS], unowned(position)[i],
                                                        unowned(salience)[i], scratch)
        trigger_factions[i] = False
    alive(own)


def purpose_ids(names: tuple[str, ...]) -> np.ndarray:
    """Every faction's purpose ids of its revision clock, change and choice draws, (F, 3)."""
    from .base import purpose_ids as actor_ids

    return np.array([actor_ids(f"faction.{name}") for name in names], dtype=np.uint64).reshape(-1, 3)


ACTOR = Actor(
    "factions", "tehran", "Baghdad's factions", FactionStance, "F12, F14, F16, F17, F18, F22", FIELDS,  rows=rows, then=collective_rows, posture_field=None,
    clock="behaviour.faction_revision_rate",
)


@kernel
def values_rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, j: int, salience: np.ndarray, stance: np.ndarray,
                isis_threat: np.ndarray, troops: np.ndarray, tehran_pressure: np.ndarray, mobilisation: np.ndarray,
                out: np.ndarray) -> None:
    """Faction j's values (`values_of`) in the runs lo..hi-1, into out (R, K)."""
    for i in range(lo, hi):
        values_of(at(par, i), at(fac, i), j, salience[i, j], stance[i, j], isis_threat[i], troops[i],
                  tehran_pressure[i], mobilisation[i], out[i])
