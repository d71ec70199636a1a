"""Parliament (F9, F12, F13, F14, F15): non-binding resolutions to expel US troops, which
Kurdish and Sunni parties can boycott, and government formation: a caretaker may be replaced
by a confirmed PM, sometimes the very anti-American PM with a majority of F15; a confirmed
government may fall amid the protests (F14). A resolution is a mandate to act, not a
formal request: it never starts the clock (F4, F12). Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from . import draws
from . import packing as K
from .compiled import alive, at, kernel, row_sum, unowned
from .declare import Events, Field, Summary, param, per_day
from .outcomes import RequestState
from .valuation import chance_within


@dataclass
class ParliamentConfig:
    PREFIX: ClassVar[str] = "PA"
    total_seats: int = param(329, 1, 3000, "Iraqi Council of Representatives, 2018", "seats in parliament (domain: up to 3,000, the largest legislature, China's NPC, has about 2,980)")
    quorum: float = param(165.0, 0.0, 3000.0, "Iraqi constitution art. 59 (absolute majority)", "seats that must be present (at most total_seats)")
    initial_resolutions: int = param(1, 0, 100, "F12", "the 5 January 2020 resolution")
    propose_rate: float = param(per_day(0.05), 0.0, 1.0, "F12, F18; assumption", "hazard per day, per unit of mobilisation, that a resolution is tabled")
    min_interval_days: int = param(56, 0, 3650, "assumption", "days between two resolutions")
    yes_threshold: float = param(0.5, 0.0, 1.0, "F12, F16", "position above which a faction votes yes")
    boycott_threshold: float = param(0.4, 0.0, 1.0, "F12, F14", "position below which a faction that can boycott stays away")
    mandate_decay: float = param(per_day(0.05), 0.0, 1.0, "F13; assumption", "fading rate per day of a resolution's pressure")


def _mandate(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, np.minimum(p.parliament.initial_resolutions, 1), dtype=np.float64)


def _resolutions(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, p.parliament.initial_resolutions, dtype=np.int64)


FIELDS: tuple[Field, ...] = (
    Field("mandate", np.float64, _mandate, "the pressure of parliament's resolutions on the PM, fading (F12, F13)", trajectory=True),
    Field("resolutions_passed", np.int64, _resolutions, "non-binding resolutions passed (F12)",
          summary=Summary("resolutions_passed")),
    Field("last_resolution_day", np.int64, 0, "the day the last resolution was tabled"),
)

EVENTS = Events(("resolution_passed", "resolution_failed", "pm_confirmed", "government_fell"),
                data=("yes", "present", "position", "anti_american"),
                carries=(("resolution_passed", (("yes", "yes"), ("present", "present"))),
                         ("resolution_failed", (("yes", "yes"), ("present", "present"))),
                         ("pm_confirmed", (("position", "position"), ("anti_american", "anti_american")))))
_PASSED, _FAILED, _CONFIRMED, _FELL = (EVENTS.flag(k) for k in EVENTS.kinds)
_YES, _PRESENT, _POSITION, _ANTI = (EVENTS.column(c) for c in EVENTS.data)

TEXTS = {
    "resolution_passed": "Parliament passes another non-binding resolution to expel US troops ({yes:.0f} of {present:.0f} members present vote yes); it does not start the clock [F12].",
    "resolution_failed": "A resolution to expel US troops is tabled but fails ({yes:.0f} yes of {present:.0f} present) [F12, F14].",
    "pm_confirmed": "Parliament confirms a new prime minister: {kind} (stance {position:.2f}) [F13, F15].",
    "government_fell": "The government falls amid anti-corruption protests; the prime minister now governs as caretaker [F14].",
}

@kernel(inline=True)
def vote_of(seats: np.ndarray, position: np.ndarray, can_boycott: np.ndarray, yes_threshold: float,
            boycott_threshold: float, quorum: float, scratch: np.ndarray, share: float, strict: bool,
            of_all: float) -> tuple[bool, float, float]:
    """A vote on a non-binding resolution to expel US troops (F12), over the factions' rows
    of F values (`scratch`: F free entries). Factions with position above `yes_threshold`
    vote yes; factions that can boycott (Kurdish and Sunni parties, wary of the push, F14)
    stay away when below `boycott_threshold`; the rest vote no. The resolution passes when
    the seats present reach the quorum and the yes seats are a majority of those present
    (the case's vote rule, `legal.vote_rule`: more than `share` (`strict`) or at least
    `share` of the seats present, or of `of_all` seats when it is not negative).
    Returns (passed, yes seats, seats present)."""
    for j in range(position.shape[0]):
        scratch[j] = seats[j] * (1.0 if position[j] > yes_threshold else 0.0)
    yes = row_sum(scratch)
    for j in range(position.shape[0]):
        away = can_boycott[j] != 0 and position[j] < boycott_threshold
        scratch[j] = seats[j] * (0.0 if away else 1.0)
    present = row_sum(scratch)
    need = share * (of_all if of_all >= 0.0 else present)
    return (present >= quorum) and ((yes > need) if strict else (yes >= need - 1e-9)), yes, present


_PID_TABLE, _PID_FORMATION, _PID_PM_TYPE, _PID_COLLAPSE = (draws.purpose_key(x) for x in (
    "parliament.table", "government.formation", "government.pm_type", "government.collapse"))


@kernel
def rows(lo: int, hi: int, par: np.ndarray, fac: np.ndarray, keys: np.ndarray, day: int,
         flags: np.ndarray, data: np.ndarray, troops: np.ndarray, us_withdrawing: np.ndarray,
         request_state: np.ndarray, last_resolution_day: np.ndarray, mobilisation: np.ndarray, protests: np.ndarray,
         position: np.ndarray, resolutions_passed: np.ndarray, mandate: np.ndarray, caretaker: np.ndarray,
         collective_stance: np.ndarray, pm_position: np.ndarray, pm_majority: np.ndarray, pm_changes: np.ndarray,
         trigger_government: np.ndarray, trigger_washington: np.ndarray, trigger_tehran: np.ndarray) -> None:
    """The stage `parliament` for the runs lo..hi-1: a resolution may be tabled (only while
    there are US troops to expel and no formal request stands, F12) and voted, Kurds and
    Sunnis may boycott (F14); a caretaker may be replaced by a confirmed PM (F13, F15); a
    confirmed government may fall (F14). `flags` gets each run's events, `data` the vote (yes
    seats, seats present) and the new PM's position."""
    own = np.empty(position.shape[1])
    scratch = unowned(own)
    for i in range(lo, hi):
        pr, fr, key = at(par, i), at(fac, i), keys[i]
        dt = pr[K.STEP_DAYS]
        can_table = (troops[i] > 0 and not us_withdrawing[i] and request_state[i] == RequestState.NONE
                     and day - last_resolution_day[i] >= pr[K.PA_MIN_INTERVAL_DAYS] and pr[K.VOTE_SHARE] <= 1.0)
        tabled = can_table and (draws.uniform_of(key, _PID_TABLE)
                                < chance_within(pr[K.PA_PROPOSE_RATE] * mobilisation[i], dt))
        carried, yes, present = False, 0.0, 0.0
        if tabled:
            carried, yes, present = vote_of(fr[K.F_SEATS], unowned(position)[i], fr[K.F_CAN_BOYCOTT],
                                            pr[K.PA_YES_THRESHOLD], pr[K.PA_BOYCOTT_THRESHOLD],
                                            pr[K.PA_QUORUM], scratch, pr[K.VOTE_SHARE],
                                            pr[K.VOTE_STRICT] != 0.0,
                                            pr[K.PA_TOTAL_SEATS] if pr[K.VOTE_OF_ALL] != 0.0 else -1.0)
        passed = tabled and carried
        flags[i, _PASSED] = passed
        flags[i, _FAILED] = tabled and not carried
        data[i, _YES], data[i, _PRESENT] = yes, present
        if passed:
            resolutions_passed[i] += 1
            mandate[i] = 1.0
            trigger_government[i] = True
            trigger_washington[i] = True
        if tabled:
            last_resolution_day[i] = day

        formed = caretaker[i] and (draws.uniform_of(key, _PID_FORMATION)
                                   < chance_within(pr[K.G_FORMATION_RATE], dt))
        anti = formed and draws.uniform_of(key, _PID_PM_TYPE) < pr[K.G_P_ANTI_AMERICAN_PM]
        position_new = pr[K.G_ANTI_AMERICAN_POSITION] if anti else collective_stance[i]
        flags[i, _CONFIRMED] = formed
        data[i, _POSITION], data[i, _ANTI] = position_new, anti
        if formed:
            pm_position[i] = position_new
            pm_majority[i] = anti
            caretaker[i] = False
            pm_changes[i] += 1
            trigger_government[i] = True
            trigger_washington[i] = True
            trigger_tehran[i] = True
        fell = (not caretaker[i] and not formed and draws.uniform_of(key, _PID_COLLAPSE)
                < chance_within(pr[K.G_COLLAPSE_RATE] * protests[i], dt))
        flags[i, _FELL] = fell
        if fell:
            caretaker[i] = True
            pm_majority[i] = False
    alive(own)
