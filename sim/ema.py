"""The project's experiments as EMA Workbench models (Kwakkel 2017), run by the batch engine.

    from ema_workbench import perform_experiments
    import sim.ema

    m = sim.ema.model("conditions", replications=100)
    experiments, outcomes = perform_experiments(m, scenarios=50, policies=m.policies(),
                                                evaluator=sim.ema.BatchEvaluator(m))

`model(name)` declares configs/experiment/NAME.yaml for EMA Workbench: each uncertainty a
`RealParameter` over the declared [low, high] (an `IntegerParameter` for an integer
coefficient such as a faction's seats), named by its path with `__` for the dot, as
keyword arguments of `sim.run` are (`factions.kurds.seats` -> `factions__kurds__seats`;
`BatchModel.paths` maps them back); the experiment's levers a `CategoricalParameter` named
`lever` over their names, and `policies()` one policy per lever. Its outcomes, per
experiment: `p_request`, the share of runs with a formal request (F4, F10), and
`share_<outcome>` for each outcome of `sim.model.outcomes.OUTCOMES`.

An experiment is a scenario (values of the uncertainties) under a lever, run `replications`
times. Every replication of an experiment is one run of the batch engine
(`sim.engines.batch.simulate`, the coefficients set per run as a sweep sets them), and the
replications of an experiment are computed in one call: EMA's own evaluators
(`SequentialEvaluator`, `MultiprocessingEvaluator`) call the model once per experiment, so
this is what they vectorise. `BatchEvaluator` goes further and computes whole blocks of
experiments (up to `block_runs` runs) in one call; `BatchModel.evaluate` does the same for
a table of scenarios without EMA's machinery. All three give the same numbers.

Random worlds: the run index of a replication's draws (`sim.model.draws`) is
group * replications + r, as in a sweep (`sim.sweep.plan.world_index`), where a scenario's
group is a hash of its values. So a scenario gives the same numbers wherever it stands in a
design and whichever evaluator runs it, the levers meet the same worlds at a scenario
(common random numbers, as in a sweep), and different scenarios meet different worlds.
The root seed is the experiment's (`seed` overrides it).

An experiment without uncertainties (`baseline`, `calibration`) is run with `scenarios=0`;
EMA 3.0's own evaluators then fail for more than one policy (the one empty scenario they
share takes the first policy's values: "Parameters exist in both"), `BatchEvaluator` does not.

Left out: experiments that draw coefficients from a table (`table:`, the posterior
experiments; their rows are not a range EMA can sample) and uncertainties spread on a log
scale (EMA's samplers spread a range evenly) are refused.

EMA Workbench is an optional extra: `pip install -e ".[ema]"`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

try:
    with warnings.catch_warnings():  # it warns on import of each optional back end it lacks
        warnings.filterwarnings("ignore", message=".* not installed", category=UserWarning)
        import ema_workbench
        from ema_workbench.em_framework.evaluators import BaseEvaluator
except ImportError as err:  # pragma: no cover - the extra is installed where this is tested
    raise ImportError("sim.ema needs EMA Workbench, an optional extra: pip install -e '.[ema]' "
                      f"({err})") from None

from .config import ConfigError, experiment_config
from .config.validate import check_seed, python_value
from .engines.batch import simulate
from .model.outcomes import OUTCOMES
from .sweep.plan import Plan, check_points, make_plan, run_params, world_index
from .sweep.resources import check_runs_fit

__all__ = ["OUTCOME_NAMES", "BatchEvaluator", "BatchModel", "model"]

#: the outcomes of every model, per experiment
OUTCOME_NAMES = ("p_request", *(f"share_{name}" for name in OUTCOMES))
#: the name of the parameter that picks a lever
LEVER = "lever"
#: runs per batch call of `BatchEvaluator` (experiments x replications)
BLOCK_RUNS = 20_000


def parameter_name(path: str) -> str:
    """A coefficient's path as an EMA name (a Python identifier): dots become `__`."""
    return path.replace(".", "__")


