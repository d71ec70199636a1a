"""`--help` from the schema: the scenarios, the experiments and every option with its
meaning, default, allowed values and source, as a Hydra help template.

The commands register their help with `register_help` before Hydra composes; Hydra prints
the template for `--help` (`$FLAGS_HELP` becomes its own flags). The text is built from the
dataclasses' field metadata (`doc`, `range`, `source`, `allowed`) and the config files, so
it cannot drift from what the commands accept.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Collection, Mapping
from pathlib import Path

from omegaconf import MISSING

from .overrides import field_paths

WIDTH = 100


def _fmt_number(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}" if isinstance(x, float) else str(x)


def default_text(f: dataclasses.Field, missing: str = "(required)") -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return "(none)"
    if value is MISSING or value == "???":
        return missing
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _fmt_number(value)
    if isinstance(value, str):
        return repr(value) if value else "''"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else "{" + ", ".join(value) + "}"
    return str(value)


def allowed_text(f: dataclasses.Field) -> str:
    meta = f.metadata
    if "range" in meta:
        lo, hi = meta["range"]
        whole = f.type in (int, "int")
        return f"{'an integer in' if whole else 'in'} [{_fmt_number(lo)}, {_fmt_number(hi)}]"
    if meta.get("allowed"):
        return str(meta["allowed"])
    kind = str(f.type)
    if "bool" in kind:
        return "true | false" + (" | null" if "Optional" in kind else "")
    return ""


def option_lines(root: type, prefix: str = "", *, entries: Mapping[str, Collection[str]] | None = None,
                 skip: Collection[str] = (), missing: str = "(required)") -> list[str]:
    """Two or more lines per option: `key = default   allowed   [source]`, then its meaning."""
    lines = []
    for key, f, _ in field_paths(root, prefix, entries):
        if any(key == s or key.startswith(s + ".") for s in skip):
            continue
        head = f"  {key} = {default_text(f, missing)}"
        allowed = allowed_text(f)
        source = f.metadata.get("source")
        extra = "   ".join(x for x in (allowed, f"source: {source}" if source else "") if x)
        lines.append(f"{head:<58} {extra}".rstrip() if len(head) < 58 else f"{head}   {extra}".rstrip())
        doc = f.metadata.get("doc")
        if doc:
            lines += textwrap.wrap(str(doc), WIDTH, initial_indent="      ", subsequent_indent="      ")
    return lines


def _group_docs(group: str, config_dir: Path, field: str) -> list[tuple[str, str]]:
    import yaml

    out = []
    for path in sorted((config_dir / group).glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            doc = {}
        text = " ".join(str(doc.get(field, "") if isinstance(doc, dict) else "").split())
        out.append((path.stem, text))
    return out


def scenario_lines(config_dir: Path) -> list[str]:
    return [f"  {name:<22} {title}".rstrip() for name, title in _group_docs("scenario", config_dir, "title")]


def experiment_lines(config_dir: Path) -> list[str]:
    lines = []
    for name, text in _group_docs("experiment", config_dir, "description"):
        first = text.split(". ")[0].rstrip(".")
        wrapped = textwrap.wrap(first, WIDTH - 25) or [""]
        lines.append(f"  {name:<22} {wrapped[0]}".rstrip())
        lines += [" " * 25 + w for w in wrapped[1:]]
    return lines


FLAGS = [
    "  -m, --multirun     one job per combination of comma-separated values (key=a,b seed=0,1)",
    "  --cfg job          print the composed config instead of running (--resolve: with values resolved)",
    "  --info             Hydra's view of the config (searchpath, defaults tree)",
    "  -h, --help         this text",
]


def template(sections: list[tuple[str, list[str]]], intro: list[str], read_next: str) -> str:
    """The help text. It goes through string.Template (so `$` is escaped) and OmegaConf (so
    no `${` may appear)."""
    parts = list(intro)
    for title, lines in [*sections, ("Flags", FLAGS)]:
        parts += ["", f"== {title} ==", *lines]
    parts += ["", read_next]
    text = "\n".join(parts) + "\n"
    if "${" in text:
        raise ValueError("help text holds an interpolation")
    return text.replace("$", "$$")


#: what --help prints until a command registers its full help (composing needs the option to exist)
STUB = "Run the command with --help for its options.\n"


def register_help(name: str, app_name: str, text: str = STUB) -> None:
    """Store the help as option `name` of Hydra's `hydra/help` group (the primary config
    selects it with `override hydra/help: NAME`)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(group="hydra/help", name=name,
                                 node={"app_name": app_name, "header": "", "footer": "", "template": text})


def run_help(config_dir: Path) -> str:
    """`python -m sim --help`."""
    from .schema import RunConfig

    factions = sorted(dict.fromkeys(n for _, n in _baseline_factions(config_dir)))
    intro = [
        "python -m sim: one simulated negotiation over the US troops in Iraq, from 6 January 2020,",
        "written to results/runs/SCENARIO/seed_SEED[__OVERRIDES]/ (summary.json, events.md,",
        "trajectory.parquet, trajectory.png/.svg/.pdf, config.yaml, overrides.yaml).",
        "",
        "Usage: python -m sim [scenario=NAME] [seed=S|null] [KEY=VALUE ...] [-m for a multirun over a,b,c]",
        "  python -m sim scenario=anti_american_pm seed=7",
        "  python -m sim scenario=max_pressure scenario.sanctions.credibility=0.95",
        "  python -m sim -m scenario.sanctions.credibility=0,1 seed=0,1     # four runs, four folders",
        "  python -m sim --cfg job                                           # print the resolved config",
    ]
    options = option_lines(RunConfig, entries={"scenario.factions": ["NAME"]}, missing="(set by the scenario file)")
    sections = [
        ("Scenarios (scenario=NAME; files in configs/scenario/)", scenario_lines(config_dir)),
        ("Experiments (sweeps: python -m sim.sweep experiment=NAME)", experiment_lines(config_dir)),
        ("Options (KEY=VALUE): default, allowed values, source; then the meaning", [
            "  Sources are fact ids of docs/facts.md (F1-F24), a named outside source, or 'assumption'.",
            f"  NAME in scenario.factions.NAME is a faction: {', '.join(factions)} in the baseline;",
            "  their values are set in configs/scenario/baseline.yaml, ~scenario.factions.NAME drops one.",
            *options]),
    ]
    return template(sections, intro, 'Read next: README.md, section "Running other scenarios and parameters"; '
                                     "docs/tutorial.md for the same from Python.")


def _baseline_factions(config_dir: Path) -> list[tuple[str, str]]:
    import yaml

    try:
        doc = yaml.safe_load((config_dir / "scenario" / "baseline.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [("baseline", n) for n in (doc.get("factions") or {})]
