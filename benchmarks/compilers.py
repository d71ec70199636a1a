"""numba against JAX on one stage of the model (a measurement, not a test).

    python -m benchmarks.compilers               # the stage, three ways
    python -m benchmarks.compilers --first-run   # the model's first-run overhead, cold and cached

The stage is the revision rule every actor decides by (`choice.revision_choice`: logit
probabilities, the chance of a change over the step, the new action by inverse CDF), on
Washington's 10 actions. It is timed three ways on the same inputs:
- numpy: the array formulation the model had before it was compiled (written out below);
- numba: the model's own kernel (`sim.model.choice.revision_choice`, a loop over runs of a
  one-run function compiled with `njit`);
- jax: the array formulation under `jax.jit` with 64-bit floats (`jax_enable_x64`), the
  runs axis vectorised by `jax.vmap` over a one-run function (skipped if JAX is missing;
  JAX is not a dependency of the project).
for R = 1 run (the Mesa model's call) and R = 20,000 runs (a batch), and reports the time
per call, the first call's compile time, and whether the results equal NumPy's.
benchmarks/HISTORY.md records what this printed and the choice made.

--first-run times, in fresh processes, importing the batch engine and its first call on
10 runs: with an empty kernel cache (everything compiled) and then with the cache it left.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numpy as np

A = 10


def _numpy_revision(u, lam, available, sq, mass, triggered, u_change, u_choice):
    """The NumPy formulation (one call over all runs), as the model had it."""
    u = np.where(available, u, -np.inf)
    best = u.max(axis=1)
    w = np.where(available, np.exp(lam * np.where(available, u - best[:, None], 0.0)), 0.0)
    probs = w / w.sum(axis=1)[:, None]
    rows = np.arange(u.shape[0])
    keep = np.where(sq >= 0, probs[rows, np.maximum(sq, 0)], 0.0)
    stay = np.exp(-mass * (1.0 - keep))
    rang = -np.expm1(-mass)
    p_change = np.where(triggered, 1.0 - keep * stay, (1.0 - stay) / rang)
    others = probs.copy()
    others[rows, np.maximum(sq, 0)] = np.where(sq >= 0, 0.0, others[rows, np.maximum(sq, 0)])
    total = others.sum(axis=1)
    cum = np.cumsum(others, axis=1)
    pick = np.argmax((u_choice * total)[:, None] < cum, axis=1)
    return np.where((u_change < p_change) & (total > 0), pick, sq)


def _jax_revision():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def one(u, lam, available, sq, mass, triggered, u_change, u_choice):
        u = jnp.where(available, u, -jnp.inf)
        best = u.max()
        w = jnp.where(available, jnp.exp(lam * jnp.where(available, u - best, 0.0)), 0.0)
        probs = w / w.sum()
        keep = jnp.where(sq >= 0, probs[jnp.maximum(sq, 0)], 0.0)
        stay = jnp.exp(-mass * (1.0 - keep))
        rang = -jnp.expm1(-mass)
        p_change = jnp.where(triggered, 1.0 - keep * stay, (1.0 - stay) / rang)
        others = jnp.where((jnp.arange(u.shape[0]) == sq) & (sq >= 0), 0.0, probs)
        total = others.sum()
        pick = jnp.argmax(u_choice * total < jnp.cumsum(others))
        return jnp.where((u_change < p_change) & (total > 0), pick, sq)

    return jax.jit(jax.vmap(one, in_axes=(0, None, 0, 0, 0, 0, 0, 0)))


def _inputs(runs: int, seed: int = 0):
    rng = np.random.default_rng(seed)  # benchmark inputs only; the model draws from its keyed stream
    u = rng.normal(size=(runs, A))
    available = rng.random((runs, A)) < 0.7
    available[:, 6] = True
    sq = np.full(runs, 6, dtype=np.int64)
    return (u, 2.0, available, sq, rng.random(runs) * 0.5, rng.random(runs) < 0.3, rng.random(runs),
            rng.random(runs))


def _time(fn, args, repeat: int) -> tuple[float, float, np.ndarray]:
    t0 = time.perf_counter()
    out = np.asarray(fn(*args))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = np.asarray(fn(*args))
    return first, (time.perf_counter() - t0) / repeat, out


_FIRST_RUN = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
from benchmarks.batch_run_model import baseline_params
from sim.engines import batch
p = baseline_params()
t1 = time.perf_counter()
batch.simulate(p, np.arange(10))
t2 = time.perf_counter()
batch.simulate(p, np.arange(10))
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def first_run() -> None:
    import json

    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, CI="1")
        for label in ("empty cache", "cached"):
            out = subprocess.run([sys.executable, "-c", _FIRST_RUN], env=env, capture_output=True, text=True,
                                 check=True).stdout
            t = json.loads(out.strip().splitlines()[-1])
            print(f"  {label:12s} import {t['import']:.2f} s, first call (10 runs) {t['first']:.2f} s, "
                  f"second call {t['second']:.3f} s")


def main() -> None:
    if "--first-run" in sys.argv[1:]:
        first_run()
        return
    from sim.model.choice import revision_choice

    try:
        jax_fn = _jax_revision()
    except ImportError:
        jax_fn = None
    print(f"revision rule over {A} actions; time per call (first call, with compilation or cache load)")
    for runs, repeat in ((1, 2000), (20_000, 20)):
        args = _inputs(runs)
        ref_first, ref, expect = _time(_numpy_revision, args, repeat)
        rows = [("numpy", ref_first, ref, expect)]
        rows.append(("numba", *_time(revision_choice, args, repeat)))
        if jax_fn is not None:
            rows.append(("jax", *_time(jax_fn, args, repeat)))
        for name, first, per_call, out in rows:
            print(f"  R={runs:6d} {name:6s} {per_call * 1e6:10.1f} us/call  ({ref / per_call:6.1f}x numpy)  "
                  f"first call {first * 1e3:8.1f} ms  same choices as numpy: {np.array_equal(out, expect)}")


if __name__ == "__main__":
    main()
