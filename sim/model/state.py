"""The state of R runs at one step, built from the fields the model's modules declare.

Every variable of the model is declared once, as a `declare.Field` of the module that owns
it: the world's in `world`, the request and agreements in `legal`, parliament's in
`parliament`, each actor's in its module (`actors.*`). `FIELDS` collects them in that
order; from it come the `State` (each field an attribute, an array with a leading runs
axis), its storage, the compiled step's arguments (`sim.model.assemble`), the initial state
and the run's summary columns. The Mesa model holds a State with R = 1 (its agents read and
write their own rows and columns); the batch engine holds one with R runs.

Storage: the fields with one value per run are grouped by type (`STORAGE`: floats,
integers, small codes, flags), each group one (fields, R) array whose rows are the fields;
the fields with one value per run and faction are (R, F) arrays of their own. A field such
as `s.troops` is a view of its row, so stage code reads and writes fields by name while the
compiled step takes a few arrays (each array argument of a compiled call costs about 0.15 us
to check, which a Mesa run pays every step). Setting a field (`s.troops = x`) writes into
its row, so the field keeps its type and the compiled step sees the new numbers.

Time is counted in calendar days since the start date: the request's day, its deadline a
year later (F4) and the day the last troops left are days, so a run reads the same whatever
the step length.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import legal, outcomes, parliament, world
from .actors import ACTORS
from .declare import DTYPES, Field
from .params import ModelParams

#: every field of the state, in declaration order: the world, the request and agreements,
#: parliament, then each actor's (the registry's order)
FIELDS: tuple[Field, ...] = (*world.FIELDS, *legal.FIELDS, *parliament.FIELDS,
                             *(f for actor in ACTORS.values() for f in actor.fields))
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
if len(FIELD_BY_NAME) != len(FIELDS):
    _twice = sorted({n for n in FIELD_NAMES if FIELD_NAMES.count(n) > 1})
    raise ValueError(f"state fields declared more than once: {_twice}")

#: how the fields with one value per run are stored: grouped by type, each group one (fields,
#: R) array whose rows are the fields in declaration order
STORAGE: tuple[tuple[type, tuple[str, ...]], ...] = tuple(
    (dtype, tuple(f.name for f in FIELDS if f.dtype is dtype and not f.per_faction)) for dtype in DTYPES)
#: the fields with one value per run and faction, (R, F), and their types
MATRICES: tuple[tuple[str, type], ...] = tuple((f.name, f.dtype) for f in FIELDS if f.per_faction)
#: where each field with one value per run is stored: (group, row)
PLACE: dict[str, tuple[int, int]] = {name: (g, k) for g, (_, names) in enumerate(STORAGE) for k, name in enumerate(names)}
#: the names of the storage arrays, in `State.storage()` order (what the compiled step takes)
STORAGE_NAMES: tuple[str, ...] = ("f64", "i64", "i8", "flag", *(name for name, _ in MATRICES))
_GROUPS = len(STORAGE)


class State:
    """The state of R runs: one attribute per field of `FIELDS` (an array over the runs, or
    runs and factions), each a view of the state's storage (module docstring)."""

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(FIELD_NAMES))
        missing = sorted(set(FIELD_NAMES) - set(values))
        if unknown or missing:
            raise TypeError(f"State: unknown fields {unknown}, missing fields {missing}")
        runs = int(np.shape(values[FIELD_NAMES[0]])[0])
        groups = []
        for dtype, names in STORAGE:
            buf: np.ndarray = np.empty((len(names), runs), dtype=dtype)
            for k, name in enumerate(names):
                buf[k] = values[name]
            groups.append(buf)
        self._bind(tuple(groups), tuple(np.array(values[name], dtype=dtype, order="C") for name, dtype in MATRICES))

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

    def __getattr__(self, name: str) -> np.ndarray:  # every field is bound in __dict__; this is for type checkers
        raise AttributeError(f"State has no field {name!r}")

    @property
    def runs(self) -> int:
        return self.__dict__[FIELD_NAMES[0]].shape[0]

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
        if current is not None and name in FIELD_BY_NAME:
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


def initial_state(p: ModelParams, runs: int) -> State:
    """Day 0: the world as the scenario describes it, the same in every run (each field's
    declared initial value, in declaration order).

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
    so_far: dict[str, np.ndarray] = {}
    shape = (runs, p.factions.size)
    for f in FIELDS:
        value = f.value(p, runs, so_far)
        so_far[f.name] = np.broadcast_to(np.asarray(value, dtype=f.dtype), shape if f.per_faction else (runs,))
    return State(**so_far)


#: the fields that give a summary column, in the order of the columns: the outcome, then the
#: days (and weeks) of events, then the rest in declaration order
SUMMARY_FIELDS: tuple[Field, ...] = tuple(sorted(
    (f for f in FIELDS if f.summary is not None),
    key=lambda f: (f.summary.kind != "outcome", f.summary.kind != "day")))  # type: ignore[union-attr]


def summary_columns(s: State, days_simulated: np.ndarray | list[int]) -> dict[str, np.ndarray]:
    """A run's summary as columns over the runs axis: each field's declared summary column
    (`declare.Summary`), then the days and weeks the run lasted. Day and week columns hold -1
    where the event did not happen; weeks are calendar weeks since the start date (day // 7),
    whatever the step length. Both engines and the Mesa model's `summary()` read runs
    through this one function."""
    days = np.asarray(days_simulated, dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    for f in SUMMARY_FIELDS:
        spec = f.summary
        if spec is None:
            continue
        value = getattr(s, f.name)
        if spec.kind == "day":
            if spec.week_column is not None:
                out[spec.week_column] = np.where(value >= 0, value // 7, -1)
            out[spec.column] = value
        elif spec.kind == "outcome":
            out[spec.column] = value.astype(np.int8)
        else:
            out[spec.column] = np.round(value, spec.digits) if spec.digits is not None else value
    out["weeks_simulated"] = days // 7
    out["days_simulated"] = days
    return out


def summary_kinds() -> dict[str, str]:
    """Each summary column's kind: "outcome", "day" (a day or week, -1 when the event did not
    happen), "float", "int" or "bool", for the tables that store summaries (`sim.sweep.chunk`)."""
    kinds: dict[str, str] = {}
    plain = {np.float64: "float", np.int64: "int", np.int8: "int", np.bool_: "bool"}
    for f in SUMMARY_FIELDS:
        spec = f.summary
        if spec is None:
            continue
        if spec.kind == "day":
            if spec.week_column is not None:
                kinds[spec.week_column] = "day"
            kinds[spec.column] = "day"
        else:
            kinds[spec.column] = "outcome" if spec.kind == "outcome" else plain[f.dtype]
    kinds["weeks_simulated"] = "int"
    kinds["days_simulated"] = "int"
    return kinds


def summary_row(cols: dict, i: int, *, seed: int, scenario: str, run_index: int) -> dict:
    """Row i of `summary_columns` as the plain dict of summary.json (None for -1 days/weeks)."""
    kinds = summary_kinds()
    row: dict = {}
    for name, col in cols.items():
        v = col[i]
        kind = kinds.get(name)
        if kind == "outcome":
            row[name] = outcomes.OUTCOMES[int(v)]
        elif kind == "day":
            row[name] = int(v) if v >= 0 else None
        elif col.dtype == bool:
            row[name] = bool(v)
        elif np.issubdtype(col.dtype, np.integer):
            row[name] = int(v)
        else:
            row[name] = float(v)
    row.update(seed=int(seed), scenario=scenario, run_index=int(run_index))
    return row