def _scenario_value(cfg, path: str) -> float:
    """A coefficient's value in a config (NaN for one left null, as the model reads it)."""
    obj = cfg.scenario
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return float("nan") if obj is None else float(obj)


def _plan(name: str, seed: object) -> Plan:
    """The experiment's plan with one point: its coefficients, integer flags, levers and
    lever configs, checked as a sweep checks them."""
    if not isinstance(name, str):
        raise ConfigError("experiment", name, "the name of an experiment of configs/experiment/")
    overrides = []
    if seed is not None:
        check_seed("seed", seed, null_allowed=False)
        overrides.append(f"seed={seed}")
    exp = experiment_config(name, overrides)
    if exp.table is not None or exp.sampler == "table":
        raise ConfigError("experiment", name, "an experiment without a `table` (EMA Workbench samples ranges; the "
                          "rows of a posterior table are not one)")
    for i, u in enumerate(exp.uncertainties):
        if u.scale != "linear":
            raise ConfigError(f"experiment.uncertainties[{i}] ({u.param}).scale", u.scale,
                              "linear (EMA Workbench's samplers spread a range evenly)")
    # one point of any sampler: the plan is wanted for its checks and lever configs, not its points
    return make_plan(dataclasses.replace(exp, sampler="lhs", points=1))


