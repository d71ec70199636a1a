"""report.md from the computed results (sim/analysis/report.py): one function per section,
each writing its figures (PNG and SVG, sim/analysis/figures.py) and returning its lines.
Every reading under a figure is generated from the numbers; the only fixed prose is the
section frames and the limits of the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import answer, by_how_much, fan, figures, heatmap, outcomes, prim_boxes, sensitivity, survival
from .table import Sweep, markdown_text, pretty

KM_WEEKS = (13, 26, 52, 104, 156)

LIMITS_TEXT = """\
- **One article, many assumptions.** Actors, payoffs and events come from one Middle East Eye
  article of January 2020 (facts F1–F24); coefficients the article does not give are
  assumptions with ranges (see `sim/config/schema.py`). The chances above are chances *in the
  model* over the swept ranges, not forecasts of what Baghdad did or will do.
- **Uniform ranges.** Conditions are drawn uniformly and independently over their ranges; a
  share "over all runs" weighs every combination equally, including unlikely ones. A box's
  density does not depend on this; its mass and coverage do.
- **Stylised actors.** Five Baghdad blocs on one issue axis, one prime minister, Washington and
  Tehran, choosing by logit (quantal response) over stylised payoffs; no courts, no coalition
  bargaining over posts, no other foreign actors, no events after the 2018 parliament's seats.
- **Formal request only.** The clock starts with a formal request under the 2014 notes (F4,
  F10); the model has no other legal route, and a retracted request cannot be made again.
- **Statistics.** Intervals treat runs as independent. Every point and replication has its
  own random world; the strategies share it (common random numbers, for the paired
  differences), so intervals pooled over strategies are somewhat too narrow. PRIM and CART describe where outcomes concentrate in the model's input
  space; they are not causal claims. Sobol indices average over the replications of each
  point and pool levers; with few base samples their bootstrap intervals are wide.
- **Fan charts** come from a small random sample of runs re-run with trajectories; their
  outer bands are rough.
