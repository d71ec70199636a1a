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
3. The answer as a curve: one sweep of the conditions experiment per collective rule
   (compromise, median, bdm in its text and replication readings; `--curve-points` points,
   the same root seed, so the rules meet the same random worlds), P(formal request) and each
   outcome's share per tenth of the chance of an anti-American PM with a majority (swept over
   its whole domain) and per strategy (`sim.analysis.curve`); the answer's first paragraph
   states it per rule. The same design under best response and 3- and 14-day steps
   (`--structure-points`) gives the structural table: a result is read only where it holds
   under those looks.
4. The analysis (`sim.analysis.report.analyze`) of both sweeps, with fan charts from runs
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
import pandas as pd

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
    p.add_argument("--curve-points", type=int, default=2000,
                   help="points of each collective rule's sweep for the answer as a curve (default 2000, x 3 "
                        "strategies x the experiment's replications)")
    p.add_argument("--structure-points", type=int, default=500,
                   help="points per other structural variant: best response, 3- and 14-day steps (default 500, x 3 "
                        "strategies x the experiment's replications)")
    return p.parse_args(argv)


#: the collective rules the answer is stated under: how Baghdad's factions aggregate their stances
#: is an assumption of the model (docs/odd.md), not a fact of the article, and it moves the answer
#: as much as any condition; name -> settings added to every lever
RULES = {
    "compromise": {"behaviour.collective_rule": "compromise"},
    "median": {"behaviour.collective_rule": "median"},
    "bdm (text reading)": {"behaviour.collective_rule": "bdm", "behaviour.bdm_reading": "text"},
    "bdm (replication reading)": {"behaviour.collective_rule": "bdm", "behaviour.bdm_reading": "replication"},
}
#: the other looks a result needs before it is believed: best response and other step lengths;
#: name -> (settings added to every lever, step days or None)
STRUCTURE_CHECKS = {
    "step of 3 days": ({}, 3),
    "step of 14 days": ({}, 14),
    "best response (rationality = inf)": ({"behaviour.rationality": float("inf")}, None),
}
#: the condition the answer is read as a curve of (F15): swept over its whole domain [0, 1]
CURVE_CONDITION = "government.p_anti_american_pm"


def variant_experiment(base, settings: dict, step: int | None, points: int, replications: int):
    """The experiment `base` under one structural choice: `settings` added to every lever (a
    declared condition the settings fix is dropped: a lever's key is never also sampled),
    `step` days per step, `points` points. The same root seed: the variants meet the same
    random worlds (common random numbers across variants)."""
    import dataclasses

    levers = {k: {**(v or {}), **settings} for k, v in base.levers.items()} or {"status_quo": dict(settings)}
    kept = [u for u in base.uncertainties if u.param not in settings]
    return dataclasses.replace(base, points=points, replications=replications, levers=levers, uncertainties=kept,
                               step_days=step or base.step_days)


def run_variant(base, name: str, settings: dict, step: int | None, points: int, replications: int, sweeps: Path,
                workers: int | None):
    """Run (or reuse, when finished with the same plan) one structural variant's sweep; its table."""
    from sim.sweep.plan import make_plan
    from sim.sweep.runner import run_sweep

    exp = variant_experiment(base, settings, step, points, replications)
    folder = sweeps / ("variant_" + "".join(ch if ch.isalnum() else "_" for ch in name).strip("_"))
    print(f"which_conditions: structural variant {name} ({folder})", file=sys.stderr, flush=True)
    run_sweep(make_plan(exp), folder, engine="batch", executor="local", workers=workers, chunk_size=10_000,
              overwrite=True)
    return load_sweep(folder)


