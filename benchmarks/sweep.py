"""Benchmark of the sweep engines (a measurement, not a test).

    python -m benchmarks.sweep                 # in one process: mesa engine, batch engine, mesa.batch_run
    python -m benchmarks.sweep --end-to-end    # also: 1,000,000 baseline runs with 1 and 2 workers
    python -m benchmarks.sweep --against REF   # this tree against git commit REF, in one call
    python -m benchmarks.sweep --against REF --end-to-end --threads --agreement 100000   # every row, one call
    python -m benchmarks.sweep --against REF --rule bdm --rule bdm:replication --batch-runs 2000

In one process, on the same runs of the baseline scenario (run indices 0..N-1, root
seed 0), it times:
- engine=mesa: `sim.engines.mesa_engine.simulate`, the Mesa model one run after another;
- engine=batch: `sim.engines.batch.simulate`, the same runs as arrays;
- mesa.batch_run: Mesa's own batch runner on the same Mesa model (number_processes=1),
  each model collecting its summary through a DataCollector at the end;
and prints runs per second and the ratios. With --end-to-end it runs
`python -m sim.sweep experiment=baseline runs=1000000` as a subprocess with workers=1 and
workers=2 and reports wall time, runs per second and the peak resident memory of the whole
process tree (parent and workers, sampled every 0.1 s from /proc).

With --against REF, both trees are measured alternately in fresh processes; besides wall-time
runs/s, the batch engine's runs per CPU second of its one computing thread (its speed per
core, which the other processes of a shared machine do not dilute) and its CPU time per run
and step, with the ratio of the two trees. --threads adds
this tree's sweep with executor=threads, 1 and 2 threads alternately in `--rounds` rounds of
`--thread-runs` runs (the old tree has no threads). Every section states the machine's load
average (one minute) before it, since 2 workers or threads against 1 means something only
when nothing else wants the cores.
--agreement N compares the batch engine's summaries of runs 0..N-1 (root seed 0) in both
trees row by row, and for each run that differs traces both trees step by step to the first
step and state field that differ, and whether the state before that step was identical
(then the difference began inside the step, from the order of floating-point operations
moving a number across a random draw's threshold).

--rule RULE[:READING] (repeatable) times only the batch engine on the baseline scenario with
`behaviour.collective_rule=RULE` (and `behaviour.bdm_reading=READING`), in this tree or, with
--against, in both trees alternately, and says whether the two trees' summary tables of
those runs are identical.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _params():
    from benchmarks.batch_run_model import baseline_params

    return baseline_params()


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def bench_in_process(n_mesa: int, n_batch: int) -> dict:
    import mesa

    from sim.engines import batch, mesa_engine
    from sim.model.outcomes import OUTCOMES

    p = _params()
    ids = np.arange(n_mesa)
    t_mesa, cols_mesa = _timed(mesa_engine.simulate, p, ids)
    t_batch_same, cols_batch = _timed(batch.simulate, p, ids)
    same = all(np.array_equal(cols_mesa[k], cols_batch[k]) for k in cols_mesa)
    t_batch, _ = _timed(batch.simulate, p, np.arange(n_batch))

    from benchmarks.batch_run_model import BatchRunModel

    t_br, rows = _timed(
        lambda: mesa.batch_run(BatchRunModel, parameters={}, rng=list(range(n_mesa)), number_processes=1,
                               data_collection_period=-1, max_steps=400, display_progress=False)
    )
    agree_br = [r["outcome"] for r in sorted(rows, key=lambda r: r["run_index"])] == [
        OUTCOMES[o] for o in cols_mesa["outcome"]
    ]
    return {
        "mesa_runs_per_s": n_mesa / t_mesa,
        "batch_runs_per_s_same_runs": n_mesa / t_batch_same,
        "batch_runs_per_s": n_batch / t_batch,
        "batch_run_runs_per_s": n_mesa / t_br,
        "mesa_and_batch_identical": same,
        "batch_run_outcomes_identical": agree_br,
        "n_mesa": n_mesa,
        "n_batch": n_batch,
    }


def bench_two_processes(n: int) -> dict:
    """The Mesa engine's sweep (local executor, 2 workers) against mesa.batch_run with 2
    processes, on the same n baseline runs; both include their start-up costs."""
    import mesa

    from sim.sweep.plan import make_plan
    from sim.sweep.runner import run_sweep
    from sim.sweep.schema import ExperimentConfig

    plan = make_plan(ExperimentConfig(name="bench", scenario="baseline", seed=0, sampler="grid", replications=n))
    with tempfile.TemporaryDirectory() as tmp:
        t_sweep, _ = _timed(lambda: run_sweep(plan, Path(tmp) / "s", engine="mesa", workers=2,
                                              chunk_size=max(1, n // 8)))
    from benchmarks.batch_run_model import BatchRunModel as model_cls
    t_br, _ = _timed(lambda: mesa.batch_run(model_cls, parameters={}, rng=list(range(n)), number_processes=2,
                                            data_collection_period=-1, max_steps=400, display_progress=False))
    return {"n": n, "sweep_mesa_runs_per_s": n / t_sweep, "batch_run_2p_runs_per_s": n / t_br}


def _tree_rss_kib(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        q = stack.pop()
        try:
            with open(f"/proc/{q}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{q}/task/{q}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def bench_end_to_end(runs: int, workers: int) -> dict:
    return _end_to_end_in(ROOT, runs, workers)


def _end_to_end_in(tree: Path, runs: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.sweep", "experiment=baseline", f"runs={runs}", f"workers={workers}",
               f"out={tmp}/sweep", "progress=false"]
        peak = 0
        t0 = time.perf_counter()
        env = dict(os.environ, PYTHONPATH=str(tree))
        proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stop = threading.Event()

        def sample():
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss_kib(proc.pid))
                time.sleep(0.1)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        stop.set()
        th.join()
        if proc.returncode != 0:
            raise SystemExit(f"sweep failed ({proc.returncode}): {err}")
        rows = __import__("pyarrow.parquet", fromlist=["x"]).read_metadata(f"{tmp}/sweep/runs.parquet").num_rows
    return {"runs": rows, "workers": workers, "wall_s": wall, "runs_per_s": rows / wall, "peak_rss_mib": peak / 1024}


# ---------------------------------------------------------------- this tree against another commit
#: measured in a fresh interpreter inside a tree; uses only interfaces every commit of the
#: project has (the batch and Mesa engines' `simulate`, benchmarks.batch_run_model)
#: the browser app's Step (the model's step with its event log and data collection; the
#: page's rendering is not part of it) and a role-play turn (the options shown, then a month)
_APP_SCRIPT = r"""
import json, time
from sim.play.game import Game
from sim.webapp.session import ClassroomModel
m = ClassroomModel("baseline", 0)
m.step()
t0 = time.perf_counter()
for _ in range(20):
    m.step()
