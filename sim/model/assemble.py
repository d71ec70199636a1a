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

import ast
import builtins
import functools
import importlib.util
import inspect
import os
import sys
import tempfile
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .actors import ACTORS
from .actors.base import DECISION_LOOP, VIEW_LOOP, Actor
from .compiled import CACHE_DIR
from .state import FIELD_BY_NAME, MATRICES, PLACE

#: the values a decision loop offers its actor's pieces, besides the state's fields
DECISION_LOCALS = frozenset({"pr", "fr", "key", "i", "day", "u", "avail", "probs", "look", "terms",
                             "triggered", "status_quo", "mass", "a", "flags", "data", "record", "keys", "par", "fac"})
VIEW_LOCALS = frozenset({"pr", "fr", "i", "day", "u", "avail", "look", "terms"})
_GROUP_NAMES = ("f64", "i64", "i8", "flag")


@functools.cache
def parameters(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The parameter names of a kernel (or of its Python function); read once per function
    (a stage's Python path binds its kernels' arguments by these names at every call)."""
    return tuple(inspect.signature(getattr(fn, "py_func", fn)).parameters)


#: annotations that ask for a field's value in the run (`name[i]`) rather than its whole array
SCALARS = frozenset({"float", "int", "bool"})


def _bind(fn: Callable[..., Any], local: frozenset[str], where: str) -> tuple[str, list[str]]:
    """The argument list of a call of `fn` inside a loop over runs whose own values are
    `local`, and the state fields it needs: a parameter named like a field receives the
    field's value in the run (`troops[i]`) if annotated as a number, else its whole array
    (to write into, or a faction matrix); a parameter that is neither is a declaration error."""
    signature = inspect.signature(getattr(fn, "py_func", fn)).parameters
    unknown = [n for n in signature if n not in local and n not in FIELD_BY_NAME]
    if unknown:
        raise ValueError(f"{where}: parameters {unknown} are neither the loop's values ({sorted(local)}) nor state "
                         "fields")
    args = [f"{n}[i]" if n in FIELD_BY_NAME and str(p.annotation) in SCALARS else n for n, p in signature.items()]
    return ", ".join(args), [n for n in signature if n in FIELD_BY_NAME]


def _spliced(fn: Callable[..., Any], module: str, prefix: str, result: str | None, indent: str = "        ") -> str:
    """The body of an actor's piece `fn` as statements of the loop that calls it, so that the
    loop holds one body and no state array is handed to a call (numba's inlining keeps a
    reference count on each array it passes, some 25 ns a call per array at this size).

    The piece's parameters are the loop's names already (the binding is by name); one
    annotated as a number reads the run's value (`troops` becomes `troops[i]`); its own
    variables get `prefix` (so they cannot meet the loop's or another piece's); the names it
    takes from its module (`K`, `payoffs`, its constants) are read through the module
    (`_tehran.K`); its one `return`, last, becomes an assignment to `result`. A piece that
    returns elsewhere or assigns a parameter is a declaration error."""
    where = f"{module[1:]}.{fn.__name__}"
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(fn, "py_func", fn))))
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    signature = inspect.signature(getattr(fn, "py_func", fn)).parameters
    scalars = {n for n, p in signature.items() if n in FIELD_BY_NAME and str(p.annotation) in SCALARS}
    body = list(definition.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    last = body[-1] if body else None
    if isinstance(last, ast.Return):
        body = body[:-1]
        if last.value is not None:
            if result is None:
                raise ValueError(f"{where}: returns a value, which its loop does not take")
            target = ast.parse(f"{result} = None").body[0]
            assert isinstance(target, ast.Assign)
            target.value = last.value
            body.append(target)
    elif result is not None:
        raise ValueError(f"{where}: returns nothing; its loop takes {result}")
    for node in body:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Return):
                raise ValueError(f"{where}: returns before its end; a piece of a decision returns once, last")
    kept = set(result.replace(" ", "").split(",")) if result else set()  # the loop's own names
    stored = {n.id for node in body for n in ast.walk(node)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} - kept
    if stored & set(signature):
        raise ValueError(f"{where}: assigns its parameters {sorted(stored & set(signature))}; a piece writes a "
                         "field's run as field[i] and keeps its own values in variables of its own")

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in scalars:
                return ast.copy_location(ast.Subscript(value=ast.Name(node.id, ast.Load()),
                                                       slice=ast.Name("i", ast.Load()), ctx=ast.Load()), node)
            if node.id in signature or node.id in kept:
                return node
            if node.id in stored:
                return ast.copy_location(ast.Name(prefix + node.id, node.ctx), node)
            if hasattr(builtins, node.id):
                return node
            return ast.copy_location(ast.Attribute(value=ast.Name(module, ast.Load()), attr=node.id, ctx=node.ctx),
                                     node)

    lines = [ast.unparse(Rename().visit(node)) for node in body] or ["pass"]
    return textwrap.indent("\n".join(lines), indent)


def _decision(actor: Actor) -> tuple[str, list[str]]:
    """The source of `<actor>_rows` and `<actor>_view_rows`, and the fields the stage reads."""
    module = f"_{actor.name}"
    pieces = {"occasion": actor.occasion, "weigh": actor.weigh, "act": actor.act}
    fields: list[str] = []
    for what, piece in pieces.items():
        if piece is None:
            raise ValueError(f"actor {actor.name!r} decides alone but declares no {what}")
        fields += _bind(piece, DECISION_LOCALS, f"actor {actor.name!r}: {what}")[1]
    if actor.role is not None:
        fields += [f"human_{actor.name}", f"forced_{actor.name}_action"]
    fields.append(f"trigger_{actor.name}")
    fields = list(dict.fromkeys(fields))
    view_fields = _bind(pieces["weigh"], VIEW_LOCALS,  # type: ignore[arg-type]
                        f"actor {actor.name!r}: weigh (for the views)")[1]
    uses_fr = any("fr" in parameters(piece) for piece in pieces.values() if piece is not None)
    weigh = _spliced(pieces["weigh"], module, "_w_", None)  # type: ignore[arg-type]
    common = dict(actor=actor.name, ACTOR=actor.name.upper(), actions=len(actor.actions),
                  faction_row="\n        fr = at(fac, i)" if uses_fr else "",
                  look=max(actor.look, 1), terms=max(len(actor.terms), 1), pids=f"{module}_PIDS")
    decision = DECISION_LOOP.format(
        fields=", ".join(fields),
        occasion=_spliced(pieces["occasion"], module, "_o_",  # type: ignore[arg-type]
                          "triggered, rate, ring, status_quo, can_act"),
        weigh=weigh, act=_spliced(pieces["act"], module, "_a_", None),  # type: ignore[arg-type]
        human=f"human_{actor.name}[i]" if actor.role else "False",
        forced=f"forced_{actor.name}_action[i]" if actor.role else "-1", **common)
    view = VIEW_LOOP.format(fields=", ".join(view_fields), weigh=weigh, **common)
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
        "from sim.model import draws as _draws",
        "from sim.model import packing as K",
        "from sim.model.compiled import alive, at, kernel, unowned",
        "from sim.model.actors.base import opportunity, revised",
    ]
    modules = {f"sim.model.actors.{actor.name}" for actor in ACTORS.values()}
    modules |= {getattr(fn, "py_func", fn).__module__ for stage in stages for _, fn in stage.kernels() if fn is not None}
    aliases: dict[str, str] = {}
    for module in sorted(modules):
        parent, last = module.rsplit(".", 1)
        if aliases.setdefault(f"_{last}", module) != module:
            raise ValueError(f"two modules of the step are both named {last!r}: {aliases[f'_{last}']} and {module}")
        lines.append(f"from {parent} import {last} as _{last}")
    for actor in ACTORS.values():
        if actor.decides_alone:
            lines.append(f"_{actor.name}_PIDS = _{actor.name}.PIDS")
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
            "    runs = keys.shape[0]",
            "    step_keys = np.empty(runs, dtype=np.uint64)  # each run's key for this step, once",
            "    _draws.step_keys_into(keys, step, step_keys)"]
    for name, (g, k) in PLACE.items():
        step.append(f"    {name} = {_GROUP_NAMES[g]}[{k}]")
    widest = max(len(a.actions) for a in ACTORS.values())
    step += ["    record = False",
             "    revise = np.zeros(runs, dtype=np.bool_)",
             "    chosen = np.zeros(runs, dtype=np.int64)",
             f"    values = np.zeros((1, {widest}))",
             f"    available = np.zeros((1, {widest}), dtype=np.bool_)"]
    # the stages' event flags and numbers are written, never read, inside the step (only a
    # stage run on its own reports them): one scratch for all, the widest any stage needs
    kinds = max(max(len(stage.events.kinds), 1) for stage in stages)
    numbers = max(max(len(stage.events.data), 1) for stage in stages)
    step += [f"    flags = np.zeros((runs, {kinds}), dtype=np.bool_)", f"    data = np.zeros((runs, {numbers}))"]
    step.append("    for code in order:")
    for code, stage in enumerate(stages):
        context = {"lo": "0", "hi": "runs", "par": "par", "fac": "fac", "keys": "step_keys", "day": "day",
                   "rule": "rule", "record": "record", "revise": "revise", "chosen": "chosen", "values": "values",
                   "available": "available", "flags": "flags", "data": "data",
                   "pids": "faction_pids", "first": "0", "last": "faction_pids.shape[0]"}
        step.append(f"        {'if' if code == 0 else 'elif'} code == {code}:")
        for kernel_name, fn in stage.kernels():
            if fn is None:  # an assembled decision: its signature is the loop's, then its fields
                params: tuple[str, ...] = ("lo", "hi", "par", "fac", "keys", "day", "record", "revise", "chosen",
                                           "values", "available", "flags", "data", *decided[stage.actor])
            else:
                params = parameters(fn)
            step.append("            " + _stage_call(kernel_name, params, context))
    body.append("\n".join(step))
    return "\n\n".join(body) + "\n"


def load(stages: tuple[Any, ...]) -> ModuleType:
    """The assembled module: its source written into the compiled cache's folder (atomically,
    if it is not there yet) and imported from there. The folder is named by the digest of
    all the code the source is written from, so a source found there is this code's and is
    not written again."""
    folder = CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only installation: a folder of its own in the temporary directory
        folder = Path(tempfile.gettempdir()) / f"sim-{CACHE_DIR.name}"
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / "assembled.py"
    if not path.exists():
        text = source(stages)
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
