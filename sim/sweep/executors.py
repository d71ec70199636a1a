"""Executors: where chunks are computed, for a sweep and for the calibration
(`run_items` computes any picklable function of each item; `run_local`, `run_threads` and
`run_ray` are the sweep's chunks through it). `local` uses worker processes on this machine
(or the calling process for one worker); `threads` uses threads of the calling process
(the model's compiled kernels release the GIL, so one process uses several cores without
starting workers); `ray` submits chunks as Ray tasks to a cluster
(`ray.init(address=...)`) or a local Ray instance. Each yields results as they finish, in
any order; the caller writes them.

A worker that dies (killed, out of memory) or a Ray node lost beyond Ray's own retries
ends the stream with `WorkerLost`; the chunks already written stay, so a rerun resumes.
Local workers die with the sweep's main process (`lifeline`). `check_executor` checks,
before the sweep writes anything, that Ray is installed and that a cluster address
answers (ray.init would retry an address where nothing answers forever)."""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial

from ..config.validate import ConfigError
from . import lifeline
from .chunk import compute_chunk, use_system_allocator

EXECUTOR_NAMES = ("local", "threads", "ray")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class WorkerLost(RuntimeError):
    """A worker process or Ray node died while computing a chunk (not an error of the chunk)."""


def bounded(pool, fn, items, limit: int):
    """`fn(*item)` for every item of `items`, computed by `pool` (any concurrent.futures
    executor) with at most `limit` submitted at a time, so finished results are not held in
    bulk; yields (item, result) as they finish, in any order. A result that raises ends the
    stream with that error; on any exit the items still waiting are cancelled."""
    pending: dict = {}
    queue = iter(items)
    waiting = True
    try:
        while waiting or pending:
            while waiting and len(pending) < limit:
                item = next(queue, None)
                if item is None:
                    waiting = False
                    break
                pending[pool.submit(fn, *item)] = item
            if not pending:
                break
            done: set = set()
            while not done:
                # poll: a worker killed while writing its result leaves the pool's reader waiting
                # for the rest of the message, and the pool never reports itself broken
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                if not done and lost_worker(pool):
                    raise BrokenProcessPool("a worker process died")
            for fut in done:
                item = pending.pop(fut)
                yield item, fut.result()
    finally:
        for fut in pending:
            fut.cancel()


def lost_worker(pool) -> bool:
    """Whether a worker process of `pool` (a ProcessPoolExecutor; other executors have none)
    has died."""
    procs = getattr(pool, "_processes", None) or {}
    return any(p.exitcode is not None for p in list(procs.values()))


def _kill_all(pool) -> None:
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.kill()


def _release_results(pool) -> None:
    """Close this process's copy of the pipe's writing end that the workers send results
    through, once they are killed. A worker killed while it wrote a result (a chunk's table
    is megabytes) leaves half a message in the pipe, and the pool's manager thread waits for
    the rest forever: the pipe never reaches its end while this process holds a writing end.
    The pool's shutdown and the interpreter's exit wait for that thread, so a sweep stopped
    by SIGTERM or Ctrl-C, or after a lost worker, could hang instead of exiting (seen under
    load in tests/test_sweep_processes.py). With the end closed, the thread reads the end of
    the pipe as soon as the killed workers are gone, marks the pool broken and ends."""
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


def _watch(pool, stop: threading.Event) -> None:
    """Once one worker has died, kill the others: the pool, now broken, terminates them with
    SIGTERM, which local workers ignore (`lifeline.worker_init`), and waits for them while
    holding the lock the main thread's next submit needs."""
    while not stop.wait(0.2):
        if lost_worker(pool):
            _kill_all(pool)
            return


def _quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker outlives the sweep and, after a worker killed while
    holding one of the pool's locks, warns at its exit about "leaked semaphore objects" that it
    then cleans up itself: a warning the user can do nothing about, printed after the sweep's
    one-line stop message. The tracker takes its warning filters from this process's `-W`
    options when it starts, so one is added before the pool starts it."""
    quiet = "ignore:resource_tracker:UserWarning"
    if quiet not in sys.warnoptions:
        sys.warnoptions.append(quiet)


@contextmanager
def local_processes(workers: int, preload: list[str]):
    """A pool of `workers` local processes that die with this one (`lifeline`), started by
    multiprocessing's forkserver with the modules `preload` imported once. On exit the
    workers are killed (they ignore SIGTERM; a task in progress is simply dropped)."""
    # forkserver, not fork: the parent may hold threads (Arrow, tqdm), which fork can deadlock on;
    # the server preloads the model once, so each worker starts in milliseconds
    _quiet_resource_tracker()
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.sweep.lifeline", *preload])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(),))
    stop = threading.Event()
    watchdog = threading.Thread(target=_watch, args=(pool, stop), name="worker-watchdog", daemon=True)
    watchdog.start()
    broken = False
    try:
        yield pool
    except (BrokenProcessPool, WorkerLost):
        broken = True
        raise
    finally:
        stop.set()
        _kill_all(pool)
        _release_results(pool)
        # its workers are killed, so there is nothing to wait for; a pool broken by a lost worker
        # is not waited for at all (what its manager thread still does is no longer ours)
        pool.shutdown(wait=not broken, cancel_futures=True)


def run_items(executor: str, fn, items, workers: int, *, address: str | None = None, preload=()):
    """`fn(*item)` for every item of `items` on `executor` (local | threads | ray), yielded as
    (item, result) as each finishes, in any order; at most two items per worker in flight.
    `fn` must be picklable for `local` and `ray` (a module-level function, or a partial of
    one). One worker of `local` computes in this process. A lost worker or Ray node ends
    the stream with WorkerLost; the caller keeps what it was given so far."""
    items = list(items)
    use_system_allocator()
    if executor == "threads":
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chunk") as pool:
            yield from bounded(pool, fn, items, 2 * workers)
    elif executor == "ray":
        yield from _run_ray(fn, items, workers, address)
    elif workers == 1:
        for item in items:
            yield item, fn(*item)
    else:
        with local_processes(workers, list(preload)) as pool:
            try:
                yield from bounded(pool, fn, items, 2 * workers)
            except BrokenProcessPool:
                raise WorkerLost("a worker process died (killed by a signal or out of memory?)") from None


#: what a sweep's worker imports once, in the forkserver
SWEEP_PRELOAD = ("sim.sweep.chunk", "sim.engines.batch", "sim.engines.mesa_engine", "sim.sweep.plan")


def run_local(plan, engine, chunks, workers):
    for (start, _), table in run_items("local", partial(compute_chunk, plan, engine), chunks, workers,
                                       preload=SWEEP_PRELOAD):
        yield start, table


def run_threads(plan, engine, chunks, workers):
    """Chunks computed by `workers` threads of this process, yielded as they finish. A
    chunk's table depends only on the plan and its run range, so any thread may compute it."""
    for (start, _), table in run_items("threads", partial(compute_chunk, plan, engine), chunks, workers):
        yield start, table