step = (time.perf_counter() - t0) / 20
g = Game("pm", "baseline", 0)
g.options(); g.play_month(None)
t0 = time.perf_counter()
for _ in range(5):
    g.options()
    g.play_month(None)
turn = (time.perf_counter() - t0) / 5
print(json.dumps({"step_ms": step * 1e3, "turn_ms": turn * 1e3}))
"""

_TREE_SCRIPT = r"""
import json, sys, time
import numpy as np
n_batch, n_mesa = int(sys.argv[1]), int(sys.argv[2])
from benchmarks.batch_run_model import BatchRunModel, baseline_params
from sim.engines import batch, mesa_engine
import mesa
p = baseline_params()
import gc
batch.simulate(p, np.arange(10))                       # imports and first-call costs out of the timing
# a full collection before each timing: one that earlier allocations make due is not billed
# to the next section (one such pass took some 80 ms, a third of a 200-run section)
# wall time, and the CPU time of this (the only computing) thread: runs per CPU second is the
# batch engine's speed per core, which another process on a shared machine does not dilute
gc.collect(); t0, c0 = time.perf_counter(), time.thread_time()
cols = batch.simulate(p, np.arange(n_batch))
t_batch, c_batch = time.perf_counter() - t0, time.thread_time() - c0
run_steps = int(np.asarray(cols["weeks_simulated"]).sum())
gc.collect(); t0 = time.perf_counter(); mesa_engine.simulate(p, np.arange(n_mesa)); t_mesa = time.perf_counter() - t0
gc.collect(); t0 = time.perf_counter()
mesa.batch_run(BatchRunModel, parameters={}, rng=list(range(n_mesa)), number_processes=1,
               data_collection_period=-1, max_steps=10_000, display_progress=False)
