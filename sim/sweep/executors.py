"""Executors: where chunks are computed. `local` uses worker processes on this machine
(or the calling process for one worker); `ray` submits chunks as Ray tasks to a cluster
(`ray.init(address=...)`) or a local Ray instance. Both yield (start, table) as chunks
finish, in any order; the runner writes them."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .chunk import compute_chunk

EXECUTOR_NAMES = ("local", "ray")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _ignore_sigint() -> None:  # workers leave Ctrl-C to the parent, which stops cleanly
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_local(plan, engine, chunks, workers):
    if workers == 1:
        for start, stop in chunks:
            yield start, compute_chunk(plan, engine, start, stop)
        return
    # forkserver, not fork: the parent may hold threads (Arrow, tqdm), which fork can deadlock on;
    # the server preloads the model once, so each worker starts in milliseconds
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.sweep.chunk", "sim.engines.batch", "sim.engines.mesa_engine", "sim.sweep.plan"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_ignore_sigint)
    try:
        pending = {}
        queue = list(chunks)
        while queue or pending:
            while queue and len(pending) < 2 * workers:  # bounded: results are not held in bulk
                start, stop = queue.pop(0)
                pending[pool.submit(compute_chunk, plan, engine, start, stop)] = start
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()
    finally:
        for proc in list(getattr(pool, "_processes", {}).values()):
            if proc.is_alive():
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def run_ray(plan, engine, chunks, workers, address=None):
    try:
        import ray
    except ImportError:
        raise SystemExit("executor=ray needs Ray: pip install '.[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        kwargs = {"address": address} if address else {"num_cpus": workers, "include_dashboard": False}
        ray.init(ignore_reinit_error=True, log_to_driver=False, **kwargs)
    task = ray.remote(compute_chunk)
    plan_ref = ray.put(plan)
    try:
        pending = {}
        queue = list(chunks)
        limit = 2 * max(workers, 1)
        while queue or pending:
            while queue and len(pending) < limit:
                start, stop = queue.pop(0)
                pending[task.remote(plan_ref, engine, start, stop)] = start
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                yield pending.pop(ref), ray.get(ref)
    finally:
        for ref in list(locals().get("pending", {})):
            ray.cancel(ref, force=True)
        if started_here:
            ray.shutdown()
