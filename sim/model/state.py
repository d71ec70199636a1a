"""The state of R runs at one step: model-level variables and actors' dynamic attributes,
each an array with a leading runs axis. The Mesa model holds a State with R = 1 (its agents
read and write their own rows and columns); the batch engine holds one with R runs.

Time is counted in calendar days since the start date (6 January 2020): the request's day,
its deadline a year later (F4) and the day the last troops left are days, so a run reads
the same whatever the step length."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import bargaining, outcomes, transitions
from .actions import POSITION_GRID, GovernmentAction, Proposal, TehranAction, WashingtonAction
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
    # signals of Washington and Tehran (F22, F17, F16) and Baghdad's reading of the threat
    threat_level: np.ndarray
    linkage_level: np.ndarray
    tehran_pressure: np.ndarray
    credibility_belief: np.ndarray
    # factions (R, F): the stance each has stated (an index of POSITION_GRID), its position
    # on the axis and its salience; their collective stance (R,)
    stance: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    collective_stance: np.ndarray
    # parliament (F12)
    mandate: np.ndarray
    resolutions_passed: np.ndarray
    last_resolution_day: np.ndarray
    # government (F11, F13, F15)
    caretaker: np.ndarray
    pm_position: np.ndarray
    pm_majority: np.ndarray
    pm_changes: np.ndarray
    talks_requested: np.ndarray
    # the request and its clock (F4, F5, F10), in days since the start date
    request_state: np.ndarray
    request_day: np.ndarray
    deadline_day: np.ndarray
    us_withdrawing: np.ndarray
    withdrawal_complete_day: np.ndarray
    outcome: np.ndarray
    # proposals and agreements (F5, F17, F19): what waits for an answer, its size as a
    # share of the January 2020 force, and the drawdowns agreed so far
    proposal: np.ndarray
    proposal_size: np.ndarray
    drawdowns_agreed: np.ndarray
    # sanctions (F22, F23): in force now, and ever imposed in the run
    sanctions_imposed: np.ndarray
    sanctions_ever: np.ndarray
    # postures and last moves (codes of sim.model.actions; -1 none yet)
    government_action: np.ndarray
    washington_posture: np.ndarray
    washington_action: np.ndarray
    tehran_action: np.ndarray
    # trigger events waiting for an actor's next decision stage (docs/architecture.md)
    trigger_government: np.ndarray
    trigger_washington: np.ndarray
    trigger_tehran: np.ndarray
    trigger_factions: np.ndarray
    # how often each actor changed its posture (the PM: made a move)
    government_posture_changes: np.ndarray
    washington_posture_changes: np.ndarray
    tehran_posture_changes: np.ndarray
    factions_posture_changes: np.ndarray
    # role play: actors a player takes on (the model never revises them) and the action a
    # player imposes this step (-1: none)
    human_government: np.ndarray
    human_washington: np.ndarray
    human_tehran: np.ndarray
    forced_government_action: np.ndarray
    forced_washington_action: np.ndarray
    forced_tehran_action: np.ndarray

    def __post_init__(self) -> None:
        # each field becomes a row of its storage group (`STORAGE`): a copy of the value
        # given, cast to the field's type
        runs = int(np.shape(self.__dict__["troops"])[0])
        groups = []
        for dtype, names in STORAGE:
            buf: np.ndarray = np.empty((len(names), runs), dtype=dtype)
            for k, name in enumerate(names):
                buf[k] = self.__dict__[name]
            groups.append(buf)
        self._bind(tuple(groups), tuple(np.array(self.__dict__[name], dtype=dtype, order="C")
                                        for name, dtype in MATRICES))

    @classmethod
    def _of(cls, groups: tuple[np.ndarray, ...], matrices: tuple[np.ndarray, ...]) -> "State":
        """A state over these storage arrays (used as they are, not copied)."""
        s = object.__new__(cls)
        s._bind(groups, matrices)
        return s

    def _bind(self, groups: tuple[np.ndarray, ...], matrices: tuple[np.ndarray, ...]) -> None:
        """Make every field a view of its row of `groups`, or one of `matrices`."""
        for (_, names), buf in zip(STORAGE, groups):
            for k, name in enumerate(names):
                self.__dict__[name] = buf[k]
        for (name, _), m in zip(MATRICES, matrices):
            self.__dict__[name] = m
        self.__dict__["_storage"] = groups + matrices

    @property
    def runs(self) -> int:
        return self.troops.shape[0]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every field's array, in field order."""
        return tuple(self.__dict__[name] for name in FIELD_NAMES)

    def storage(self) -> tuple[np.ndarray, ...]:
        """What the compiled step takes: the storage groups' (fields, R) arrays in `STORAGE`
        order, then the (R, F) fields of `MATRICES`. Every field's array is a view into these."""
        return self.__dict__["_storage"]

    def __setattr__(self, name: str, value: object) -> None:
        # setting a field writes into its storage (the field keeps its type and shape), so the
        # compiled step and the field always see the same numbers
        current = self.__dict__.get(name) if "_storage" in self.__dict__ else None
        if current is not None and name in _FIELDS:
            current[...] = value
        else:
            object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple:
        # copies and pickles rebuild the views over the copied storage
        stored = self.storage()
        return (State._of, (stored[:_GROUPS], stored[_GROUPS:]))

    def take(self, rows: np.ndarray) -> "State":
        """The sub-state of the given rows (a copy)."""
        rows = np.asarray(rows)
        stored = self.storage()
        return State._of(tuple(np.ascontiguousarray(buf[:, rows]) for buf in stored[:_GROUPS]),
                         tuple(np.ascontiguousarray(m[rows]) for m in stored[_GROUPS:]))

    def put(self, rows: np.ndarray, sub: "State") -> None:
        """Write a sub-state back into the given rows."""
        rows = np.asarray(rows)
        stored, parts = self.storage(), sub.storage()
        for buf, part in zip(stored[:_GROUPS], parts[:_GROUPS]):
            buf[:, rows] = part
        for m, part in zip(stored[_GROUPS:], parts[_GROUPS:]):
            m[rows] = part


