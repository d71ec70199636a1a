"""The config edge: what may be read as a scenario or an experiment, checked before Hydra
reads anything.

Scenario and experiment files are data someone may hand you, so they are held to more than
the typed schema asks:

- a scenario or experiment is chosen by a *name*: letters, digits and underscores (no path
  separators, no dots), at most 64 characters (`check_name`); the same holds for the
  `name` a file declares, which becomes a folder name under `results/`;
- files are read only from the project's `configs/<group>/` folders (`check_choice`), and
  Hydra's search path cannot be widened from the command line (`check_command_line`);
- a file is refused when it is larger than `MAX_FILE_BYTES`, is empty, is not a YAML
  mapping, uses more than `MAX_ALIASES` YAML aliases or would expand to more than
  `MAX_NODES` nodes (an alias bomb), is nested deeper than `MAX_DEPTH`, holds an OmegaConf
  interpolation (`${...}`, which would run resolvers such as `oc.env` and write secrets into
  the saved config), a Hydra instantiation key (`_target_` and the like), or a `defaults`
  entry that is not a name in the same folder (or `_self_`), or a `# @package` line (which
  would let it set keys outside its group, such as `hydra.run.dir`);
- a chain of `defaults` that comes back to a file it started from (a file listing itself,
  or two files listing each other) is refused, naming the cycle (Hydra would recurse until
  Python's stack ran out);
- a resolver (`${oc.env:HOME}`, `${oc.decode:...}`, `${now:...}`: anything `${name:...}`)
  typed on the command line or given to the Python interface is refused before anything
  resolves it (`check_no_resolvers`): it would copy the environment into config.yaml,
  overrides.yaml, a folder name or metadata.json. A plain interpolation of another config
  key (`out=results/sweeps/${experiment.name}`) reads only the config and is allowed.

Every refusal is a `sim.config.validate.ConfigError` (key, value, what is allowed), so the
command-line tools print it as one line and exit with code 2.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from .validate import ConfigError

#: the project's config folder (configs/ at the repository root)
CONFIG_ROOT = Path(__file__).resolve().parents[2] / "configs"
#: config groups whose files are checked here
GROUPS = ("scenario", "experiment")
#: the largest scenario or experiment file read (the largest shipped file is about 4 KB)
MAX_FILE_BYTES = 256 * 1024
#: YAML aliases allowed in one file (the shipped files use none)
MAX_ALIASES = 50
#: nodes a file may expand to once aliases are followed (the shipped files have a few hundred)
MAX_NODES = 20_000
#: nesting depth of mappings and lists
MAX_DEPTH = 32
MAX_NAME_LENGTH = 64

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Hydra's header directive, which would let a file write outside its group (`_global_`: hydra.run.dir, ...)
_PACKAGE_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*@package\b[ \t]*(\S*)", re.MULTILINE)
#: libyaml's safe loader when PyYAML was built with it (about ten times faster), else PyYAML's own
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HYDRA_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn")
#: an interpolation of another config key (`${experiment.name}`, `${..x}`): no resolver, no nesting
_KEY_INTERPOLATION = re.compile(r"\$\{\s*\.*[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*\s*\}")


def check_no_resolvers(args: Iterable[object], where: str = "the command line or in the Python interface") -> None:
    """Refuse an override holding a resolver or anything but a plain interpolation of another
    config key (`${oc.env:SECRET}`, `${oc.decode:...}`, `${${x}}`, an escaped `\\${...}`),
    before Hydra or OmegaConf could resolve it; see the module docstring."""
    for arg in args:
        text = str(arg)
        if "${" in _KEY_INTERPOLATION.sub("", text):
            key, eq, value = text.partition("=")
            raise ConfigError(key if eq else "argument", value if eq else text,
                              f"a plain value: resolvers such as ${{oc.env:...}} are not allowed on {where} (they "
                              "would copy the environment into the results); write the value itself")


def check_name(kind: str, name: object) -> None:
    """Refuse a scenario or experiment name that is not a plain identifier (it becomes a file
    and folder name: `configs/<kind>/<name>.yaml`, `results/.../<name>`)."""
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH or not _NAME.match(name):
        raise ConfigError(kind, name, f"a name of letters, digits and underscores, not starting with a digit, "
                                      f"at most {MAX_NAME_LENGTH} characters (no path separators or dots)")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _refuse(kind: str, path: Path, allowed: str) -> ConfigError:
    return ConfigError(f"{kind} file", str(path), allowed)


def check_config_file(path: str | Path, kind: str = "config", root: str | Path | None = None) -> dict:
    """Check one scenario or experiment file before Hydra reads it (see the module docstring).

    `root` is the folder the file must lie in once symbolic links are followed (default:
    the project's configs/). Returns what the caller may need: the file's `defaults` names
    (`_self_` left out), and its `name` and `scenario` values if set."""
    root = Path(root or CONFIG_ROOT).resolve()
    path = Path(path)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise _refuse(kind, path, "an existing file") from None
    if not _inside(real, root):
        raise _refuse(kind, path, f"a file inside {root} (the project's config folder)")
    if not real.is_file():
        raise _refuse(kind, path, "a regular file")
    size = real.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(kind, path, f"a file of at most {MAX_FILE_BYTES} bytes (it has {size})")
    try:
        text = real.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise _refuse(kind, path, f"UTF-8 text ({err.reason} at byte {err.start})") from None
    if "\0" in text:
        raise _refuse(kind, path, "text without NUL characters")
    directive = _PACKAGE_DIRECTIVE.search(text)
    if directive:
        raise ConfigError(f"{path}: {directive.group(0).strip()}", directive.group(1),
                          f"no `# @package` line: a {kind} file sets only its own group's keys")
    try:
        root_node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise _refuse(kind, path, f"valid YAML ({problem}{where})") from None
    if root_node is None:
        raise _refuse(kind, path, f"a non-empty YAML mapping (the file is empty; a {kind} file sets at least `name`)")
    if not isinstance(root_node, yaml.MappingNode):
        # the stubs type yaml.compose as returning a plain Node; it returns a ScalarNode,
        # SequenceNode or MappingNode, and each of those has `id`
        raise _refuse(kind, path,
                      f"a YAML mapping of keys to values (it holds a {root_node.id})")  # type: ignore[attr-defined]
    _walk(root_node, kind, path)
    try:
        doc = yaml.load(text, Loader=_LOADER)  # cheap now: the graph is known to be small
    except yaml.YAMLError as err:
        raise _refuse(kind, path, f"plain YAML data ({str(err).splitlines()[0]})") from None
    info = {"defaults": [], "name": doc.get("name"), "scenario": doc.get("scenario")}
    defaults = doc.get("defaults", [])
    if not isinstance(defaults, list):
        raise ConfigError(f"{path}: defaults", defaults, "a list of names of files in the same folder, and _self_")
    for entry in defaults:
        if entry == "_self_":
            continue
        if not isinstance(entry, str) or not _NAME.match(entry) or len(entry) > MAX_NAME_LENGTH:
            raise ConfigError(f"{path}: defaults", entry, "names of files in the same folder (or _self_); "
                                                          "other groups, packages and paths are not allowed here")
        info["defaults"].append(entry)
    if "name" in doc:
        check_name(f"{path}: name", doc["name"])
    if kind == "experiment" and "scenario" in doc:
        check_name(f"{path}: scenario", doc["scenario"])
    return info


def _walk(root_node: yaml.Node, kind: str, path: Path) -> None:
    """Count nodes (aliases followed), aliases and depth without expanding anything; refuse
    interpolations and instantiation keys. Iterative, so no input can exhaust the stack."""
    seen: set[int] = set()
    aliases = 0
    expanded = 0
    stack = [(root_node, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        expanded += 1
        if expanded > MAX_NODES:
            raise _refuse(kind, path, f"at most {MAX_NODES} YAML nodes once aliases are followed (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _refuse(kind, path, f"nesting at most {MAX_DEPTH} levels deep")
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _refuse(kind, path, f"at most {MAX_ALIASES} YAML aliases")
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if "${" in node.value:
                raise ConfigError(f"{path}: {where or '(top)'}", node.value,
                                  "a plain value: interpolations such as ${oc.env:...} are not allowed in "
                                  f"{kind} files")
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                stack.append((child, f"{where}[{i}]", depth + 1))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                if isinstance(key, yaml.ScalarNode) and len(name) > 2 and name.startswith("_") and name.endswith("_"):
                    raise ConfigError(f"{path}: {where + '.' if where else ''}{name}", name,
                                      "a model field: Hydra instantiation keys (_target_ and the like) are not "
                                      f"allowed in {kind} files")
                stack.append((key, where, depth + 1))
                stack.append((value, f"{where}.{name}" if where else name, depth + 1))


def available(group: str, root: str | Path | None = None) -> list[str]:
    """Names of the files in configs/<group>/."""
    folder = Path(root or CONFIG_ROOT) / group
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _check_unchanged_file(path: Path, kind: str, root: Path) -> dict:
    """`check_config_file`, remembered while the file keeps its size and modification time
    (the front door checks the same scenario file on every call)."""
    try:
        st = path.stat()
    except OSError:
        return check_config_file(path, kind, root)  # it says what is wrong
    return dict(_check_file_version(str(path), kind, str(root), st.st_mtime_ns, st.st_size, st.st_ino))


@functools.lru_cache(maxsize=256)
def _check_file_version(path: str, kind: str, root: str, mtime_ns: int, size: int, inode: int) -> dict:
    return check_config_file(path, kind, root)


def check_choice(group: str, name: object, root: str | Path | None = None) -> Path:
    """Check a scenario or experiment chosen by name: the name (`check_name`), that the file
    exists in configs/<group>/, the file and, recursively, the files its `defaults` list
    names, and that no chain of `defaults` comes back to a file it passed (a cycle). Returns
    the file's path."""
    check_name(group, name)
    root = Path(root or CONFIG_ROOT)
    state: dict[object, str] = {}  # "open" while its defaults are being followed, then "done"

    def visit(current: object, chain: list[object]) -> Path:
        path = root / group / f"{current}.yaml"
        if not path.exists():
            names = available(group, root)
            raise ConfigError(group, current, f"the name of a file in configs/{group}/ ({group}/{current}.yaml "
                                              f"does not exist); one of {', '.join(names) or '(none)'}")
        info = _check_unchanged_file(path, group, root)
        state[current] = "open"
        for entry in info["defaults"]:
            if state.get(entry) == "open":
                cycle = [*chain[chain.index(entry):], current, entry] if entry in chain else [current, entry]
                raise ConfigError(f"{group}/{current}.yaml: defaults", entry,
                                  "names of files whose defaults do not lead back to this file (a cycle: "
                                  f"{' -> '.join(map(str, cycle))})")
            if state.get(entry) is None:
                visit(entry, [*chain, current])  # depth at most the number of files in the folder
        state[current] = "done"
        return path

    return visit(name, [])


def primary_defaults(config_name: str, root: Path) -> dict[str, str]:
    """The group choices a primary config (configs/<config_name>.yaml) makes in its defaults."""
    try:
        doc = yaml.safe_load((root / f"{config_name}.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    found = {}
    for entry in doc.get("defaults", []) if isinstance(doc, dict) else []:
        if isinstance(entry, dict):
            for key, value in entry.items():
                if key in GROUPS and isinstance(value, str):
                    found[key] = value
    return found


def check_command_line(args: Iterable[str], config_name: str, root: str | Path | None = None) -> None:
    """Check a Hydra command line before Hydra composes anything: every scenario or
    experiment it selects (plain, `a,b` sweeps, `choice(...)`, `glob(...)`, or the primary
    config's default) passes `check_choice`; `scenario.name`, `experiment.name` and
    `experiment.scenario` overrides are names; Hydra's search path and config folder cannot
    be changed. Arguments Hydra cannot parse are left for Hydra to report."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob
    from hydra.errors import HydraException

    root = Path(root or CONFIG_ROOT)
    args = list(args)
    check_no_resolvers(args)
    for arg in args:
        flag = arg.split("=", 1)[0]
        if flag in _HYDRA_FLAGS:
            raise ConfigError(flag, arg.split("=", 1)[1] if "=" in arg else "(next argument)",
                              "not available here: configs are read only from the project's configs/ folder")
    plain = [a for a in args if not a.startswith("-")]
    try:
        overrides = OverridesParser.create().parse_overrides(plain)
    except HydraException:  # Hydra reports its own syntax errors
        return
    chosen: dict[str, Sequence[object]] = {
        group: [value] for group, value in primary_defaults(config_name, root).items()
    }
    for o in overrides:
        key = o.key_or_group
        if key == "hydra.searchpath" or key.startswith("hydra.searchpath"):
            raise ConfigError(key, o.value(), "not settable: configs are read only from the project's configs/ folder")
        if key in ("scenario.name", "experiment.name", "experiment.scenario") and not o.is_delete():
            values = list(o.sweep_string_iterator()) if o.is_sweep_override() and not isinstance(o.value(), Glob) \
                else [o.value()]
            for v in values:
                check_name(key, v)
        if key not in GROUPS or o.is_delete():
            continue
        value = o.value()
        names: Sequence[object]
        if isinstance(value, Glob):
            names = value.filter(available(key, root))
        elif o.is_sweep_override():
            names = list(o.sweep_string_iterator())
        else:
            names = [value]
        chosen[key] = names
    for group, names in chosen.items():
        for name in names:
            check_choice(group, name, root)
