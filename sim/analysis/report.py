"""The whole analysis of a sweep folder: compute every result, then write report.md with its
figures (sim/analysis/writer.py) and analysis.json beside it.

`analyze(sweep_dir)` runs, in order: outcome shares, Kaplan-Meier time to request, Sobol
indices (when a Saltelli design is at hand), CART, the ranking of conditions, the heatmap
over the top two, PRIM for "formal request" and for "occupation", fan charts from re-run
trajectories (optional), the precision table, then the plain-language answer. Every
number in the report is computed here from the tables.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..files import write_text
from ..provenance import package_versions
from . import answer, by_how_much, cart, fan, heatmap, outcomes, precision, prim_boxes, sensitivity, survival, writer
from .table import Sweep, SweepError, load_sweep, pretty

ANALYSIS_PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "matplotlib", "SALib", "prim", "scikit-learn")


@dataclass
class Settings:
    seed: int = 0
    fan: bool = True
    fan_runs: int = 120
    threshold: float = prim_boxes.LIKELY
    prim_rows: int = 100_000
    cart_rows: int = 200_000
    heat_bins: int = 8
    heat_conditions: tuple | None = None                 # two condition columns; default: the two most influential
    sobol_resamples: int = 1000
    level: float = 0.95
    title: str = "Which conditions produce a formal withdrawal request?"
    extra_sections: list = field(default_factory=list)   # (heading, markdown) printed before "Experiment"
    lead: list = field(default_factory=list)             # paragraphs that open "The answer" (the curve per rule)


@dataclass
class Results:
    """Everything the report shows, computed from the sweep tables."""

    sweep: Sweep
    sobol_sweep: Sweep | None
    settings: Settings
    overall: str                      # the group "all levers", or the single lever
    groups: list[str]                 # levers, then "all levers" when there are several
    shares: pd.DataFrame              # outcome shares per group
    rate: pd.DataFrame                # P(formal request) per group
    after: pd.DataFrame               # outcomes after a formal request
    base: pd.Series                   # P(formal request) over all runs
    occupation_all: pd.Series         # P(occupation) over all runs
    km: dict                          # Kaplan-Meier curve per lever
    sobol: dict | None                # output -> Sobol indices
    sobol_note: str
    cart: Any                         # cart.CartResult or None
    ranking: list[str]
    ranking_how: str
    heat_pair: tuple                  # the heatmap's two conditions
    grid: pd.DataFrame | None
    prim_runs: int
    request_boxes: list
    request_whole: list
    occupation_boxes: list
    occupation_whole: list
    fans: dict | None
    precision: pd.DataFrame
    paragraphs: list[str]
    timings: dict
    curve_condition: str | None = None     # the condition the "by how much" curves run over
    curves: pd.DataFrame | None = None     # by_how_much.share_curve
    paired: pd.DataFrame | None = None     # by_how_much.paired_differences

    @property
    def has_conditions(self) -> bool:
        return len(self.sweep.conditions) > 0


def boxes_over_all_runs(boxes, runs: pd.DataFrame, y: np.ndarray, levers: list[str], level: float,
                        seen: np.ndarray | None = None) -> list[dict]:
    """Each box's share of cases over all runs of the table (not only PRIM's sample), with
    Wilson intervals, overall and per lever, and on the runs PRIM did not see (`seen` is
    False) when there are any. As in PRIM, box k counts only the runs outside boxes 1..k-1."""
    lever = runs["lever"].astype(str).to_numpy()
    outside = np.ones(len(runs), dtype=bool)
    out = []
    for box in boxes:
        in_box = box.contains(runs)
        inside = in_box & outside
        whole = outcomes.proportion_row(int(y[inside].sum()), int(inside.sum()), level)
        whole["by_lever"] = {g: outcomes.proportion_row(int(y[inside & (lever == g)].sum()),
                                                        int((inside & (lever == g)).sum()), level) for g in levers}
        if seen is not None and not seen.all():
            unseen = inside & ~seen
            whole["held_out"] = outcomes.proportion_row(int(y[unseen].sum()), int(unseen.sum()), level)
        out.append(whole)
        outside &= ~in_box
    return out


def _sobol(sobol_sweep: Sweep | None, s: Settings, rng) -> tuple[dict | None, str]:
    if sobol_sweep is None:
        return None, ("not available: this sweep is not a Saltelli design. Run "
                      "`python -m sim.sweep experiment=conditions_sobol` and pass its folder with `--sobol DIR`.")
    if sobol_sweep.sampler != "saltelli":
        return None, (f"not available: {sobol_sweep.path} was drawn with the {sobol_sweep.sampler!r} sampler, "
                      "not saltelli.")
    return sensitivity.sobol_for_sweep(sobol_sweep.runs, sobol_sweep.conditions, sobol_sweep.horizon, level=s.level,
                                       resamples=s.sobol_resamples, seed=int(rng.integers(2**31))), ""


def compute(sweep_dir, *, sobol_dir=None, settings: Settings | None = None, log=print) -> Results:
    """Load the sweep(s) and compute every result of the report."""
    s = settings or Settings()
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def tick(step):
        now = time.perf_counter()
        timings[step] = round(now - clock[0], 3)
        clock[0] = now
        log(f"analysis: {step} {timings[step]:.1f} s")

    sweep = load_sweep(sweep_dir)
    sobol_sweep = load_sweep(sobol_dir) if sobol_dir else (sweep if sweep.sampler == "saltelli" else None)
    runs, levers = sweep.runs, sweep.levers
    rng_prim, rng_cart, rng_fan, rng_sobol = (np.random.default_rng(q) for q in np.random.SeedSequence(s.seed).spawn(4))
    tick("load")

    overall = outcomes.ALL if len(levers) > 1 else levers[0]
    shares = outcomes.outcome_shares(runs, "lever", levers, s.level)
    rate = outcomes.request_rate(runs, "lever", levers, s.level)
    after = outcomes.after_request(runs, "lever", levers, s.level)
    base = outcomes.request_rate(runs, None, None, s.level).iloc[0]
    occupation_all = shares[(shares["group"] == overall) & (shares["outcome"] == "occupation")].iloc[0]
    km = survival.curves_by(runs, "lever", levers, s.level)
    tick("outcomes and survival")

    sobol, sobol_note = _sobol(sobol_sweep, s, rng_sobol)
    tick("sobol")

    has_conditions = len(sweep.conditions) > 0
    y_req = runs["formal_request"].to_numpy()
    cart_result = None
    if has_conditions and 0 < y_req.sum() < len(y_req):
        names = {c: sweep.label(c) for c in sweep.conditions}
        names.update({f"lever={g}": f"Washington plays {pretty(g)}" for g in levers})
        cart_result = cart.fit_cart(cart.features(runs, sweep.conditions, levers), y_req, rng_cart,
                                    max_rows=s.cart_rows, names=names)
    tick("cart")

    sobol_p = sobol["p_request"] if sobol is not None else None
    ranking, ranking_how = heatmap.rank_conditions(sweep.conditions, sobol_p,
                                                   cart_result.importance if cart_result else None)
    heat_pair = tuple(ranking[:2])
    if s.heat_conditions:
        heat_pair = tuple(s.heat_conditions)
        unknown = [c for c in heat_pair if c not in sweep.conditions]
        if len(heat_pair) != 2 or unknown:
            raise SweepError(f"heatmap conditions {list(heat_pair)}: give two of the sweep's conditions "
                             f"{list(sweep.conditions)}")
    grid = None
    if len(heat_pair) == 2:
        grid = heatmap.probability_grid(runs, heat_pair[0], heat_pair[1], sweep.bounds, bins=s.heat_bins, by="lever",
                                        groups=levers, level=s.level)
    tick("heatmap")

    request_boxes, occupation_boxes, request_whole, occupation_whole = [], [], [], []
    prim_idx = np.sort(rng_prim.choice(len(runs), s.prim_rows, replace=False)) if len(runs) > s.prim_rows \
        else np.arange(len(runs))
    y_occ = (runs["outcome"].astype(str) == "occupation").to_numpy()
    if has_conditions:
        x_prim = runs[list(sweep.conditions)].iloc[prim_idx].reset_index(drop=True)
        request_boxes = prim_boxes.discover(x_prim, y_req[prim_idx], "formal request", threshold=s.threshold)
        occupation_boxes = prim_boxes.discover(x_prim, y_occ[prim_idx], "occupation", threshold=s.threshold)
        seen = np.zeros(len(runs), dtype=bool)
        seen[prim_idx] = True
        request_whole = boxes_over_all_runs(request_boxes, runs, y_req, levers, s.level, seen)
        occupation_whole = boxes_over_all_runs(occupation_boxes, runs, y_occ, levers, s.level, seen)
    tick("prim")

    fans = None
    if s.fan and s.fan_runs > 0:
        from ..sweep.rerun import trajectories  # the one way analysis runs the model (docs/architecture.md)

        traj = trajectories(sweep.path, fan.sample_runs(runs, s.fan_runs, rng_fan))
        fans = {col: fan.bands(traj, col) for col in fan.SERIES}
    tick("fan charts (re-runs)")

    curve_condition = ranking[0] if has_conditions and ranking else None
    curves = by_how_much.share_curve(runs, curve_condition, level=s.level) if curve_condition else None
    paired = by_how_much.paired_differences(runs, level=s.level)
    tick("by how much")

    prec = precision.precision_table(shares=shares[shares["group"] != outcomes.ALL],
                                     rate=rate[rate["group"] != outcomes.ALL], grid=grid,
                                     request_box_all=request_whole, sobol=sobol)
    paragraphs = answer.headline(
        base=base, request_boxes=request_boxes, request_box_all=request_whole, occupation_boxes=occupation_boxes,
        occupation_all=occupation_all, after=after, ranking=ranking, ranking_how=ranking_how, sobol=sobol_p,
        bounds=sweep.bounds, label=sweep.label, threshold=s.threshold, runs=len(runs))
    if not has_conditions:
        paragraphs.append("This sweep has no uncertain conditions, so there are no conditions to tell apart: "
                          "the sections on conditions below say so.")
    return Results(sweep=sweep, sobol_sweep=sobol_sweep, settings=s, overall=overall,
                   groups=levers + ([outcomes.ALL] if len(levers) > 1 else []), shares=shares, rate=rate, after=after,
                   base=base, occupation_all=occupation_all, km=km, sobol=sobol, sobol_note=sobol_note,
                   cart=cart_result, ranking=ranking, ranking_how=ranking_how, heat_pair=heat_pair, grid=grid, prim_runs=len(prim_idx),
                   request_boxes=request_boxes, request_whole=request_whole, occupation_boxes=occupation_boxes,
                   occupation_whole=occupation_whole, fans=fans, precision=prec, paragraphs=paragraphs,
                   timings=timings, curve_condition=curve_condition, curves=curves, paired=paired)


def check_settings(s: Settings) -> None:
    """Refuse settings the analysis cannot use (SweepError naming the setting)."""
    if isinstance(s.fan_runs, bool) or not isinstance(s.fan_runs, int) or s.fan_runs < 0:
        raise SweepError(f"fan_runs = {s.fan_runs!r} is not allowed: an integer >= 0")
    if isinstance(s.prim_rows, bool) or not isinstance(s.prim_rows, int) or s.prim_rows < 100:
        raise SweepError(f"prim_rows = {s.prim_rows!r} is not allowed: an integer >= 100")
    if not isinstance(s.threshold, (int, float)) or not 0 < s.threshold <= 1:
        raise SweepError(f"threshold = {s.threshold!r} is not allowed: a number in (0, 1]")
    if s.heat_conditions is not None and len(s.heat_conditions) != 2:
        raise SweepError(f"heatmap = {s.heat_conditions!r} is not allowed: two condition columns")


def analyze(sweep_dir, out_dir=None, *, sobol_dir=None, settings: Settings | None = None, log=print) -> Path:
    """Analyse the sweep in `sweep_dir`; write report.md, its figures and analysis.json into
    `out_dir` (default `sweep_dir/report`). `sobol_dir`: a sweep drawn with the saltelli
    sampler for the Sobol section (default: `sweep_dir` itself when it is one). Returns
    report.md's path."""
    r = compute(sweep_dir, sobol_dir=sobol_dir, settings=settings, log=log)
    return write_report(r, out_dir, log=log)


