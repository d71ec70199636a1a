"""`python -m sim.analyze DIR [--sobol DIR2] [--out OUT] [--no-fan] [--fan-runs N] [--heatmap X,Y] [--seed S]`

Reads DIR/runs.parquet and DIR/metadata.json (a finished sweep, `python -m sim.sweep`) and
writes DIR/report/report.md with its figures (PNG and SVG) and analysis.json beside it.
`--sobol DIR2` takes the Sobol indices from a sweep drawn with `sampler: saltelli`
(e.g. experiment=conditions_sobol); DIR itself is used when it is one. `--no-fan` skips the
fan charts, the one step that re-runs runs (through sim.sweep.rerun).

Exit code 2, with one line `analyze error: ...`, for a bad option, a missing or malformed
sweep folder, a metadata.json that does not describe runs.parquet (fingerprint, run count,
columns), a damaged table, or a report folder that cannot be written (full, read-only).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..analysis.report import Settings, analyze
from ..analysis.table import SweepError
from ..cli import OneLineParser, describe_os_error, whole_number_in
from ..config.validate import ConfigError
from ..files import check_destination

PROG = "python -m sim.analyze"
#: seeds of the analysis' own sampling, as for the model: [0, 2**63)
SEED_LIMIT = 2**63
#: at most this many runs are re-run for the fan charts (each is a Mesa run with its weeks)
MAX_FAN_RUNS = 10_000



def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not in (0, 1]")
    return value


def parse_args(argv=None) -> argparse.Namespace:
    p = OneLineParser(prog=PROG, description=__doc__.split("\n\n")[1],
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="a sweep folder holding runs.parquet and metadata.json")
    p.add_argument("--out", default=None, help="where to write report.md and figures (default DIR/report)")
    p.add_argument("--sobol", default=None, help="a saltelli sweep folder for the Sobol indices")
    p.add_argument("--no-fan", action="store_true", help="skip the fan charts (no model re-runs)")
    p.add_argument("--fan-runs", type=whole_number_in(0, MAX_FAN_RUNS, "runs re-run for the fan charts"), default=120,
                   help=f"runs re-run for the fan charts (default 120, at most {MAX_FAN_RUNS})")
    p.add_argument("--seed", type=whole_number_in(0, SEED_LIMIT - 1, "a seed: 0 to 2**63 - 1"), default=0,
                   help="seed of the analysis' own sampling (default 0)")
    p.add_argument("--threshold", type=_share, default=2 / 3,
                   help="density at which PRIM calls an outcome likely (default 2/3)")
    p.add_argument("--prim-rows", type=whole_number_in(100, 10**9, "runs PRIM looks at"), default=100_000,
                   help="runs PRIM looks at, at most (default 100000)")
    p.add_argument("--heatmap", default=None, metavar="X,Y",
                   help="the heatmap's two conditions (parameter paths); default: the two most influential")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = Settings(seed=args.seed, fan=not args.no_fan, fan_runs=args.fan_runs, threshold=args.threshold,
                        prim_rows=args.prim_rows,
                        heat_conditions=tuple(args.heatmap.split(",")) if args.heatmap else None)
    log = (lambda *a, **k: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    try:
        check_destination(args.out if args.out is not None else Path(args.dir) / "report", "--out")
        path = analyze(args.dir, args.out, sobol_dir=args.sobol, settings=settings, log=log)
    except ConfigError as err:  # a report folder inside the project's install, or over committed files
        print(f"analyze error: {err}", file=sys.stderr)
        return 2
    except SweepError as err:
        print(f"analyze error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        message = describe_os_error(err)
        if message is None:
            raise
        print(f"analyze error: cannot write the report: {message} (no report.md was written)", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
