"""EMA Workbench on the project's model (a measurement, not a test).

    python -m benchmarks.ema                     # 50 scenarios x 3 levers x 100 replications
    python -m benchmarks.ema --scenarios 20 --replications 50 --rounds 1

On the same runs of the `conditions` experiment (one Latin hypercube of `--scenarios`
scenarios drawn by EMA Workbench, under each of the experiment's levers, `--replications`
runs each, root seed 2020), in one process, it times:
- EMA sequential: `perform_experiments` on `sim.ema.model(...)` with EMA's own
  `SequentialEvaluator` (the model called once per experiment; its replications one call
  of the batch engine);
- EMA + BatchEvaluator: the same with `sim.ema.BatchEvaluator` (blocks of experiments,
  one call of the batch engine per lever and block);
- batch engine alone: `sim.engines.batch.simulate` on the same runs (the coefficients set
  per run by `sim.sweep.plan.run_params`, the same random worlds), one call per lever, and
  the outcomes reduced with NumPy;
- wrappers (`--wrapper-scenarios`, 0 to skip), what an EMA user writes without the adapter:
  an EMA `Model` whose function calls `sim.ensemble` (`--replications` runs) or `sim.run`
  (one Mesa run, its story recorded) with the experiment's values as overrides, Hydra
  composing and checking the config of every experiment, on fewer scenarios.
Each is timed `--rounds` times, alternating, after a warm-up (imports, the kernel cache);
it prints the median runs per second, each against the batch engine alone, and whether
the three measurements on the same runs gave the same outcomes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def _setup(scenarios: int, replications: int):
    from ema_workbench.em_framework.samplers import LHSSampler

    import sim.ema

    m = sim.ema.model("conditions", replications=replications)
    design = LHSSampler().generate_samples(m.uncertainties, scenarios, rng=12345)
    return m, design


def ema_sequential(m, design) -> dict[str, np.ndarray]:
    from ema_workbench import SequentialEvaluator, perform_experiments

    _, out = perform_experiments(m, scenarios=design, policies=m.policies(), evaluator=SequentialEvaluator(m),
                                 log_progress=True)
    return out


def ema_batch(m, design) -> dict[str, np.ndarray]:
    from ema_workbench import perform_experiments

    import sim.ema

    _, out = perform_experiments(m, scenarios=design, policies=m.policies(), evaluator=sim.ema.BatchEvaluator(m),
                                 log_progress=True)
    return out


def batch_alone(m, design) -> dict[str, np.ndarray]:
    """The same runs straight through the batch engine, in EMA's order (levers, then scenarios)."""
    import dataclasses

    from sim.engines.batch import simulate
    from sim.model.outcomes import OUTCOMES
    from sim.sweep.plan import run_params

    names = list(m.paths)
    values = np.array([[s[n] for n in names] for s in design], dtype=np.float64)
    worlds = m.worlds(values).ravel()
    r = m.replications
    plan = dataclasses.replace(m.plan, samples=np.repeat(values, r, axis=0))
    parts: dict[str, list] = {"p_request": [], **{f"share_{o}": [] for o in OUTCOMES}}
    for lever in range(len(plan.levers)):
        cols = simulate(run_params(plan, lever, np.arange(worlds.size)), worlds)
        outcome = np.asarray(cols["outcome"]).reshape(-1, r)
        parts["p_request"].append((np.asarray(cols["formal_request_day"]) >= 0).reshape(-1, r).mean(axis=1))
        for code, name in enumerate(OUTCOMES):
            parts[f"share_{name}"].append((outcome == code).mean(axis=1))
    return {k: np.concatenate(v) for k, v in parts.items()}