#: the state's fields, in order
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(State))
_FIELDS = frozenset(FIELD_NAMES)
#: the type of each field with one value per run
_TYPES: dict[str, type] = {
    **dict.fromkeys(("troops", "troop_target", "iran_influence", "isis_threat", "tension", "mobilisation",
                     "protests", "threat_level", "linkage_level", "tehran_pressure", "credibility_belief",
                     "collective_stance", "mandate", "pm_position", "proposal_size"), np.float64),
    **dict.fromkeys(("resolutions_passed", "last_resolution_day", "pm_changes", "request_day", "deadline_day",
                     "withdrawal_complete_day", "drawdowns_agreed", "government_posture_changes",
                     "washington_posture_changes", "tehran_posture_changes", "factions_posture_changes"), np.int64),
    **dict.fromkeys(("request_state", "outcome", "proposal", "government_action", "washington_posture",
                     "washington_action", "tehran_action", "forced_government_action", "forced_washington_action",
                     "forced_tehran_action"), np.int8),
    **dict.fromkeys(("caretaker", "pm_majority", "talks_requested", "us_withdrawing", "sanctions_imposed",
                     "sanctions_ever", "trigger_government", "trigger_washington", "trigger_tehran",
                     "trigger_factions", "human_government", "human_washington", "human_tehran"), np.bool_),
}
#: the fields with one value per run and faction, (R, F), and their types
MATRICES: tuple[tuple[str, type], ...] = (("stance", np.int8), ("position", np.float64), ("salience", np.float64))
#: how the state is stored: the fields with one value per run, grouped by type, each group
#: one (fields, R) array whose rows are the fields (in field order). The compiled step
#: takes these few arrays, not one per field (`storage()`), which is what makes a step of
#: one run (the Mesa model) cheap to call.
STORAGE: tuple[tuple[type, tuple[str, ...]], ...] = tuple(
    (dtype, tuple(n for n in FIELD_NAMES if _TYPES.get(n) is dtype)) for dtype in (np.float64, np.int64, np.int8, np.bool_))
_GROUPS = len(STORAGE)
#: where each field with one value per run is stored: (group, row)
PLACE: dict[str, tuple[int, int]] = {name: (g, k) for g, (_, names) in enumerate(STORAGE) for k, name in enumerate(names)}
assert set(PLACE) | {n for n, _ in MATRICES} == _FIELDS and len(PLACE) + len(MATRICES) == len(FIELD_NAMES)


def nearest_stance(position: np.ndarray) -> np.ndarray:
    """The index of the stance of `POSITION_GRID` nearest to each position."""
    return np.abs(np.asarray(position)[..., None] - POSITION_GRID).argmin(axis=-1).astype(np.int8)


def initial_state(p: ModelParams, runs: int) -> State:
    """Day 0, 6 January 2020: the world as the article describes it, the same in every run.

    The state of one run is computed once per params object and copied after that (a Mesa
    run, `NegotiationModel`, starts from it; a sweep's Mesa engine makes one per run)."""
    if runs == 1:
        cached = p.__dict__.get("_initial_state")
        if cached is None:
            cached = _initial_state(p, 1)
            object.__setattr__(p, "_initial_state", cached)
        return cached.take(np.zeros(1, dtype=np.int64))
    return _initial_state(p, runs)


