"""The batch engine and the Mesa engine give the same summary row for the same root seed,
run index and per-run parameters (sim/engines/batch.py, sim/engines/mesa_engine.py), on
runs drawn from every scenario in configs/scenario, with every outcome class present.

How the runs are chosen: for each scenario two sweep plans are built with
`sim.sweep.plan.make_plan`:
- "main": the scenario over 156 weeks, a Latin hypercube over five uncertain parameters
  (one of them an integer faction field, so per-run faction tables are exercised), three
  levers, several replications (run indices > 0). Besides `status_quo`, Washington offers
  no packages (washington.offer_cost = 50) and either leaves fast (`quick_exit`:
  legitimacy_weight = 5, withdrawal_days = 7, so a formal request is followed by a
  completed withdrawal) or holds on (`hold_on`: legitimacy_weight = 0.3, overstay_penalty
  = 0.5, so requests turn into occupations), so that every outcome class occurs in every
  scenario, not only in those where the post-request game reaches it;
- "short": the scenario over a 26-week horizon, where most runs end without a request
  (`no_request`, otherwise rare).
The batch engine computes every run of both plans (cheap); runs are then picked so that
each outcome class found is represented (rarest classes first), the rest at random with a
fixed generator. The Mesa engine recomputes the picked runs one by one through
`sim.sweep.chunk.compute_chunk(plan, "mesa", i, i + 1)` and every column of the rows is
compared exactly with the batch rows of the same run ids.

Sample sizes: the fast test compares 3 runs per scenario (27 for the 9 scenarios shipped);
the slow test 125 per scenario (100 from "main", 25 from "short"; 1,125 runs).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sim.config import available_scenarios, run_config
from sim.model import outcomes
from sim.sweep.chunk import compute_chunk
from sim.sweep.plan import make_plan
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

SCENARIOS = available_scenarios()

#: order in which outcome classes are guaranteed a place among the picked runs
PRIORITY = ("no_request", "occupation", "withdrawal_completed", "request_withdrawn", "negotiated_drawdown")

UNCERTAINTIES = [
    UncertaintyConfig(param="sanctions.credibility", low=0.0, high=1.0),
    UncertaintyConfig(param="world.isis_mean", low=0.1, high=0.7),
    UncertaintyConfig(param="factions.kurds.seats", low=40, high=70),
    UncertaintyConfig(param="government.salience", low=0.5, high=3.0),
    UncertaintyConfig(param="behaviour.rationality", low=1.0, high=30.0),
]
LEVERS = {
    "status_quo": {},
    "quick_exit": {"washington.offer_cost": 50.0, "washington.legitimacy_weight": 5.0, "washington.withdrawal_days": 7.0},
    "hold_on": {"washington.offer_cost": 50.0, "washington.legitimacy_weight": 0.3, "washington.overstay_penalty": 0.5},
}


def _workers() -> int:
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n, 8))


def _uncertainties(scenario: str) -> list[UncertaintyConfig]:
    """UNCERTAINTIES, less a faction's seats the scenario does not have (a case of docs/cases
    has its own factions)."""
    factions = run_config(scenario).scenario.factions
    return [u for u in UNCERTAINTIES if not u.param.startswith("factions.") or u.param.split(".")[1] in factions]


def _plans(scenario: str, index: int, main_points: int, main_reps: int, short_points: int, short_reps: int):
    seed = 1000 + 17 * index  # a different root seed per scenario
    uncertainties = _uncertainties(scenario)
    main = ExperimentConfig(
        name=f"engines_{scenario}", scenario=scenario, seed=seed, horizon_weeks=156, sampler="lhs",
        points=main_points, replications=main_reps, uncertainties=list(uncertainties), levers=dict(LEVERS),
    )
    short = ExperimentConfig(
        name=f"engines_{scenario}_short", scenario=scenario, seed=seed + 1, horizon_weeks=26, sampler="lhs",
        points=short_points, replications=short_reps, uncertainties=[u for u in uncertainties if u in UNCERTAINTIES[:3]],
    )
    return make_plan(main), make_plan(short)


def _pick(table: pd.DataFrame, n: int, per_outcome: int, rng: np.random.Generator, start: int = 0) -> np.ndarray:
    """n run ids of `table`: up to `per_outcome` of each outcome class (in PRIORITY order,
    rotated to begin at its `start`-th class, so that few picks per scenario still cover
    every class across scenarios), then random others."""
    picked: list[int] = []
    for name in PRIORITY[start % len(PRIORITY):] + PRIORITY[:start % len(PRIORITY)]:
        ids = table.loc[table["outcome"] == name, "run_id"].to_numpy()
        take = min(per_outcome, ids.size, n - len(picked))
        if take > 0:
            picked.extend(rng.choice(ids, size=take, replace=False).tolist())
    rest = np.setdiff1d(table["run_id"].to_numpy(), picked)
    more = n - len(picked)
    if more > 0:
        picked.extend(rng.choice(rest, size=min(more, rest.size), replace=False).tolist())
    return np.sort(np.asarray(picked, dtype=np.int64))


def _mesa_rows(plan, run_ids) -> pa.Table:
    """Rows of the Mesa engine for arbitrary run ids, one single-run chunk each."""
    return pa.concat_tables([compute_chunk(plan, "mesa", int(i), int(i) + 1) for i in run_ids])


def _compare(n_main: int, n_short: int, main_shape: tuple[int, int], short_shape: tuple[int, int],
             main_per_outcome: int, short_per_outcome: int) -> pd.DataFrame:
    rng = np.random.default_rng(20200105)
    jobs = []        # (plan, run ids, batch rows)
    for index, scenario in enumerate(SCENARIOS):
        main, short = _plans(scenario, index, *main_shape, *short_shape)
        for plan, n, k in ((main, n_main, main_per_outcome), (short, n_short, short_per_outcome)):
            full = compute_chunk(plan, "batch", 0, plan.total_runs)
            assert full.column("run_id").to_pylist() == list(range(plan.total_runs))
            ids = _pick(full.select(["run_id", "outcome"]).to_pandas(), n, k, rng, start=2 * index)
            assert ids.size == n, f"{scenario}: only {ids.size} runs to pick from"
            jobs.append((plan, ids, full.take(pa.array(ids))))

    # the Mesa runs, spread over worker processes in small tasks
    tasks = []
    for j, (plan, ids, _) in enumerate(jobs):
        for part in np.array_split(ids, max(1, ids.size // 10)):
            tasks.append((j, plan, part))
    with ProcessPoolExecutor(max_workers=_workers(), mp_context=mp.get_context("spawn")) as pool:
        futures = [(j, pool.submit(_mesa_rows, plan, part)) for j, plan, part in tasks]
        mesa_parts: dict[int, list[pa.Table]] = {}
        for j, fut in futures:
            mesa_parts.setdefault(j, []).append(fut.result())

    compared = []
    for j, (plan, ids, batch_rows) in enumerate(jobs):
        mesa_rows = pa.concat_tables(mesa_parts[j])
        label = f"scenario {plan.experiment.scenario!r}, horizon {plan.experiment.horizon_weeks}"
        assert mesa_rows.column("run_id").to_pylist() == ids.tolist(), label
        assert mesa_rows.schema == batch_rows.schema, label
        for column in batch_rows.column_names:  # exact equality, nulls included
            b, m = batch_rows.column(column).to_pylist(), mesa_rows.column(column).to_pylist()
            bad = [k for k in range(len(b)) if b[k] != m[k]]
            assert not bad, (
                f"{label}: column {column!r} differs between engines for run ids {[int(ids[k]) for k in bad[:10]]}: "
                f"batch {[b[k] for k in bad[:5]]} vs mesa {[m[k] for k in bad[:5]]}"
            )
        assert batch_rows.equals(mesa_rows), label
        compared.append(batch_rows.to_pandas())
    return pd.concat(compared, ignore_index=True)


def _check_coverage(compared: pd.DataFrame, expected_runs: int) -> None:
    assert len(compared) == expected_runs
    assert set(compared["scenario"]) == set(SCENARIOS)
    found = set(compared["outcome"])
    assert found == set(outcomes.OUTCOMES), f"outcome classes missing among compared runs: {set(outcomes.OUTCOMES) - found}"
    assert compared["run_index"].max() > 0          # run indices other than 0 are compared
    assert compared["factions.kurds.seats"].nunique() > 1  # per-run faction parameters differ
    assert set(compared["lever"]) == {"status_quo", "quick_exit", "hold_on", "none"}


def test_engines_agree_fast_3_runs_per_scenario():
    """3 runs per scenario (2 from the main plan, 1 from the 26-week plan)."""
    compared = _compare(n_main=2, n_short=1, main_shape=(30, 2), short_shape=(10, 1),
                        main_per_outcome=1, short_per_outcome=1)
    _check_coverage(compared, 3 * len(SCENARIOS))


@pytest.mark.slow
def test_engines_agree_125_runs_per_scenario():
    """125 runs per scenario (100 main, 25 with a 26-week horizon)."""
    compared = _compare(n_main=100, n_short=25, main_shape=(100, 4), short_shape=(40, 2),
                        main_per_outcome=10, short_per_outcome=5)
    _check_coverage(compared, 125 * len(SCENARIOS))
    counts = compared["outcome"].value_counts()
    assert counts.min() >= 5, f"too few runs of a rare outcome were compared: {counts.to_dict()}"