t_br = time.perf_counter() - t0
print(json.dumps({"batch": n_batch / t_batch, "mesa": n_mesa / t_mesa, "batch_run": n_mesa / t_br,
                  "batch_per_core": n_batch / c_batch, "batch_ns_per_run_step": c_batch / run_steps * 1e9,
                  "outcomes": np.bincount(np.asarray(cols["outcome"]), minlength=5).tolist()}))
"""


_AGREE_SCRIPT = r"""
import sys
import numpy as np
from benchmarks.batch_run_model import baseline_params
from sim.engines import batch
cols = batch.simulate(baseline_params(), np.arange(int(sys.argv[1])))
np.savez(sys.argv[2], **cols)
"""

_TRACE_SCRIPT = r"""
import sys
import numpy as np
from benchmarks.batch_run_model import baseline_params
from sim.model.state import FIELD_NAMES
from sim.model.week import trace
ids, weeks = np.array([int(i) for i in sys.argv[1].split(",")]), int(sys.argv[2])
out = {}
for step, s in trace(baseline_params(), ids, weeks):
    for name in FIELD_NAMES:
        out.setdefault(name, []).append(np.array(getattr(s, name), copy=True))
np.savez(sys.argv[3], **{k: np.stack(v) for k, v in out.items()})
"""


def _run_in(tree: Path, script: str, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), CI="1")
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=tree, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"script in {tree} failed:\n{proc.stderr[-2000:]}")


def agreement(trees: dict[str, Path], ref: str, runs: int, tmp: Path, traced: int = 60) -> None:
    """Row-by-row agreement of the batch engine's summaries in this tree and `ref`, and where
    each differing run first differs."""
    tables = {}
    for name, tree in trees.items():
        path = tmp / f"agree-{len(tables)}.npz"
        _run_in(tree, _AGREE_SCRIPT, str(runs), str(path))
        tables[name] = np.load(path)
    from benchmarks.agreement import compare

    a, b = tables["this tree"], tables[ref]
    # each outcome's share in both trees with its 95% Wilson interval, and the rows identical in
    # every column (NaN equal to NaN)
    differ, lines = compare({k: a[k] for k in a.files}, {k: b[k] for k in b.files}, ref, runs)
    print("  agreement: " + "\n  ".join(lines))
    if differ.size == 0:
        return
    ids = differ[:traced]
    weeks = int(max(a["weeks_simulated"][ids].max(), b["weeks_simulated"][ids].max())) + 1
    traces = {}
    for name, tree in trees.items():
        path = tmp / f"trace-{len(traces)}.npz"
        _run_in(tree, _TRACE_SCRIPT, ",".join(str(i) for i in ids), str(weeks), str(path))
        traces[name] = np.load(path)
    ta, tb = traces["this tree"], traces[ref]
    classes: dict[tuple, list[int]] = {}
    for j, rid in enumerate(ids):
        first, fields = None, []  # first step (1, 2, ...) after which the traced states differ
        for step in range(weeks):
            fields = [k for k in tb.files if k in ta.files and not np.array_equal(ta[k][step][j], tb[k][step][j],
                                                                                  equal_nan=True)]
            if fields:
                first = step + 1
                break
        classes.setdefault((first is not None, tuple(sorted(fields))[:4]), []).append(int(rid))
    for (found, fields), rids in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        where = (f"first differ in {', '.join(fields)}, the state before that step identical" if found
                 else "no difference in the traced state (summary only)")
        print(f"    {len(rids)} run(s), e.g. {rids[:5]}: {where}")
    if differ.size > traced:
        print(f"    (traced the first {traced} of {differ.size})")


_RULE_SCRIPT = r"""
import gc, json, sys, time
import numpy as np
from sim.config import run_params
from sim.engines import batch
n, out, overrides = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
p = run_params("baseline", 0, overrides)
batch.simulate(p, np.arange(10))                       # imports and first-call costs out of the timing
gc.collect(); t0 = time.perf_counter(); cols = batch.simulate(p, np.arange(n)); t = time.perf_counter() - t0
if out != "-":
    np.savez(out, **cols)
