"""The headline experiment: which conditions produce a formal withdrawal request (F4, F10),
and what follows.

    python -m experiments.which_conditions                # sweeps, stability checks, report
    python -m experiments.which_conditions --workers 2 --fan-runs 300 --out results/which_conditions

1. The Sobol design (`experiment=conditions_sobol`, Saltelli 2010): N base samples, doubled
   until every total index's 95% interval is within +-0.05 (or the rounds run out).
2. The `conditions` experiment (Latin hypercube over the article's uncertain conditions x
   Washington's three strategies, 10 replications per point): the points are doubled until
   the estimates are stable: the 95% half-widths of the outcome shares and of P(formal
   request) per strategy within 1 point, of the median heatmap cell within 5 points, of the
   PRIM box's density within 2 points; and the PRIM box replicates: the box PRIM finds on
   one half of the points (even or odd point ids) has, on the other half's runs, a density
   within 3 points of the density it claims (Friedman & Fisher 1999 use such a test sample).
   How far the two halves' limits differ is reported, not required: PRIM's greedy peeling can
   reach boxes of the same density by different paths where the trade-off curve is flat.
3. The analysis (`sim.analysis.report.analyze`) of both sweeps, with fan charts from runs
   re-run with their trajectories, written to results/which_conditions/ with metadata.json
   (both sweeps' provenance, the stability rounds, the timings).

The sweep tables stay in results/sweeps/which_conditions/ (ignored by git; the same command
rebuilds them exactly, from the experiments' root seeds); results/which_conditions/ holds
the report, its figures and metadata only. A finished sweep found there is reused (its
metadata says so). A sweep's fingerprint covers the model's code, so after a change to the
model the sweep refuses the old folder: delete results/sweeps/which_conditions/ and run again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sim.analysis import answer, heatmap, outcomes, precision, prim_boxes, sensitivity
from sim.analysis.report import Settings, analyze
from sim.analysis.table import load_sweep

REPO = Path(__file__).resolve().parents[1]
START_POINTS = 4000                    # conditions: 4,000 points x 3 levers x 10 = 120,000 runs
START_BASE_SAMPLES = 1024              # conditions_sobol: 1,024 x 14 points x 16 = 229,376 runs
SOBOL_TARGET = 0.05                    # max half-width of the total indices' 95% intervals
SPLIT_DENSITY_TOLERANCE = 0.03         # split-half PRIM: a box's density on the other half within 3 points


def declared(name: str) -> dict:
    """configs/experiment/NAME.yaml: uncertainties, levers and replications per point."""
    from omegaconf import OmegaConf

    doc = OmegaConf.to_container(OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"))
    return {"conditions": len(doc.get("uncertainties") or []), "levers": max(1, len(doc.get("levers") or {})),
            "replications": int(doc.get("replications", 1))}


def run_sweep_cli(experiment: str, runs: int, out: Path, workers: int | None) -> dict:
    """`python -m sim.sweep experiment=NAME runs=N out=DIR` as a user would run it (resumes
    or reuses a finished sweep in DIR); returns its metadata."""
    reused = (out / "metadata.json").exists()
    cmd = [sys.executable, "-m", "sim.sweep", f"experiment={experiment}", f"runs={runs}", f"out={out}",
           "progress=false"] + ([f"workers={workers}"] if workers else [])
    print("which_conditions: " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd)
    if done.returncode != 0:
        raise SystemExit(f"which_conditions: the sweep failed (exit {done.returncode}): {' '.join(cmd[1:])}")
    meta = json.loads((out / "metadata.json").read_text())
    meta["reused_finished_sweep"] = reused
    return meta


# ---------------------------------------------------------------- stability checks
def sobol_check(sweep_dir: Path, seed: int) -> dict:
    sw = load_sweep(sweep_dir)
    res = sensitivity.sobol_for_sweep(sw.runs, sw.conditions, sw.horizon, seed=seed)
    widths = {out: float(r["ST_conf"].max()) for out, r in res.items()}
    return {"max_ST_half_width": widths, "ok": all(w <= SOBOL_TARGET for w in widths.values()),
            "ranking": res["p_request"].sort_values("ST", ascending=False)["condition"].tolist()}


def _normalised_limits(box, bounds: dict, conditions) -> np.ndarray:
    out = []
    for c in conditions:
        lo, hi = bounds[c]
        span = (hi - lo) or 1.0
        if c in box.limits.index:
            out += [(box.limits.loc[c, "min"] - lo) / span, (box.limits.loc[c, "max"] - lo) / span]
        else:
            out += [0.0, 1.0]
    return np.array(out)


def _main_conditions(box, bounds) -> set[str]:
    main = set()
    for c, lim in box.limits.iterrows():
        p = answer.limit_phrase(c, float(lim["min"]), float(lim["max"]), bounds[c])
        if p and p[1] >= answer.MAIN_CUT:
            main.add(c)
    return main


def conditions_check(sweep_dir: Path, ranking: list[str], seed: int, prim_rows: int = 100_000) -> dict:
    """The precision targets and the split-half PRIM comparison for a conditions sweep."""
    sw = load_sweep(sweep_dir)
    runs, levers = sw.runs, sw.levers
    rng = np.random.default_rng(seed)
    shares = outcomes.outcome_shares(runs, "lever", levers)
    rate = outcomes.request_rate(runs, "lever", levers)
    ranking = [c for c in ranking if c in sw.conditions] or list(sw.conditions)
    grid = heatmap.probability_grid(runs, ranking[0], ranking[1], sw.bounds, by="lever", groups=levers)
    y = runs["formal_request"].to_numpy()

    def box_on(mask: np.ndarray):
        idx = np.flatnonzero(mask)
        if idx.size > prim_rows:
            idx = np.sort(rng.choice(idx, prim_rows, replace=False))
        x = runs[list(sw.conditions)].iloc[idx].reset_index(drop=True)
        return prim_boxes.discover(x, y[idx], "formal request", max_boxes=1)[0]

    every = np.ones(len(runs), dtype=bool)
    full = box_on(every)
    inside = full.contains(runs)
    whole = [outcomes.proportion_row(int(y[inside].sum()), int(inside.sum()))]
    prec = precision.precision_table(shares=shares[shares["group"] != outcomes.ALL],
                                     rate=rate[rate["group"] != outcomes.ALL], grid=grid,
                                     request_box_all=whole, sobol=None)
    even = (runs["point_id"].to_numpy() % 2) == 0
    a, b = box_on(even), box_on(~even)

    def held_out(box, mask):  # the box's density on the other half's runs
        inside = box.contains(runs) & mask
        return float(y[inside].mean()) if inside.any() else float("nan")

    out_a, out_b = held_out(a, ~even), held_out(b, even)
    gap = max(abs(a.density - out_a), abs(b.density - out_b))
    split = {"density_even": a.density, "density_even_box_on_odd": out_a,
             "density_odd": b.density, "density_odd_box_on_even": out_b, "max_gap": gap,
             "main_conditions_even": sorted(_main_conditions(a, sw.bounds)),
             "main_conditions_odd": sorted(_main_conditions(b, sw.bounds)),
             "max_limit_difference": float(np.max(np.abs(_normalised_limits(a, sw.bounds, sw.conditions) -
                                                         _normalised_limits(b, sw.bounds, sw.conditions)))),
             "ok": bool(np.isfinite(gap) and gap <= SPLIT_DENSITY_TOLERANCE)}
    checked = prec[prec["ok"].notna()]
    return {"precision": prec.to_dict("records"), "split_half_prim": split,
            "ok": bool(checked["ok"].all() and split["ok"])}


# ---------------------------------------------------------------- the report's stability section
def stability_markdown(sobol_rounds: list[dict], cond_rounds: list[dict]) -> str:
    lines = ["The run counts were not fixed in advance: each sweep was enlarged (doubled) until its estimates met "
             "the targets below, checked on the finished table (`experiments/which_conditions.py`).", "",
             f"**Sobol design** (target: every total index's 95% interval within ±{SOBOL_TARGET}):", "",
             "| round | base samples N | runs | max ± ST, request | max ± ST, weeks | met |", "|---|---|---|---|---|---|"]
    for i, r in enumerate(sobol_rounds, 1):
        w = r["check"]["max_ST_half_width"]
        lines.append(f"| {i} | {r['base_samples']:,} | {r['runs']:,} | {w['p_request']:.4f} | "
                     f"{w['weeks_to_request']:.4f} | {'yes' if r['check']['ok'] else 'no'} |")
    lines += ["", "**Conditions sweep** (targets: 95% half-widths of outcome shares and P(formal request) per "
              "strategy ≤ 1 point, median heatmap cell ≤ 5 points, PRIM box density ≤ 2 points; the PRIM box found on "
              "even points, applied to the odd points' runs, and vice versa, keeps its density within "
              f"{100 * SPLIT_DENSITY_TOLERANCE:.0f} points):", "",
              "| round | points | runs | max ± outcome share | median ± heatmap cell | ± box density | PRIM box on the "
              "other half (even / odd) | limits of the halves' boxes differ by | met |",
              "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(cond_rounds, 1):
        p = {row["quantity"]: row["half_width"] for row in r["check"]["precision"]}
        s = r["check"]["split_half_prim"]
        lines.append(
            f"| {i} | {r['points']:,} | {r['runs']:,} | {answer.pct(p['outcome shares per lever (max)'], 2)} | "
            f"{answer.pct(p['heatmap cells (median)'], 2)} | {answer.pct(p['PRIM request box density over all runs'], 2)}"
            f" | {answer.pct(s['density_even'], 1)} → {answer.pct(s['density_even_box_on_odd'], 1)} / "
            f"{answer.pct(s['density_odd'], 1)} → {answer.pct(s['density_odd_box_on_even'], 1)} | "
            f"up to {s['max_limit_difference']:.0%} of a range | {'yes' if r['check']['ok'] else 'no'} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the experiment
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m experiments.which_conditions",
                                description="Run the headline experiment and write its report.")
    p.add_argument("--out", default="results/which_conditions", help="report folder (default results/which_conditions)")
    p.add_argument("--sweeps", default="results/sweeps/which_conditions", help="where the sweep tables go")
    p.add_argument("--workers", type=int, default=None, help="sweep worker processes (default: all cores)")
    p.add_argument("--fan-runs", type=int, default=300, help="runs re-run for the fan charts (default 300)")
    p.add_argument("--rounds", type=int, default=3, help="at most this many doublings per sweep (default 3)")
    p.add_argument("--points", type=int, default=START_POINTS, help="conditions points in round 1 (default 4000)")
    p.add_argument("--base-samples", type=int, default=START_BASE_SAMPLES,
                   help="Sobol base samples N in round 1, a power of 2 (default 1024)")
    p.add_argument("--seed", type=int, default=0, help="seed of the analysis' own sampling (default 0)")
    p.add_argument("--posterior", action="store_true",
                   help="draw the behavioural coefficients from the calibration's posterior "
                        "(results/calibration/posterior.parquet; experiments conditions_posterior and "
                        "conditions_sobol_posterior) and report how the answer changes under each structural choice; "
                        "default folders results/which_conditions_posterior and results/sweeps/which_conditions_posterior")
    p.add_argument("--structure-points", type=int, default=500,
                   help="--posterior: conditions points per structural variant (default 500, x 3 strategies x 2 runs)")
    return p.parse_args(argv)


#: structural choices the answer is conditional on: name -> (lever settings added, step days)
STRUCTURAL_VARIANTS = {
    "collective rule: compromise (default)": ({}, None),
    "collective rule: median": ({"behaviour.collective_rule": "median"}, None),
    "collective rule: bdm, text reading": ({"behaviour.collective_rule": "bdm"}, None),
    "collective rule: bdm, replication reading": ({"behaviour.collective_rule": "bdm",
                                                   "behaviour.bdm_reading": "replication"}, None),
    "step of 3 days": ({}, 3),
    "step of 14 days": ({}, 14),
}


def structural_markdown(experiment: str, report_dir: Path, sweeps: Path, points: int, workers: int | None) -> str:
    """P(formal request) and the headline box's share under each structural choice, from a
    smaller sweep of the same experiment per variant (the same root seed: common random
    numbers across variants)."""
    import dataclasses

    from sim.analysis.outcomes import proportion_row
    from sim.config import experiment_config
    from sim.sweep.plan import make_plan
    from sim.sweep.runner import run_sweep

    summary = json.loads((report_dir / "analysis.json").read_text())
    box = (summary.get("request_boxes") or [None])[0]
    rows = ["| structural choice | runs | P(formal request) [95% CI] | inside the headline box [95% CI] |",
            "|---|---|---|---|"]
    base = experiment_config(experiment)
    for name, (settings, step) in STRUCTURAL_VARIANTS.items():
        levers = {k: {**(v or {}), **settings} for k, v in base.levers.items()}
        exp = dataclasses.replace(base, points=points, replications=2, levers=levers,
                                  step_days=step or base.step_days)
        folder = sweeps / ("structure_" + "".join(ch if ch.isalnum() else "_" for ch in name))
        print(f"which_conditions: structural variant {name}", file=sys.stderr, flush=True)
        run_sweep(make_plan(exp), folder, engine="batch", executor="local", workers=workers, chunk_size=10_000,
                  overwrite=True)
        sw = load_sweep(folder)
        y = sw.runs["formal_request"].to_numpy()
        all_row = proportion_row(int(y.sum()), len(y))
        cell = "–"
        if box:
            inside = np.ones(len(y), dtype=bool)
            for cond, lim in (box.get("limits") or {}).items():
                col = sw.runs[cond].to_numpy(float)
                inside &= (col >= lim["min"]) & (col <= lim["max"])
            r = proportion_row(int(y[inside].sum()), int(inside.sum()))
            cell = f"{answer.pct(r['share'])} [{answer.ci(r['low'], r['high'])}]"
        rows.append(f"| {name} | {len(y):,} | {answer.pct(all_row['share'])} "
                    f"[{answer.ci(all_row['low'], all_row['high'])}] | {cell} |")
    return ("The answer above holds for the default structure (the compromise rule, weekly steps). Each row runs "
            f"the same experiment ({points:,} points x strategies x 2 runs, the same random numbers) under one "
            "other structural choice; the last column applies the headline PRIM box found above.\n\n"
            + "\n".join(rows))


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.base_samples < 1 or args.base_samples & (args.base_samples - 1):
        print(f"which_conditions error: --base-samples = {args.base_samples} is not a power of 2", file=sys.stderr)
        return 2
    if args.points < 2 or args.rounds < 1:
        print("which_conditions error: --points must be >= 2 and --rounds >= 1", file=sys.stderr)
        return 2
    t_start = time.perf_counter()
    sweeps, out = Path(args.sweeps), Path(args.out)
    timings: dict[str, float] = {}

    cond_name, sobol_name = ("conditions_posterior", "conditions_sobol_posterior") if args.posterior \
        else ("conditions", "conditions_sobol")
    if args.posterior:
        if args.out == "results/which_conditions":
            out = Path("results/which_conditions_posterior")
        if args.sweeps == "results/sweeps/which_conditions":
            sweeps = Path("results/sweeps/which_conditions_posterior")
        if not Path("results/calibration/posterior.parquet").is_file():
            print("which_conditions error: --posterior = results/calibration/posterior.parquet is missing: run "
                  "python -m sim.calibrate first", file=sys.stderr)
            return 2
    try:  # never into the project's install; over the committed report only in its own folder
        from sim.config.validate import ConfigError
        from sim.files import check_destination

        check_destination(sweeps, "--sweeps")
        check_destination(out, "--out", allow_tracked=out in (Path("results/which_conditions"),
                                                             Path("results/which_conditions_posterior")))
    except ConfigError as err:
        print(f"which_conditions error: {err}", file=sys.stderr)
        return 2
    sobol_rounds, n = [], args.base_samples
    t0 = time.perf_counter()
    sob, cond = declared(sobol_name), declared(cond_name)
    for _ in range(args.rounds):
        runs = n * (sob["conditions"] + 2) * sob["levers"] * sob["replications"]
        sobol_dir = sweeps / f"conditions_sobol_N{n}"
        meta = run_sweep_cli(sobol_name, runs, sobol_dir, args.workers)
        check = sobol_check(sobol_dir, args.seed)
        sobol_rounds.append({"base_samples": n, "runs": runs, "folder": str(sobol_dir), "check": check,
                             "sweep_wall_time_s": meta["wall_time_s"], "reused": meta["reused_finished_sweep"]})
        print(f"which_conditions: Sobol N={n}: max ST half-widths {check['max_ST_half_width']} -> "
              f"{'stable' if check['ok'] else 'not yet'}", file=sys.stderr, flush=True)
        if check["ok"]:
            break
        n *= 2
    timings["sobol sweeps and checks"] = round(time.perf_counter() - t0, 1)

    cond_rounds, points = [], args.points
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        runs = points * cond["levers"] * cond["replications"]
        cond_dir = sweeps / f"conditions_{runs}"
        meta = run_sweep_cli(cond_name, runs, cond_dir, args.workers)
        check = conditions_check(cond_dir, sobol_rounds[-1]["check"]["ranking"], args.seed)
        cond_rounds.append({"points": points, "runs": runs, "folder": str(cond_dir), "check": check,
                            "sweep_wall_time_s": meta["wall_time_s"], "reused": meta["reused_finished_sweep"]})
        print(f"which_conditions: conditions with {runs:,} runs -> {'stable' if check['ok'] else 'not yet'}",
              file=sys.stderr, flush=True)
        if check["ok"]:
            break
        points *= 2
    timings["conditions sweeps and checks"] = round(time.perf_counter() - t0, 1)

    t0 = time.perf_counter()
    settings = Settings(seed=args.seed, fan_runs=args.fan_runs,
                        title="Which conditions produce a formal withdrawal request? The headline experiment",
                        extra_sections=[("How many runs, and why", stability_markdown(sobol_rounds, cond_rounds))])
    report = analyze(cond_dir, out, sobol_dir=sobol_dir, settings=settings,
                     log=lambda msg: print(msg, file=sys.stderr, flush=True))
    timings["analysis"] = round(time.perf_counter() - t0, 1)
    if args.posterior:
        t0 = time.perf_counter()
        text = structural_markdown(cond_name, out, sweeps, args.structure_points, args.workers)
        settings.extra_sections.append(("How the answer changes with the model's structure", text))
        report = analyze(cond_dir, out, sobol_dir=sobol_dir, settings=settings,
                         log=lambda msg: print(msg, file=sys.stderr, flush=True))
        timings["structural variants"] = round(time.perf_counter() - t0, 1)
    timings["total"] = round(time.perf_counter() - t_start, 1)

    doc = {
        "command": "python -m experiments.which_conditions " + " ".join(argv if argv is not None else sys.argv[1:]),
        "report": str(report),
        "stable": bool(sobol_rounds[-1]["check"]["ok"] and cond_rounds[-1]["check"]["ok"]),
        "conditions_sweep": json.loads((cond_dir / "metadata.json").read_text()),
        "sobol_sweep": json.loads((sobol_dir / "metadata.json").read_text()),
        "rounds": {"sobol": sobol_rounds, "conditions": cond_rounds},
        "runs_total": sum(r["runs"] for r in sobol_rounds + cond_rounds),
        "timings_s": timings,
        "note": "runs.parquet is not kept here (tens of MB); the command rebuilds it exactly in --sweeps from the "
                "experiments' root seeds.",
    }
    (out / "metadata.json").write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
    print(f"which_conditions: {doc['runs_total']:,} runs, {timings['total']:.0f} s; report: {report}", flush=True)
    if not doc["stable"]:
        print("which_conditions: warning: the stability targets were not all met within --rounds; "
              "see the report's section 'How many runs, and why'", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
