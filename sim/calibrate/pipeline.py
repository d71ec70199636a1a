"""The calibration, step by step: read the bands and priors, draw the prior sweep, run it,
accept by the bands, screen, and write the posterior, the report and its figures.

`calibrate(settings)` is what `python -m sim.calibrate` runs; tests call it with small
numbers. Bad input raises `sim.config.ConfigError` (key, value, what is allowed), before
anything is computed: among it an `out` on a disk without room for the calibration's files
(the sweep's check, `sim.sweep.resources.check_disk_room`). The tables are written with
their checksums (`sim.calibrate.tables`), and the calibrated scenario only once it composes.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ConfigError, run_config
from ..config.experiment import UncertaintyConfig
from ..config.load import shipped_lever_keys
from ..config.safety import CONFIG_ROOT, check_config_file, check_name
from ..files import PROJECT_ROOT, check_destination
from ..model import outcomes
from ..sweep.plan import make_plan
from . import abc, runner, screening, tables
from . import patterns as pat
from . import priors as pri
from .schema import CalibrateConfig

log = logging.getLogger(__name__)
CALIBRATION_DIR = CONFIG_ROOT / "calibration"
#: runs per lever of the uncalibrated baseline in the report's prior-predictive check
BASELINE_RUNS = 4000


@dataclass
class Result:
    out: Path
    sets: pd.DataFrame                 # the prior sweep, one row per set
    accepted: np.ndarray               # bool per set
    marginals: pd.DataFrame            # prior vs posterior per coefficient
    failures: pd.Series                # share of rejected sets failing each pattern
    combos: list                       # the commonest combinations of failed patterns
    sensitivity: pd.DataFrame          # acceptance and medians under other bands
    outputs: pd.DataFrame              # prior and posterior predictive outputs
    patterns: list
    priors: list
    morris: pd.DataFrame | None
    sobol: pd.DataFrame | None
    wall_s: float
    baseline: pd.Series | None = None  # the uncalibrated baseline's statistics (prior-predictive check)
    baseline_runs: int = 0
    reused_chunks: tuple[int, int] = (0, 0)  # prior-sweep chunks read back from an earlier run, of all

    @property
    def acceptance_rate(self) -> float:
        return float(self.accepted.mean())


def read_calibration_file(kind: str, name: str) -> dict:
    """configs/calibration/NAME.yaml, checked at the config edge (sim.config.safety)."""
    check_name(kind, name)
    path = CALIBRATION_DIR / f"{name}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in CALIBRATION_DIR.glob("*.yaml"))
        raise ConfigError(kind, name, f"a file of configs/calibration/: one of {', '.join(names)}")
    check_config_file(path, kind, root=CALIBRATION_DIR)
    return _load(path)


def _load(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_patterns(name: str) -> list[pat.Pattern]:
    doc = read_calibration_file("patterns", name)
    try:
        return pat.load_patterns(doc.get("patterns") or {})
    except (ValueError, TypeError) as err:
        raise ConfigError(f"configs/calibration/{name}.yaml", str(err).split(":")[0], str(err)) from None


def lever_paths(exp) -> tuple[str, ...]:
    return tuple(sorted({path for lever in exp.levers.values() for path in (lever or {})}))


def load_priors(settings: CalibrateConfig, base) -> list[pri.Prior]:
    doc = read_calibration_file("priors", settings.priors)
    try:
        fixed = tuple(sorted({*lever_paths(settings.experiment), *shipped_lever_keys()}))
        return pri.priors(base.scenario, doc.get("overrides") or {}, fixed=fixed)
    except (ValueError, TypeError, KeyError) as err:
        raise ConfigError(f"configs/calibration/{settings.priors}.yaml", "overrides", str(err)) from None


def check_settings(s: CalibrateConfig) -> None:
    for key in ("sets", "replications", "chunk_sets", "workers", "posterior_rows"):
        v = getattr(s, key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ConfigError(key, v, "an integer >= 1" + ("" if key == "chunk_sets" else ", or null"))
    for v in s.band_scales:
        if not v > 0:
            raise ConfigError("band_scales", list(s.band_scales), "numbers > 0")
    sc = s.screening
    if sc.trajectories < 2:
        raise ConfigError("screening.trajectories", sc.trajectories, "an integer >= 2")
    if sc.top < 2:
        raise ConfigError("screening.top", sc.top, "an integer >= 2")
    if sc.base_samples < 1 or sc.base_samples & (sc.base_samples - 1):
        raise ConfigError("screening.base_samples", sc.base_samples, "a power of 2")
    if sc.replications < 1:
        raise ConfigError("screening.replications", sc.replications, "an integer >= 1")
    if s.scenario_out is not None and not str(s.scenario_out).endswith(".yaml"):
        raise ConfigError("scenario_out", s.scenario_out, "a path ending in .yaml, or null")
    check_destinations(s)
    missing = {pat.ORDINARY, pat.SUCH_PM} - set(s.experiment.levers)
    if missing:
        raise ConfigError("experiment.levers", sorted(s.experiment.levers),
                          f"the levers the patterns read: {pat.ORDINARY} and {pat.SUCH_PM}")


#: the documented place of the calibrated scenario, the one file of the install the calibration may write
CALIBRATED_SCENARIO = CONFIG_ROOT / "scenario" / "calibrated.yaml"


def check_destinations(s: CalibrateConfig) -> None:
    """Where the calibration may write (`sim.files.check_destination`): `out` outside the
    project or under its results/ (over committed files only in results/calibration, its
    own report); `scenario_out` outside the project, under results/, or the calibrated
    scenario's own file, and in a folder that exists and can be written now, not found out
    after the whole calibration."""
    out = Path(s.out)
    check_destination(out, "out", allow_tracked=out.resolve() == (PROJECT_ROOT / "results" / "calibration").resolve())
    if s.scenario_out is None:
        return
    target = Path(s.scenario_out)
    if target.resolve() != CALIBRATED_SCENARIO.resolve():
        check_destination(target, "scenario_out")
    folder = target.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ConfigError("scenario_out", s.scenario_out, "a file in an existing folder that can be written to")


# what a calibration writes, a little generous (measured on this project's files: a chunk
# of 6 sets with 136 columns takes 54 KB, mostly its footer; 3,621 posterior rows of 113
# coefficients take 9.6 bytes a value; the figures and report about 1 MB)
FILE_BYTES = 8_000        # a Parquet file's fixed part
COLUMN_BYTES = 400        # a column's part of its footer (schema, statistics), per file
VALUE_BYTES = 12          # a value
REPORT_BYTES = 4_000_000  # report.md, the figures and the CSV tables
#: sets per chunk of the screening designs (`screening.run_design`)
SCREENING_CHUNK = 200


def parquet_bytes(rows: int, columns: int, files: int = 1) -> int:
    """Bytes on disk of `rows` x `columns` values in `files` Parquet files (an estimate)."""
    return files * (FILE_BYTES + COLUMN_BYTES * columns) + rows * columns * VALUE_BYTES


def calibration_disk(settings: CalibrateConfig, sets: int, coefficients: int, patterns: int, levers: int) -> int:
    """Bytes a calibration writes (an estimate): the chunks of the prior sweep,
    prior_sets.parquet and posterior.parquet, the screening designs' chunks, the report."""
    outputs = 2 + len(outcomes.OUTCOMES)  # per lever: P(request), time to a request, each outcome's share
    columns = 1 + coefficients + patterns + levers * outputs
    need = parquet_bytes(sets, columns, -(-sets // settings.chunk_sets))
    need += parquet_bytes(sets, columns + 1) + 64 * sets  # prior_sets: and the names of the failed patterns
    need += parquet_bytes(min(sets, settings.posterior_rows or sets), 1 + coefficients)
    sc = settings.screening
    if sc.enabled:
        factors = coefficients + (len(runner.STRUCTURAL) if sc.structural else 0)
        groups = int(np.prod([len(v) for v in runner.STRUCTURAL.values()])) if sc.structural else 1
        for design in (sc.trajectories * (factors + 1), sc.base_samples * (sc.top + 2)):
            need += parquet_bytes(design, 1 + coefficients + outputs, -(-design // SCREENING_CHUNK) + groups)
    return need + REPORT_BYTES


def check_disk(settings: CalibrateConfig, plan, patterns: int) -> None:
    """Refuse, before anything is computed, a calibration whose files will not fit on the
    disk of `out` (`sim.sweep.resources.check_disk_room`, the sweep's check: chunks an
    earlier run left there count as room)."""
    from ..sweep import resources

    need = calibration_disk(settings, plan.points, len(plan.params), patterns, len(plan.levers))
    out = Path(settings.out)
    resources.check_disk_room(out, need, "the calibration", "its chunks, prior_sets.parquet, posterior.parquet and "
                              "the report", reused=resources.folder_bytes(out / "chunks"))


#: the lock a calibration holds on its folder while it runs (`sim.sweep.lock`)
LOCK_NAME = "calibration.lock"


def calibrate(settings: CalibrateConfig, progress: bool = False) -> Result:
    """Run the whole calibration and write its files into `settings.out`, holding the
    folder's lock (a second calibration into the same folder is refused, naming the first).
    `progress`: a bar with the time left for each stage (else log lines)."""
    from ..sweep.executors import check_executor
    from ..sweep.lock import SweepLock

    check_settings(settings)
    check_executor(settings.executor, settings.ray_address)
    out = Path(settings.out)
    created = not out.exists()
    try:
        with SweepLock(out, LOCK_NAME, "calibration"):
            return _calibrate(settings, progress)
    except ConfigError:
        if created:  # refused before anything was computed: leave no empty folder behind
            try:
                out.rmdir()
            except OSError:
                pass
        raise


def prior_plan(settings: CalibrateConfig, sets: int, replications: int):
    """The prior sweep's plan (`sets` parameter sets of every prior coefficient, each run
    `replications` times under the experiment's levers), the priors and the base config."""
    exp = settings.experiment
    base = run_config(exp.scenario, exp.seed, [f"horizon_weeks={exp.horizon_weeks}", f"step_days={exp.step_days}"])
    priors = load_priors(settings, base)
    exp = dataclasses.replace(
        exp, points=sets, replications=replications,
        uncertainties=[UncertaintyConfig(param=p.path, low=p.low, high=p.high, scale=p.scale,
                                         source=p.source, label=p.path) for p in priors])
    return make_plan(exp), priors, base


def _calibrate(settings: CalibrateConfig, progress: bool) -> Result:
    t0 = time.perf_counter()
    patterns = load_patterns(settings.patterns)
    reps = settings.replications or settings.experiment.replications
    plan, priors, base = prior_plan(settings, settings.sets or settings.experiment.points, reps)
    out = Path(settings.out)
    chunk_dir = out / "chunks"
    check_disk(settings, plan, len(patterns))
    lever_cfgs = dict(zip(plan.levers, plan.lever_configs))
    paths = list(plan.params)
    tag = "prior-" + runner.fingerprint({"plan": plan.fingerprint(), "patterns": [dataclasses.asdict(p) for p in patterns],
                                         "worlds": "set"})
    tasks = [(lever_cfgs, paths, plan.samples[a:b], np.arange(a, b), reps, patterns, None, "set")
             for a, b in runner.chunks(plan.points, settings.chunk_sets)]
    log.info("prior sweep: %d sets x %d levers x %d runs = %s runs, %d coefficients", plan.points,
             len(plan.levers), reps, f"{plan.total_runs:,}", len(paths))
    table = runner.compute(tasks, chunk_dir, tag, where(settings), runner.Meter("prior sweep", progress))
    reused = (int(table.attrs.get("reused_chunks", 0)), int(table.attrs.get("chunks", 0)))
    ok = abc.accepted(table, patterns)
    table["failed_patterns"] = abc.failed_names(table, patterns)
    marg = abc.marginals(table, ok, priors)
    rate, combos = abc.failures(table, patterns)
    top = list(marg["coefficient"][:5])
    sens = abc.band_sensitivity(table, patterns, priors, scales=sorted({1.0, *settings.band_scales}), top=top)
    out_cols = [c for c in table.columns if c.split(".")[0] in plan.levers and ".pattern" not in c]
    outs = abc.outputs_summary(table, ok, out_cols)

    # the uncalibrated baseline against the same bands: what the calibration adds to it
    baseline_runs = BASELINE_RUNS
    base_row = runner.set_summary(lever_cfgs, [], np.zeros((1, 0)), np.array([0]), baseline_runs, patterns)
    baseline = pd.Series({p.name: float(base_row[f"pattern.{p.name}"].iloc[0]) for p in patterns})

    morris_t = sobol_t = None
    if settings.screening.enabled:
        morris_t, sobol_t = _screen(settings, base, priors, chunk_dir, progress)

    result = Result(out, table, ok, marg, rate, combos, sens, outs, patterns, priors, morris_t, sobol_t,
                    time.perf_counter() - t0, baseline, baseline_runs, reused)
    write(result, settings, plan)
    return result


def _screen(settings: CalibrateConfig, base, priors, chunk_dir: Path, progress: bool):
    sc = settings.screening
    defaults = {c.path: c.default for c in pri.coefficients(base.scenario)}
    seed = settings.experiment.seed
    m = screening.morris(base, priors, defaults, trajectories=sc.trajectories, replications=sc.replications,
                         seed=seed, out=chunk_dir, where=where(settings), structural=sc.structural,
                         progress=runner.Meter("Morris screening", progress))
    top = list(screening.ranking(m).index[: sc.top])
    s = screening.sobol(base, priors, defaults, top, base_samples=sc.base_samples, replications=sc.replications,
                        seed=seed, out=chunk_dir, where=where(settings),
                        progress=runner.Meter("Sobol indices", progress))
    return m, s


def where(settings: CalibrateConfig) -> runner.Where:
    """Where the calibration's sets are computed (its executor, workers and Ray address)."""
    return runner.Where(settings.executor, settings.workers, settings.ray_address)


def posterior_table(r: Result, settings: CalibrateConfig) -> pd.DataFrame:
    """The accepted sets' coefficients (`point_id` and one column per coefficient), in set
    order: every accepted set, or `settings.posterior_rows` of them drawn at random without
    replacement with the experiment's seed when more were accepted (a subset of a sample from
    the posterior is one too; a million-set sweep accepts tens of thousands)."""
    posterior = r.sets.loc[r.accepted, ["point_id", *[p.path for p in r.priors]]]
    cap = settings.posterior_rows
    if cap is not None and len(posterior) > cap:
        keep = np.random.default_rng(settings.experiment.seed).choice(len(posterior), size=cap, replace=False)
        posterior = posterior.iloc[np.sort(keep)]
    return posterior


def write(r: Result, settings: CalibrateConfig, plan) -> None:
    from . import report

    r.out.mkdir(parents=True, exist_ok=True)
    tables.write_table(posterior_table(r, settings), r.out / "posterior.parquet", "posterior")
    tables.write_table(r.sets, r.out / "prior_sets.parquet", "prior_sets")
    r.marginals.to_csv(r.out / "marginals.csv", index=False)
    if r.morris is not None:
        r.morris.to_csv(r.out / "morris.csv", index=False)
    if r.sobol is not None:
        r.sobol.to_csv(r.out / "sobol.csv", index=False)
    report.write_report(r, settings, plan)
    if settings.scenario_out and r.accepted.any():
        write_scenario(report.scenario_yaml(r, settings), Path(settings.scenario_out), settings.experiment.seed)


def scenario_text_config(text: str, seed: int | None = 0):
    """The validated RunConfig of a scenario file's content that is not a file of
    configs/scenario/, composed by the config loader as `run_config` composes a shipped
    scenario: the content passes the config edge (`check_config_file`) and the scenarios it
    builds on theirs (`check_choice`), then Hydra composes it (`compose_config`), its defaults
    read from configs/scenario/, through a temporary folder added to the search path.
    ConfigError (key, value, what is allowed) for content that would not compose or validate
    as a shipped file."""
    import tempfile
    import uuid

    from omegaconf.errors import OmegaConfBaseException

    from ..config.load import compose_config, composition_error, to_run_config
    from ..config.safety import check_choice

    with tempfile.TemporaryDirectory(prefix="sim_scenario_") as tmp:
        name = f"candidate_{uuid.uuid4().hex[:12]}"  # never a shipped name, which would shadow it
        path = Path(tmp) / "scenario" / f"{name}.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        info = check_config_file(path, "scenario", root=tmp)
        for parent in info.get("defaults", []):
            check_choice("scenario", parent)
        seed_override = "seed=null" if seed is None else f"seed={int(seed)}"
        given = [f"hydra.searchpath=['file://{Path(tmp).as_posix()}']", f"scenario={name}", seed_override]
        cfg = compose_config("config", given)
        try:
            return to_run_config(cfg)
        except OmegaConfBaseException as err:
            raise composition_error(err, given) from None


def write_scenario(text: str, target: Path, seed: int = 0) -> None:
    """Write the calibrated scenario `text` to `target` only if it composes: written under a
    temporary name beside `target`, composed through the config loader
    (`scenario_text_config`: the config edge, Hydra, the schema's ranges),
    then renamed into place. A scenario that does not compose is refused (ConfigError on
    scenario_out) and `target` is left as it was."""
    tmp = target.with_name(target.name + ".partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            scenario_text_config(tmp.read_text(encoding="utf-8"), seed)
        except ConfigError as err:
            raise ConfigError("scenario_out", str(target), f"a calibrated scenario that composes ({err}); nothing "
                              "was written there (a file already there is left as it was)") from None
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
