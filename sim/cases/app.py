"""`python -m sim.cases`: the calibration across cases, each case left out in turn and
predicted, scored against the base rate of the others; Iraq 2020 predicted from them all.

    python -m sim.cases                          # every case; writes results/cases/
    python -m sim.cases --cases baseline,philippines_1991,niger_2024
    python -m sim.cases --score my_case          # one case scored against the calibration on the others

Bad input: one line naming the option, the value and what is allowed, exit 2. The prior
sweep is saved in verified chunks under OUT/chunks (a rerun resumes it); the tables and
the report are written only when everything is computed.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from ..cli import OneLineParser, progress_bar, whole_number_in
from ..config import ConfigError
from ..files import PROJECT_ROOT, atomic_write, check_destination

log = logging.getLogger("sim.cases")
DEFAULT_OUT = PROJECT_ROOT / "results" / "cases"
#: the fewest predictive runs per case (probabilities from at least 4,000 runs)
MIN_RUNS = 4000


def parser() -> OneLineParser:
    ap = OneLineParser(prog="python -m sim.cases", description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=None, help="the cases calibrated on, comma-separated scenario names "
                    "(default: baseline and every scenario whose case section records an outcome)")
    ap.add_argument("--score", default=None, metavar="CASE",
                    help="score only CASE against the calibration on the other cases (or on --cases, which must not "
                    "hold it); writes OUT/score_CASE.csv and .md")
    ap.add_argument("--sets", type=whole_number_in(1, 10**8, "--sets"), default=20000,
                    help="parameter sets of the prior sweep (default 20,000)")
    ap.add_argument("--replications", type=whole_number_in(1, 10**4, "--replications"), default=16,
                    help="runs per set and case (default 16)")
    ap.add_argument("--runs", type=whole_number_in(MIN_RUNS, 10**8, "--runs"), default=MIN_RUNS,
                    help=f"predictive runs per case (default and least {MIN_RUNS:,})")
    ap.add_argument("--executor", choices=("local", "threads", "ray"), default="local")
    ap.add_argument("--workers", type=whole_number_in(1, 4096, "--workers"), default=None,
                    help="worker processes, threads or Ray tasks in flight (default: all cores)")
    ap.add_argument("--ray-address", default=None, help="--executor ray: a cluster's HOST:PORT")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default results/cases)")
    ap.add_argument("--progress", choices=("true", "false"), default=None, help="a progress bar (default: on a terminal)")
    return ap


def case_list(text: str | None, score: str | None = None) -> list[str]:
    """The cases calibrated on: as given, or Iraq 2020 and every case of the library (but the
    case scored with --score)."""
    from . import library

    if text is None:
        return [library.IRAQ, *(n for n in library.names() if n != score)]
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or len(set(names)) != len(names):
        raise ConfigError("--cases", text, "distinct case scenario names, comma-separated")
    return names


def main(argv: list[str] | None = None) -> None:
    from ..cli import quiet_logging
    from ..sweep.executors import WorkerLost

    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    quiet_logging()
    try:
        run(args)
    except ConfigError as err:
        print(f"cases error: {err}", file=sys.stderr)
        sys.exit(2)
    except WorkerLost as err:
        print(f"cases stopped: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"interrupted; the finished chunks are kept in {Path(args.out) / 'chunks'} and the same command "
              "resumes", file=sys.stderr)
        sys.exit(130)


def run(args) -> None:
    from ..calibrate import runner
    from ..sweep.executors import check_executor
    from ..sweep.lock import SweepLock
    from . import library, pooled, report
    from . import scores as sc

    t0 = time.perf_counter()
    names = case_list(args.cases, args.score)
    cases = [library.case(n) for n in names]
    extra = library.case(args.score) if args.score else None
    if extra is not None and extra.observed is None:
        raise ConfigError("--score", args.score, "a case with an observed outcome (case.outcome.observed)")
    if extra is not None and extra.name in names:
        raise ConfigError("--score", args.score, "a case that is not among --cases (those are scored by leaving "
                          "each out in turn)")
    if len([c for c in cases if c.observed]) < (1 if extra is not None else 2):
        raise ConfigError("--cases", ",".join(names), "at least two cases with an observed outcome (one is left out, "
                          "the others calibrate and give the base rate)")
    check_executor(args.executor, args.ray_address)
    out = Path(args.out)
    check_destination(out, "--out", allow_tracked=out.resolve() == DEFAULT_OUT.resolve())
    where = runner.Where(args.executor, args.workers, args.ray_address)
    bar = progress_bar(None if args.progress is None else args.progress == "true")
    with SweepLock(out, "cases.lock", "case scoring"):
        sweep = pooled.prior_sweep(_calibration(), cases, args.sets, args.replications, out / "chunks", where,
                                   progress=runner.Meter("prior sweep over the cases", bar))
        if extra is not None:  # one case against the calibration on the others: its own files only
            pr = pooled.predict(sweep, extra, cases, args.runs)
            scored = [report.Scored(pr, sc.base_rate([m.observed for m in cases if m.observed]),
                                    [m.name for m in cases])]
            table = report.scores_table(scored)
            report.write_csv(table, out / f"score_{extra.name}.csv")
            meta = _meta(args, names, sweep, t0)
            text = report.markdown(table, None, meta, title=f"{extra.label} ({extra.name}) scored against the "
                                   f"calibration on {', '.join(names)}")
            atomic_write(out / f"score_{extra.name}.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
            log.info("wrote %s/score_%s.csv and .md in %.0f s", out, extra.name, time.perf_counter() - t0)
            return
        scored = []
        for c in cases:
            if not c.observed:
                continue
            others = [m for m in cases if m.name != c.name]
            log.info("predicting %s from %s", c.name, ", ".join(m.name for m in others))
            pr = pooled.predict(sweep, c, others, args.runs)
            scored.append(report.Scored(pr, sc.base_rate([m.observed for m in others if m.observed]),
                                        [m.name for m in others]))
        iraq = None
        if any(c.name == library.IRAQ for c in cases):
            iraq = pooled.predict(sweep, library.case(library.IRAQ), cases, args.runs)
        table = report.scores_table(scored)
        meta = _meta(args, names, sweep, t0)
        report.write_csv(table, out / "scores.csv")
        if iraq is not None:
            report.write_csv(_prediction_row(iraq), out / "iraq_2020.csv")
        report.figure(scored, iraq, out / "scores.png")
        text = report.markdown(table, iraq, meta)
        atomic_write(out / "report.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    log.info("wrote %s/report.md and scores.csv in %.0f s", out, time.perf_counter() - t0)


def _meta(args, names: list[str], sweep, t0: float) -> dict:
    """What the report says of how it was made."""
    return {"command": "python -m sim.cases " + " ".join(sys.argv[1:]), "wall_s": time.perf_counter() - t0,
            "workers": f"{args.workers} worker(s)" if args.workers else "all cores", "executor": args.executor,
            "sets": args.sets,
            "replications": args.replications, "runs": args.runs, "cases": names, "coefficients": len(sweep.paths),
            "reused": (f"{sweep.reused_chunks[0]} of {sweep.reused_chunks[1]} chunks of the prior sweep read back "
                       "from an earlier run" if sweep.reused_chunks[0] else "the prior sweep computed whole")}


def _prediction_row(pr):
    import pandas as pd

    from . import scores as sc

    row = {"case": pr.case.name, "observed": pr.case.observed or "", "calibrated_on": " ".join(pr.members),
           "runs": len(pr.runs), **{f"p_{n}": float(v) for n, v in zip(sc.CLASSES, pr.p)}}
    if pr.case.observed:
        row.update(log_score=sc.log_score(pr.p, pr.case.observed), brier=sc.brier(pr.p, pr.case.observed))
    return pd.DataFrame([row])


def _calibration():
    """The calibration's settings (configs/calibrate.yaml): its experiment, bands and priors."""
    from omegaconf import OmegaConf

    from ..calibrate.schema import register_calibrate_schema
    from ..config import compose_config, register_configs

    register_configs()
    register_calibrate_schema()
    return OmegaConf.to_object(compose_config("calibrate", []))
