"""The compiled step, written from the declarations.

Three kinds of kernel are assembled here rather than written by hand, so that a field, an
actor or a stage is declared in one place and every loop that passes it on follows:

- each deciding actor's stage (`<actor>_rows`): the one revision loop of
  `actors.base.DECISION_LOOP` around the actor's `occasion`, `weigh` and `act`;
- each deciding actor's view (`<actor>_view_rows`): its values, open actions and terms in
  the current state, for every run (`actors.base.VIEW_LOOP`), which `sim.model.views` and
  the story's "why" read;
- the whole step (`step_all`): every stage's kernel over every run in the configured order,
  on the state's storage (`State.storage()`), each field passed as the row `state.PLACE`
  names.

A kernel's arguments are bound by name: a parameter named like a state field receives that
field (`declare.Field`), and the others are the loop's own values (`pr`, `i`, `day`, `u`,
`avail`, `look`, `terms`, `a`, `flags`, `data`, ...). The source is written into the
compiled cache's folder (`compiled.CACHE_DIR`), named by the model's code, and imported from
there, so numba caches it like any kernel; nobody edits it.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .actors import ACTORS
from .actors.base import DECISION_LOOP, VIEW_LOOP, Actor
from .compiled import CACHE_DIR
from .state import FIELD_BY_NAME, MATRICES, PLACE

#: the values a decision loop offers its actor's pieces, besides the state's fields
DECISION_LOCALS = frozenset({"pr", "fr", "key", "i", "step", "day", "u", "avail", "probs", "look", "terms",
                             "triggered", "status_quo", "mass", "a", "flags", "data", "record", "keys", "par", "fac"})
VIEW_LOCALS = frozenset({"pr", "fr", "i", "day", "u", "avail", "look", "terms"})
_GROUP_NAMES = ("f64", "i64", "i8", "flag")


def parameters(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The parameter names of a kernel (or of its Python function)."""
    return tuple(inspect.signature(getattr(fn, "py_func", fn)).parameters)


def _bind(fn: Callable[..., Any], local: frozenset[str], where: str) -> tuple[str, list[str]]:
    """The argument list of a call of `fn` inside a loop whose own values are `local`, and
    the state fields it needs; a parameter that is neither is a declaration error."""
    names = parameters(fn)
    unknown = [n for n in names if n not in local and n not in FIELD_BY_NAME]
    if unknown:
        raise ValueError(f"{where}: parameters {unknown} are neither the loop's values ({sorted(local)}) nor state "
                         "fields")
    return ", ".join(names), [n for n in names if n in FIELD_BY_NAME]


def _decision(actor: Actor) -> tuple[str, list[str]]:
    """The source of `<actor>_rows` and `<actor>_view_rows`, and the fields the stage reads."""
    module = f"_{actor.name}"
    pieces = {"occasion": actor.occasion, "weigh": actor.weigh, "act": actor.act}
    args, fields = {}, []
    for what, piece in pieces.items():
        if piece is None:
            raise ValueError(f"actor {actor.name!r} decides alone but declares no {what}")
        args[what], used = _bind(piece, DECISION_LOCALS, f"actor {actor.name!r}: {what}")
        fields += used
    if actor.role is not None:
        fields += [f"human_{actor.name}", f"forced_{actor.name}_action"]
    fields.append(f"trigger_{actor.name}")
    fields = list(dict.fromkeys(fields))
    weigh_args, view_fields = _bind(pieces["weigh"], VIEW_LOCALS,  # type: ignore[arg-type]
                                    f"actor {actor.name!r}: weigh (for the views)")
    common = dict(actor=actor.name, ACTOR=actor.name.upper(), module=module, actions=len(actor.actions),
                  look=max(actor.look, 1), terms=max(len(actor.terms), 1), pids=f"{module}_PIDS")
    decision = DECISION_LOOP.format(
        fields=", ".join(fields), occasion_args=args["occasion"], weigh_args=args["weigh"], act_args=args["act"],
        human=f"human_{actor.name}[i]" if actor.role else "False",
        forced=f"forced_{actor.name}_action[i]" if actor.role else "-1", **common)
    view = VIEW_LOOP.format(fields=", ".join(view_fields), weigh_args=weigh_args, **common)
    return decision + view, fields


