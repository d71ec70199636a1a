"""The plan of a sweep: which runs exist and what each run's parameters are.

Run ids are laid out lever-major: run_id = (lever * points + point) * replications +
replication. A run's random stream (see `sim.model.draws`) is keyed by its *world*:
world = group * replications + replication (`world_index`), where a point's group is the
point itself, or in a Saltelli design its base sample (the D + 2 points SALib derives from
one row). So the levers meet the same random world at one point (common random numbers for
comparing strategies), the points of one Saltelli row meet the same world (the differences
the Sobol estimators take hold the noise fixed), and different points meet different
worlds. Keying worlds by the replication alone would give every point of a sweep the same
few worlds: a swept probability then acts through the same few uniform draws everywhere,
and scenario discovery finds those draws instead of the model's conditions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from ..config import model_params, run_config
from ..config.experiment import SAMPLERS, SCALES, ExperimentConfig, UncertaintyConfig
from ..config.safety import check_choice, check_name
from ..config.schema import RunConfig, ScenarioConfig
from ..config.validate import ConfigError, check_seed, validate
from ..model import draws
from ..model.params import ModelParams
from . import resources

NO_LEVER = "none"


@dataclass(frozen=True)
class Plan:
    experiment: ExperimentConfig
    params: tuple[str, ...]                 # uncertain parameters (paths relative to the scenario)
    integer_params: tuple[bool, ...]
    samples: np.ndarray                     # (points, len(params))
    levers: tuple[str, ...]
    lever_configs: tuple[RunConfig, ...]    # the scenario config under each lever
    replications: int
    #: params drawn from the experiment's `table` (a posterior) rather than declared as
    #: conditions: the last len(table_params) of `params`
    table_params: tuple[str, ...] = ()

    @property
    def points(self) -> int:
        return self.samples.shape[0]

    @property
    def total_runs(self) -> int:
        return self.points * len(self.levers) * self.replications

    def locate(self, run_ids):
        """(lever index, point id, replication) of each run id."""
        run_ids = np.asarray(run_ids, dtype=np.int64)
        replication = run_ids % self.replications
        rest = run_ids // self.replications
        return rest // self.points, rest % self.points, replication

    @property
    def world_group(self) -> int:
        """How many consecutive points share their random worlds (and their row of the
        experiment's `table`): D + 2 for a Saltelli design (`sampler: saltelli`, first and total
        order; D the declared conditions, not the table's columns), else 1."""
        return self.conditions + 2 if self.experiment.sampler == "saltelli" else 1

    @property
    def conditions(self) -> int:
        """The number of declared conditions: `params` without the table's columns."""
        return len(self.params) - len(self.table_params)

    def lever_sets(self, lever: int) -> dict[int, float]:
        """The params (by column) whose value lever `lever` sets: a lever is a policy, so its
        value stands over a column drawn from the experiment's table (make_plan refuses a declared
        condition that a lever sets). Maps column index -> the lever's value."""
        keys = self.experiment.levers.get(self.levers[lever]) or {}
        out = {}
        for j, path in enumerate(self.params):
            if path in keys:
                owner, f = _resolve_field(path, self.lever_configs[lever].scenario)
                out[j] = float(getattr(owner, f.name))
        return out

    def domain(self, path: str) -> tuple[float, float]:
        """The whole range a parameter may take (its schema range), against which a swept range
        is narrower or not."""
        _owner, f = _resolve_field(path, self.lever_configs[0].scenario)
        lo, hi = f.metadata["range"]
        return float(lo), float(hi)

    def values(self, lever: int, points) -> np.ndarray:
        """(n, len(params)): the parameter values of runs of lever `lever` at `points`: the
        sampled ones, and the lever's own value in every column the lever sets (`lever_sets`)."""
        values = self.samples[np.asarray(points, dtype=np.int64)]
        fixed = self.lever_sets(lever)
        if fixed:
            values = values.copy()
            for j, v in fixed.items():
                values[:, j] = v
        return values

    def worlds(self, point, replication) -> np.ndarray:
        """The run index of the draws of runs at (point, replication): see `world_index`."""
        return world_index(np.asarray(point, dtype=np.int64) // self.world_group, replication, self.replications)

    def fingerprint(self) -> str:
        """A hash of everything that decides the runs' results, the model's code included
        (not the engine, executor, workers or chunking); computed once per plan."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            doc = {
                "code": model_code_hash(),
                "experiment": dataclasses.asdict(self.experiment),
                "samples": samples_digest(self.samples),
                "levers": [dataclasses.asdict(c) for c in self.lever_configs],
                "replications": self.replications,
                "worlds": WORLDS,
                "table_rows": TABLE_ROWS,
            }
            cached = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]
            object.__setattr__(self, "_fingerprint", cached)
        return cached


def samples_digest(samples: np.ndarray, block: int = 65536) -> str:
    """A hash of a plan's parameter values rounded to 12 decimals (as the plan's JSON was
    before: a sampler's last-bit noise away from a rounding edge does not count), with their shape:
    the bytes of blocks of rows, so a million sets of a hundred coefficients take seconds
    and a block's memory, not a JSON text of a hundred million numbers."""
    values = np.asarray(samples, dtype=np.float64)
    h = hashlib.sha256(repr(values.shape).encode())
    for a in range(0, values.shape[0], block):
        h.update(np.ascontiguousarray(values[a:a + block].round(12)).tobytes())
    return h.hexdigest()


def model_code_files() -> list[Path]:
    """The source files that decide a run's result: every module of the model (its actors
    included), the engines, the Mesa layer and the config schema, by name."""
    root = Path(__file__).resolve().parents[1]
    return sorted(path for sub in ("model", "engines", "abm", "config") for path in (root / sub).rglob("*.py")
                  if "__pycache__" not in path.parts)


def model_code_hash() -> str:
    """A hash of the source files that decide a run's result (`model_code_files`), so a
    sweep left by older code is never mixed with or mistaken for a new one."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in model_code_files():
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- parameter paths
def _resolve_field(path: str, scenario: ScenarioConfig):
    """The (owner dataclass instance, field) a scenario-relative path names, or ConfigError."""
    parts = path.split(".")
    obj = scenario
    for i, part in enumerate(parts):
        if isinstance(obj, dict):
            if part not in obj:
                raise ConfigError(f"parameter {path!r}", part, f"one of the scenario's factions {sorted(obj)}")
            obj = obj[part]
            continue
        names = {f.name: f for f in dataclasses.fields(obj)}
        if part not in names:
            raise ConfigError(f"parameter {path!r}", part, f"a field of {type(obj).__name__}: {sorted(names)}")
        if i == len(parts) - 1:
            f = names[part]
            if "range" not in f.metadata:
                raise ConfigError(f"parameter {path!r}", part, "a numeric model coefficient (one with a range)")
            return obj, f
        obj = getattr(obj, part)
    raise ConfigError(f"parameter {path!r}", path, "a path to a numeric model coefficient, e.g. sanctions.credibility")


def _check_active_faction(key: str, path: str, lever_names, lever_configs) -> None:
    """A faction's coefficient can only be swept where the faction takes part: sweeping an
    inactive one would vary a value that does nothing."""
    section, _, rest = path.partition(".")
    if section != "factions":
        return
    name = rest.partition(".")[0]
    for lever, cfg in zip(lever_names, lever_configs):
        if not cfg.scenario.factions[name].active:
            where = "" if lever == NO_LEVER else f" under lever {lever!r}"
            raise ConfigError(key, path, f"a coefficient of an active faction (faction {name!r} is inactive{where})")


def _check_not_a_lever(key: str, path: str, levers: dict) -> None:
    """A declared condition may not be a key a lever sets: a lever is a policy, applied over
    every point, so sampling the same key would either overwrite the policy or be overwritten
    by it. (A column drawn from the experiment's table gives way to the lever instead:
    `Plan.lever_sets`.)"""
    setters = sorted(name for name, keys in levers.items() if path in (keys or {}))
    if setters:
        raise ConfigError(key, path, f"a condition no lever sets (lever {setters[0]!r} sets it: a lever is a policy "
                                     "applied at every point; drop the condition or the lever's key)")


def _with_value(cfg: RunConfig, path: str, value) -> RunConfig:
    new = _copy(cfg)
    owner, f = _resolve_field(path, new.scenario)
    setattr(owner, f.name, value)
    return new


def _copy(cfg: RunConfig) -> RunConfig:
    import copy

    return copy.deepcopy(cfg)


# ---------------------------------------------------------------- sampling
def sample(exp: ExperimentConfig) -> np.ndarray:
    """Points of the declared uncertainties, (points, D), with scipy.stats.qmc."""
    d = len(exp.uncertainties)
    if d == 0:
        return np.zeros((1, 0))
    lows = np.array([u.low for u in exp.uncertainties], dtype=float)
    highs = np.array([u.high for u in exp.uncertainties], dtype=float)
    rng = np.random.default_rng(exp.seed)
    if exp.sampler == "table":
        values = read_point_table(exp.table, [u.param for u in exp.uncertainties])
        return values[rng.integers(0, values.shape[0], size=exp.points)]
    if exp.sampler == "grid":
        levels = [
            list(u.levels) if u.levels is not None else list(np.linspace(u.low, u.high, exp.grid_levels))
            for u in exp.uncertainties
        ]
        return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, d)
    if exp.sampler == "lhs":
        unit = qmc.LatinHypercube(d=d, rng=rng).random(exp.points)
    elif exp.sampler == "saltelli":
        unit = saltelli_unit(d, exp.points, rng)
    else:  # sobol
        unit = qmc.Sobol(d=d, scramble=True, rng=rng).random(exp.points)
    return scale_unit(unit, lows, highs, [u.scale == "log" for u in exp.uncertainties])


def scale_unit(unit: np.ndarray, lows: np.ndarray, highs: np.ndarray, log) -> np.ndarray:
    """Points of the unit cube mapped onto [low, high] per column: evenly, or evenly in the
    logarithm where `log` is true (then low > 0)."""
    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    log = np.asarray(log, dtype=bool)
    out = lows + unit * (highs - lows)
    if log.any():
        lo, hi = np.log(lows[log]), np.log(highs[log])
        out[:, log] = np.exp(lo + unit[:, log] * (hi - lo))
        out[:, log] = np.clip(out[:, log], lows[log], highs[log])
    return out


def read_point_table(path: str | None, params: list[str] | None = None) -> np.ndarray | list[str]:
    """The points of a `table` sampler's file: with `params`, those columns as a (rows, D)
    array; without, the names of its coefficient columns (those with a dot in their name).
    ConfigError for a missing, unreadable or empty file, or a path outside the project's
    relative folders; ChecksumMismatch (a ConfigError, one line) for a file that does not
    carry the checksum the calibration writes with its tables or no longer matches it
    (`sim.calibrate.tables.verify_calibration_table`): an edited posterior is never sampled."""
    import pyarrow.parquet as pq

    from ..calibrate.tables import verify_calibration_table

    if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in Path(path).parts \
            or not path.endswith(".parquet"):
        raise ConfigError("experiment.table", path, "a relative path to a .parquet file (such as "
                          "results/calibration/posterior.parquet), without '..'")
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as err:
        raise ConfigError("experiment.table", path, f"a readable Parquet table ({str(err).splitlines()[0][:200]}); "
                          "python -m sim.calibrate writes results/calibration/posterior.parquet") from None
    verify_calibration_table(path)
    if params is None:
        return [c for c in table.column_names if "." in c]
    if table.num_rows == 0:
        raise ConfigError("experiment.table", path, "a table with at least one row")
    return np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(float) for c in params])


def saltelli_unit(d: int, base_samples: int, rng: np.random.Generator) -> np.ndarray:
    """The Saltelli (2010) design for first-order and total Sobol (2001) indices on the unit
    cube, (base_samples * (d + 2), d), drawn with SALib.sample.sobol (calc_second_order=False).
    Rows are in the order SALib.analyze.sobol expects: keep them in point_id order."""
    from SALib.sample import sobol as salib_sobol

    problem = {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}
    return salib_sobol.sample(problem, base_samples, calc_second_order=False, scramble=True, seed=rng)


def saltelli_points(d: int, base_samples: int) -> int:
    """Points of a Saltelli design without second-order indices: N * (D + 2)."""
    return base_samples * (d + 2)


def make_plan(exp: ExperimentConfig, runs: int | None = None) -> Plan:
    """Check the declaration and lay out its runs; ConfigError names what is wrong."""
    check_name("experiment.name", exp.name)
    if exp.sampler not in SAMPLERS:
        raise ConfigError("experiment.sampler", exp.sampler, f"one of {list(SAMPLERS)}")
    for key in ("replications", "points", "grid_levels"):
        value = getattr(exp, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"experiment.{key}", value, "an integer >= 1")
    check_seed("experiment.seed", exp.seed, null_allowed=False)
    if runs is not None and (isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= resources.MAX_RUNS):
        raise ConfigError("runs", runs, "an integer in [1, 2**62]")
    check_name("experiment.scenario", exp.scenario)
    check_choice("scenario", exp.scenario)  # the file, before Hydra reads it

    base = run_config(exp.scenario, exp.seed, [f"horizon_weeks={exp.horizon_weeks}", f"step_days={exp.step_days}"])
    if exp.sampler == "table":
        exp = _table_uncertainties(exp)
    params, integer = [], []
    for i, u in enumerate(exp.uncertainties):
        key = f"experiment.uncertainties[{i}] ({u.param})"
        owner, f = _resolve_field(u.param, base.scenario)
        if u.param in params:
            raise ConfigError(key, u.param, f"each parameter once among the uncertainties (it is also "
                              f"experiment.uncertainties[{params.index(u.param)}])")
        bad = [v for v in [u.low, u.high, *list(u.levels or [])] if not math.isfinite(v)]
        if bad:
            raise ConfigError(key, bad[0], "finite bounds and levels (an infinite or NaN bound cannot be sampled "
                              "uniformly, and the analysis cannot use it)")
        if not u.low <= u.high:
            raise ConfigError(key, [u.low, u.high], "a range with low <= high")
        if u.scale not in SCALES:
            raise ConfigError(f"{key}.scale", u.scale, f"one of {list(SCALES)}")
        if u.scale == "log" and not u.low > 0:
            raise ConfigError(key, u.low, "low > 0 for scale: log")
        if u.levels is not None and len(u.levels) == 0:
            raise ConfigError(f"{key}.levels", list(u.levels), "at least one level (or no `levels` key)")
        lo, hi = f.metadata["range"]
        is_int = f.type in (int, "int")
        for v in ([u.low, u.high] + list(u.levels or [])):
            if not lo <= v <= hi:
                raise ConfigError(key, v, f"values within the parameter's range [{lo:g}, {hi:g}]")
            if is_int and not float(v).is_integer():
                raise ConfigError(key, v, f"whole numbers: {u.param} is an integer field")
        params.append(u.param)
        integer.append(is_int)
        validate(_with_value(base, u.param, int(round(u.high)) if integer[-1] else u.high))

    lever_names = tuple(exp.levers) or (NO_LEVER,)
    lever_configs = []
    for name in lever_names:
        cfg = base
        for path, value in (exp.levers.get(name) or {}).items():
            cfg = _with_lever_value(cfg, path, value)
        try:
            lever_configs.append(validate(cfg))
        except ConfigError as err:
            raise ConfigError(f"experiment.levers.{name}: {err.key}", err.value, err.allowed) from None
    for i, u in enumerate(exp.uncertainties):
        _check_active_faction(f"experiment.uncertainties[{i}] ({u.param})", u.param, lever_names, lever_configs)
        if exp.sampler != "table":
            _check_not_a_lever(f"experiment.uncertainties[{i}]", u.param, exp.levers)

    n_levers = len(lever_names)
    if exp.sampler == "saltelli":
        exp = _saltelli_base_samples(exp, runs, n_levers)
        runs = None
    replications = exp.replications
    if exp.sampler == "sobol" and runs is None and exp.uncertainties and exp.points & (exp.points - 1):
        raise ConfigError("experiment.points", exp.points, "a power of 2 for the sobol sampler")
    if exp.sampler == "sobol" and runs is not None and exp.uncertainties:
        per = replications * n_levers
        n = runs // per
        if runs % per or n & (n - 1):
            raise ConfigError("runs", runs, f"N * {per} with N a power of 2 for the sobol sampler "
                              "(points x replications x levers)")
    if runs is not None:
        if len(exp.uncertainties) == 0 or exp.sampler == "grid":
            per = expected_points(exp) * n_levers
            if runs % per:
                raise ConfigError("runs", runs, f"a multiple of {per} (points x levers) for this experiment")
            replications = runs // per
        else:
            per = replications * n_levers
            if runs % per:
                raise ConfigError("runs", runs, f"a multiple of {per} (replications x levers) for this experiment")
            exp = dataclasses.replace(exp, points=runs // per)
    _check_size(exp, n_levers, replications, runs)
    samples = sample(exp)
    if samples.shape[0] == 0:
        raise ConfigError("experiment.sampler", exp.sampler, "a sampler that yields at least one point")
    declared = len(params)
    if exp.table is not None and exp.sampler != "table":
        samples = _with_table_columns(exp, base, samples, params, integer)
    table_params = tuple(params) if exp.sampler == "table" else tuple(params[declared:])
    for j, is_int in enumerate(integer):
        if is_int:
            samples[:, j] = np.round(samples[:, j])
    check_points(tuple(params), samples, lever_names, lever_configs)
    return Plan(exp, tuple(params), tuple(integer), samples, lever_names, tuple(lever_configs), replications,
                table_params)


def _with_table_columns(exp: ExperimentConfig, base: RunConfig, samples: np.ndarray, params: list,
                        integer: list) -> np.ndarray:
    """Points of another sampler joined with rows of `exp.table`: each point takes one row,
    drawn with replacement (its own stream of the root seed), for every coefficient column
    of the table that is not a declared uncertainty (a declared one keeps its range). So
    the article's conditions can be swept while the behavioural coefficients are drawn from
    a posterior. The points of one Saltelli block (D + 2 consecutive points) take the same
    row, so they differ in the declared conditions only. `params` and `integer` are extended
    in place."""
    names = [n for n in read_point_table(exp.table) if n not in params]
    if not names:
        return samples
    values = read_point_table(exp.table, names)
    group = len(params) + 2 if exp.sampler == "saltelli" else 1  # `Plan.world_group`
    for j, name in enumerate(names):
        _owner, f = _resolve_field(name, base.scenario)
        lo, hi = f.metadata["range"]
        col = values[:, j]
        if not (np.isfinite(col).all() and col.min() >= lo and col.max() <= hi):
            raise ConfigError(f"experiment.table ({name})", [float(np.nanmin(col)), float(np.nanmax(col))],
                              f"values within the coefficient's range [{lo:g}, {hi:g}]")
        params.append(name)
        integer.append(f.type in (int, "int"))
    # one row per group of points that share their random worlds: the points of a Saltelli
    # block differ only in the declared conditions, so a Sobol difference varies one thing
    groups = -(-samples.shape[0] // group)
    rows = np.random.default_rng([exp.seed, 1]).integers(0, values.shape[0], size=groups)
    return np.hstack([samples, values[np.repeat(rows, group)[: samples.shape[0]]]])


def _table_uncertainties(exp: ExperimentConfig) -> ExperimentConfig:
    """A `table` sampler's uncertainties: one per coefficient column of its file, spanning
    the column's values (the plan then checks each as it checks declared ones)."""
    names = read_point_table(exp.table)
    if exp.uncertainties:
        raise ConfigError("experiment.uncertainties", [u.param for u in exp.uncertainties],
                          "none for the table sampler (its file's columns are the uncertainties)")
    if not names:
        raise ConfigError("experiment.table", exp.table, "a table with coefficient columns (names such as "
                          "government.salience)")
    values = read_point_table(exp.table, names)
    finite = np.isfinite(values).all(axis=0)
    if not finite.all():
        bad = [n for n, ok in zip(names, finite) if not ok]
        raise ConfigError("experiment.table", exp.table, f"finite values in every coefficient column ({bad[:3]})")
    found = [UncertaintyConfig(param=n, low=float(values[:, j].min()), high=float(values[:, j].max()),
                               source=f"rows of {exp.table}", label=n) for j, n in enumerate(names)]
    return dataclasses.replace(exp, uncertainties=found)


def expected_points(exp: ExperimentConfig) -> int:
    """How many points `sample(exp)` draws, computed without drawing them."""
    d = len(exp.uncertainties)
    if d == 0:
        return 1
    if exp.sampler == "grid":
        n = 1
        for u in exp.uncertainties:
            n *= len(u.levels) if u.levels is not None else exp.grid_levels
        return n
    if exp.sampler == "saltelli":
        return saltelli_points(d, exp.points)
    return exp.points


def _check_size(exp: ExperimentConfig, n_levers: int, replications: int, runs: int | None) -> None:
    """Refuse, before drawing anything, a plan whose run ids do not fit int64 or whose points
    do not fit this machine's memory (the sweep's table is checked by the runner)."""
    points = expected_points(exp)
    total = points * n_levers * replications
    key, value = ("runs", runs) if runs is not None else ("experiment (points x levers x replications)", total)
    if total > resources.MAX_RUNS:
        raise ConfigError(key, value, f"at most 2**62 runs in all (this plan has {total:,})")
    need = resources.plan_memory(points, len(exp.uncertainties))
    have = resources.available_memory()
    if have is not None and need > have:
        raise ConfigError(key, value, f"a plan that fits in this machine's memory: its {points:,} points need about "
                          f"{resources.human(need)} to draw, {resources.human(have)} is available")


def check_points(params: tuple[str, ...], samples: np.ndarray, lever_names, lever_configs) -> None:
    """The checks that span fields, at every sampled point under every lever: the active
    factions' seats fit in parliament (sim.config.validate checks one config; here the seats of
    several factions may be sampled at once, and levers may change seats, activity or the
    parliament's size), and the quorum is at most the seats."""
    cols = {p: j for j, p in enumerate(params)}
    n = samples.shape[0]

    def column(path, default):
        return samples[:, cols[path]] if path in cols else np.full(n, float(default))

    for lever, cfg in zip(lever_names, lever_configs):
        sc = cfg.scenario
        where = "" if lever == NO_LEVER else f" under lever {lever!r}"
        total = column("parliament.total_seats", sc.parliament.total_seats)
        seats = np.zeros(n)
        for name, f in sc.factions.items():
            if f.active:
                seats = seats + column(f"factions.{name}.seats", f.seats)
        over = seats > total
        if over.any():
            k = int(np.argmax(seats - total))
            swept = [p for p in params if p.endswith(".seats") or p == "parliament.total_seats"]
            at = ", ".join(f"{p}={samples[k, cols[p]]:g}" for p in swept)
            raise ConfigError(f"experiment.uncertainties ({' + '.join(swept) or 'seats'})", int(seats[k]),
                              f"active factions' seats summing to at most parliament.total_seats at every point"
                              f"{where}: {int(over.sum())} of {n} points exceed it, the worst {int(seats[k])} > "
                              f"{int(total[k])} at point {k} ({at})")
        quorum = column("parliament.quorum", sc.parliament.quorum)
        over = quorum > total
        if over.any():
            k = int(np.argmax(quorum - total))
            raise ConfigError("experiment.uncertainties (parliament.quorum)", float(quorum[k]),
                              f"a quorum of at most parliament.total_seats at every point{where}: {int(over.sum())} "
                              f"of {n} points exceed it (point {k}: {quorum[k]:g} > {total[k]:g})")


def _saltelli_base_samples(exp: ExperimentConfig, runs: int | None, n_levers: int) -> ExperimentConfig:
    """Check a saltelli declaration; with `runs`, set N so that runs = N * (D + 2) * levers * replications."""
    d = len(exp.uncertainties)
    if d == 0:
        raise ConfigError("experiment.sampler", exp.sampler, "a sampler other than saltelli when there are no uncertainties")
    per = saltelli_points(d, 1) * n_levers * exp.replications
    if runs is not None:
        if runs % per or (runs // per) & (runs // per - 1):
            lo = 1 << max(0, (max(runs // per, 1)).bit_length() - 1)
            raise ConfigError("runs", runs, f"N * {per} with N a power of 2 (N * (D + 2) * levers * replications, "
                              f"D = {d}), e.g. {lo * per} or {2 * lo * per}")
        exp = dataclasses.replace(exp, points=runs // per)
    if exp.points & (exp.points - 1):
        raise ConfigError("experiment.points", exp.points, "a power of 2 (the base samples N) for the saltelli sampler")
    return exp


def _with_lever_value(cfg: RunConfig, path: str, value) -> RunConfig:
    """A lever may set any existing scenario field, numeric or not, to a value of its type."""
    new = _copy(cfg)
    parts = path.split(".")
    owner = new.scenario
    for part in parts[:-1]:
        owner = owner.get(part) if isinstance(owner, dict) else getattr(owner, part, None)
        if owner is None:
            raise ConfigError(f"lever parameter {path!r}", part, "an existing scenario field")
    last = parts[-1]
    if isinstance(owner, dict) or not hasattr(owner, last) or last not in {f.name for f in dataclasses.fields(owner)}:
        raise ConfigError(f"lever parameter {path!r}", last, "an existing scenario field")
    declared = str(next(f.type for f in dataclasses.fields(owner) if f.name == last))
    optional = "Optional" in declared
    if value is None:
        ok = optional
    elif "bool" in declared:
        ok = isinstance(value, bool)
    elif "float" in declared:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif "int" in declared:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif "str" in declared:
        ok = isinstance(value, str)
    else:
        ok = False
    if not ok:
        raise ConfigError(f"lever parameter {path!r}", value, f"a value of the field's type ({declared})")
    setattr(owner, last, value)
    return new


# ---------------------------------------------------------------- per-run parameters
def run_params(plan: Plan, lever: int, points: np.ndarray) -> ModelParams:
    """ModelParams for runs of one lever at the given points: each uncertain parameter is an
    array with one value per run; everything else is the lever's scalar value. A column of
    the experiment's table that the lever sets keeps the lever's value (`Plan.lever_sets`):
    a lever is a policy, never overwritten by a posterior's draws."""
    p = model_params(plan.lever_configs[lever])
    fixed = plan.lever_sets(lever)
    for j, path in enumerate(plan.params):
        if j not in fixed:
            p = _set_param(p, path, plan.samples[points, j])
    return p


def _set_param(p: ModelParams, path: str, values: np.ndarray) -> ModelParams:
    section, _, rest = path.partition(".")
    if section == "factions":
        name, _, attr = rest.partition(".")
        fa = p.factions
        j = fa.names.index(name)  # make_plan refuses uncertainties on inactive factions
        current = np.asarray(getattr(fa, attr), dtype=np.float64)
        table = np.broadcast_to(current, (values.size, fa.size)).copy()
        table[:, j] = values
        return dataclasses.replace(p, factions=fa.with_column(attr, table))
    sec = getattr(p, section)
    return p.with_section(section, dataclasses.replace(sec, **{rest: values.astype(np.float64)}))


#: how a sweep's runs are keyed to random worlds (in every sweep's fingerprint, so a folder
#: written under another keying is never resumed or mixed with this one)
WORLDS = "group * replications + replication"
#: how points take rows of an experiment's table (in the fingerprint, as WORLDS): one row per
#: world group, declared conditions only counted in a Saltelli group, lever keys kept
TABLE_ROWS = "per world group of declared conditions; lever keys stand"


def world_index(group, replication, replications: int) -> np.ndarray:
    """The run index of the draws (`sim.model.draws.run_key`) of a run in `group` (a point, or a
    Saltelli base row) and `replication`: group * replications + replication. Distinct
    (group, replication) pairs get distinct worlds; levers and the points of one group share
    them (common random numbers where runs are compared)."""
    group = np.asarray(group, dtype=np.int64)
    replication = np.asarray(replication, dtype=np.int64)
    return group * int(replications) + replication


def run_seed(root_seed: int, world) -> np.ndarray:
    """The key of a run's random stream, as recorded in runs.parquet (uint64); `world` is the
    run's world index (`Plan.worlds`)."""
    return draws.run_key(root_seed, world)
