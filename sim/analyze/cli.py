"""`python -m sim.analyze DIR [--sobol DIR2] [--out OUT] [--no-fan] [--fan-runs N] [--heatmap X,Y] [--seed S]`

Reads DIR/runs.parquet and DIR/metadata.json (a finished sweep, `python -m sim.sweep`) and
writes DIR/report/report.md with its figures (PNG and SVG) and analysis.json beside it.
`--sobol DIR2` takes the Sobol indices from a sweep drawn with `sampler: saltelli`
(e.g. experiment=conditions_sobol); DIR itself is used when it is one. `--no-fan` skips the
fan charts, the one step that re-runs runs (through sim.sweep.rerun). Exit code 2 on a
missing or malformed sweep folder.
"""

from __future__ import annotations

import argparse
import sys

from ..analysis.report import Settings, analyze
from ..analysis.table import SweepError


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sim.analyze", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="a sweep folder holding runs.parquet and metadata.json")
    p.add_argument("--out", default=None, help="where to write report.md and figures (default DIR/report)")
    p.add_argument("--sobol", default=None, help="a saltelli sweep folder for the Sobol indices")
    p.add_argument("--no-fan", action="store_true", help="skip the fan charts (no model re-runs)")
    p.add_argument("--fan-runs", type=int, default=120, help="runs re-run for the fan charts (default 120)")
    p.add_argument("--seed", type=int, default=0, help="seed of the analysis' own sampling (default 0)")
    p.add_argument("--threshold", type=float, default=2 / 3,
                   help="density at which PRIM calls an outcome likely (default 2/3)")
    p.add_argument("--prim-rows", type=int, default=100_000, help="runs PRIM looks at, at most (default 100000)")
    p.add_argument("--heatmap", default=None, metavar="X,Y",
                   help="the heatmap's two conditions (parameter paths); default: the two most influential")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    for name in ("fan_runs", "prim_rows"):
        if getattr(args, name) < 0 or (name == "prim_rows" and args.prim_rows < 100):
            print(f"analyze error: --{name.replace('_', '-')} = {getattr(args, name)} is too small", file=sys.stderr)
            return 2
    if not 0 < args.threshold <= 1:
        print(f"analyze error: --threshold = {args.threshold} is not in (0, 1]", file=sys.stderr)
        return 2
    settings = Settings(seed=args.seed, fan=not args.no_fan, fan_runs=args.fan_runs, threshold=args.threshold,
                        prim_rows=args.prim_rows,
                        heat_conditions=tuple(args.heatmap.split(",")) if args.heatmap else None)
    log = (lambda *a, **k: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    try:
        path = analyze(args.dir, args.out, sobol_dir=args.sobol, settings=settings, log=log)
    except SweepError as err:
        print(f"analyze error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