def ema_wrapper(m, design, via: str = "ensemble") -> dict[str, np.ndarray]:
    """An EMA Model around `sim.ensemble` or `sim.run`, as a user would write it (NumPy
    values passed on as they come)."""
    import pandas as pd
    from ema_workbench import Model, ScalarOutcome, SequentialEvaluator, perform_experiments

    import sim
    from sim.model.outcomes import OUTCOMES

    levers = m.experiment.levers

    def function(lever="status_quo", **values):
        overrides = {m.paths[k]: v for k, v in values.items() if k in m.paths}
        overrides.update(levers.get(lever) or {})
        if via == "run":
            s = sim.run(m.experiment.scenario, seed=m.seed, overrides=overrides,
                        horizon_weeks=m.experiment.horizon_weeks).summary
            df = pd.DataFrame([s])
        else:
            df = sim.ensemble(m.experiment.scenario, runs=m.replications, seed=m.seed, overrides=overrides,
                              horizon_weeks=m.experiment.horizon_weeks)
        out = {"p_request": float(df["formal_request_week"].notna().mean())}
        out.update({f"share_{o}": float((df["outcome"] == o).mean()) for o in OUTCOMES})
        return out

    wrapper = Model("wrapper", function=function)
    wrapper.uncertainties = list(m.uncertainties)
    wrapper.levers = list(m.levers)
    wrapper.outcomes = [ScalarOutcome(n) for n in m.outcomes.keys()]
    _, out = perform_experiments(wrapper, scenarios=design, policies=m.policies(),
                                 evaluator=SequentialEvaluator(wrapper), log_progress=True)
    return out


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", type=int, default=50, help="scenarios drawn by EMA (LHS), each under every lever")
    ap.add_argument("--replications", type=int, default=100, help="runs per experiment")
    ap.add_argument("--rounds", type=int, default=3, help="timings of each, alternating; medians are printed")
    ap.add_argument("--wrapper-scenarios", type=int, default=4,
                    help="scenarios for the sim.ensemble wrapper (0: skip)")
    args = ap.parse_args(argv)
    os.environ.setdefault("CI", "1")

    m, design = _setup(args.scenarios, args.replications)
    small_m, small = _setup(2, 2)
    for fn in (ema_sequential, ema_batch, batch_alone):  # warm-up: imports, the kernel cache, EMA's first call
        fn(small_m, small)
    runs = args.scenarios * len(m.lever_names) * args.replications
    ways = {"EMA sequential": ema_sequential, "EMA + BatchEvaluator": ema_batch, "batch engine alone": batch_alone}
    times: dict[str, list[float]] = {k: [] for k in ways}
    outs: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, fn in ways.items():
            t, outs[name] = _timed(fn, m, design)
            times[name].append(t)
    rate = {k: runs / statistics.median(v) for k, v in times.items()}
    base = rate["batch engine alone"]
    print(f"experiment conditions: {args.scenarios} scenarios x {len(m.lever_names)} levers x "
          f"{args.replications} replications = {runs:,} runs, one process (cores: {os.cpu_count()}), "
          f"median of {args.rounds}")
    for name in ways:
        print(f"  {name:24s} {rate[name]:9.0f} runs/s   {rate[name] / base:5.2f}x the batch engine alone")
    same = all(np.array_equal(outs["batch engine alone"][k], outs[n][k])
               for n in ("EMA sequential", "EMA + BatchEvaluator") for k in outs["batch engine alone"])
    print(f"  identical outcomes (EMA sequential, EMA + BatchEvaluator, batch engine alone): {same}")
    if args.wrapper_scenarios:
        wm, wdesign = _setup(args.wrapper_scenarios, args.replications)
        experiments = args.wrapper_scenarios * len(wm.lever_names)
        for via, per in (("ensemble", args.replications), ("run", 1)):
            ema_wrapper(wm, _setup(1, 2)[1], via)  # warm-up
            t, _ = _timed(ema_wrapper, wm, wdesign, via)
            n = experiments * per
            print(f"  EMA on a function wrapping sim.{via}, {experiments} experiments ({n:,} runs): "
                  f"{n / t:9.1f} runs/s   {n / t / base:7.4f}x the batch engine alone")


if __name__ == "__main__":
    main()
