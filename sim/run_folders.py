"""Folders for results that never overwrite each other.

A single run (`python -m sim`) is written to `results/runs/SCENARIO/NAME`, where NAME is
`seed_SEED` (the seed drawn when the seed was null) followed by the command line's other
overrides, sorted (`seed_0__sanctions.credibility=0.95`), or, when those do not make a
short, plain folder name, by a hash of them (`seed_0__cfg-1a2b3c4d5e`); the overrides are
also written to `overrides.yaml` in the folder. A multirun job goes to
`results/multirun/TIME/SCENARIO/NAME` by the same rule, so every job has its own folder.

A folder is reused only when it is new, empty, or holds a run with the same resolved
config (`config.yaml`): running the same command again repeats the run in place. Any other
folder is never written into: a folder the command line named (`hydra.run.dir=DIR`,
`--out DIR`) is refused with a `ConfigError`; a folder the program named is replaced by the
first free name `NAME-2`, `NAME-3`, ...
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from .config.validate import ConfigError

CONFIG_FILE = "config.yaml"
#: characters a folder name made of overrides may hold (anything else: a hash)
_PLAIN = re.compile(r"[A-Za-z0-9_.,=+~-]+\Z")
MAX_NAME = 100
MAX_TRIES = 1000


def run_name(seed: int, overrides: Sequence[str], leave_out: Sequence[str] = ("seed", "scenario")) -> str:
    """`seed_SEED`, then `__` and the overrides other than `leave_out` (sorted, `scenario.`
    dropped from their keys), or `__cfg-HASH` when they do not make a short plain name."""
    shown = []
    for line in overrides:
        key, sep, value = line.partition("=")
        bare = key.lstrip("+~")
        if bare in leave_out:
            continue
        prefix = key[: len(key) - len(bare)]
        if bare.startswith("scenario."):
            bare = bare[len("scenario."):]
        shown.append(f"{prefix}{bare}{sep}{value}")
    name = f"seed_{seed}"
    if not shown:
        return name
    suffix = ",".join(sorted(shown))
    if len(suffix) <= MAX_NAME and _PLAIN.match(suffix) and ".." not in suffix:
        return f"{name}__{suffix}"
    return f"{name}__cfg-{hashlib.sha256(suffix.encode()).hexdigest()[:10]}"


def config_difference(old: object, new: object, path: str = "") -> str | None:
    """The first key where two configs differ, as `key: OLD there, NEW here`; None if equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in old:
                return f"{where}: absent there, {new[key]!r} here"
            if key not in new:
                return f"{where}: {old[key]!r} there, absent here"
            diff = config_difference(old[key], new[key], where)
            if diff is not None:
                return diff
        return None
    return None if old == new else f"{path or '(the whole config)'}: {old!r} there, {new!r} here"


def _holds(folder: Path, config: dict) -> str | None:
    """None if `folder` may take a run with this config (absent, empty, or the same config);
    else what it holds instead."""
    if not folder.exists():
        return None
    if not folder.is_dir():
        return "a file of that name"
    saved = folder / CONFIG_FILE
    if saved.is_file():
        try:
            old = yaml.safe_load(saved.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            return f"a {CONFIG_FILE} that cannot be read"
        diff = config_difference(old, config)
        return None if diff is None else f"a run with another config ({diff})"
    if any(folder.iterdir()):
        return f"other files and no {CONFIG_FILE}"
    return None


def claim(folder: Path, config: dict, *, named_by_user: bool, option: str) -> tuple[Path, str | None]:
    """The folder a result with `config` goes to, and why it is not `folder` (None if it is).

    `named_by_user`: the folder was given on the command line (`option`, e.g.
    `hydra.run.dir`); then a folder holding something else is refused (ConfigError), never
    renamed. Otherwise the first free `folder-2`, `folder-3`, ... is used."""
    folder = Path(folder)
    held = _holds(folder, config)
    if held is None:
        return folder, None
    if named_by_user:
        raise ConfigError(option, str(folder), f"a new folder or one holding this same run (it holds {held}); "
                                               "choose another folder, or move that one away")
    for i in range(2, MAX_TRIES):
        other = folder.with_name(f"{folder.name}-{i}")
        if _holds(other, config) is None:
            return other, f"{folder} holds {held}"
    raise ConfigError(option, str(folder), f"a folder name not taken {MAX_TRIES} times over; clean up {folder.parent}")
