"""Overrides by key, checked against the typed schema before anything runs.

Hydra refuses an unknown key (`scenario.sanctions.credibilty=0.95`) with a message that
suggests adding it with `+`, and `+key=value` then adds the misspelt key to the config and
the run goes on with the old value. So every override a command line (or the Python
interface) gives is checked here first, against the dataclasses of the schema
(`sim/config/schema.py` for `python -m sim`, `sim/sweep/schema.py` for `python -m sim.sweep`):

- `key=value` and `++key=value` must name a key the schema (or the chosen scenario's or
  experiment's files, for entries of a dictionary such as `scenario.factions`) defines;
- `+key=value` may only add a new entry to a dictionary node (a new faction); on a node the
  schema declares it is refused, with `key=value` suggested when the key exists;
- `~key` may only delete a dictionary entry (drop a faction), not a schema field.

A refusal is a `ConfigError` naming the key, the value and the nearest valid key. The
module also turns Python values and keyword names into override strings for the Python
interface (`override_strings`), so a notebook's overrides go through the same checks.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path

from .safety import primary_defaults
from .validate import ConfigError, python_value

#: the name of the Hydra package a config group's option is placed in, by group
GROUP_PACKAGES = {"scenario": "scenario", "experiment": "experiment"}


# ---------------------------------------------------------------- walking the schema
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _unwrap(tp: object) -> object:
    """Optional[X] -> X."""
    if typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _is_dict(tp: object) -> bool:
    return typing.get_origin(tp) in (dict, Mapping)


def _is_list(tp: object) -> bool:
    return typing.get_origin(tp) is list


def _value_type(tp: object) -> object:
    """The value type of Dict[str, X] or List[X]."""
    return _unwrap(typing.get_args(tp)[-1]) if typing.get_args(tp) else typing.Any


def field_paths(root: type, prefix: str = "", entries: Mapping[str, Collection[str]] | None = None
                ) -> Iterator[tuple[str, dataclasses.Field, type]]:
    """Every leaf field of a schema dataclass as (dotted key, field, owner class), depth first
    in declaration order. A dictionary of dataclasses (`scenario.factions`) is expanded with
    the entry names `entries[key]` (default: the placeholder `NAME`)."""
    hints = _hints(root)
    for f in dataclasses.fields(root):
        key = f"{prefix}{f.name}"
        tp = _unwrap(hints[f.name])
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            yield from field_paths(tp, key + ".", entries)
        elif _is_dict(tp) and isinstance(_value_type(tp), type) and dataclasses.is_dataclass(_value_type(tp)):
            for name in (entries or {}).get(key, ["NAME"]):
                yield from field_paths(_value_type(tp), f"{key}.{name}.", entries)  # type: ignore[arg-type]
        else:
            yield key, f, root


def nearest(key: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `key` (difflib's ratio, at least 0.6), or None."""
    found = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


class _Walk(typing.NamedTuple):
    ok: bool
    depth: int            # parts matched
    node: object          # the type reached (or of the last node matched)
    dict_depth: int       # index of the part that named a dictionary entry (-1: none)
    dict_path: str        # the dictionary's key when the walk went through one


def _walk(root: type, parts: list[str], entries: Mapping[str, Collection[str]]) -> _Walk:
    node: object = root
    dict_depth, dict_path = -1, ""
    for i, part in enumerate(parts):
        node = _unwrap(node)
        if isinstance(node, type) and dataclasses.is_dataclass(node):
            hints = _hints(node)
            if part not in hints:
                return _Walk(False, i, node, dict_depth, dict_path)
            node = hints[part]
        elif _is_dict(node):
            path = ".".join(parts[:i])
            known = entries.get(path)
            if known is not None and part not in known:
                return _Walk(False, i, node, i, path)
            dict_depth, dict_path = i, path
            node = _value_type(node)
        elif _is_list(node):
            if not part.isdigit():
                return _Walk(False, i, node, dict_depth, dict_path)
            node = _value_type(node)
        elif node is typing.Any:
            return _Walk(True, len(parts), node, dict_depth, dict_path)
        else:  # a value: it has no keys below it
            return _Walk(False, i, node, dict_depth, dict_path)
    return _Walk(True, len(parts), _unwrap(node), dict_depth, dict_path)


# ---------------------------------------------------------------- the check
def group_entries(group: str, choice: str, root: Path) -> dict[str, set[str]]:
    """Entries of the dictionary nodes a group option's files define, by full key
    (`{"scenario.factions": {"kurds", ...}}`), following the files' `defaults` lists. The
    files were checked by `sim.config.safety` before this is called."""
    import yaml

    found: dict[str, set[str]] = {}
    todo, done = [choice], set()
    while todo:
        name = todo.pop()
        if name in done or not isinstance(name, str):
            continue
        done.add(name)
        path = root / group / f"{name}.yaml"
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict):
            continue
        todo.extend(d for d in doc.get("defaults", []) if isinstance(d, str) and d != "_self_")
        for key, value in doc.items():
            if isinstance(value, dict) and key != "defaults":
                found.setdefault(f"{GROUP_PACKAGES.get(group, group)}.{key}", set()).update(map(str, value))
    return found


def _suggestion(root: type, key: str, walk: _Walk, parts: list[str], entries: Mapping[str, Collection[str]]) -> str:
    candidates = [k for k, _, _ in field_paths(root, entries=entries)]
    best = nearest(key, candidates)
    if best is None:  # compare the misspelt part with its siblings only
        node = walk.node
        if isinstance(node, type) and dataclasses.is_dataclass(node):
            sibling = nearest(parts[walk.depth], [f.name for f in dataclasses.fields(node)])
            if sibling is not None:
                best = ".".join([*parts[:walk.depth], sibling, *parts[walk.depth + 1:]])
        elif walk.dict_path:
            sibling = nearest(parts[walk.depth], entries.get(walk.dict_path, ()))
            if sibling is not None:
                best = ".".join([*parts[:walk.depth], sibling, *parts[walk.depth + 1:]])
    return f" (did you mean {best}?)" if best else ""


