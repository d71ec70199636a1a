"""Do this tree's tables agree with another commit's? (a measurement, not a test)

    python -m benchmarks.agreement --against REF               # 100,000 baseline runs in each tree
    python -m benchmarks.agreement --against REF --runs 20000 --traced 200

Runs the baseline scenario's runs 0..N-1 (root seed 0) with the batch engine in this tree
and in a temporary git worktree of commit REF (each in a fresh process, PYTHONPATH set to
its tree; the worktree compiles its kernels on first use unless NUMBA_CACHE_DIR points at a
cache that has them), and reports:

- each outcome's share in both trees with its 95% Wilson interval, and whether each tree's
  share lies within the other's interval;
- the share of rows (runs) whose every summary column is identical, and of outcomes;
- for the rows that differ, the cause, by class:
  * "last digits of a continuous column only": every discrete column (outcome, days, counts,
    flags) identical, every float column within a relative 1e-12;
  * "a discrete decision flipped after floating-point differences": the run's traced state
    (`sim.model.week.trace`, every field after every step) first differs in float fields by
    at most a relative 1e-12, and a discrete field differs only at a later step (a value
    that differed in its last digits crossed a threshold); the largest relative difference
    of the float fields before the flip is printed;
  * "a discrete decision flipped inside a step from an identical state": the state before the
    step is identical and a discrete field differs after it (a value computed inside the step
    in another order of operations crossed a random draw's threshold);
  * "other": anything else, a difference of behaviour that is not floating point; it is
    listed run by run and the command exits with status 1.

The traces are taken for the first `--traced` differing runs; the others of their class are
classified by their summaries alone where that suffices (continuous-only differences).
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.sweep import _AGREE_SCRIPT, _TRACE_SCRIPT, ROOT, _run_in

#: relative difference below which two floats count as differing in their last digits
TINY = 1e-12

LAST_DIGITS = "last digits of a continuous column only"
FLIPPED_LATER = "a discrete decision flipped after floating-point differences"
FLIPPED_INSIDE = "a discrete decision flipped inside a step from an identical state"
OTHER = "other (not floating point)"


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a share k/n (Wilson 1927)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| / max(|a|, |b|), 0 where both are equal (infinities and NaNs included)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
    return np.where(same, 0.0, np.where(np.isnan(r), np.inf, r))


def _is_float(x: np.ndarray) -> bool:
    return np.issubdtype(np.asarray(x).dtype, np.floating)


def classify_summaries(a: dict, b: dict, rows: np.ndarray) -> np.ndarray:
    """Whether each of `rows` differs only in the last digits of float columns."""
    ok = np.ones(rows.size, dtype=bool)
    for k in b:
        if k not in a:
            continue
        x, y = np.asarray(a[k])[rows], np.asarray(b[k])[rows]
        if _is_float(x) and _is_float(y):
            ok &= relative(x, y) <= TINY
        else:
            ok &= x == y
    return ok


def classify_trace(ta: dict, tb: dict, j: int, weeks: int) -> tuple[str, str]:
    """The class of traced run j (its index in the traces) and what was found."""
    fields = [k for k in tb if k in ta]
    largest = 0.0
    for step in range(weeks):
        floats, discrete = [], []
        for k in fields:
            x, y = ta[k][step][j], tb[k][step][j]
            if np.array_equal(x, y, equal_nan=_is_float(x)):
                continue
            if _is_float(x) and _is_float(y):
                floats.append(k)
                largest = max(largest, float(relative(x, y).max()))
            else:
                discrete.append(k)
        if discrete:
            where = f"step {step + 1}, {', '.join(discrete[:3])}"
            if largest == 0.0 and not floats:
                return FLIPPED_INSIDE, where
            if largest <= TINY:
                return FLIPPED_LATER, f"{where}; largest relative difference before it {largest:.1e}"
            return OTHER, f"{where}; float fields differed by up to {largest:.1e}"
        if largest > TINY:
            return OTHER, f"step {step + 1}: {', '.join(floats[:3])} differ by {largest:.1e}"
    return LAST_DIGITS, "the traced state differs in float fields by at most " f"{largest:.1e}"


def compare(a: dict, b: dict, ref: str, runs: int) -> tuple[np.ndarray, list[str]]:
    """Print the outcome shares with their intervals and the identical share; the rows that differ."""
    from sim.model.outcomes import OUTCOMES

    lines = [f"baseline scenario, root seed 0, runs 0..{runs - 1:,}, batch engine in both trees"]
    lines.append(f"  {'outcome':28s} {'this tree':>30s} {ref[:12]:>30s}  within each other's interval")
    oa, ob = np.asarray(a["outcome"]), np.asarray(b["outcome"])
    for code, name in enumerate(OUTCOMES):
        ka, kb = int((oa == code).sum()), int((ob == code).sum())
        la, ha = wilson(ka, runs)
        lb, hb = wilson(kb, runs)
        within = (lb <= ka / runs <= hb) and (la <= kb / runs <= ha)
        lines.append(f"  {name:28s} {ka / runs:8.4f} [{la:.4f}, {ha:.4f}]   {kb / runs:8.4f} [{lb:.4f}, {hb:.4f}]"
                     f"  {'yes' if within else 'NO'}")
    same = np.ones(runs, dtype=bool)
    for k in b:
        if k in a:
            x, y = np.asarray(a[k]), np.asarray(b[k])
            same &= (x == y) | ((x != x) & (y != y)) if _is_float(x) else x == y
    lines.append(f"  rows identical in every column: {same.mean():.6f} ({int((~same).sum())} of {runs:,} differ); "
                 f"outcomes identical: {(oa == ob).mean():.6f}")
    return np.flatnonzero(~same), lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", required=True, metavar="REF", help="the git commit to compare with")
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--traced", type=int, default=100, help="differing runs traced step by step")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        old = tmp / "ref"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(old), args.against],
                       check=True)
        try:
            trees = {"this tree": ROOT, args.against: old}
            tables = {}
            for n, (name, tree) in enumerate(trees.items()):
                path = tmp / f"table-{n}.npz"
                _run_in(tree, _AGREE_SCRIPT, str(args.runs), str(path))
                with np.load(path) as f:
                    tables[name] = {k: f[k] for k in f.files}
            a, b = tables["this tree"], tables[args.against]
            differ, lines = compare(a, b, args.against, args.runs)
            print("\n".join(lines))
            if differ.size == 0:
                return 0
            classes: dict[str, list[tuple[int, str]]] = {}
            continuous = classify_summaries(a, b, differ)
            traced = differ[:args.traced]
            weeks = int(max(a["weeks_simulated"][traced].max(), b["weeks_simulated"][traced].max())) + 1
            traces = {}
            for n, (name, tree) in enumerate(trees.items()):
                path = tmp / f"trace-{n}.npz"
                _run_in(tree, _TRACE_SCRIPT, ",".join(str(i) for i in traced), str(weeks), str(path))
                with np.load(path) as f:
                    traces[name] = {k: f[k] for k in f.files}
            for j, rid in enumerate(traced):
                cls, where = classify_trace(traces["this tree"], traces[args.against], j, weeks)
                if cls == LAST_DIGITS and not continuous[j]:
                    cls, where = OTHER, "summary differs beyond the last digits, traced state does not"
                classes.setdefault(cls, []).append((int(rid), where))
            for j in range(traced.size, differ.size):
                cls = LAST_DIGITS if continuous[j] else "not traced (a discrete column differs)"
                classes.setdefault(cls, []).append((int(differ[j]), "summaries only"))
            print(f"  the {differ.size} differing rows by cause ({traced.size} traced step by step):")
            for cls, found in sorted(classes.items(), key=lambda kv: -len(kv[1])):
                print(f"    {len(found):6d}  {cls}; e.g. run {found[0][0]}: {found[0][1]}")
            for rid, where in classes.get(OTHER, []):
                print(f"    other: run {rid}: {where}")
            return 1 if OTHER in classes else 0
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)


if __name__ == "__main__":
    sys.exit(main())