class BatchModel(ema_workbench.Model):
    """An experiment of configs/experiment/ as an EMA Workbench `Model` (module docstring).

    `function` is the model for one experiment (keyword arguments: the uncertainties and
    `lever`), which runs its replications in one call of the batch engine; `evaluate` runs
    a table of experiments. `paths` maps each uncertainty's EMA name to its coefficient,
    `defaults` to the scenario's value (taken where a scenario leaves it out), `labels` to
    the experiment's label for it; `lever_names` are the experiment's levers, `experiment`
    its declaration, `plan` its checked plan (`sim.sweep.plan.Plan`: coefficients, lever
    configs), `replications` and `seed` what each experiment runs with."""

    def __init__(self, experiment: str = "conditions", *, replications: int | None = None, seed: int | None = None,
                 name: str | None = None) -> None:
        replications, seed = python_value(replications), python_value(seed)
        if replications is not None:
            check_runs_fit(replications, "replications", at_once=True)
        plan = _plan(experiment, seed)
        if replications is None:
            replications = plan.replications
        name = plan.experiment.name if name is None else name
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError("name", name, "a Python identifier (EMA Workbench names models so)")
        super().__init__(name, function=self.run_one)
        self.experiment = plan.experiment
        self.replications = replications
        self.seed = int(plan.experiment.seed)
        self.plan = plan
        base = plan.lever_configs[0]
        self.paths = {parameter_name(p): p for p in plan.params}
        self.defaults = {parameter_name(p): _scenario_value(base, p) for p in plan.params}
        self.labels = {parameter_name(u.param): u.label or u.param for u in plan.experiment.uncertainties}
        uncertainties = []
        for u, integer in zip(plan.experiment.uncertainties, plan.integer_params):
            key = parameter_name(u.param)
            if integer:
                uncertainties.append(ema_workbench.IntegerParameter(key, int(u.low), int(u.high),
                                                                    default=int(self.defaults[key])))
            else:
                uncertainties.append(ema_workbench.RealParameter(key, float(u.low), float(u.high),
                                                                 default=self.defaults[key]))
        self.uncertainties = uncertainties
        self.lever_names = tuple(plan.levers)
        if len(self.lever_names) > 1:  # EMA's categorical parameter needs two categories or more
            self.levers = [ema_workbench.CategoricalParameter(LEVER, list(self.lever_names),
                                                              default=self.lever_names[0])]
        self.outcomes = [ema_workbench.ScalarOutcome(n) for n in OUTCOME_NAMES]

    def policies(self) -> list:
        """One EMA policy per lever of the experiment, named after it (with a single lever,
        a policy that sets nothing: the lever is the only one there is)."""
        if len(self.lever_names) == 1:
            return [ema_workbench.Sample(name=self.lever_names[0])]
        return [ema_workbench.Sample(name=lever, **{LEVER: lever}) for lever in self.lever_names]

    # ------------------------------------------------------------ one experiment
    def run_one(self, **values: object) -> dict[str, float]:
        """The outcomes of one experiment (uncertainties and `lever` as keywords; others,
        such as EMA constants, are ignored): its replications in one batch call."""
        row = {k: v for k, v in values.items() if k in self.paths or k == LEVER}
        out = self.evaluate([row])
        return {n: float(out[n].iloc[0]) for n in OUTCOME_NAMES}

    # ------------------------------------------------------------ many experiments
    def evaluate(self, scenarios: pd.DataFrame | Iterable[Mapping[str, object]],
                 lever: str | Sequence[str] | None = None) -> pd.DataFrame:
        """The outcomes (columns `OUTCOME_NAMES`) of experiments, one row each, in the order
        given: a DataFrame or mappings with uncertainty values by EMA name (a missing one
        takes the scenario's value; other columns are ignored) and the lever by name
        (`lever`: one for all rows or one per row; by default a `lever` column, or the
        experiment's first lever). Each lever's experiments run in one batch call. A bad
        value raises ConfigError naming the uncertainty, the value and what is allowed."""
        frame = scenarios if isinstance(scenarios, pd.DataFrame) else pd.DataFrame([dict(s) for s in scenarios])
        n = len(frame)
        values = self._values(frame)
        levers = self._lever_column(frame, lever, n)
        out = np.zeros((n, len(OUTCOME_NAMES)))
        worlds = self.worlds(values)
        for k, name in enumerate(self.lever_names):
            rows = np.flatnonzero(levers == name)
            if rows.size:
                out[rows] = self._run(k, values[rows], worlds[rows])
        return pd.DataFrame(out, columns=list(OUTCOME_NAMES), index=frame.index)

    def worlds(self, values: np.ndarray) -> np.ndarray:
        """(experiments, replications): the run index of each replication's draws (the
        `run_index` of `sim.abm.model.NegotiationModel`), from the uncertainties' values
        in declared order (`values`, (experiments, D)), whatever the lever (module docstring)."""
        rows = np.ascontiguousarray(np.atleast_2d(np.asarray(values, dtype="<f8")) + 0.0, dtype="<f8")  # -0.0 is 0.0
        limit = (2**63) // self.replications  # group * replications + r stays an int64
        groups = np.array([int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little") % limit
                           for row in rows], dtype=np.int64)
        return world_index(groups[:, None], np.arange(self.replications)[None, :], self.replications)

    def _values(self, frame: pd.DataFrame) -> np.ndarray:
        """(n, D) float values in declared order, each checked against its coefficient."""
        plan = self.plan
        values = np.empty((len(frame), len(self.paths)))
        for j, (key, path) in enumerate(self.paths.items()):
            if key not in frame:
                values[:, j] = self.defaults[key]
                continue
            column = [python_value(v) for v in frame[key]]
            lo, hi = plan.domain(path)
            integer = plan.integer_params[j]
            allowed = f"{'an integer' if integer else 'a number'} in [{lo:g}, {hi:g}]"
            for v in column:
                ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi \
                    and (not integer or float(v).is_integer())
                if not ok:
                    raise ConfigError(f"{key} ({path})", v, allowed)
            values[:, j] = column
        return values

    def _lever_column(self, frame: pd.DataFrame, lever: str | Sequence[str] | None, n: int) -> np.ndarray:
        if lever is None:
            given = frame[LEVER].to_numpy() if LEVER in frame else np.full(n, self.lever_names[0], dtype=object)
        elif isinstance(lever, str):
            given = np.full(n, lever, dtype=object)
        else:
            given = np.asarray(list(lever), dtype=object)
            if given.shape != (n,):
                raise ConfigError(LEVER, list(lever), f"one lever, or one per experiment ({n})")
        given = np.array([python_value(v) for v in given], dtype=object)
        for v in given:
            if v not in self.lever_names:
                raise ConfigError(LEVER, v, f"one of the experiment's levers {list(self.lever_names)}")
        return given

    def _run(self, lever: int, values: np.ndarray, worlds: np.ndarray) -> np.ndarray:
        """(n, outcomes) for n experiments of one lever: n x replications runs, one batch call."""
        plan = self.plan
        check_points(plan.params, values, plan.levers[lever:lever + 1], plan.lever_configs[lever:lever + 1])
        r = self.replications
        runs = dataclasses.replace(plan, samples=np.repeat(values, r, axis=0))
        p = run_params(runs, lever, np.arange(values.shape[0] * r))
        cols = simulate(p, worlds.ravel())
        outcome = np.asarray(cols["outcome"]).reshape(-1, r)
        requested = (np.asarray(cols["formal_request_day"]) >= 0).reshape(-1, r)
        return np.column_stack([requested.mean(axis=1), *((outcome == code).mean(axis=1)
                                                          for code in range(len(OUTCOMES)))])


