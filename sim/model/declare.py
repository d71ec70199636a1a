"""The vocabulary the model is declared in: a state field, a summary column, an event.

Each module of the model declares what it owns with these records (the world its world
variables, an actor its posture, counters and role-play fields, the legal clock the request
and its deadline); `sim.model.state` collects the fields into the `State`, its storage, the
compiled step's arguments and the run's summary, so a field is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


def names(actions: Any) -> tuple[str, ...]:
    """The printed names of an action set (an IntEnum), in code order:
    `names(TehranAction)[1] == "press_factions"`."""
    return tuple(member.name.lower() for member in actions)


#: the types a field may have, in the order of the state's storage groups
DTYPES: tuple[type, ...] = (np.float64, np.int64, np.int8, np.bool_)


@dataclass(frozen=True)
class Summary:
    """The column a field gives in a run's summary (summary.json, a sweep's table).

    `kind`: "value" (the field's number at the run's end, rounded to `digits` if a float),
    "day" (a day since the start date or -1: also gives the calendar-week column
    `week_column`), "outcome" (an outcome code, written as its name)."""

    column: str
    kind: str = "value"
    digits: int | None = None
    week_column: str | None = None


@dataclass(frozen=True)
class Field:
    """One variable of the state: its name, type, whether it has one value per run and
    faction ((R, F), else (R,)), its value on day 0, the summary column it gives, and what it
    is (with the fact ids it comes from).

    `initial` is a number, or a function of (params, runs, the fields set so far: a dict of
    arrays) giving the value per run (or per run and faction); fields are set in the order
    they are declared."""

    name: str
    dtype: type
    initial: Any
    doc: str
    per_faction: bool = False
    summary: Summary | None = None
    trajectory: bool = False      # recorded each step in a run's trajectory (trajectory.parquet)

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"field {self.name}: dtype {self.dtype} is not one of {DTYPES}")

    def value(self, p: Any, runs: int, so_far: dict[str, np.ndarray]) -> Any:
        return self.initial(p, runs, so_far) if callable(self.initial) else self.initial


def decision_fields(actor: str, initial_action: Callable[..., Any] | int, *, action_doc: str,
                    triggered_at_start: bool, playable: bool = True,
                    posture_changes_doc: str = "how often it changed its posture") -> tuple[Field, ...]:
    """The fields every deciding actor owns: its last action (`<actor>_action`, -1 none yet),
    a trigger event waiting for its next decision (`trigger_<actor>`), how often it changed
    course (`<actor>_posture_changes`, a summary column) and, for a playable actor, whether a
    player has taken it on (`human_<actor>`) and the action a player imposes this step
    (`forced_<actor>_action`, -1 none)."""
    fields: tuple[Field, ...] = (
        Field(f"{actor}_action", np.int8, initial_action, action_doc),
        Field(f"trigger_{actor}", np.bool_, triggered_at_start, "a trigger event waits for its next decision"),
        Field(f"{actor}_posture_changes", np.int64, 0, posture_changes_doc,
              summary=Summary(f"{actor}_posture_changes")),
    )
    if playable:
        fields += (
            Field(f"human_{actor}", np.bool_, False, "a player has taken the actor on: the model never moves it"),
            Field(f"forced_{actor}_action", np.int8, -1, "the action a player imposes this step (-1: none)"),
        )
    return fields


@dataclass(frozen=True)
class Events:
    """The events a stage can report and the numbers they carry. A stage's kernel sets
    `flags[i, events.flag(kind)]` in run i when `kind` happens and writes the numbers into
    `data[i, events.column(name)]`; `carries` says which numbers each event's text uses.
    An actor's events say which of them are its own moves (`moves`: a player's choice when a
    player holds it) and which start a posture that stands (`postures`: event kind -> the
    action), so that a story tells them as such."""

    kinds: tuple[str, ...]
    data: tuple[str, ...] = ()
    #: event kind -> ((the name its text uses, the data column it comes from), ...)
    carries: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    moves: tuple[str, ...] = ()
    postures: tuple[tuple[str, str], ...] = ()

    def flag(self, kind: str) -> int:
        return self.kinds.index(kind)

    def column(self, name: str) -> int:
        return self.data.index(name)

    def carried(self, kind: str) -> tuple[tuple[str, str], ...]:
        return dict(self.carries).get(kind, ())


# ---------------------------------------------------------------- coefficients
#: Hydra's marker of a value a scenario must give (omegaconf.MISSING), written out so the model
#: does not import the config library
MISSING: Any = "???"
INF = float("inf")


def param(default: Any, lo: float, hi: float, source: str, doc: str) -> Any:
    """A coefficient with its default, its allowed closed range [lo, hi] and its source (fact
    ids of docs/facts.md, an outside source, or the word "assumption")."""
    return field(default=default, metadata={"range": (lo, hi), "source": source, "doc": doc})


def optional_param(lo: float, hi: float, source: str, doc: str) -> Any:
    """A value that may be left null (then another value stands for it, as `doc` says)."""
    return field(default=None, metadata={"range": (lo, hi), "source": source, "doc": doc, "optional": True})


def setting(default: Any, doc: str, source: str) -> Any:
    """A scenario setting that is not a number of the model (a flag, a posture's name)."""
    return field(default=default, metadata={"doc": doc, "source": source})


def per_day(weekly_share: float) -> float:
    """The rate per day at which a share `weekly_share` of a gap closes in a week."""
    import math

    return round(-math.log(1.0 - weekly_share) / 7.0, 6)
