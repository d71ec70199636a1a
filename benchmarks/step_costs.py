"""What a step of the batch engine computes, and what its library calls and draws cost
(a measurement, not a test; README, "Performance").

    python -m benchmarks.step_costs            # counts over 200 baseline runs x 156 steps, then unit costs
    python -m benchmarks.step_costs --stages   # also each stage's CPU time per run and step
    python -m benchmarks.step_costs --decisions  # only what one decision's valuation costs

1. Counts: the step run uncompiled (NUMBA_DISABLE_JIT, set here before numba is imported,
   so run this as its own process), with the model's `exp`, `expm1` and `tanh`
   (`sim.model.elementary`), the C library's `log` and `sqrt` and the keyed draws wrapped by
   counters; printed per run and step.
2. Unit costs: each call in a compiled loop of independent iterations, minus the loop's own
   cost, the best of three, in nanoseconds (a second process, compiled as usual).
3. With --stages: each stage's kernel run on its own (`stages.run_stage`, 20,000 baseline runs
   kept going for 156 steps), its CPU time per run and step (`time.thread_time`, so other
   processes on a shared machine do not count) and its share of the step.
4. With --decisions: what one decision's valuation costs, per run, in the states of 20,000
   baseline runs after 10, 30 and 60 steps: the outlook the PM and Washington both read
   (`sim.model.views.outlook_now`), each deciding actor's values (`views.view`: its `weigh`
   for every run, without deciding, plus writing its values, open actions and terms out) and
   one faction's (`views.faction_values`); CPU time, the best of three.

What the counts leave out, a sampling profile shows: `perf record -F 4000 python ...` on a
script that runs `sim.engines.batch.simulate`, then `perf report --sort dso,sym`. numba's
code has no symbols there ("[JIT]"), but the library calls (libm's `log`, ...) and
numba's reference counting (two tiny JIT functions, `lock incq` / `lock decq`) show up by
address; benchmarks/HISTORY.md (issue 28) has what that found.
"""

from __future__ import annotations

import collections
import math
import os
import subprocess
import sys
import time

_COUNT = "count"


def _baseline_runs(runs: int):
    """The baseline scenario's parameters, the initial state of runs 0..runs-1 and their keys."""
    import numpy as np

    from benchmarks.batch_run_model import baseline_params
    from sim.model import draws
    from sim.model.state import initial_state

    p = baseline_params()
    return p, initial_state(p, runs), draws.run_key(p.seed, np.arange(runs))


def counts(runs: int = 200) -> dict[str, float]:
    tally: collections.Counter = collections.Counter()

    def counted(name, f):
        def wrapped(*a):
            tally[name] += 1
            return f(*a)
        return wrapped

    for name in ("log", "sqrt"):  # the C library's, in the normal draws' tails
        setattr(math, name, counted(name, getattr(math, name)))
    # the model's own elementary functions, wrapped before the modules that import them
    from sim.model import elementary

    for name in ("exp", "expm1", "tanh"):
        setattr(elementary, name, counted(name, getattr(elementary, name)))
    from sim.model import draws

    draws.draw_bits_of = counted("draw", draws.draw_bits_of)
    draws.normal_quantile = counted("normal", draws.normal_quantile)
    from sim.model import stages

    p, s, keys = _baseline_runs(runs)
    step = stages.stepper(s, p, keys)
    tally.clear()
    for week in range(1, 157):
        step(week)
    return {k: v / (runs * 156) for k, v in sorted(tally.items())}


def _summing_loop(op):
    """A compiled loop summing op(i) over i < n: its time per iteration, less the bare
    loop's (op returning its argument's negative), is op's unit cost."""
    import numba

    @numba.njit
    def loop(n):
        s = 0.0
        for i in range(n):
            s += op(i)
        return s

    return loop


