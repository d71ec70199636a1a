"""The Python interface, for notebooks and scripts: one run, an ensemble, a sweep and its
analysis, each a function of the top-level package (docs/tutorial.md walks through them).

    import sim
    r = sim.run("max_pressure", seed=3, sanctions__credibility=0.9)   # -> Run
    df = sim.ensemble("baseline", runs=2000)                           # -> pandas.DataFrame
    s = sim.sweep("conditions", runs=4096, workers=2)                  # -> Sweep
    a = sim.analyze(s, fan=False)                                      # -> Analysis

Overrides are the command line's, validated the same way (`sim.config.overrides` for the
keys, Hydra's composition for the types, `sim.config.validate` for the ranges), given either
as a dict of dotted keys, `overrides={"scenario.sanctions.credibility": 0.9}`, or as keyword
arguments with `__` for the dot, `sanctions__credibility=0.9`. In `run` and `ensemble` a key
may leave out `scenario.` (`sanctions.credibility`); in `sweep`, `experiment.` (`seed=3` is
`experiment.seed=3`). A refused override raises `sim.config.ConfigError` (a ValueError)
whose message names the key, the value and what is allowed. Wherever a number is taken (an
override's value, `seed`, `runs`, the analysis' settings) a NumPy number or 0-d array is
taken as the Python number it holds (`sim.config.validate.python_value`), as EMA Workbench
and other tools that sample with NumPy pass them; `sim.ema` runs an experiment's runs for
EMA Workbench through the batch engine.

Nothing heavy is imported here: pandas, matplotlib, Hydra and the model are imported by the
functions that need them, so `import sim` stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .abm.model import NegotiationModel
    from .analysis.report import Results
    from .config.schema import RunConfig

__all__ = ["Analysis", "Run", "Sweep", "analyze", "ensemble", "run", "sweep"]


# ---------------------------------------------------------------- overrides
def _shortcuts(cls: type, prefix: str) -> dict[str, str]:
    import dataclasses

    return {f.name: prefix for f in dataclasses.fields(cls)}


def _run_overrides(scenario: str, seed: int | None, overrides: Mapping[str, object] | None,
                   options: Mapping[str, object]) -> tuple[list[str], RunConfig]:
    """The override strings of a run and its validated config, checked as `python -m sim`
    checks a command line."""
    from .config import CONFIG_DIR, ConfigError, run_config
    from .config.overrides import check_command_overrides, override_strings
    from .config.safety import check_command_line
    from .config.schema import RunConfig, ScenarioConfig
    from .config.validate import check_seed

    if seed is not None:
        check_seed("seed", seed)
    if not isinstance(scenario, str):
        raise ConfigError("scenario", scenario, "the name of a scenario of configs/scenario/")
    lines = override_strings({**(overrides or {}), **options}, _shortcuts(ScenarioConfig, "scenario"))
    for line in lines:
        if line.split("=", 1)[0].lstrip("+~") in ("seed", "scenario"):
            raise ConfigError(line.split("=", 1)[0], line.split("=", 1)[1], "given as the `scenario` and `seed` "
                                                                             "arguments, not as an override")
    args = [f"scenario={scenario}", *lines]
    check_command_line(args, "config")
    check_command_overrides(args, RunConfig, "config", CONFIG_DIR, "python -m sim")
    return lines, run_config(scenario, seed, lines)


# ---------------------------------------------------------------- one run
@dataclass(frozen=True, eq=False)
class Run:
    """One finished run of the Mesa model (what `python -m sim` writes, as Python objects)."""

    scenario: str
    seed: int                       # the root seed (the one drawn, when None was asked for)
    overrides: tuple[str, ...]      # as on the command line
    config: RunConfig               # the validated config
    model: NegotiationModel         # the finished model (agents, state, event log)
    summary: dict[str, Any]         # the fields of summary.json

    @property
    def trajectory(self) -> pd.DataFrame:
        """One row per week: date, troops, Iranian influence, ISIS threat, tension, each
        faction's position, the request state, weeks left on the clock, last actions."""
        from .output import trajectory_frame

        return trajectory_frame(self.model)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event of the run: dicts with `week`, `day`, `date`, `kind` and `text` (fact ids in
        brackets point to docs/facts.md). `story` gives the notable ones, as events.md tells them."""
        return [dict(e) for e in self.model.event_log]

    @property
    def story(self) -> str:
        """events.md: the run as a story (outcome, turning points, final numbers, phases)."""
        from .output import events_markdown

        return events_markdown(self.model)

    def figure(self) -> Figure:
        """The run's figure (trajectory.png) as a matplotlib Figure (no pyplot state)."""
        from .plots import trajectory_figure

        return trajectory_figure(self.trajectory, self.model)

    def save(self, folder: str | Path) -> Path:
        """Write the run's files (summary.json, events.md, trajectory.parquet, trajectory.png/.svg/.pdf,
        config.yaml) into `folder`, as `python -m sim` does; return the folder. A folder
        holding another run is refused (ConfigError)."""
        import dataclasses

        import yaml

        from .files import check_destination
        from .output import write_run
        from .run_folders import claim

        check_destination(folder, "folder")
        config = {"seed": self.seed, **{k: v for k, v in dataclasses.asdict(self.config).items() if k != "seed"}}
        folder, _ = claim(Path(folder), config, named_by_user=True, option="folder")
        write_run(self.model, folder, yaml.safe_dump(config, sort_keys=False))
        return folder