def _initial_state(p: ModelParams, runs: int) -> State:
    w, g, wa, te, fa = p.world, p.government, p.washington, p.tehran, p.factions

    def full(value: object, dtype: type = np.float64) -> np.ndarray:
        return np.full(runs, value, dtype=dtype)

    tension = full(w.initial_tension)
    salience = np.broadcast_to(
        transitions.salience_now(fa.salience, fa.tension_sensitivity, tension[:, None]), (runs, fa.size)
    ).copy()
    stance = np.broadcast_to(nearest_stance(np.asarray(fa.ideal_position, dtype=np.float64)), (runs, fa.size)).copy()
    position = POSITION_GRID[stance]
    collective = bargaining.collective_position(p.behaviour.collective_rule, fa.seats, position, salience)
    troops = full(w.initial_troops)
    w_posture = WashingtonAction[str(wa.initial_posture).upper()]
    t_posture = TehranAction[str(te.initial_posture).upper()]
    talks = bool(g.negotiations_requested)
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
        credibility_belief=full(p.sanctions.credibility),
        stance=stance,
        position=position,
        salience=salience,
        collective_stance=full(collective),
        mandate=full(np.minimum(p.parliament.initial_resolutions, 1)),
        resolutions_passed=full(p.parliament.initial_resolutions, np.int64),
        last_resolution_day=full(0, np.int64),
        caretaker=full(g.initially_caretaker, bool),
        pm_position=full(g.initial_position),
        pm_majority=full(False, bool),
        pm_changes=full(0, np.int64),
        talks_requested=full(talks, bool),
        request_state=full(outcomes.RequestState.NONE, np.int8),
        request_day=full(-1, np.int64),
        deadline_day=full(-1, np.int64),
        us_withdrawing=full(False, bool),
        withdrawal_complete_day=full(-1, np.int64),
        outcome=full(outcomes.UNDECIDED, np.int8),
        # F5: the caretaker's request for a delegation waits for Washington's answer (its size
        # is set by the bargaining solution when Washington answers: -1)
        proposal=full(Proposal.BAGHDAD_DRAWDOWN if talks else Proposal.NONE, np.int8),
        proposal_size=full(-1.0),
        drawdowns_agreed=full(0, np.int64),
        sanctions_imposed=full(False, bool),
        sanctions_ever=full(False, bool),
        government_action=full(GovernmentAction.ASK_NEGOTIATIONS if talks else -1, np.int8),
        washington_posture=full(w_posture, np.int8),
        washington_action=full(w_posture, np.int8),
        tehran_action=full(t_posture, np.int8),
        # the strike, the resolution and the request for talks all call for a response (F5, F12)
        trigger_government=full(False, bool),
        trigger_washington=full(True, bool),
        trigger_tehran=full(True, bool),
        trigger_factions=full(True, bool),
        government_posture_changes=full(0, np.int64),
        washington_posture_changes=full(0, np.int64),
        tehran_posture_changes=full(0, np.int64),
        factions_posture_changes=full(0, np.int64),
        human_government=full(False, bool),
        human_washington=full(False, bool),
        human_tehran=full(False, bool),
        forced_government_action=full(-1, np.int8),
        forced_washington_action=full(-1, np.int8),
        forced_tehran_action=full(-1, np.int8),
    )


def summary_columns(s: State, days_simulated: np.ndarray | list[int]) -> dict[str, np.ndarray]:
    """A run's summary as columns over the runs axis (the fields of summary.json that the
    state holds). Day and week columns hold -1 where the event did not happen; weeks are
    calendar weeks since the start date (day // 7), whatever the step length. Both engines
    and the Mesa model's `summary()` read runs through this one function."""
    days = np.asarray(days_simulated, dtype=np.int64)

    def week(day: np.ndarray) -> np.ndarray:
        return np.where(day >= 0, day // 7, -1)

    return {
        "outcome": s.outcome.astype(np.int8),
        "formal_request_week": week(s.request_day),
        "formal_request_day": s.request_day,
        "withdrawal_complete_week": week(s.withdrawal_complete_day),
        "withdrawal_complete_day": s.withdrawal_complete_day,
        "final_troops": np.round(s.troops, 6),
        "final_iran_influence": np.round(s.iran_influence, 6),
        "sanctions_imposed": s.sanctions_ever,
        "resolutions_passed": s.resolutions_passed,
        "pm_changes": s.pm_changes,
        "drawdowns_agreed": s.drawdowns_agreed,
        "government_posture_changes": s.government_posture_changes,
        "washington_posture_changes": s.washington_posture_changes,
        "tehran_posture_changes": s.tehran_posture_changes,
        "factions_posture_changes": s.factions_posture_changes,
        "weeks_simulated": days // 7,
        "days_simulated": days,
    }


#: summary fields that are calendar weeks or days and None where the event did not happen
_OPTIONAL_INTS = ("formal_request_week", "formal_request_day", "withdrawal_complete_week", "withdrawal_complete_day")


def summary_row(cols: dict, i: int, *, seed: int, scenario: str, run_index: int) -> dict:
    """Row i of `summary_columns` as the plain dict of summary.json (None for -1 days/weeks)."""
    row: dict = {}
    for name, col in cols.items():
        v = col[i]
        if name == "outcome":
            row[name] = outcomes.OUTCOMES[int(v)]
        elif name in _OPTIONAL_INTS:
            row[name] = int(v) if v >= 0 else None
        elif col.dtype == bool:
            row[name] = bool(v)
        elif np.issubdtype(col.dtype, np.integer):
            row[name] = int(v)
        else:
            row[name] = float(v)
    row.update(seed=int(seed), scenario=scenario, run_index=int(run_index))
    return row


