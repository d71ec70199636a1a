"""Benchmark of the sweep engines (a measurement, not a test).

    python -m benchmarks.sweep                 # in one process: mesa engine, batch engine, mesa.batch_run
    python -m benchmarks.sweep --end-to-end    # also: 1,000,000 baseline runs with 1 and 2 workers

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
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.sweep", "experiment=baseline", f"runs={runs}", f"workers={workers}",
               f"out={tmp}/sweep", "progress=false"]
        peak = 0
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mesa-runs", type=int, default=200, help="runs for the Mesa engine and mesa.batch_run")
    ap.add_argument("--batch-runs", type=int, default=20000, help="runs for the batch engine's throughput")
    ap.add_argument("--parallel-runs", type=int, default=200,
                    help="runs for the 2-process comparison of the Mesa engine's sweep and mesa.batch_run (0: skip)")
    ap.add_argument("--end-to-end", action="store_true", help="also time 1,000,000-run sweeps with 1 and 2 workers")
    ap.add_argument("--e2e-runs", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    os.environ.setdefault("CI", "1")

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
