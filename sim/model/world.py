"""The world: US troops, Iranian influence, the ISIS threat, US-Iran tension, the street and
the protests (F1, F3, F7, F12, F14, F18, F24), its coefficients, and the two stages that run
on their own: `world` (the step's drift and noise, and the signals the standing postures keep
up or let fade) and `consequences` (troops move, influence responds, the clock is read).
Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from . import draws, outcomes, transitions
from . import packing as K
from .actors.tehran import TehranAction
from .actors.washington import WashingtonAction
from .compiled import alive, at, kernel, unowned
from .declare import Events, Field, Summary, param, per_day
from .outcomes import Outcome, RequestState
from .valuation import ou_value


@dataclass
class WorldConfig:
    PREFIX: ClassVar[str] = "W"
    initial_troops: float = param(5000.0, 0.0, 200000.0, "F3", "US troops in Iraq in January 2020 (about 5,000); a case: the patron's force at the start (domain: up to 200,000, above the largest US deployment since 1990, about 170,000 in Iraq in 2007)")
    initial_iran_influence: float = param(0.5, 0.0, 1.0, "F7, F24; assumption", "Iranian influence in Iraq at the start")
    initial_isis_threat: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "ISIS threat at the start")
    initial_tension: float = param(0.9, 0.0, 1.0, "F12; assumption", "US-Iran tension right after the Soleimani strike")
    initial_mobilisation: float = param(0.6, 0.0, 1.0, "F18; assumption", "street mobilisation for withdrawal at the start")
    initial_protests: float = param(0.7, 0.0, 1.0, "F14; assumption", "anti-corruption protests at the start")
    isis_mean: float = param(0.3, 0.0, 1.0, "F1, F20; assumption", "long-run ISIS threat with full US presence")
    isis_reversion: float = param(per_day(0.05), 0.0, 1.0, "assumption", "reversion rate of the ISIS threat per day (half-life about 3 months)")
    isis_volatility: float = param(0.0116, 0.0, 0.2, "assumption", "noise of the ISIS threat per square root of a day (stationary s.d. about 0.1)")
    isis_presence_effect: float = param(0.3, 0.0, 1.0, "F1, F8, F20; assumption", "rise of the threat's long-run level if US forces leave")
    tension_baseline: float = param(0.3, 0.0, 1.0, "assumption", "level tension decays to")
    tension_decay: float = param(per_day(0.05), 0.0, 1.0, "F12; assumption", "decay rate of tension per day (half-life about 3 months)")
    mobilisation_rate: float = param(per_day(0.15), 0.0, 1.0, "F18; assumption", "adjustment rate of street mobilisation per day")
    mobilisation_tension_weight: float = param(0.5, 0.0, 2.0, "F12, F18; assumption", "how much tension fills the street")
    mobilisation_sanctions_anger: float = param(0.3, 0.0, 1.0, "F22, F23; assumption", "street anger at imposed sanctions")
    mobilisation_threat_anger: float = param(0.1, 0.0, 1.0, "F19; assumption", "street anger at a public sanctions threat ('knee-jerk reactions')")
    mobilisation_volatility: float = param(0.0082, 0.0, 0.2, "assumption", "noise of mobilisation per square root of a day")
    protest_decay: float = param(per_day(0.02), 0.0, 1.0, "F14; assumption", "decay rate of the protest wave per day")
    protest_floor: float = param(0.2, 0.0, 1.0, "F14; assumption", "level the protest wave decays to")
    protest_volatility: float = param(0.0114, 0.0, 0.2, "F14; assumption", "noise of protests per square root of a day")
    influence_rate: float = param(per_day(0.05), 0.0, 1.0, "assumption", "adjustment rate of Iranian influence per day")
    influence_vacuum_weight: float = param(0.35, 0.0, 1.0, "F7, F24", "rise of influence's level if US forces leave")
    influence_sanctions_weight: float = param(0.15, 0.0, 1.0, "F23", "rise of influence's level under US sanctions")
    influence_pressure_weight: float = param(0.05, 0.0, 1.0, "F16; assumption", "rise of influence's level under Tehran's pressure")


def _full(section: str, name: str) -> Any:
    return lambda p, runs, so_far: np.full(runs, getattr(getattr(p, section), name), dtype=np.float64)


FIELDS: tuple[Field, ...] = (
    Field("troops", np.float64, _full("world", "initial_troops"), "US troops in Iraq (F3)",
          summary=Summary("final_troops", digits=6), trajectory=True),
    Field("troop_target", np.float64, _full("world", "initial_troops"),
          "the troops agreed drawdowns or a withdrawal head for (F4, F5, F19)", trajectory=True),
    Field("iran_influence", np.float64, _full("world", "initial_iran_influence"), "Iranian influence in Iraq, 0-1 (F7, F23, F24)",
          summary=Summary("final_iran_influence", digits=6), trajectory=True),
    Field("isis_threat", np.float64, _full("world", "initial_isis_threat"), "the ISIS threat, 0-1 (F1, F20)", trajectory=True),
    Field("tension", np.float64, _full("world", "initial_tension"), "US-Iran tension, 0-1; the strike is the first shock (F12)", trajectory=True),
    Field("mobilisation", np.float64, _full("world", "initial_mobilisation"), "street mobilisation for withdrawal (F18)", trajectory=True),
    Field("protests", np.float64, _full("world", "initial_protests"), "the anti-corruption protests (F14)", trajectory=True),
)


# ---------------------------------------------------------------- the stage `world`
_PID_ISIS, _PID_PROTESTS, _PID_MOBILISATION = (draws.purpose_key(f"world.{x}")
                                               for x in ("isis", "protests", "mobilisation"))
#: the world stage reports nothing
WORLD_EVENTS = Events(())


@kernel
def world_rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray,
               troops: np.ndarray, isis_threat: np.ndarray, tension: np.ndarray, protests: np.ndarray,
               mobilisation: np.ndarray, threat_level: np.ndarray, linkage_level: np.ndarray,
               tehran_pressure: np.ndarray, mandate: np.ndarray, position: np.ndarray, salience: np.ndarray,
               tehran_action: np.ndarray, washington_posture: np.ndarray, sanctions_imposed: np.ndarray) -> None:
    """What runs on its own over the step, for the runs lo..hi-1: ISIS threat (F1, F20),
    tension after the strike with Tehran's escalation and Washington's reassurance as they
    stand (F12, F19), protests (F14), street mobilisation (F18, F19), and the signals the
    standing postures keep up or let fade: the sanctions threat (F22), linkage (F17),
    Tehran's pressure (F16) and parliament's mandate (F12)."""
    own, own_z, own_y = np.empty(position.shape[1]), np.empty((3, draws.BLOCK)), np.empty(draws.BLOCK)
    scratch, z, ys = unowned(own), unowned(own_z), unowned(own_y)
    for b0 in range(lo, hi, draws.BLOCK):  # a block's normal numbers first (they vectorise), then its runs
        nb = min(draws.BLOCK, hi - b0)
        draws.normal_block(keys, b0, nb, _PID_ISIS, ys, z[0])
        draws.normal_block(keys, b0, nb, _PID_PROTESTS, ys, z[1])
        draws.normal_block(keys, b0, nb, _PID_MOBILISATION, ys, z[2])
        for i in range(b0, b0 + nb):
            pr, fr = at(par, i), at(fac, i)
            dt = pr[K.STEP_DAYS]
            presence = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS])
            isis_threat[i] = transitions.isis_next(isis_threat[i], presence, z[0, i - b0],
                                                   pr[K.W_ISIS_MEAN], pr[K.W_ISIS_PRESENCE_EFFECT], pr[K.ISIS_MOVED],
                                                   pr[K.ISIS_SPREAD])
            escalating = (tehran_action[i] == TehranAction.ESCALATE) and (troops[i] > 0)
            tension[i] = transitions.tension_next(tension[i], escalating,
                                                  washington_posture[i] == WashingtonAction.REASSURE, dt,
                                                  pr[K.W_TENSION_BASELINE], pr[K.W_TENSION_DECAY],
                                                  pr[K.TE_ESCALATION_RATE], pr[K.WA_REASSURE_RATE])
            protests[i] = ou_value(protests[i], pr[K.W_PROTEST_FLOOR], pr[K.PROTESTS_MOVED], pr[K.PROTESTS_SPREAD],
                                   z[1, i - b0])
            call = transitions.street_call_of(fr[K.F_MOBILISING_POWER], unowned(position)[i], unowned(salience)[i],
                                              scratch)
            mobilisation[i] = transitions.mobilisation_next(
                mobilisation[i], tension[i], call, sanctions_imposed[i], threat_level[i],
                z[2, i - b0], pr[K.W_MOBILISATION_TENSION_WEIGHT],
                pr[K.W_MOBILISATION_SANCTIONS_ANGER], pr[K.W_MOBILISATION_THREAT_ANGER], pr[K.MOBILISATION_MOVED],
                pr[K.MOBILISATION_SPREAD])
            threatening = (washington_posture[i] == WashingtonAction.THREATEN_SANCTIONS) and (troops[i] > 0)
            threat_level[i] = transitions.faded(threat_level[i], threatening, pr[K.SIGNAL_STEP_KEPT])
            linkage_level[i] = transitions.faded(linkage_level[i],
                                                 washington_posture[i] == WashingtonAction.LINK_ISSUES,
                                                 pr[K.SIGNAL_STEP_KEPT])
            tehran_pressure[i] = transitions.faded(tehran_pressure[i], tehran_action[i] == TehranAction.PRESS_FACTIONS,
                                                   pr[K.PRESSURE_STEP_KEPT])
            mandate[i] = transitions.faded(mandate[i], False, pr[K.MANDATE_STEP_KEPT])
    alive(own)
    alive(own_z)
    alive(own_y)


# ---------------------------------------------------------------- the stage `consequences`
CONSEQUENCES_EVENTS = Events(("troops_gone", "deadline_passed"), data=("troops",),
                             carries=(("deadline_passed", (("troops", "troops"),)),))
_TROOPS_GONE, _DEADLINE_PASSED = CONSEQUENCES_EVENTS.flag("troops_gone"), CONSEQUENCES_EVENTS.flag("deadline_passed")
_TROOPS = CONSEQUENCES_EVENTS.column("troops")
CONSEQUENCES_TEXTS = {
    "troops_gone": "The last US troops leave Iraq [F4, F9].",
    "deadline_passed": "The year after the formal request runs out with about {troops:,.0f} US troops still in Iraq: in the article's terms, an occupation [F4, F11].",
}


@kernel
def consequences_rows(lo: int, hi: int, par: np.ndarray, day: int, troops: np.ndarray, troop_target: np.ndarray,
                      withdrawal_complete_day: np.ndarray, request_state: np.ndarray, iran_influence: np.ndarray,
                      sanctions_imposed: np.ndarray, tehran_pressure: np.ndarray, outcome: np.ndarray,
                      deadline_day: np.ndarray, trigger_tehran: np.ndarray, flags: np.ndarray,
                      data: np.ndarray) -> None:
    """Troops move at the withdrawal's pace (F4, F9), Iranian influence responds (F7, F23,
    F24), the clock is read (F4, F11), for the runs lo..hi-1; `data` gets the troops a passed
    deadline found."""
    for i in range(lo, hi):
        pr = at(par, i)
        dt, pace = pr[K.STEP_DAYS], pr[K.PACE]
        had_troops = troops[i] > 0
        before = troops[i]
        troops[i] = transitions.troops_next(troops[i], troop_target[i], dt, pace)
        # the withdrawal a formal request asks for is complete when no troops are left (F4), on
        # the day within the step that the pace takes the last of them out
        if troops[i] <= 0.0 and withdrawal_complete_day[i] < 0 and request_state[i] == RequestState.ACTIVE:
            days_left = math.ceil(before / pace) if pace > 0 else 0.0  # no troops: no days
            withdrawal_complete_day[i] = int(min(day - dt + days_left, day))
        gone = had_troops and troops[i] <= 0.0
        flags[i, _TROOPS_GONE] = gone
        if gone:
            trigger_tehran[i] = True
        presence = transitions.presence_of(troops[i], pr[K.W_INITIAL_TROOPS])
        iran_influence[i] = transitions.influence_next(
            iran_influence[i], presence, sanctions_imposed[i], tehran_pressure[i], dt, pr[K.W_INFLUENCE_RATE],
            pr[K.INFLUENCE_BASE], pr[K.W_INFLUENCE_VACUUM_WEIGHT], pr[K.W_INFLUENCE_SANCTIONS_WEIGHT],
            pr[K.W_INFLUENCE_PRESSURE_WEIGHT])
        decided = outcome[i]
        outcome[i] = outcomes.decided_during_run(outcome[i], request_state[i], troops[i], day, deadline_day[i],
                                                 withdrawal_complete_day[i], pr[K.L_RETRACTION_FINAL] != 0.0)
        flags[i, _DEADLINE_PASSED] = decided != outcome[i] and outcome[i] == Outcome.OCCUPATION
        data[i, _TROOPS] = troops[i] if troops[i] > 0 else before