def run(scenario: str = "baseline", seed: int | None = 0, *, overrides: Mapping[str, object] | None = None,
        **options: object) -> Run:
    """One run of a scenario with the Mesa model, as `python -m sim scenario=... seed=...`.

    `seed=None` draws fresh entropy (`Run.seed` holds the seed drawn). Overrides: see the
    module docstring; `sim.run("baseline", sanctions__credibility=0.9)` is
    `python -m sim scenario.sanctions.credibility=0.9`."""
    from .abm.model import NegotiationModel
    from .config.validate import python_value

    seed = python_value(seed)  # type: ignore[assignment]
    lines, cfg = _run_overrides(scenario, seed, overrides, options)
    model = NegotiationModel.from_scenario(scenario, seed, lines, record=True)
    summary = model.run()
    return Run(scenario=scenario, seed=int(model.params.seed), overrides=tuple(lines), config=cfg, model=model,
               summary=summary)


# ---------------------------------------------------------------- an ensemble
def ensemble(scenario: str = "baseline", runs: int = 1000, seed: int | None = 0, *,
             overrides: Mapping[str, object] | None = None, **options: object) -> pd.DataFrame:
    """Runs 0..runs-1 of a scenario with the batch engine, one row per run, with the columns
    of a sweep's runs.parquet (`run_id`, ..., every field of summary.json). Row i is the run
    `sim.run(scenario, seed)` would give with run index i (row 0: that very run)."""
    from .config import ConfigError
    from .config.validate import check_seed, python_value
    from .ensembles import ensemble_table
    from .model import draws
    from .sweep.resources import check_runs_fit

    runs, seed = python_value(runs), python_value(seed)  # type: ignore[assignment]
    if seed is not None:
        check_seed("seed", seed)  # before a fresh seed is drawn or a float is cut to an integer
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ConfigError("runs", runs, "an integer >= 1")
    check_runs_fit(runs, "runs")
    root = draws.resolve_seed(seed)
    lines, cfg = _run_overrides(scenario, root, overrides, options)
    return ensemble_table(cfg, runs)


