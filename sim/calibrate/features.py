"""Per-run features the patterns need beyond a run's summary, read from the batch engine's
state after every step (`sim.engines.batch.simulate`'s `observe` hook, which only reads).

Each feature is a day since 6 January 2020 (-1: never) or a count, one value per run:

- `sanctions_day`: the first day US sanctions were in force (F22, F23);
- `talks_day`: the first day, with no formal request standing, on which either side put a
  new drawdown on the table (Baghdad asked for talks on one, F5; Washington offered one, F19)
  or Washington accepted Baghdad's, or a drawdown was agreed: talks, whether or not they end
  in a deal (F5, F6, F17, F19). The proposal standing on 6 January (the caretaker's request for
  a delegation, F5) is the starting point, not a move of the run;
- `standing_2020`, `standing_2021`: a formal request stands at the end of 2020 (of 2021):
  made and not taken back by then, whether US forces are leaving under it or have stayed past
  its deadline (F4, F10, F15); a request made and retracted does not settle the question;
- `troops_2020`: US troops at the end of 2020 (day 360, 31 December 2020) (F3, F20); for a case
  starting elsewhere, "2020" and "2021" are its start year and the next (`year_ends`);
- `resolutions_2020`, `resolutions_absent_2020`: parliamentary resolutions passed in 2020
  after the one of 5 January, and those passed with every faction that can boycott (the
  Kurdish and Sunni parties) away (F12, F14);
- `request_after_resolution`: a formal request made within `RESOLUTION_WINDOW_DAYS` of a
  resolution passing, the January one included (F12, F13).

The summary's own columns (`formal_request_day`, `outcome`, `final_troops`, ...) come from
the engine as in any sweep table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..model.actors.washington import WashingtonAction
from ..model.case import CaseConfig
from ..model.legal import Proposal
from ..model.outcomes import RequestState
from ..model.params import ModelParams


def year_ends(start: dt.date) -> tuple[int, int]:
    """The last day of the start's year and of the next year, in days from the start date
    (Iraq 2020, from 6 January 2020: 360 and 725; 2020 is a leap year)."""
    return ((dt.date(start.year, 12, 31) - start).days, (dt.date(start.year + 1, 12, 31) - start).days)


#: the last day of the start year (2020 for Iraq 2020's start, 6 January 2020: day 360) and of
#: the next (day 725); a case's own come from its start date (`year_ends`, used by `Observer`)
END_2020, END_2021 = year_ends(dt.date.fromisoformat(CaseConfig().start_date))
#: days after a resolution within which a formal request counts as the resolution's doing
RESOLUTION_WINDOW_DAYS = 56
FEATURES = ("sanctions_day", "talks_day", "troops_2020", "standing_2020", "standing_2021", "resolutions_2020",
            "resolutions_absent_2020", "request_after_resolution")
_TALKS = (int(WashingtonAction.OFFER_DRAWDOWN), int(WashingtonAction.ACCEPT_PROPOSAL))
_DRAWDOWN_PROPOSALS = (int(Proposal.WASHINGTON_DRAWDOWN), int(Proposal.BAGHDAD_DRAWDOWN))


class Observer:
    """Collects the features of R runs from the states `simulate` shows it (step 0 first)."""

    def __init__(self, p: ModelParams, runs: int):
        self.p = p
        self.sanctions_day = np.full(runs, -1, dtype=np.int64)
        self.talks_day = np.full(runs, -1, dtype=np.int64)
        self.troops_2020 = np.full(runs, np.nan)
        self.standing_2020 = np.zeros(runs, dtype=bool)
        self.standing_2021 = np.zeros(runs, dtype=bool)
        self._proposal = None
        self._proposal_size = None
        self._agreed = None
        self.resolutions_2020 = np.zeros(runs, dtype=np.int64)
        self.resolutions_absent_2020 = np.zeros(runs, dtype=np.int64)
        self.request_after_resolution = np.zeros(runs, dtype=bool)
        self._passed = None
        self._last_passed_day = np.zeros(runs, dtype=np.int64)  # the January resolution (F12)
        self._requested = np.zeros(runs, dtype=bool)
        self.end_first, self.end_second = year_ends(p.start_date)  # END_2020, END_2021 for Iraq 2020

    def __call__(self, step: int, s) -> None:
        p = self.p
        day = p.day(step)
        if self._passed is None:
            self._passed = s.resolutions_passed.copy()
            self._remember_talks(s)
            return
        no_request = s.request_state == RequestState.NONE
        first = (self.sanctions_day < 0) & s.sanctions_imposed
        self.sanctions_day[first] = day
        on_table = np.isin(s.proposal, _DRAWDOWN_PROPOSALS)
        new_proposal = on_table & ((s.proposal != self._proposal) | (s.proposal_size != self._proposal_size))
        talks = no_request & (new_proposal | np.isin(s.washington_action, _TALKS) | (s.drawdowns_agreed > self._agreed))
        first = (self.talks_day < 0) & talks
        self.talks_day[first] = day
        self._remember_talks(s)
        new = s.resolutions_passed - self._passed
        passed = new > 0
        if passed.any():
            self._last_passed_day[passed] = day
            if day <= self.end_first:
                self.resolutions_2020 += new
                self.resolutions_absent_2020 += new * boycotters_away(p, s.position)
        self._passed = s.resolutions_passed.copy()
        requested = s.request_day >= 0
        fresh = requested & ~self._requested
        self.request_after_resolution |= fresh & (s.request_day - self._last_passed_day <= RESOLUTION_WINDOW_DAYS)
        self._requested = requested
        last = step == p.horizon_steps
        if day - p.step_days < self.end_first <= day or (last and np.isnan(self.troops_2020).any()):
            self.troops_2020 = np.where(np.isnan(self.troops_2020), s.troops, self.troops_2020)
            self.standing_2020 = s.request_state == RequestState.ACTIVE
        if day - p.step_days < self.end_second <= day or (last and day < self.end_second):
            self.standing_2021 = s.request_state == RequestState.ACTIVE

    def _remember_talks(self, s) -> None:
        self._proposal = s.proposal.copy()
        self._proposal_size = s.proposal_size.copy()
        self._agreed = s.drawdowns_agreed.copy()

    def columns(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in FEATURES}


def boycotters_away(p: ModelParams, position: np.ndarray) -> np.ndarray:
    """Whether every faction that can boycott stands below the boycott threshold, so stays
    away from a vote (F12, F14; `sim.model.parliament.vote_of`), per run."""
    can = np.asarray(p.factions.can_boycott, dtype=bool)
    if not can.any():
        return np.zeros(position.shape[0], dtype=bool)
    threshold = np.asarray(p.parliament.boycott_threshold, dtype=float)
    threshold = threshold[:, None] if threshold.ndim == 1 else threshold
    return (position[:, can] < threshold).all(axis=1)


def simulate_with_features(p: ModelParams, run_ids) -> dict[str, np.ndarray]:
    """The batch engine's summary columns of runs `run_ids`, plus the features above."""
    from ..engines import batch

    run_ids = np.asarray(run_ids)
    observer = Observer(p, run_ids.size)
    cols = batch.simulate(p, run_ids, observe=observer)
    cols.update(observer.columns())
    return cols
