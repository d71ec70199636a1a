"""The state of R runs at one week: model-level variables and actors' dynamic attributes,
each an array with a leading runs axis. The Mesa model holds a State with R = 1 (its agents
read and write their own rows and columns); the batch engine holds one with R runs."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import bargaining, outcomes, transitions
from .params import ModelParams


@dataclass
class State:
    # world (F3, F7, F1, F12, F18, F14)
    troops: np.ndarray
    troop_target: np.ndarray
    iran_influence: np.ndarray
    isis_threat: np.ndarray
    tension: np.ndarray
    mobilisation: np.ndarray
    protests: np.ndarray
    # signals of Washington and Tehran (F22, F17, F16)
    threat_level: np.ndarray
    linkage_level: np.ndarray
    tehran_pressure: np.ndarray
    # factions (R, F) and their collective stance (R,)
    position: np.ndarray
    salience: np.ndarray
    collective_stance: np.ndarray
    # parliament (F12)
    mandate: np.ndarray
    resolutions_passed: np.ndarray
    last_resolution_week: np.ndarray
    # government (F11, F13, F15)
    caretaker: np.ndarray
    pm_position: np.ndarray
    pm_majority: np.ndarray
    pm_changes: np.ndarray
    # the request and its clock (F4, F5, F10)
    negotiations_open: np.ndarray
    request_state: np.ndarray
    request_week: np.ndarray
    deadline_week: np.ndarray
    retraction_offer: np.ndarray
    drawdown_agreed: np.ndarray
    us_withdrawing: np.ndarray
    sanctions_imposed: np.ndarray
    withdrawal_complete_week: np.ndarray
    outcome: np.ndarray
    # last actions, for the log and the charts
    government_action: np.ndarray
    washington_action: np.ndarray
    tehran_action: np.ndarray
    # actions a player imposes this week (role play); -1 = the model decides
    forced_government_action: np.ndarray
    forced_washington_action: np.ndarray
    forced_tehran_action: np.ndarray

    @property
    def runs(self) -> int:
        return self.troops.shape[0]

    def take(self, rows: np.ndarray) -> "State":
        """The sub-state of the given rows (a copy)."""
        return State(**{f.name: getattr(self, f.name)[rows].copy() for f in fields(self)})

    def put(self, rows: np.ndarray, sub: "State") -> None:
        """Write a sub-state back into the given rows."""
        for f in fields(self):
            getattr(self, f.name)[rows] = getattr(sub, f.name)


def initial_state(p: ModelParams, runs: int) -> State:
    """Week 0, 6 January 2020: the world as the article describes it, the same in every run."""
    w, g, wa, te, fa = p.world, p.government, p.washington, p.tehran, p.factions

    def full(value: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (runs,)).copy()

    tension = full(w.initial_tension)
    salience = np.broadcast_to(
        transitions.salience_now(fa.salience, fa.tension_sensitivity, tension[:, None]), (runs, fa.size)
    ).copy()
    position = np.broadcast_to(np.asarray(fa.ideal_position, dtype=np.float64), (runs, fa.size)).copy()
    collective = bargaining.collective_position(p.behaviour.collective_rule, fa.seats, position, salience)
    troops = full(w.initial_troops)
    return State(
        troops=troops,
        troop_target=troops.copy(),
        iran_influence=full(w.initial_iran_influence),
        isis_threat=full(w.initial_isis_threat),
        tension=tension,
        mobilisation=full(w.initial_mobilisation),
        protests=full(w.initial_protests),
        threat_level=full(wa.initial_threat_level),
        linkage_level=full(wa.initial_linkage),
        tehran_pressure=full(te.initial_pressure),
        position=position,
        salience=salience,
        collective_stance=full(collective),
        mandate=full(np.minimum(p.parliament.initial_resolutions, 1)),
        resolutions_passed=full(p.parliament.initial_resolutions, np.int64),
        last_resolution_week=full(0, np.int64),
        caretaker=full(g.initially_caretaker, bool),
        pm_position=full(g.initial_position),
        pm_majority=full(False, bool),
        pm_changes=full(0, np.int64),
        negotiations_open=full(g.negotiations_requested, bool),
        request_state=full(outcomes.RequestState.NONE, np.int8),
        request_week=full(-1, np.int64),
        deadline_week=full(-1, np.int64),
        retraction_offer=full(False, bool),
        drawdown_agreed=full(False, bool),
        us_withdrawing=full(False, bool),
        sanctions_imposed=full(False, bool),
        withdrawal_complete_week=full(-1, np.int64),
        outcome=full(outcomes.UNDECIDED, np.int8),
        government_action=full(-1, np.int8),
        washington_action=full(-1, np.int8),
        tehran_action=full(-1, np.int8),
        forced_government_action=full(-1, np.int8),
        forced_washington_action=full(-1, np.int8),
        forced_tehran_action=full(-1, np.int8),
    )


def summary_columns(s: State, weeks_simulated: ArrayLike) -> dict[str, np.ndarray]:
    """A run's summary as columns over the runs axis (the fields of summary.json that the
    state holds). Week columns hold -1 where the event did not happen. Both engines and the
    Mesa model's `summary()` read runs through this one function."""
    return {
        "outcome": s.outcome.astype(np.int8),
        "formal_request_week": s.request_week,
        "withdrawal_complete_week": s.withdrawal_complete_week,
        "final_troops": np.round(s.troops, 6),
        "final_iran_influence": np.round(s.iran_influence, 6),
        "sanctions_imposed": s.sanctions_imposed,
        "resolutions_passed": s.resolutions_passed,
        "pm_changes": s.pm_changes,
        "weeks_simulated": np.asarray(weeks_simulated, dtype=np.int64),
    }


def summary_row(cols: dict, i: int, *, seed: int, scenario: str, run_index: int) -> dict:
    """Row i of `summary_columns` as the plain dict of summary.json (None for -1 weeks)."""
    def week(name: str) -> int | None:
        return int(cols[name][i]) if cols[name][i] >= 0 else None

    return {
        "outcome": outcomes.OUTCOMES[int(cols["outcome"][i])],
        "formal_request_week": week("formal_request_week"),
        "withdrawal_complete_week": week("withdrawal_complete_week"),
        "final_troops": float(cols["final_troops"][i]),
        "final_iran_influence": float(cols["final_iran_influence"][i]),
        "sanctions_imposed": bool(cols["sanctions_imposed"][i]),
        "resolutions_passed": int(cols["resolutions_passed"][i]),
        "pm_changes": int(cols["pm_changes"][i]),
        "seed": int(seed),
        "scenario": scenario,
        "run_index": int(run_index),
        "weeks_simulated": int(cols["weeks_simulated"][i]),
    }