# ---------------------------------------------------------------- a sweep
@dataclass(eq=False)
class Sweep:
    """A finished sweep's folder: `table` (runs.parquet), `metadata` (metadata.json) and,
    when series were recorded, `series` (series.parquet). `Sweep.open(folder)` reads one.

    Every file is checked against the checksum written with it before it is read
    (`sim.sweep.verify`): an edited or damaged file raises `ChecksumMismatch` (a
    ConfigError) naming the file and how to compute it again."""

    path: Path

    @classmethod
    def open(cls, folder: str | Path) -> Sweep:
        """A finished sweep in `folder` (one holding runs.parquet and metadata.json), verified."""
        from .config import ConfigError

        path = Path(folder)
        missing = [n for n in ("runs.parquet", "metadata.json") if not (path / n).is_file()]
        if missing:
            raise ConfigError("sweep folder", str(path), f"a finished sweep's folder (it has no {' or '.join(missing)})")
        found = cls(path)
        found._verified  # noqa: B018 (the check, before anything is read)
        return found

    @functools.cached_property
    def _verified(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(runs.parquet's record, metadata.json), both checked against their checksums."""
        from .sweep.verify import verify_sweep

        return verify_sweep(self.path)

    @functools.cached_property
    def metadata(self) -> dict[str, Any]:
        return self._verified[1]

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """One row per run: run_id, point_id, lever, replication, run_seed, the sampled
        conditions, every field of summary.json."""
        import pandas as pd

        self._verified  # noqa: B018
        return pd.read_parquet(self.path / "runs.parquet")

    @functools.cached_property
    def series(self) -> pd.DataFrame | None:
        """The recorded weekly series (record.weeks), one row per run and week; None if none."""
        import pandas as pd

        from .sweep.verify import SERIES_KEY, recompute_hint, verify_table

        path = self.path / "series.parquet"
        if not path.is_file():
            return None
        verify_table(path, SERIES_KEY, how=recompute_hint(self.path, self._verified[0]))
        return pd.read_parquet(path)


def sweep(experiment: str, runs: int | None = None, *, overrides: Mapping[str, object] | None = None,
          **options: object) -> Sweep:
    """Run (or finish, or find complete) the sweep of configs/experiment/NAME.yaml, as
    `python -m sim.sweep experiment=NAME runs=N ...`, and return it.

    Options are the command's: `step_days`, `out`, `engine`, `executor`, `workers`, `chunk_size`,
    `overwrite`, `format` ("parquet" or "csv"), `record` (e.g. `{"weeks": [52, 104]}`),
    `progress` (default False here), `ray_address`; experiment keys as overrides
    (`seed=3` or `experiment__seed=3`). Raises ConfigError before any run for a bad
    option, and the sweep runner's errors (SweepInterrupted, SweepFailed)."""
    from omegaconf import OmegaConf

    from .config import CONFIG_DIR, ConfigError, compose_config
    from .config.experiment import ExperimentConfig
    from .config.overrides import check_command_overrides, override_strings
    from .config.safety import check_command_line
    from .config.validate import python_value
    from .sweep.job import run_job
    from .sweep.schema import SweepConfig, register_sweep_schema

    runs = python_value(runs)  # type: ignore[assignment]
    if not isinstance(experiment, str):
        raise ConfigError("experiment", experiment, "the name of an experiment of configs/experiment/")
    values: dict[str, object] = {"progress": False, **(overrides or {}), **options}
    if runs is not None:
        values["runs"] = runs
    lines = override_strings(values, _shortcuts(ExperimentConfig, "experiment"))
    args = [f"experiment={experiment}", *lines]
    check_command_line(args, "sweep")
    check_command_overrides(args, SweepConfig, "sweep", CONFIG_DIR, "python -m sim.sweep")
    register_sweep_schema()
    cfg = compose_config("sweep", args)
    try:
        settings: SweepConfig = OmegaConf.to_object(cfg)  # type: ignore[assignment]
    except Exception as err:  # a missing mandatory value, a wrong type
        from .config.load import composition_error

        raise composition_error(err, args) from None
    resolved = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(resolved, dict)
    _, out = run_job(settings, progress=bool(settings.progress), resolved_config=resolved)
    return Sweep(out)


# ---------------------------------------------------------------- the analysis
@dataclass(frozen=True, eq=False)
class Analysis:
    """The analysis of a sweep: `report` (report.md's path; figures and analysis.json beside
    it), `results` (every number and table of the report, `sim.analysis.report.Results`:
    `shares`, `rate`, `km`, `request_boxes`, `sobol`, ...) and `answer` (its paragraphs)."""

    report: Path
    results: Results

    @property
    def answer(self) -> list[str]:
        return list(self.results.paragraphs)


def analyze(sweep: Sweep | str | Path, out: str | Path | None = None, *, sobol: Sweep | str | Path | None = None,
            fan: bool = True, fan_runs: int = 120, seed: int = 0, threshold: float = 2 / 3, prim_rows: int = 100_000,
            heatmap: tuple[str, str] | None = None, quiet: bool = True) -> Analysis:
    """Analyse a finished sweep (a `Sweep` or its folder), as `python -m sim.analyze DIR`:
    write report.md, its figures and analysis.json into `out` (default DIR/report) and return
    them with the numbers. `sobol`: a sweep drawn with the saltelli sampler for the Sobol
    indices; `fan=False` skips the fan charts (the one step that re-runs runs)."""
    import sys

    from .analysis.report import Settings, check_settings, compute, write_report
    from .config.validate import python_value
    from .files import check_destination

    fan_runs, seed, threshold, prim_rows = (python_value(v) for v in (fan_runs, seed, threshold, prim_rows))  # type: ignore[assignment]
    folder = sweep.path if isinstance(sweep, Sweep) else Path(sweep)
    sobol_dir = sobol.path if isinstance(sobol, Sweep) else sobol
    settings = Settings(seed=seed, fan=fan, fan_runs=fan_runs, threshold=threshold, prim_rows=prim_rows,
                        heat_conditions=tuple(heatmap) if heatmap else None)
    check_settings(settings)
    check_destination(Path(out) if out is not None else folder / "report", "out")
    log = (lambda *a, **k: None) if quiet else (lambda msg: print(msg, file=sys.stderr))
    results = compute(folder, sobol_dir=sobol_dir, settings=settings, log=log)
    return Analysis(report=write_report(results, out, log=log), results=results)