print(json.dumps({"batch": n / t}))
"""


def _rule_overrides(rule: str) -> list[str]:
    name, _, reading = rule.partition(":")
    return [f"scenario.behaviour.collective_rule={name}", *([f"scenario.behaviour.bdm_reading={reading}"] if reading else [])]


def bench_rules(rules: list[str], trees: dict[str, Path], rounds: int, n_batch: int, tmp: Path) -> None:
    """The batch engine's runs/s with each collective rule, in each tree (fresh processes,
    `rounds` alternating rounds, medians), and whether the trees' summaries agree."""
    import json
    import statistics

    for rule in rules:
        got: dict[str, list[float]] = {name: [] for name in trees}
        saved = {}
        for r in range(rounds):
            for k, (name, tree) in enumerate(trees.items()):
                out = str(tmp / f"rule-{k}.npz") if r == 0 else "-"
                env = dict(os.environ, PYTHONPATH=str(tree), CI="1")
                proc = subprocess.run([sys.executable, "-c", _RULE_SCRIPT, str(n_batch), out, *_rule_overrides(rule)],
                                      cwd=tree, env=env, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    raise SystemExit(f"benchmark in {tree} failed:\n{proc.stderr[-2000:]}")
                got[name].append(json.loads(proc.stdout.strip().splitlines()[-1])["batch"])
                if r == 0:
                    saved[name] = np.load(out)
        med = {name: statistics.median(v) for name, v in got.items()}
        names = list(trees)
        line = f"  collective_rule={rule:18s} engine=batch, {n_batch:,} runs: " + ", ".join(
            f"{name[:12]} {med[name]:.1f} runs/s" for name in names)
        if len(names) == 2:
            a, b = saved[names[0]], saved[names[1]]
            same = a.files == b.files and all(np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a.files)
            line += f"; ratio {med[names[0]] / med[names[1]]:.2f}x; summary tables {'identical' if same else 'DIFFER'}"
        print(line + f" (rounds: {', '.join(f'{x:.1f}' for name in names for x in got[name])})")


def _measure_tree(tree: Path, n_batch: int, n_mesa: int) -> dict:
    import json

    # one computing thread: BLAS's own threads would share the core being measured
    env = dict(os.environ, PYTHONPATH=str(tree), CI="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    got = {}
    for script, args in ((_TREE_SCRIPT, [str(n_batch), str(n_mesa)]), (_APP_SCRIPT, [])):
        proc = subprocess.run([sys.executable, "-c", script, *args], cwd=tree, env=env, capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark in {tree} failed:\n{proc.stderr[-2000:]}")
        got.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return got


_THREADS_SCRIPT = r"""
import json, sys, tempfile, time
from pathlib import Path
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig
runs, workers = int(sys.argv[1]), int(sys.argv[2])
plan = make_plan(ExperimentConfig(name="bench", scenario="baseline", seed=0, sampler="grid", replications=runs))
with tempfile.TemporaryDirectory() as tmp:
    run_sweep(make_plan(ExperimentConfig(name="warm", scenario="baseline", seed=0, sampler="grid", replications=10)),
              Path(tmp) / "warm", executor="threads", workers=workers, chunk_size=10)
    t0 = time.perf_counter()
    run_sweep(plan, Path(tmp) / "s", executor="threads", workers=workers, chunk_size=max(1000, runs // 8))
    print(json.dumps({"runs_per_s": runs / (time.perf_counter() - t0)}))
"""


def load_average() -> float:
    """The machine's load average over the last minute (what other processes and this
    benchmark's own take of the cores)."""
    return os.getloadavg()[0]


def bench_threads(tree: Path, runs: int, rounds: int = 1) -> dict[int, list[tuple[float, float]]]:
    """This tree's sweep with executor=threads and 1 or 2 threads, alternately `rounds`
    times: for each thread count, (runs/s after a warm-up, the load average just before)."""
    import json

    got: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    env = dict(os.environ, PYTHONPATH=str(tree), CI="1")
    for _ in range(rounds):
        for workers in (1, 2):
            load = load_average()
            proc = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT, str(runs), str(workers)], cwd=tree, env=env,
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"threads benchmark failed:\n{proc.stderr[-2000:]}")
            got[workers].append((json.loads(proc.stdout.strip().splitlines()[-1])["runs_per_s"], load))
    return got


def threads_line(runs: int, got: dict[int, list[tuple[float, float]]]) -> str:
    """One line: each round's 1- and 2-thread speeds with the load before them, and the median ratio."""
    import statistics

    ratios = [two / one for (one, _), (two, _) in zip(got[1], got[2])]
    rounds = "; ".join(f"{one:.0f} (load {l1:.2f}) vs {two:.0f} (load {l2:.2f})"
                       for (one, l1), (two, l2) in zip(got[1], got[2]))
    return (f"  this tree, executor=threads, {runs:,} runs, 1 vs 2 threads, runs/s by round: {rounds}; "
            f"2 threads / 1: {', '.join(f'{r:.2f}x' for r in ratios)} (median {statistics.median(ratios):.2f}x)")


def bench_against(ref: str, rounds: int, n_batch: int, n_mesa: int, end_to_end: bool, e2e_runs: int,
                  agree_runs: int = 0, threads: bool = False, rules: list[str] | None = None,
                  thread_runs: int = 200_000) -> None:
    """This tree and commit `ref` (checked out into a temporary git worktree), measured
    alternately `rounds` times each in fresh processes; medians and ratios (this / ref)."""
    import statistics

    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "ref"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(old), ref], check=True)
        try:
            trees = {"this tree": ROOT, ref: old}
            if rules:
                print(f"baseline scenario, root seed 0, {rounds} alternating rounds per tree; medians")
                bench_rules(rules, trees, rounds, n_batch, Path(tmp))
                return
            got: dict[str, list[dict]] = {name: [] for name in trees}
            load_before = load_average()
            for _ in range(rounds):
                for name, tree in trees.items():
                    got[name].append(_measure_tree(tree, n_batch, n_mesa))
            print(f"baseline scenario, root seed 0, one process each, {rounds} alternating rounds "
                  f"(batch engine {n_batch:,} runs, Mesa engine and mesa.batch_run {n_mesa} runs); medians in runs/s; "
                  f"load average {load_before:.2f} before, {load_average():.2f} after (cores: {os.cpu_count()})")
            med = {name: {k: statistics.median(r[k] for r in rs) for k in ("batch", "mesa", "batch_run")}
                   for name, rs in got.items()}
            print(f"  {'':22s} {'this tree':>12s} {ref[:12]:>12s} {'ratio':>8s}")
            for k, label in (("batch", "engine=batch"), ("mesa", "engine=mesa"), ("batch_run", "mesa.batch_run")):
                a, b = med["this tree"][k], med[ref][k]
                print(f"  {label:22s} {a:12.1f} {b:12.1f} {a / b:7.2f}x")
            app = {name: {k: statistics.median(r[k] for r in rs) for k in ("step_ms", "turn_ms")}
                   for name, rs in got.items()}
            for k, label in (("step_ms", "browser app Step"), ("turn_ms", "role-play turn")):
                a, b = app["this tree"][k], app[ref][k]
                print(f"  {label:22s} {a:10.1f}ms {b:10.1f}ms {b / a:7.2f}x faster")
            core = {name: {k: statistics.median(r[k] for r in rs) for k in ("batch_per_core", "batch_ns_per_run_step")}
                    for name, rs in got.items()}
            a, b = core["this tree"]["batch_per_core"], core[ref]["batch_per_core"]
            print(f"  {'engine=batch per core':22s} {a:12.1f} {b:12.1f} {a / b:7.2f}x   (runs per CPU second of the "
                  f"computing thread)")
            a, b = core["this tree"]["batch_ns_per_run_step"], core[ref]["batch_ns_per_run_step"]
            print(f"  {'  ns per run and step':22s} {a:12.1f} {b:12.1f} {b / a:7.2f}x faster")
            print(f"  outcome counts of the batch runs: this tree {got['this tree'][0]['outcomes']}, "
                  f"{ref[:12]} {got[ref][0]['outcomes']}")
            if end_to_end:
                for workers in (1, 2):
                    res = {}
                    load = load_average()
                    for name, tree in trees.items():
                        res[name] = _end_to_end_in(tree, e2e_runs, workers)
                    a, b = res["this tree"], res[ref]
                    print(f"  sweep {e2e_runs:,} runs, workers={workers} (load {load:.2f} before): this tree {a['wall_s']:.1f} s "
                          f"({a['peak_rss_mib']:.0f} MiB), {ref[:12]} {b['wall_s']:.1f} s ({b['peak_rss_mib']:.0f} MiB); "
                          f"wall-time ratio {b['wall_s'] / a['wall_s']:.2f}x faster")
            if threads:
                print(threads_line(thread_runs, bench_threads(ROOT, thread_runs, rounds)))
            if agree_runs:
                agreement(trees, ref, agree_runs, Path(tmp))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mesa-runs", type=int, default=200, help="runs for the Mesa engine and mesa.batch_run")
    ap.add_argument("--batch-runs", type=int, default=20000, help="runs for the batch engine's throughput")
    ap.add_argument("--parallel-runs", type=int, default=200,
                    help="runs for the 2-process comparison of the Mesa engine's sweep and mesa.batch_run (0: skip)")
    ap.add_argument("--end-to-end", action="store_true", help="also time 1,000,000-run sweeps with 1 and 2 workers")
    ap.add_argument("--e2e-runs", type=int, default=1_000_000)
    ap.add_argument("--against", metavar="REF", help="measure this tree and git commit REF alternately, in one call")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per tree with --against")
    ap.add_argument("--agreement", type=int, default=0, metavar="N",
                    help="with --against: compare the batch engine's summaries of N runs in both trees")
    ap.add_argument("--threads", action="store_true", help="with --against: this tree's executor=threads, 1 and 2")
    ap.add_argument("--thread-runs", type=int, default=200_000, help="runs of each --threads sweep")
    ap.add_argument("--rule", action="append", metavar="RULE[:READING]",
                    help="time only the batch engine with this collective rule (bdm, bdm:replication, ...); repeatable")
    args = ap.parse_args(argv)
    os.environ.setdefault("CI", "1")
    if args.against:
        bench_against(args.against, args.rounds, args.batch_runs, args.mesa_runs, args.end_to_end, args.e2e_runs,
                      args.agreement, args.threads, args.rule, args.thread_runs)
        return
    if args.rule:
        print(f"baseline scenario, root seed 0, this tree, {args.rounds} rounds; medians")
        with tempfile.TemporaryDirectory() as tmp:
            bench_rules(args.rule, {"this tree": ROOT}, args.rounds, args.batch_runs, Path(tmp))
        return

    r = bench_in_process(args.mesa_runs, args.batch_runs)
    print(f"baseline scenario, root seed 0, one process (cores: {os.cpu_count()})")
    print(f"  engine=mesa      {r['mesa_runs_per_s']:10.1f} runs/s   ({r['n_mesa']} runs)")
    print(f"  mesa.batch_run   {r['batch_run_runs_per_s']:10.1f} runs/s   ({r['n_mesa']} runs, number_processes=1)")
    print(f"  engine=batch     {r['batch_runs_per_s_same_runs']:10.1f} runs/s   (the same {r['n_mesa']} runs)")
    print(f"  engine=batch     {r['batch_runs_per_s']:10.1f} runs/s   ({r['n_batch']} runs)")
    print(f"  ratio batch/mesa engine:        {r['batch_runs_per_s'] / r['mesa_runs_per_s']:8.1f}x")
    print(f"  ratio mesa engine/batch_run:    {r['mesa_runs_per_s'] / r['batch_run_runs_per_s']:8.2f}x")
    print(f"  identical summaries mesa vs batch: {r['mesa_and_batch_identical']}; "
          f"batch_run outcomes identical: {r['batch_run_outcomes_identical']}")
    if args.parallel_runs:
        q = bench_two_processes(args.parallel_runs)
        print(f"two processes, {q['n']} baseline runs, start-up included")
        print(f"  sweep engine=mesa workers=2      {q['sweep_mesa_runs_per_s']:8.1f} runs/s")
        print(f"  mesa.batch_run number_processes=2 {q['batch_run_2p_runs_per_s']:7.1f} runs/s")
        print(f"  ratio: {q['sweep_mesa_runs_per_s'] / q['batch_run_2p_runs_per_s']:.2f}x")
    if args.end_to_end:
        res = [bench_end_to_end(args.e2e_runs, w) for w in (1, 2)]
        for e in res:
            print(f"  sweep {e['runs']:,} runs, workers={e['workers']}: {e['wall_s']:7.1f} s wall, "
                  f"{e['runs_per_s']:8.0f} runs/s, peak memory {e['peak_rss_mib']:.0f} MiB (process tree)")
        print(f"  speed-up 2 workers / 1 worker: {res[0]['wall_s'] / res[1]['wall_s']:.2f}x")


if __name__ == "__main__":
    main()