def check_overrides(args: Iterable[str], root: type, *, groups: Collection[str] = (),
                    entries: Mapping[str, Collection[str]] | None = None, command: str = "python -m sim") -> None:
    """Refuse (ConfigError) an override whose key the schema `root` does not define, a `+`
    on a schema-declared node and a `~` on a schema field; see the module docstring.

    `groups` are the config groups the command selects options of (`scenario`); `entries`
    the dictionary entries the chosen options define (`group_entries`). Flags (`-m`,
    `--cfg`, ...), `hydra.*` keys and group choices (`scenario=NAME`, `hydra/launcher=...`)
    are left to Hydra and `sim.config.safety`; arguments Hydra cannot parse too."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    entries = dict(entries or {})
    plain = [a for a in args if not a.startswith("-")]
    try:
        overrides = OverridesParser.create().parse_overrides(plain)
    except HydraException:  # Hydra reports its own syntax errors
        return
    for o in overrides:
        key = o.key_or_group
        if key == "hydra" or key.startswith("hydra.") or "/" in key or o.package is not None:
            continue
        if key in groups:
            continue
        if key in GROUP_PACKAGES:
            raise ConfigError(key, o.input_line.split("=", 1)[-1] if o.input_line else None,
                              f"a key or config group of {command} (`{key}` is not one of its groups: "
                              f"{', '.join(sorted(groups)) or 'none'})")
        line = o.get_key_element()
        given = o.input_line or key
        value = given.split("=", 1)[1] if "=" in given else None
        parts = key.split(".")
        walk = _walk(root, parts, entries)
        listed = f"; `{command} --help` lists every key"
        if o.is_delete():
            if walk.ok and walk.dict_depth == len(parts) - 1:
                continue  # dropping a dictionary entry (a faction)
            raise ConfigError(line, value, "a dictionary entry to drop (such as ~scenario.factions.NAME); a key "
                                           "the schema declares cannot be deleted: set its value instead" + listed)
        if o.is_add() and not o.is_force_add():
            adds_entry = (not walk.ok and walk.dict_path and walk.depth == len(parts) - 1) or \
                         (walk.ok and walk.dict_depth == len(parts) - 1 and parts[-1] not in entries.get(walk.dict_path, ()))
            if adds_entry:
                continue  # a new dictionary entry (a faction given as a whole)
            if walk.ok:
                raise ConfigError(line, value, f"an override without '+': the key exists, set it with {key}={value}")
            raise ConfigError(line, value, "an existing key: '+' adds a key, and the keys of this node are fixed by "
                              "the schema" + _suggestion(root, key, walk, parts, entries) + listed)
        if not walk.ok:
            raise ConfigError(key, value, "an existing key" + _suggestion(root, key, walk, parts, entries) + listed)



def check_command_overrides(args: Iterable[str], root: type, config_name: str, config_dir: Path,
                            command: str) -> None:
    """`check_overrides` for a command line of the Hydra app whose primary config is
    configs/<config_name>.yaml: the groups it chooses options of, and the dictionary entries
    those options define (for a sweep over options, `scenario=a,b`, the entries of any)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob
    from hydra.errors import HydraException

    args = list(args)
    choices: dict[str, list[str]] = {g: [v] for g, v in primary_defaults(config_name, config_dir).items()}
    try:
        parsed = OverridesParser.create().parse_overrides([a for a in args if not a.startswith("-")])
    except HydraException:
        return
    for o in parsed:
        if o.key_or_group in choices and not o.is_delete() and not isinstance(o.value(), Glob):
            choices[o.key_or_group] = [str(v) for v in o.sweep_string_iterator()] if o.is_sweep_override() \
                else [str(o.value())]
    entries: dict[str, set[str]] = {}
    for group, names in choices.items():
        for name in names:
            for key, found in group_entries(group, name, config_dir).items():
                entries.setdefault(key, set()).update(found)
    check_overrides(args, root, groups=set(choices), entries=entries, command=command)


# ---------------------------------------------------------------- from Python to override strings
def format_value(value: object) -> str:
    """A Python value in Hydra's override grammar: numbers, booleans, None, strings (quoted
    when needed), lists and dicts of those; NumPy numbers and arrays as the Python values
    they hold (`python_value`)."""
    value = python_value(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        return f"'{escaped}'"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{format_value(v)}" for k, v in value.items()) + "}"
    raise ConfigError("override", value, "a number, a boolean, None, a string, or a list or dict of those")


def dotted(name: str) -> str:
    """A keyword argument's name as a dotted key: `sanctions__credibility` -> `sanctions.credibility`."""
    return name.replace("__", ".")


def override_strings(values: Mapping[str, object], shortcuts: Mapping[str, str] | None = None) -> list[str]:
    """`{"scenario.sanctions.credibility": 0.9}` -> `["scenario.sanctions.credibility=0.9"]`.

    Keys are dotted (or use `__` for the dot, as keyword arguments must); a key whose first
    part is in `shortcuts` gets that prefix (`sanctions.credibility` ->
    `scenario.sanctions.credibility`)."""
    out = []
    for name, value in values.items():
        key = dotted(str(name))
        head = key.split(".", 1)[0]
        if shortcuts and head in shortcuts:
            key = f"{shortcuts[head]}.{key}"
        out.append(f"{key}={format_value(value)}")
    return out
