"""One step of the model: the stages, in order, over a `State` of R runs.

A stage is a kernel over a range of runs that reads and writes the state's fields, bound to
its parameters by name (`assemble`). The world's own dynamics and the consequences are in
`world`, parliament in `parliament`, and each actor decides in its own stage (`actors.*`:
an assembled revision loop around its `occasion`, `weigh` and `act`, or, for the factions,
their own loop). `STAGES` is the one list of stages: the default step order, the names the
config accepts and the Mesa model's dispatch come from it; an actor's stage goes where its
declaration says (`Actor.after`).

When nothing is recorded (the batch engine, sweeps, a Mesa run without a story) a step is
one compiled call (`run_step`: the assembled `step_all` runs every stage's kernel in the
configured order); otherwise the stages run one at a time (`run_stage`) and report what
happened as events: `(kind, mask, data)` tuples, `mask` marking the runs in which the event
happened this step and `data` the numbers its text uses (`declare.Events`); kind "decision"
records an actor's revision, its values, open actions and choice. Both paths run the same
kernels, so they compute the same numbers.

Random numbers come only from `draws`, keyed by (root seed, run index, step, purpose), so a
run's draws are the same whichever engine computes it and with whichever other runs. A stage
kernel's `keys` are the runs' keys for the step (`draws.step_keys`, computed once per step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import assemble, bargaining, draws, packing, parliament, world
from .actors import ACTORS
from .actors.factions import purpose_ids as faction_purpose_ids
from .declare import Events
from .params import ModelParams
from .state import State

Events_ = list | None


@dataclass(frozen=True)
class Stage:
    """One stage of the step: its name, its kernel (None for an actor's assembled decision),
    the actor whose decision it is (None for the world's own dynamics), what follows its
    kernel (`then`: the factions' collective stance), and the events it reports."""

    name: str
    kernel: Callable[..., Any] | None = None
    actor: str | None = None
    then: Callable[..., Any] | None = None
    events: Events = field(default_factory=lambda: Events(()))

    @property
    def has_members(self) -> bool:
        """Whether its actor's members step one by one (the factions)."""
        return self.actor is not None and not ACTORS[self.actor].decides_alone

    def kernels(self) -> list[tuple[str, Callable[..., Any] | None]]:
        """(name in the assembled module, kernel) of what the stage runs, in order; None for
        an assembled decision."""
        if self.kernel is None:
            return [(f"{self.actor}_rows", None)]
        return [(f"{module_alias(fn)}.{fn.__name__}", fn) for fn in (self.kernel, self.then) if fn is not None]


def module_alias(fn: Callable[..., Any]) -> str:
    """The name the assembled module imports a kernel's module under (`_world` for
    `sim.model.world`, `_factions` for `sim.model.actors.factions`)."""
    return "_" + getattr(fn, "py_func", fn).__module__.rsplit(".", 1)[1]


def _stages() -> tuple[Stage, ...]:
    """The stages in the default order: the world, parliament and the consequences, and each
    actor's stage after the one its declaration names."""
    order = [Stage("world", world.world_rows), Stage("parliament", parliament.rows, events=parliament.EVENTS),
             Stage("consequences", world.consequences_rows, events=world.CONSEQUENCES_EVENTS)]
    waiting = list(ACTORS.values())
    while waiting:
        placed = False
        for actor in list(waiting):
            names = [s.name for s in order]
            if actor.after in names:
                stage = Stage(actor.name, actor.rows, actor=actor.name, then=actor.then, events=actor.events)
                order.insert(names.index(actor.after) + 1, stage)
                waiting.remove(actor)
                placed = True
        if not placed:
            raise ValueError(f"actors {[a.name for a in waiting]} follow stages that do not exist: "
                             f"{[a.after for a in waiting]}")
    return tuple(order)


STAGES: tuple[Stage, ...] = _stages()
#: the stage names, in the default step order (`step_order` in the config may permute them)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
STAGE_BY_NAME: dict[str, Stage] = {stage.name: stage for stage in STAGES}
#: the assembled kernels: each deciding actor's stage and view, and the whole step
ASSEMBLED = assemble.load(STAGES)


def stage_kernel(stage: Stage) -> Callable[..., Any]:
    """The kernel a stage runs (an actor's assembled decision, or its own)."""
    return getattr(ASSEMBLED, f"{stage.actor}_rows") if stage.kernel is None else stage.kernel


# ---------------------------------------------------------------- one stage at a time
def _call(kernel: Callable[..., Any], s: State, context: dict[str, Any]) -> None:
    """Call a stage kernel with its arguments bound by name: the state's fields and `context`."""
    kernel(*[context[name] if name in context else getattr(s, name) for name in assemble.parameters(kernel)])


def _context(s: State, p: ModelParams, step: int, keys: np.ndarray, record: bool, width: int,
             events: Events, step_keys: np.ndarray | None) -> dict[str, Any]:
    par, fac = packing.packed(p)
    rows = s.runs if record else 1
    step_keys = draws.step_keys(keys, step) if step_keys is None else step_keys
    return {"lo": 0, "hi": s.runs, "par": par, "fac": fac, "keys": step_keys, "day": p.day(step), "record": record,
            "revise": np.zeros(s.runs, dtype=np.bool_),
            "chosen": np.zeros(s.runs, dtype=np.int64), "values": np.zeros((rows, width)),
            "available": np.zeros((rows, width), dtype=np.bool_),
            "flags": np.zeros((s.runs, max(len(events.kinds), 1)), dtype=np.bool_),
            "data": np.zeros((s.runs, max(len(events.data), 1))), "rule": _rule_code(p),
            "pids": _plan(p)[1]}


def _emit(events: list, stage_events: Events, flags: np.ndarray, data: np.ndarray) -> None:
    for k, kind in enumerate(stage_events.kinds):
        mask = flags[:, k]
        if mask.any():
            carried = {name: data[:, stage_events.column(column)] for name, column in stage_events.carried(kind)}
            events.append((kind, mask.copy(), carried))


def run_stage(stage: Stage, s: State, p: ModelParams, step: int, keys: np.ndarray, events: Events_ = None, *,
              step_keys: np.ndarray | None = None) -> None:
    """Step `step` of one stage over every run of `s`; `events`, if a list, receives the
    stage's events (module docstring). `step_keys`, if given, are `draws.step_keys(keys,
    step)`, computed once by a caller that runs several stages of the step."""
    if stage.has_members:
        step_keys = draws.step_keys(keys, step) if step_keys is None else step_keys
        for j in range(p.factions.size):
            run_member(stage, s, p, step, keys, j, events, step_keys=step_keys)
        run_then(stage, s, p, step, keys, events)
        return
    actor = ACTORS.get(stage.actor) if stage.actor else None
    width = len(actor.actions) if actor else 1
    ctx = _context(s, p, step, keys, events is not None, width, stage.events, step_keys)
    _call(stage_kernel(stage), s, ctx)
    if events is not None:
        if actor is not None:
            events.append(("decision", ctx["revise"].copy(), {"actor": actor.name, "values": ctx["values"],
                                                               "open": ctx["available"], "chosen": ctx["chosen"]}))
        _emit(events, stage.events, ctx["flags"], ctx["data"])


def run_member(stage: Stage, s: State, p: ModelParams, step: int, keys: np.ndarray, j: int,
               events: Events_ = None, *, step_keys: np.ndarray | None = None) -> None:
    """Member j of a stage whose actor's members decide one by one (faction j): its salience
    (F12) and, at a revision, the stance it states (`step_keys` as in `run_stage`)."""
    actor = ACTORS[stage.actor or ""]
    width = len(actor.actions)
    ctx = _context(s, p, step, keys, events is not None, width, stage.events, step_keys)
    ctx.update(first=j, last=j + 1)
    assert stage.kernel is not None
    _call(stage.kernel, s, ctx)
    if events is not None:
        name = p.factions.names[j]
        events.append(("decision", ctx["revise"].copy(), {
            "actor": f"faction.{name}", "values": ctx["values"], "open": np.ones((s.runs, width), dtype=bool),
            "chosen": s.stance[:, j].astype(np.int64)}))


def run_then(stage: Stage, s: State, p: ModelParams, step: int = 0, keys: np.ndarray | None = None,
             events: Events_ = None) -> None:
    """What follows a stage's members: Baghdad's collective stance by the configured rule over
    seats, positions and saliences (its compiled kernel, the one `run_step` calls); every
    faction has now answered the trigger events it had."""
    if stage.then is not None:
        stage.then(0, s.runs, _rule_code(p), packing.packed(p)[1], s.position, s.salience, s.collective_stance,
                   s.trigger_factions)


def _rule_code(p: ModelParams) -> int:
    """The code of the collective rule's kernel (`bargaining.rule_code`; bdm's in its reading)."""
    return bargaining.rule_code(p.behaviour.collective_rule, getattr(p.behaviour, "bdm_reading", "text"))


# ---------------------------------------------------------------- the whole step, compiled
def compiled_step(p: ModelParams) -> bool:
    """Whether `run_step` can take a step of `p` in one compiled call: its collective rule
    is compiled (every registered rule is, bdm in both readings)."""
    return _plan(p)[3]


def run_step(s: State, p: ModelParams, step: int, keys: np.ndarray) -> None:
    """Step `step` of every run of `s`, every stage of `p.step_order`, in one compiled call
    (`compiled_step(p)`); the same numbers as the stages one after another."""
    par, fac = packing.packed(p)
    order, pids, rule, _ = _plan(p)
    ASSEMBLED.step_all(order, par, fac, keys, draws.step_key(step), p.day(step), rule, pids, *s.storage())


def stepper(s: State, p: ModelParams, keys: np.ndarray) -> Callable[[int], None]:
    """`run_step` bound to one state, params and stream keys: a function of the step alone,
    which saves a run of one (the Mesa model) the look-ups of every call. The state's storage
    arrays keep their identity (setting a field writes into them), so the binding holds for
    the state's life. Only for params whose step is compiled (`compiled_step`)."""
    par, fac = packing.packed(p)
    order, pids, rule, compiled = _plan(p)
    if not compiled:
        raise ValueError("stepper: this collective rule is not compiled (compiled_step is false)")
    storage = s.storage()
    day = p.day
    step_all = ASSEMBLED.step_all

    def step(week: int) -> None:
        step_all(order, par, fac, keys, draws.step_key(week), day(week), rule, pids, *storage)

    return step


def _plan(p: ModelParams) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The stage codes of `p.step_order`, the factions' purpose ids (F, 3), the collective
    rule's code and `compiled_step(p)`, once per params object."""
    cached = p.__dict__.get("_step_plan")
    if cached is None:
        order = np.array([STAGE_NAMES.index(name) for name in p.step_order], dtype=np.int64)
        pids = faction_purpose_ids(p.factions.names)
        rule = _rule_code(p)
        cached = (order, pids, rule, rule >= 0)
        object.__setattr__(p, "_step_plan", cached)
    return cached