def _stage_call(kernel_name: str, fn_params: tuple[str, ...], context: dict[str, str]) -> str:
    """A call of a stage kernel in `step_all`: fields as the storage's rows, the rest from
    `context`."""
    args = []
    for name in fn_params:
        if name in FIELD_BY_NAME:
            args.append(name)
        elif name in context:
            args.append(context[name])
        else:
            raise ValueError(f"stage kernel {kernel_name}: parameter {name!r} is neither a state field nor one of "
                             f"{sorted(context)}")
    return f"{kernel_name}({', '.join(args)})"


def source(stages: tuple[Any, ...]) -> str:
    """The whole assembled module's source, for the stages of `sim.model.stages.STAGES`."""
    lines = [
        '"""Assembled by sim/model/assemble.py from the model\'s declarations; do not edit."""',
        "import numpy as np",
        "from sim.model import packing as K",
        "from sim.model.compiled import at, kernel",
        "from sim.model.actors.base import opportunity, revised",
    ]
    for actor in ACTORS.values():
        lines.append(f"from sim.model.actors import {actor.name} as _{actor.name}")
        if actor.decides_alone:
            lines.append(f"_{actor.name}_PIDS = _{actor.name}.PIDS")
    lines.append("from sim.model import world as _world, parliament as _parliament")
    body = ["\n".join(lines), ""]
    decided: dict[str, list[str]] = {}
    for actor in ACTORS.values():
        if actor.decides_alone:
            text, fields = _decision(actor)
            body.append(text)
            decided[actor.name] = fields

    # the whole step, on the state's storage
    storage = ", ".join(["f64", "i64", "i8", "flag", *(name for name, _ in MATRICES)])
    step = ["@kernel", f"def step_all(order, par, fac, keys, step, day, rule, faction_pids, {storage}):",
            "    runs = keys.shape[0]"]
    for name, (g, k) in PLACE.items():
        step.append(f"    {name} = {_GROUP_NAMES[g]}[{k}]")
    widest = max(len(a.actions) for a in ACTORS.values())
    step += ["    record = False",
             "    revise = np.zeros(runs, dtype=np.bool_)",
             "    chosen = np.zeros(runs, dtype=np.int64)",
             f"    values = np.zeros((1, {widest}))",
             f"    available = np.zeros((1, {widest}), dtype=np.bool_)"]
    for stage in stages:
        step.append(f"    flags_{stage.name} = np.zeros((runs, {max(len(stage.events.kinds), 1)}), dtype=np.bool_)")
        step.append(f"    data_{stage.name} = np.zeros((runs, {max(len(stage.events.data), 1)}))")
    step.append("    for code in order:")
    for code, stage in enumerate(stages):
        context = {"lo": "0", "hi": "runs", "par": "par", "fac": "fac", "keys": "keys", "step": "step", "day": "day",
                   "rule": "rule", "record": "record", "revise": "revise", "chosen": "chosen", "values": "values",
                   "available": "available", "flags": f"flags_{stage.name}", "data": f"data_{stage.name}",
                   "pids": "faction_pids", "first": "0", "last": "faction_pids.shape[0]"}
        step.append(f"        {'if' if code == 0 else 'elif'} code == {code}:")
        for kernel_name, fn in stage.kernels():
            if fn is None:  # an assembled decision: its signature is the loop's, then its fields
                params: tuple[str, ...] = ("lo", "hi", "par", "fac", "keys", "step", "day", "record", "revise",
                                           "chosen", "values", "available", "flags", "data", *decided[stage.actor])
            else:
                params = parameters(fn)
            step.append("            " + _stage_call(kernel_name, params, context))
    body.append("\n".join(step))
    return "\n\n".join(body) + "\n"


def load(stages: tuple[Any, ...]) -> ModuleType:
    """The assembled module: its source written into the compiled cache's folder (atomically,
    if it is not there yet) and imported from there."""
    text = source(stages)
    folder = CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only installation: a folder of its own in the temporary directory
        folder = Path(tempfile.gettempdir()) / f"sim-{CACHE_DIR.name}"
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / "assembled.py"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_name(f"assembled.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    name = "sim.model._assembled"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
