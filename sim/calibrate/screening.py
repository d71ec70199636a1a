"""Screening of every calibrated coefficient, then Sobol indices on the ones that matter.

1. Morris (1991) elementary effects, in Campolongo et al.'s (2007) mu* form, over every
   coefficient with a prior (`sim.calibrate.priors`: marked assumption or sign-only) and
   the structural choices of `sim.calibrate.runner.STRUCTURAL` (the collective rule, the
   reading of the bdm rule, the step length, the pace of the revision model) as discrete
   factors: a factor's value in [0, 1] picks one of its levels.
2. Sobol (2001) first-order and total indices with bootstrap intervals (Saltelli 2010
   design, SALib), on the `top` factors by Morris' mu* (scaled by each output's spread,
   the largest over the outputs); the others stay at their defaults.

Outputs, per parameter set, under the baseline (Washington's status quo): the chance of a
formal request, each outcome's share and the restricted mean time to a request
(`runner.outputs`). Sampling and analysis are SALib's; the runs are the batch engine's,
with common random numbers across sets (the same worlds for every set: `runner`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..model import outcomes
from ..sweep.plan import scale_unit
from . import runner
from .priors import Prior

LEVER = "status_quo"
OUTPUTS = [f"{LEVER}.p_request", *(f"{LEVER}.share.{o}" for o in outcomes.OUTCOMES), f"{LEVER}.time_to_request"]


def factor_names(priors: list[Prior], structural: bool = True) -> list[str]:
    return [p.path for p in priors] + ([f"structure.{k}" for k in runner.STRUCTURAL] if structural else [])


def to_values(unit: np.ndarray, priors: list[Prior], names: list[str], defaults: dict[str, float]):
    """Unit-cube rows -> (coefficient values over every prior, structural levels per row).
    Columns of `unit` follow `names`; a prior not among them stays at its default."""
    n = unit.shape[0]
    values = np.empty((n, len(priors)))
    col = {name: j for j, name in enumerate(names)}
    for i, p in enumerate(priors):
        if p.path in col:
            u = unit[:, [col[p.path]]]
            values[:, i] = scale_unit(u, [p.low], [p.high], [p.scale == "log"])[:, 0]
        else:
            values[:, i] = defaults[p.path]
    structure = []
    for r in range(n):
        s = {}
        for k, levels in runner.STRUCTURAL.items():
            name = f"structure.{k}"
            if name in col:
                s[k] = levels[min(int(unit[r, col[name]] * len(levels)), len(levels) - 1)]
        structure.append(s)
    return values, structure


def run_design(cfg, priors: list[Prior], values: np.ndarray, structure: list[dict], replications: int,
               out: Path, tag: str, where: runner.Where, chunk: int = 200, progress=None) -> pd.DataFrame:
    """Set summaries of the design's rows (in row order), grouped by structural choice."""
    keys = [tuple(sorted(s.items())) for s in structure]
    tasks, order = [], []
    for key in sorted(set(keys), key=str):
        rows = np.array([i for i, k in enumerate(keys) if k == key])
        for a, b in runner.chunks(rows.size, chunk):
            sel = rows[a:b]
            tasks.append(({LEVER: cfg}, [p.path for p in priors], values[sel], sel, replications, [], dict(key), "shared"))
            order.append(sel)
    table = runner.compute(tasks, out, tag, where, progress)
    return table.set_index("point_id").sort_index()


def morris(cfg, priors: list[Prior], defaults: dict[str, float], *, trajectories: int, replications: int,
           seed: int, out: Path, where: runner.Where, structural: bool = True, progress=None) -> pd.DataFrame:
    """Morris mu*, its interval and sigma for every factor and output (long table)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    names = factor_names(priors, structural)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    unit = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    values, structure = to_values(unit, priors, names, defaults)
    tag = "morris-" + runner.fingerprint({"cfg": runner.plain(cfg), "names": names, "unit": unit.round(12).tolist(),
                                          "replications": replications})
    table = run_design(cfg, priors, values, structure, replications, out, tag, where, progress=progress)
    rows = []
    for output in OUTPUTS:
        y = table[output].to_numpy(float)
        res = morris_analyze.analyze(problem, unit, y, num_levels=4, seed=seed)
        spread = float(np.std(y)) or 1.0
        for j, name in enumerate(names):
            rows.append({"factor": name, "output": output, "mu_star": float(res["mu_star"][j]),
                         "mu_star_conf": float(res["mu_star_conf"][j]), "sigma": float(res["sigma"][j]),
                         "mu_star_scaled": float(res["mu_star"][j]) / spread})
    return pd.DataFrame(rows)


def ranking(morris_table: pd.DataFrame) -> pd.Series:
    """Factors by their largest scaled mu* over the outputs, most influential first."""
    return morris_table.groupby("factor")["mu_star_scaled"].max().sort_values(ascending=False)


def sobol(cfg, priors: list[Prior], defaults: dict[str, float], factors: list[str], *, base_samples: int,
          replications: int, seed: int, out: Path, where: runner.Where, progress=None) -> pd.DataFrame:
    """Sobol first-order and total indices with 95% intervals on `factors` (long table)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}
    unit = sobol_sample.sample(problem, base_samples, calc_second_order=False, scramble=True, seed=seed)
    values, structure = to_values(unit, priors, factors, defaults)
    tag = "sobol-" + runner.fingerprint({"cfg": runner.plain(cfg), "names": factors, "unit": unit.round(12).tolist(),
                                         "replications": replications})
    table = run_design(cfg, priors, values, structure, replications, out, tag, where, progress=progress)
    rows = []
    for output in OUTPUTS:
        y = table[output].to_numpy(float)
        if np.std(y) == 0:
            continue
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for j, name in enumerate(factors):
            rows.append({"factor": name, "output": output, "S1": float(res["S1"][j]),
                         "S1_conf": float(res["S1_conf"][j]), "ST": float(res["ST"][j]),
                         "ST_conf": float(res["ST_conf"][j])})
    return pd.DataFrame(rows)