def unit_costs(n: int = 5_000_000) -> dict[str, float]:
    import numba
    import numpy as np

    from sim.model import draws, elementary

    key, purpose = np.uint64(12345), np.uint64(777)
    ops = {
        "base": lambda i: -(i * 1e-9),
        "exp": lambda i: elementary.exp(-(i * 1e-9)),
        "expm1": lambda i: elementary.expm1(-(i * 1e-9)),
        "tanh": lambda i: elementary.tanh(-(i * 1e-9)),
        "libm exp": lambda i: math.exp(-(i * 1e-9)),
        "uniform": lambda i: draws.uniform_at(key, np.uint64(i), purpose),
        "normal": lambda i: draws.normal_at(key, np.uint64(i), purpose),
    }
    loops = {name: _summing_loop(numba.njit(op)) for name, op in ops.items()}

    best = {}
    for name, f in loops.items():
        f(10)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            f(n)
            times.append(time.perf_counter() - t0)
        best[name] = min(times) / n * 1e9
    loop = best.pop("base")
    return {k: v - loop for k, v in best.items()}


def stage_costs(runs: int = 20_000, weeks: int = 156) -> dict[str, float]:
    """Each stage's CPU time per run and step, in nanoseconds (item 3 of the docstring)."""
    from sim.model import stages
    from sim.model.state import initial_state

    p, s, keys = _baseline_runs(runs)
    small = initial_state(p, 10)
    for name in p.step_order:  # compiled or loaded before timing
        stages.run_stage(stages.STAGE_BY_NAME[name], small, p, 1, keys[:10])
    spent: dict[str, float] = {}
    for week in range(1, weeks + 1):
        for name in p.step_order:
            t0 = time.thread_time()
            stages.run_stage(stages.STAGE_BY_NAME[name], s, p, week, keys)
            spent[name] = spent.get(name, 0.0) + time.thread_time() - t0
    return {k: v / (runs * weeks) * 1e9 for k, v in spent.items()}


def decision_costs(runs: int = 20_000, weeks: tuple[int, ...] = (10, 30, 60)) -> dict[int, dict[str, float]]:
    """What one decision's valuation costs, ns per run, after each of `weeks` steps (item 4 of
    the docstring), with the share of runs whose formal request stands ("active", a share)."""
    from sim.model import views
    from sim.model.actors import ACTORS
    from sim.model.outcomes import RequestState
    from sim.model.week import run_week

    p, s, keys = _baseline_runs(runs)
    readings = {"outlook": lambda w: views.outlook_now(s, p, w), "faction": lambda w: views.faction_values(s, p, 0)}
    for name, actor in ACTORS.items():
        if actor.decides_alone:
            readings[name] = lambda w, name=name: views.view(name, s, p, w)
    out: dict[int, dict[str, float]] = {}
    for week in range(1, max(weeks) + 1):
        run_week(s, p, week, keys)
        if week not in weeks:
            continue
        best = {"active": float((s.request_state == RequestState.ACTIVE).mean())}
        for _ in range(3):
            for name, read in readings.items():
                t0 = time.thread_time()
                read(week)
                spent = (time.thread_time() - t0) / runs * 1e9
                best[name] = min(best.get(name, math.inf), spent)
        out[week] = best
    return out


def main() -> None:
    if sys.argv[1:] == ["--decisions"]:
        for week, costs in decision_costs().items():
            print(f"after step {week} (formal request standing in {costs.pop('active'):.1%} of runs), ns per run:",
                  ", ".join(f"{k} {v:.0f}" for k, v in costs.items()))
        return
    if sys.argv[1:] == ["--stages"]:
        costs = stage_costs()
        total = sum(costs.values())
        print("stages, CPU ns per run and step (share):",
              ", ".join(f"{k} {v:.0f} ({v / total:.0%})" for k, v in costs.items()), f"; all {total:.0f}")
    if sys.argv[1:] == [_COUNT]:
        per = counts()
        print("per run and step:", ", ".join(f"{k} {v:.2f}" for k, v in per.items()))
        return
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-m", "benchmarks.step_costs", _COUNT], env=env, check=True)
    costs = unit_costs()
    print("unit costs, ns:", ", ".join(f"{k} {v:.1f}" for k, v in costs.items()))


if __name__ == "__main__":
    main()