def write_report(r: Results, out_dir=None, *, log=print) -> Path:
    """Write report.md, its figures and analysis.json for computed results into `out_dir`
    (default: the sweep's folder / report); return report.md's path."""
    t0 = time.perf_counter() - sum(r.timings.values())  # the total counts the computing too
    out_dir = Path(out_dir) if out_dir else r.sweep.path / "report"
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("report.md", "analysis.json"):  # an earlier report must not look like this one if writing fails
        (out_dir / stale).unlink(missing_ok=True)
    t1 = time.perf_counter()
    text = writer.render(r, out_dir, package_versions(ANALYSIS_PACKAGES))
    r.timings["write report"] = round(time.perf_counter() - t1, 3)
    r.timings["total"] = round(time.perf_counter() - t0, 3)
    log(f"analysis: write report {r.timings['write report']:.1f} s")
    write_text(out_dir / "analysis.json", json.dumps(summary_doc(r), indent=2, default=_json_default) + "\n")
    write_text(out_dir / "report.md", text)  # last, and whole or not at all: its presence means complete
    log(f"analysis: report written to {out_dir / 'report.md'} ({r.timings['total']:.1f} s)")
    return out_dir / "report.md"


def summary_doc(r: Results) -> dict:
    """The report's key numbers, machine-readable (analysis.json)."""
    return {
        "sweep": str(r.sweep.path), "experiment": r.sweep.name, "runs": len(r.sweep.runs),
        "sobol_sweep": str(r.sobol_sweep.path) if r.sobol is not None else None,
        "settings": {k: v for k, v in r.settings.__dict__.items() if k != "extra_sections"},
        "answer": r.paragraphs,
        "formal_request_rate": {g: {k: float(row[k]) for k in ("share", "low", "high")}
                                for g, row in r.rate.set_index("group").iterrows()},
        "request_boxes": [_box_doc(b, w) for b, w in zip(r.request_boxes, r.request_whole)],
        "occupation_boxes": [_box_doc(b, w) for b, w in zip(r.occupation_boxes, r.occupation_whole)],
        "ranking": {"how": r.ranking_how, "conditions": r.ranking},
        "sobol": {k: v.to_dict("records") for k, v in r.sobol.items()} if r.sobol is not None else None,
        "precision": r.precision.to_dict("records"),
        "timings_s": r.timings,
        "packages": package_versions(ANALYSIS_PACKAGES),
    }


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    return str(o)


def _box_doc(box, whole) -> dict:
    return {"number": box.number, "reached": box.reached, "coverage": box.coverage, "density": box.density,
            "mass": box.mass, "density_all_runs": {k: whole[k] for k in ("share", "low", "high", "total")},
            "limits": {c: {"min": float(v["min"]), "max": float(v["max"]), "qp": float(v["qp"]),
                           "significant": bool(v["significant"])} for c, v in box.limits.iterrows()},
            "dropped": list(box.dropped)}