def model(experiment: str = "conditions", *, replications: int | None = None, seed: int | None = None,
          name: str | None = None) -> BatchModel:
    """configs/experiment/EXPERIMENT.yaml as an EMA Workbench model (module docstring):
    `replications` runs per experiment (default: the experiment's), root seed `seed`
    (default: the experiment's), EMA name `name` (default: the experiment's name)."""
    return BatchModel(experiment, replications=replications, seed=seed, name=name)


class BatchEvaluator(BaseEvaluator):
    """An EMA Workbench evaluator for `BatchModel`s that computes blocks of experiments in
    one call of the batch engine per lever (up to `block_runs` runs, experiments x
    replications), in this process. Use it as EMA's `SequentialEvaluator`:
    `perform_experiments(m, scenarios=50, policies=m.policies(), evaluator=BatchEvaluator(m))`
    or `with BatchEvaluator(m) as e: e.perform_experiments(...)`. Numbers are the same as
    with EMA's own evaluators."""

    def __init__(self, msis, block_runs: int = BLOCK_RUNS) -> None:
        super().__init__(msis)
        for m in self._msis:
            if not isinstance(m, BatchModel):
                raise TypeError(f"BatchEvaluator runs sim.ema models, not {type(m).__name__} "
                                "(use EMA's SequentialEvaluator for other models)")
        block_runs = python_value(block_runs)
        if isinstance(block_runs, bool) or not isinstance(block_runs, int) or block_runs < 1:
            raise ConfigError("block_runs", block_runs, "an integer >= 1")
        self.block_runs = block_runs

    def initialize(self) -> None:
        """Nothing to start: the runs are computed in this process."""

    def finalize(self) -> None:
        """Nothing to stop."""

    def evaluate_experiments(self, experiments, callback, **kwargs) -> None:
        """Run `experiments` in blocks and hand each one's outcomes to `callback`, in order."""
        models = {m.name: m for m in self._msis}
        block: list = []
        runs = 0
        for experiment in experiments:
            block.append(experiment)
            runs += models[experiment.model_name].replications
            if runs >= self.block_runs:
                self._evaluate_block(models, block, callback)
                block, runs = [], 0
        if block:
            self._evaluate_block(models, block, callback)

    @staticmethod
    def _evaluate_block(models: dict, block: list, callback) -> None:
        results: dict[int, dict[str, float]] = {}
        for name, m in models.items():
            mine = [i for i, e in enumerate(block) if e.model_name == name]
            if not mine:
                continue
            rows = []
            for i in mine:
                e = block[i]
                row = {k: v for k, v in e.scenario.items() if k in m.paths}
                row[LEVER] = e.policy.get(LEVER, m.lever_names[0])
                rows.append(row)
            out = m.evaluate(rows).to_numpy()
            for i, values in zip(mine, out):
                results[i] = dict(zip(OUTCOME_NAMES, map(float, values)))
        for i, e in enumerate(block):
            callback(e, results[i])