def run_ray(plan, engine, chunks, workers, address=None):
    for (start, _), table in run_items("ray", partial(compute_chunk, plan, engine), chunks, workers,
                                       address=address):
        yield start, table


def _worker_init(main_pid: int) -> None:
    """Initializer of a local worker: it dies with the sweep (`lifeline.worker_init`) and
    builds its tables with the C library's allocator (`chunk.use_system_allocator`)."""
    lifeline.worker_init(main_pid)
    use_system_allocator()


def _apply(fn, *item):
    use_system_allocator()
    return fn(*item)


def _run_ray(fn, items: list, workers: int, address: str | None):
    """Ray tasks of `fn(*item)`: `fn` (with whatever it binds, such as a plan) is put in the
    object store once; a task lost with its worker or node is retried by Ray three times."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        _join_ray(ray, address, workers)
    lost = _ray_lost_errors(ray)
    task = ray.remote(max_retries=3)(_apply)
    fn_ref = ray.put(fn)
    pending: dict = {}
    try:
        queue = list(items)
        limit = 2 * max(workers, 1)
        while queue or pending:
            while queue and len(pending) < limit:
                item = queue.pop(0)
                pending[task.remote(fn_ref, *item)] = item
            done, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)  # a signal is handled within a second
            for ref in done:
                item = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except lost as err:
                    first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
                    raise WorkerLost(f"a Ray worker or node was lost beyond Ray's retries ({type(err).__name__}: "
                                     f"{first})") from None
                yield item, result
    finally:
        for ref in list(pending):
            ray.cancel(ref, force=True)
        if started_here:
            ray.shutdown()


def _join_ray(ray, address: str | None, workers: int) -> None:
    """ray.init: join the cluster at `address`, or start a local Ray instance with `workers`
    CPUs; a failure is a ConfigError naming ray_address (with what to do about a cluster's
    token authentication, which Ray 2.60 turns on by default)."""
    import logging

    kwargs = {"address": address} if address else {"num_cpus": workers, "include_dashboard": False}
    try:
        ray.init(ignore_reinit_error=True, log_to_driver=False, logging_level=logging.WARNING, **kwargs)
    except Exception as err:
        where = address or "(a local Ray instance)"
        auth = getattr(ray.exceptions, "AuthenticationError", ())
        if isinstance(err, auth) or "authentication" in str(err).lower():
            raise ConfigError("ray_address", where, "a Ray cluster this process can join: it uses token "
                              "authentication and this process has no valid token; set RAY_AUTH_MODE=token and "
                              "RAY_AUTH_TOKEN to the cluster's token (or RAY_AUTH_TOKEN_PATH to a file holding it), "
                              "see the README's cluster recipe") from None
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
        raise ConfigError("ray_address", where, f"a Ray cluster this process can join; ray.init failed: "
                          f"{type(err).__name__}: {first}") from None


def check_executor(executor: str, address: str | None) -> None:
    """Before anything is written: the executor exists, Ray is installed for executor=ray,
    and a cluster address answers."""
    if executor not in EXECUTOR_NAMES:
        raise ConfigError("executor", executor, f"one of {list(EXECUTOR_NAMES)}")
    if executor != "ray":
        return
    if importlib.util.find_spec("ray") is None:
        raise ConfigError("executor", "ray", "an executor whose package is installed: Ray is not (pip install "
                          "'.[ray]'), use executor=local")
    if address:
        _check_reachable(address)


def _check_reachable(address: str, timeout: float = 10.0) -> None:
    """A Ray head answers at HOST:PORT (ray.init would otherwise retry forever, in C++ code
    that not even SIGTERM interrupts). `auto` and `ray://` addresses are left to Ray."""
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or address == "auto" or "://" in address or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise ConfigError("ray_address", address, f"the HOST:PORT of a running Ray cluster's head (nothing answers "
                          f"there: {err.strerror or err}); start it with `ray start --head`, see the README") from None


def _ray_lost_errors(ray) -> tuple:
    """Ray's exceptions for lost workers, nodes and objects (not errors raised by a chunk)."""
    names = ("WorkerCrashedError", "NodeDiedError", "LocalRayletDiedError", "ObjectLostError", "OwnerDiedError",
             "ObjectReconstructionFailedError", "RaySystemError")
    found = tuple(getattr(ray.exceptions, n) for n in names if isinstance(getattr(ray.exceptions, n, None), type))
    return found or (RuntimeError,)