"""


# ---------------------------------------------------------------- helpers
def md_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    rows = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    rows += ["| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(rows)


def figure(out_dir, fig, name: str, alt: str, reading: str) -> list[str]:
    png = figures.save(fig, out_dir, name)
    return [f"![{alt}]({png})", "", f"*Reading:* {reading} ([SVG]({name}.svg))", ""]


def share_cell(r) -> str:
    return f"{answer.pct(r['share'], 1)} [{answer.ci(r['low'], r['high'], 1)}]"


def feature_label(sweep: Sweep, feature: str) -> str:
    return f"Washington plays {pretty(feature[6:])}" if feature.startswith("lever=") else sweep.label(feature)


# ---------------------------------------------------------------- sections
def section_answer(r) -> list[str]:
    lines = ["## The answer", ""]
    for p in [*r.settings.lead, *r.paragraphs]:
        lines += [p, ""]
    return lines


def section_outcomes(r, out_dir) -> list[str]:
    shares, rate, after = r.shares, r.rate, r.after
    occ = shares[shares["outcome"] == "occupation"]
    top = shares[shares["group"] == r.overall].sort_values("share").iloc[-1]
    levers = [g for g in r.groups if g != outcomes.ALL]
    occ_by = {g: float(v) for g, v in zip(occ["group"], occ["share"]) if g in levers}
    rate_by = {g: float(v) for g, v in zip(rate["group"], rate["share"]) if g in levers}
    reading = (f"the most common outcome is {pretty(top['outcome'])} ({answer.pct(top['share'])}); "
               + by_how_much.spread_phrase(occ_by, "occupation", lambda v: answer.pct(v, 1)) + "; "
               + by_how_much.spread_phrase(rate_by, "the share of runs with a formal request", answer.pct) + ".")
    lines = ["## Outcomes", ""]
    lines += figure(out_dir, outcomes.plot_outcome_shares(shares), "outcomes", "Outcome shares by strategy", reading)
    table = shares.pivot(index="outcome", columns="group", values=["share", "low", "high"])
    cols = [g for g in r.groups if g in table["share"].columns]
    rows = [{"outcome": pretty(o), **{pretty(g): share_cell({k: table[k].loc[o, g] for k in ("share", "low", "high")})
                                      for g in cols}} for o in outcomes.OUTCOMES]
    rows.append({"outcome": "**formal request made**",
                 **{pretty(g): share_cell(row) for g in cols for _, row in rate[rate["group"] == g].iterrows()}})
    lines += ["Share of runs per outcome, with 95% Wilson intervals:", "", md_table(pd.DataFrame(rows)), ""]
    if len(after):
        at = after.pivot(index="outcome", columns="group", values=["share", "low", "high"])
        rows = [{"after a formal request": pretty(o),
                 **{pretty(g): share_cell({k: at[k].loc[o, g] for k in ("share", "low", "high")}) for g in cols
                    if g in at["share"].columns}} for o in at.index]
        lines += ["What follows a formal request (shares of the runs with one):", "", md_table(pd.DataFrame(rows)), ""]
    return lines


def section_by_how_much(r, out_dir) -> list[str]:
    """Outcome shares against the most influential condition, and paired differences
    between the strategies (common random numbers)."""
    lines = ["## By how much", ""]
    if r.curves is not None and len(r.curves):
        label = r.sweep.label(r.curve_condition)
        req = r.curves[(r.curves["event"] == "formal_request")]
        first = req.groupby("group")["bin"].transform("min") == req["bin"]
        last = req.groupby("group")["bin"].transform("max") == req["bin"]
        parts = [f"from {answer.pct(a.share)} [{answer.ci(a.low, a.high)}] at the lowest tenth to "
                 f"{answer.pct(b.share)} [{answer.ci(b.low, b.high)}] at the highest ({pretty(g)})"
                 for (g, a), (_, b) in zip(req[first].set_index("group").iterrows(),
                                           req[last].set_index("group").iterrows())]
        reading = (f"over the swept range of {answer.the(label)}, the chance of a formal request goes " + answer.join(parts)
                   + "; bands are 95% Wilson intervals per bin.")
        lines += figure(out_dir, by_how_much.plot_curves(r.curves, label), "by_how_much",
                        f"Outcome shares against {answer.the(label)}", reading)
    else:
        lines += ["No condition is swept, so there is no curve over a condition.", ""]
    if r.paired is not None and len(r.paired):
        rows = [{"strategy": pretty(row.lever), "against": pretty(row.reference), "event": pretty(row.event),
                 "difference": f"{100 * row.difference:+.1f} points [{100 * row.low:+.1f}, {100 * row.high:+.1f}]",
                 "half-width if unpaired": f"{100 * row.independent_half_width:.1f} points", "pairs": f"{row.pairs:,}"}
                for row in r.paired.itertuples()]
        lines += ["Paired differences between strategies: the same point and replication under two strategies draw "
                  "the same random numbers, so the difference is taken run by run (mean and 95% interval of the "
                  "paired differences); the last column is the interval's half-width had the runs been independent.",
                  "", md_table(pd.DataFrame(rows)), ""]
    else:
        lines += ["One strategy only, so there are no differences between strategies.", ""]
    return lines


def section_survival(r, out_dir) -> list[str]:
    meds = {g: survival.median_time(c) for g, c in r.km.items()}
    at52 = {g: 1 - survival.survival_at(c, 52)["survival"] for g, c in r.km.items()}
    reading = ("by week 52, " + answer.join([f"{answer.pct(v)} of runs under {pretty(g)}" for g, v in at52.items()])
               + " have seen a formal request; median time to a request: "
               + answer.join([f"{int(m)} weeks ({pretty(g)})" if m is not None else f"not reached ({pretty(g)})"
                              for g, m in meds.items()]) + ".")
    lines = ["## Time to a formal request", ""]
    lines += figure(out_dir, survival.plot_curves(r.km, r.sweep.horizon), "time_to_request",
                    "Kaplan-Meier curves of time to formal request", reading)
    rows = []
    for g, c in r.km.items():
        row = {"strategy": pretty(g)}
        for w in KM_WEEKS:
            at = survival.survival_at(c, w)
            row[f"by week {w}"] = f"{answer.pct(1 - at['survival'], 1)} [{answer.ci(1 - at['high'], 1 - at['low'], 1)}]"
        rows.append(row)
    return lines + ["Share of runs with a formal request by a given week (1 − Kaplan-Meier survival, 95% log-log "
                    "Greenwood band; runs without a request censored at the horizon):", "",
                    md_table(pd.DataFrame(rows)), ""]


def section_heatmap(r, out_dir) -> list[str]:
    lines = ["## Chance of a formal request over two conditions", ""]
    if r.grid is None:
        return lines + ["Not applicable: this sweep has fewer than two uncertain conditions.", ""]
    grid, sw, (cx, cy) = r.grid, r.sweep, r.heat_pair
    bx, by = sw.bounds[cx], sw.bounds[cy]

    def cell(row):
        return (f"{sw.label(cx)} {answer.fmt_value(row['x_low'], bx)}–{answer.fmt_value(row['x_high'], bx)}, "
                f"{sw.label(cy)} {answer.fmt_value(row['y_low'], by)}–{answer.fmt_value(row['y_high'], by)} "
                f"({pretty(row['group'])})")

    best, worst = grid.loc[grid["share"].idxmax()], grid.loc[grid["share"].idxmin()]
    chosen = ("the two conditions ranked first by " + r.ranking_how if tuple(r.ranking[:2]) == (cx, cy)
              else "two conditions chosen with --heatmap")
    reading = (f"{chosen}; the chance is highest, "
               f"{answer.pct(best['share'])}, at {cell(best)} and lowest, {answer.pct(worst['share'])}, at "
               f"{cell(worst)}; median cell 95% half-width "
               f"{answer.pct(np.nanmedian((grid['high'] - grid['low']) / 2), 1)}.")
    return lines + figure(out_dir, heatmap.plot_grid(grid, sw.label(cx), sw.label(cy)), "heatmap",
                          "P(formal request) over two conditions", reading)


def section_fans(r, out_dir) -> list[str]:
    lines = ["## Troops and Iranian influence over time", ""]
    if r.fans is None:
        return lines + ["Fan charts skipped (`--no-fan`): they are the one step that re-runs runs.", ""]
    h = r.sweep.horizon

    def at_horizon(frame):
        return {g: f[f["week"] == min(h, int(f["week"].max()))].iloc[0] for g, f in frame.groupby("group", sort=False)}

    tr, ir = at_horizon(r.fans["troops"]), at_horizon(r.fans["iran_influence"])
    n = int(r.fans["troops"].groupby("group")["runs"].first().sum())
    reading = (f"at the horizon (week {h}) the median troop level is "
               + answer.join([f"{v['q50']:,.0f} under {pretty(g)} (90% band {v['q05']:,.0f}–{v['q95']:,.0f})"
                              for g, v in tr.items()])
               + "; median Iranian influence " + answer.join([f"{v['q50']:.2f} ({pretty(g)})" for g, v in ir.items()])
               + f"; from {n} runs re-run with trajectories, each checked against its row in the table.")
    return lines + figure(out_dir, fan.plot_fans(r.fans, h), "fan_charts", "Fan charts of troops and Iranian influence",
                          reading)


def _earlier(number: int) -> str:
    return "box 1" if number == 2 else f"boxes 1–{number - 1}"


def _limits_table(box, sweep: Sweep) -> pd.DataFrame:
    rows = []
    for cond, lim in box.limits.iterrows():
        b = sweep.bounds[cond]
        rows.append({"condition": sweep.label(cond), "box min": answer.fmt_value(lim["min"], b),
                     "box max": answer.fmt_value(lim["max"], b),
                     "swept range": f"{answer.fmt_value(b[0], b)}–{answer.fmt_value(b[1], b)}",
                     "quasi-p": f"{lim['qp']:.2g}" if lim["qp"] > 0 else "< 1e-300", "significant (p < 0.05)": "yes" if lim["significant"] else "no"})
    return pd.DataFrame(rows)


def prim_section(r, out_dir, name: str, boxes, whole, words: str) -> list[str]:
    """The boxes of one PRIM target: stats, limits, per-lever densities, trade-off and limits figures."""
    sweep, threshold = r.sweep, r.settings.threshold
    if not boxes:
        return [f"No run ended in {words}; there is no box to find.", ""]
    lines = []
    for box, w in zip(boxes, whole):
        head = "reaches" if box.reached else "does not reach"
        lines += [f"**Box {box.number}** (step {box.peel_index} of its peeling trajectory; density {head} "
                  f"{answer.pct(threshold)}): coverage {answer.pct(box.coverage, 1)}, density "
                  f"{answer.pct(box.density, 1)}, mass {answer.pct(box.mass, 1)} ({box.runs_in_box:,} of the "
                  f"{r.prim_runs:,} runs PRIM saw, {box.cases_in_box:,} with {words}). "
                  + (f"Found among the runs outside {_earlier(box.number)}. " if box.number > 1 else "")
                  + f"Over all runs in the box: {answer.pct(w['share'], 1)} (95% CI {answer.ci(w['low'], w['high'], 1)}"
                  f", {w['total']:,} runs)."
                  + (f" On the {w['held_out']['total']:,} of them PRIM did not see: {answer.pct(w['held_out']['share'], 1)}"
                     f" (95% CI {answer.ci(w['held_out']['low'], w['held_out']['high'], 1)})."
                     if w.get("held_out") and w["held_out"]["total"] else "")
                  + (f" Dropped as not significant: {', '.join(sweep.label(d) for d in box.dropped)}."
                     if box.dropped else ""), ""]
        if len(box.limits):
            lines += [md_table(_limits_table(box, sweep)), ""]
        if len(w.get("by_lever", {})) > 1:
            lines += ["Inside the box, by Washington's strategy: " + "; ".join(
                f"{pretty(g)} {answer.pct(v['share'], 1)} [{answer.ci(v['low'], v['high'], 1)}]"
                for g, v in w["by_lever"].items()) + ".", ""]
    b0, title = boxes[0], words.removeprefix("a ")
    t = b0.trajectory
    lines += figure(out_dir, prim_boxes.plot_tradeoff(boxes, f"PRIM peeling trade-off: {title}"), f"prim_{name}_tradeoff",
                    f"PRIM trade-off, {title}",
                    f"peeling box 1 from {answer.pct(t['coverage'].iloc[0])} coverage at "
                    f"{answer.pct(t['density'].iloc[0])} density to {answer.pct(t['coverage'].iloc[-1])} coverage at "
                    f"{answer.pct(t['density'].iloc[-1])} density over {len(t)} steps; the chosen step (circled) keeps "
                    f"{answer.pct(t.loc[b0.peel_index, 'coverage'])} of the cases at "
                    f"{answer.pct(t.loc[b0.peel_index, 'density'])} density with "
                    f"{int(t.loc[b0.peel_index, 'res dim'])} restricted conditions"
                    + (f"; dropping its {len(b0.dropped)} insignificant limit(s) (cross) gives "
                       f"{answer.pct(b0.coverage)} coverage at {answer.pct(b0.density)} density with "
                       f"{len(b0.limits)}." if b0.dropped else "."))
    if len(b0.limits):
        width = {c: (b0.limits.loc[c, "max"] - b0.limits.loc[c, "min"]) /
                 max(sweep.bounds[c][1] - sweep.bounds[c][0], 1e-12) for c in b0.limits.index}
        tight = min(width, key=width.get)
        lines += figure(out_dir, prim_boxes.plot_limits(boxes, sweep.bounds, sweep.label, f"PRIM box limits: {title}"),
                        f"prim_{name}_limits", f"PRIM box limits, {title}",
                        f"box 1 restricts {len(b0.limits)} conditions; the tightest is {sweep.label(tight)}, cut to "
                        f"{answer.pct(width[tight])} of its swept range.")
    return lines


def section_prim(r, out_dir) -> list[str]:
    lines = ["## Scenario discovery (PRIM)", "",
             f"PRIM (Friedman & Fisher 1999; `prim` package) on {r.prim_runs:,} runs"
             + (f" drawn at random from the {len(r.sweep.runs):,}" if r.prim_runs < len(r.sweep.runs) else "")
             + ", over the uncertain conditions (levers pooled). The box chosen on each peeling trajectory is the one "
               f"with the most coverage whose density reaches {answer.pct(r.settings.threshold)} (\"likely\"), else the "
               "densest; limits with a quasi-p-value ≥ 0.05 (Bryant & Lempert 2010) are then dropped. Coverage: share "
               "of all cases inside the box; density: share of the box's runs that are cases; mass: share of runs "
               "inside the box.", ""]
    for name, heading, boxes, whole, words in (
            ("request", "Where a formal request is likely", r.request_boxes, r.request_whole, "a formal request"),
            ("occupation", "Where the runs end in occupation", r.occupation_boxes, r.occupation_whole, "occupation")):
        lines += [f"### {heading}", ""]
        lines += prim_section(r, out_dir, name, boxes, whole, words) if r.has_conditions else \
            ["Not applicable: this sweep has no uncertain conditions.", ""]
    return lines


def section_cart(r) -> list[str]:
    lines = ["## CART cross-check", ""]
    c, sw, threshold = r.cart, r.sweep, r.settings.threshold
    if c is None:
        return lines + ["Not applicable: " + ("this sweep has no uncertain conditions." if not r.has_conditions else
                                              "every run has the same request outcome."), ""]
    lines += [f"A classification tree (CART; scikit-learn, depth 3) fitted to {c.train_runs:,} runs, tested on "
              f"{c.holdout_runs:,} others: held-out AUC {c.holdout_auc:.3f}, accuracy "
              f"{answer.pct(c.holdout_accuracy, 1)} (base rate {answer.pct(c.base_rate, 1)}).", "",
              "```", c.text.rstrip(), "```", ""]
    likely = c.leaves[c.leaves["share"] >= threshold]
    if len(likely):
        lines += [f"Rules (leaves) where a formal request is likely (≥ {answer.pct(threshold)} of training runs):", "",
                  md_table(pd.DataFrame({"rule": likely["rule"], "runs": likely["runs"].map("{:,}".format),
                                         "P(formal request)": likely["share"].map(lambda v: answer.pct(v, 1))})), ""]
    else:
        lines += [f"No leaf reaches {answer.pct(threshold)}; the leaf with the most requests: "
                  f"{c.leaves['rule'].iloc[0]} ({answer.pct(c.leaves['share'].iloc[0], 1)}).", ""]
    imp = c.importance.head(6)
    top = [feature_label(sw, f) for f in c.importance["feature"].head(3)]
    prim_conds = {sw.label(cond) for b in r.request_boxes for cond in b.restricted}
    overlap = [t for t in top if t in prim_conds]
    return lines + [
        "Permutation importance (drop in held-out AUC when a condition is shuffled, mean ± sd of 5 repeats):", "",
        md_table(pd.DataFrame({"condition": [feature_label(sw, f) for f in imp["feature"]],
                               "importance": [f"{m:.4f} ± {sd:.4f}" for m, sd in zip(imp["mean"], imp["std"])]})), "",
        f"*Reading:* the tree's three most important conditions are {answer.join(top)}; "
        + (f"{answer.join(overlap)} also bound{'s' if len(overlap) == 1 else ''} the PRIM request box(es)."
           if overlap else "none of them bounds the PRIM request box(es)."), ""]


def section_sobol(r, out_dir) -> list[str]:
    lines = ["## Global sensitivity (Sobol indices)", ""]
    if r.sobol is None:
        return lines + [f"Sobol indices {r.sobol_note}", ""]
    sw = r.sobol_sweep
    sp, st = r.sobol["p_request"], r.sobol["weeks_to_request"]
    d = len(sw.conditions)
    n_base = (int(sw.runs["point_id"].max()) + 1) // (d + 2)
    lines += [f"From the Saltelli (2010) design of `{sw.name}`: N = {n_base:,} base samples × (D + 2) = "
              f"{n_base * (d + 2):,} points, {len(sw.runs):,} runs; SALib's Sobol analyzer (Jansen total-effect "
              f"estimator), {sensitivity.bootstrap_resamples(n_base, r.settings.sobol_resamples)} bootstrap "
              f"resamples, 95% intervals (±). Outputs per point: the share of its runs with a formal request, and the "
              f"restricted mean weeks to a request (runs without one count as the {sw.horizon}-week horizon).", ""]
    top_p = sp.sort_values("ST", ascending=False).iloc[0]
    top_t = st.sort_values("ST", ascending=False).iloc[0]
    reading = (f"for the chance of a request the largest total index is {sw.label(top_p['condition'])} "
               f"(ST {top_p['ST']:.2f} ± {top_p['ST_conf']:.2f}); for the weeks to a request, "
               f"{sw.label(top_t['condition'])} (ST {top_t['ST']:.2f} ± {top_t['ST_conf']:.2f}); first-order "
               f"indices sum to {sp['S1'].sum():.2f} and {st['S1'].sum():.2f}, so interactions carry about "
               f"{answer.pct(max(0.0, 1 - sp['S1'].sum()))} and {answer.pct(max(0.0, 1 - st['S1'].sum()))} of the "
               f"variance.")
    lines += figure(out_dir, sensitivity.plot_indices(r.sobol, sw.label), "sobol", "Sobol indices", reading)
    m = sp.merge(st, on="condition", suffixes=("_r", "_w")).sort_values("ST_r", ascending=False)

    def pm(a, b):
        return [f"{x:.3f} ± {y:.3f}" for x, y in zip(m[a], m[b])]

    return lines + [md_table(pd.DataFrame({
        "condition": [sw.label(c) for c in m["condition"]],
        "S1 request": pm("S1_r", "S1_conf_r"), "ST request": pm("ST_r", "ST_conf_r"),
        "S1 weeks": pm("S1_w", "S1_conf_w"), "ST weeks": pm("ST_w", "ST_conf_w")})), ""]


def section_precision(r) -> list[str]:
    p = r.precision
    return ["## Precision of the estimates", "",
            "Half-widths of the 95% intervals behind the report, against the targets used to judge whether the "
            "sweep ran enough runs:", "",
            md_table(pd.DataFrame({
                "estimate": p["quantity"],
                "95% half-width": [answer.pct(v, 2) if "Sobol" not in q else (f"{v:.3f}" if np.isfinite(v) else "n/a")
                                   for q, v in zip(p["quantity"], p["half_width"])],
                "target": [answer.pct(t, 0) if "Sobol" not in q else f"{t:.2f}"
                           for q, t in zip(p["quantity"], p["target"])],
                "met": ["yes" if ok else ("no" if ok is False else "n/a") for ok in p["ok"]]})), ""]


def metadata_lines(sweep: Sweep, role: str) -> list[str]:
    m, e = sweep.metadata, sweep.experiment
    pk = m.get("packages") or {}
    points = m.get("points")
    lines = [f"**{role}: `{markdown_text(sweep.name)}`** — {markdown_text(e.get('description') or '')}", "",
             md_table(pd.DataFrame([
                 ("folder", f"`{markdown_text(sweep.path)}`"), ("scenario", markdown_text(m.get("scenario"))),
                 ("sampler", markdown_text(e.get("sampler"))),
                 ("points", f"{points:,}" if isinstance(points, int) else points),
                 ("levers", markdown_text(", ".join(map(str, m.get("levers", []))))),
                 ("replications per point and lever", m.get("replications")),
                 ("runs", f"{m.get('run_count', len(sweep.runs)):,}"), ("horizon (weeks)", sweep.horizon),
                 ("root seed", m.get("root_seed")), ("plan fingerprint", m.get("fingerprint")),
                 ("git commit", markdown_text(m.get("git_commit"))),
                 ("engine / executor / workers", f"{m.get('engine')} / {m.get('executor')} / {m.get('workers')}"),
                 ("sweep wall time", f"{m.get('wall_time_s')} s ({m.get('runs_per_second')} runs/s)"),
                 ("packages", ", ".join(f"{k} {v}" for k, v in pk.items())),
             ], columns=["", "value"])), ""]
    if e.get("uncertainties"):
        domains = m.get("parameter_domains") or {}

        def domain(u: dict) -> str:
            d = domains.get(u["param"])
            if not d:
                return "–"
            whole = float(u["low"]) <= d[0] and float(u["high"]) >= d[1]
            return f"{d[0]:g}–{d[1]:g}" + (" (whole)" if whole else " (narrower: why in the source)")

        lines += ["Uncertain conditions (drawn uniformly over their ranges). A range narrower than the condition's "
                  "domain says why in its source:", "",
                  md_table(pd.DataFrame([{"condition": markdown_text(u.get("label") or u["param"]),
                                          "parameter": f"`{markdown_text(u['param'])}`",
                                          "range": f"{u['low']:g}–{u['high']:g}", "domain": domain(u),
                                          "source": markdown_text(u.get("source", ""))}
                                         for u in e["uncertainties"]])), ""]
    if e.get("table"):
        lines += [f"Every other coefficient is drawn from the rows of `{markdown_text(e['table'])}` (one row per point; the points "
                  "of one Saltelli block share their row, so they differ in the declared conditions only).", ""]
    if e.get("levers"):
        order = [k for k in (m.get("levers") or e["levers"]) if k in e["levers"]]
        over = m.get("lever_settings_over_table") or {}
        lines += ["Levers (Washington's strategy):", "",
                  md_table(pd.DataFrame([{"lever": markdown_text(pretty(k)), "settings": ", ".join(
                      f"`{markdown_text(p)}` = {markdown_text(v)}" for p, v in (e["levers"][k] or {}).items())
                      or "the scenario as it is"}
                      for k in order])), ""]
        if over:
            lines += ["A lever is a policy: where the table has a column for a key the lever sets, the lever's value "
                      "stands in that lever's runs (the column is dropped for it): " + "; ".join(
                          f"{markdown_text(pretty(k))}: {', '.join(f'`{markdown_text(p)}`' for p in v)}"
                          for k, v in over.items()) + ".", ""]
    return lines


def section_experiment(r, versions: dict) -> list[str]:
    s = r.settings
    lines = ["## Experiment", ""] + metadata_lines(r.sweep, "main sweep")
    if r.sobol is not None and r.sobol_sweep is not r.sweep:
        lines += metadata_lines(r.sobol_sweep, "Sobol design")
    return lines + [
        f"**Analysis.** Seed {s.seed} (numpy SeedSequence, one child generator per step); PRIM on at most "
        f"{s.prim_rows:,} runs, CART on at most {s.cart_rows:,}; fan charts from {s.fan_runs if s.fan else 0} re-run "
        f"runs; heatmap {s.heat_bins}×{s.heat_bins} cells; intervals: Wilson for shares, Greenwood log-log for "
        f"Kaplan-Meier, SALib bootstrap for Sobol. Packages: " + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".", ""]


def render(r, out_dir, versions: dict) -> str:
    """The whole report.md text; figures are written into out_dir on the way."""
    sw = r.sweep
    sobol_from = (f" and {len(r.sobol_sweep.runs):,} runs of `{markdown_text(r.sobol_sweep.name)}` for the Sobol "
                  "indices" if r.sobol is not None and r.sobol_sweep is not sw else "")
    lines = [f"# {r.settings.title}", "",
             f"_Generated by `python -m sim.analyze` from {len(sw.runs):,} runs of the `{markdown_text(sw.name)}` "
             f"experiment (`{markdown_text(sw.path)}`){sobol_from}. Every number and reading below is computed from "
             "those tables._", ""]
    lines += section_answer(r)
    lines += section_outcomes(r, out_dir)
    lines += section_by_how_much(r, out_dir)
    lines += section_survival(r, out_dir)
    lines += section_heatmap(r, out_dir)
    lines += section_fans(r, out_dir)
    lines += section_prim(r, out_dir)
    lines += section_cart(r)
    lines += section_sobol(r, out_dir)
    lines += section_precision(r)
    for heading, text in r.settings.extra_sections:
        lines += [f"## {heading}", "", text, ""]
    lines += section_experiment(r, versions)
    lines += ["## Limits of the model", "", LIMITS_TEXT]
    return "\n".join(lines)