def curves_section(experiment: str, out: Path, sweeps: Path, points: int, workers: int | None) -> tuple[str, str, dict]:
    """The answer as a curve of the chance of an anti-American PM with a majority, per strategy
    and per collective rule: one sweep of the experiment per rule (`points` points, the
    experiment's replications and strategies), curve.csv and the curve figure in `out`.
    Returns (the section's markdown, the answer's lead paragraph, the variants' tables)."""
    from sim.analysis import curve
    from sim.analysis.writer import md_table
    from sim.config import experiment_config
    from sim.style import save_figure

    base = experiment_config(experiment)
    if CURVE_CONDITION not in [u.param for u in base.uncertainties]:
        raise SystemExit(f"which_conditions: experiment {experiment} does not sweep {CURVE_CONDITION}")
    tables = {name: run_variant(base, f"rule {name}", settings, None, points, base.replications, sweeps, workers)
              for name, settings in RULES.items()}
    label = tables["compromise"].label(CURVE_CONDITION)
    # the declared range, not the sample's extremes: a small sweep need not draw near 0 or 1
    declared = next(u for u in base.uncertainties if u.param == CURVE_CONDITION)
    if float(declared.low) > 0.0 or float(declared.high) < 1.0:
        raise SystemExit(f"which_conditions: experiment {experiment} sweeps {CURVE_CONDITION} over "
                         f"{float(declared.low):g}-{float(declared.high):g}, not its whole domain [0, 1]")
    curves = curve.rule_curves({name: sw.runs for name, sw in tables.items()}, CURVE_CONDITION,
                               domain=(float(declared.low), float(declared.high)))
    curves.to_csv(out / "curve.csv", index=False)
    save_figure(curve.plot_rule_curves(curves, label), out / "curve")
    runs = len(next(iter(tables.values())).runs)
    lead = curve.lead_paragraph(curves, label)
    outcome_rows = []
    for (variant, group), part in curves[curves["event"] != "formal_request"].groupby(["variant", "group"], sort=False):
        for e, ep in part.groupby("event", sort=False):
            ep = ep.sort_values("x")
            outcome_rows.append({"rule": variant, "strategy": group.replace("_", " "), "outcome": e.replace("_", " "),
                                 "lowest tenth": f"{answer.pct(ep['share'].iloc[0], 1)}",
                                 "highest tenth": f"{answer.pct(ep['share'].iloc[-1], 1)}",
                                 "largest": f"{answer.pct(ep['share'].max(), 1)} at {ep.loc[ep['share'].idxmax(), 'x']:.2f}"})
    text = "\n".join([
        "![The answer as a curve](curve.png)", "",
        f"*Reading:* each row is one collective rule, each column one event (a formal request, then each outcome); "
        f"the lines are Washington's strategies with 95% Wilson bands per tenth of the {label}; the dotted line is 2/3. "
        f"Each rule's sweep is the experiment `{experiment}` with {points:,} points x {len(base.levers)} strategies x "
        f"{base.replications} runs ({runs:,} runs), the {label} over its whole domain and the same random worlds "
        "under every rule. ([SVG](curve.svg); every cell in `curve.csv`)", "",
        "The chance of a formal request per tenth of the condition, per collective rule (Washington's status quo; "
        "95% Wilson intervals):", "",
        md_table(curve.curve_table(curves, group="status_quo")), "",
        "The same under the compromise rule, per Washington strategy:", "",
        md_table(curve.curve_table(curves, variant="compromise")), "",
        "Each outcome's share at the lowest and the highest tenth of the condition, and where it is largest:", "",
        md_table(pd.DataFrame(outcome_rows)), ""])
    return text, lead, tables


def structure_section(experiment: str, sweeps: Path, points: int, workers: int | None,
                      rule_tables: dict) -> str:
    """P(formal request) and the share of each outcome under each collective rule (the curve
    sweeps) and under the other looks (best response, 3- and 14-day steps), with 95% Wilson
    intervals."""
    from sim.analysis.outcomes import proportion_row
    from sim.analysis.writer import md_table
    from sim.config import experiment_config

    base = experiment_config(experiment)
    tables = {f"collective rule: {k}": v for k, v in rule_tables.items()}
    for name, (settings, step) in STRUCTURE_CHECKS.items():
        tables[name] = run_variant(base, name, settings, step, points, base.replications, sweeps, workers)
    rows = []
    for name, sw in tables.items():
        runs = sw.runs
        y = runs["formal_request"].to_numpy()
        row = {"structural choice": name, "runs": f"{len(y):,}"}
        r = proportion_row(int(y.sum()), len(y))
        row["P(formal request)"] = f"{answer.pct(r['share'])} [{answer.ci(r['low'], r['high'])}]"
        outcome = runs["outcome"].astype(str).to_numpy()
        for o in ("request_withdrawn", "withdrawal_completed", "occupation", "negotiated_drawdown"):
            k = int((outcome == o).sum())
            r = proportion_row(k, len(y))
            row[o.replace("_", " ")] = f"{answer.pct(r['share'], 1)}"
        rows.append(row)
    return ("Every row is the experiment under one structural choice, over its whole design (for the rules, the curve "
            "sweeps above; for the others, " + f"{points:,} points x strategies x {base.replications} runs" + "), with "
            "the same random worlds. A result of the model is read only where it holds under best response and "
            "another step length; where the collective rule moves it, it is stated per rule.\n\n"
            + md_table(pd.DataFrame(rows)))


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.base_samples < 1 or args.base_samples & (args.base_samples - 1):
        print(f"which_conditions error: --base-samples = {args.base_samples} is not a power of 2", file=sys.stderr)
        return 2
    if args.points < 2 or args.rounds < 1 or args.curve_points < 10 or args.structure_points < 1:
        print("which_conditions error: --points must be >= 2, --rounds >= 1, --curve-points >= 10 and "
              "--structure-points >= 1", file=sys.stderr)
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
        from sim.calibrate.tables import verify_calibration_table
        from sim.config.validate import ConfigError

        try:  # an edited posterior, or one without its checksum, is refused before any sweep
            verify_calibration_table("results/calibration/posterior.parquet")
        except ConfigError as err:
            print(f"which_conditions error: {err}", file=sys.stderr)
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
    out.mkdir(parents=True, exist_ok=True)
    curve_text, lead, rule_tables = curves_section(cond_name, out, sweeps, args.curve_points, args.workers)
    structure_text = structure_section(cond_name, sweeps, args.structure_points, args.workers, rule_tables)
    timings["curves and structural variants"] = round(time.perf_counter() - t0, 1)

    t0 = time.perf_counter()
    settings = Settings(seed=args.seed, fan_runs=args.fan_runs, lead=[lead],
                        title="Which conditions produce a formal withdrawal request? The headline experiment",
                        extra_sections=[("The answer as a curve", curve_text),
                                        ("How the answer changes with the model's structure", structure_text),
                                        ("How many runs, and why", stability_markdown(sobol_rounds, cond_rounds))])
    report = analyze(cond_dir, out, sobol_dir=sobol_dir, settings=settings,
                     log=lambda msg: print(msg, file=sys.stderr, flush=True))
    timings["analysis"] = round(time.perf_counter() - t0, 1)
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
