"""The calibration's report (report.md), its figures and the `calibrated` scenario file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.load import shipped_lever_keys
from .priors import prior_median


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    a = abs(x)
    if a != 0 and (a < 0.01 or a >= 1000):
        return f"{x:.3g}"
    return f"{x:.3f}".rstrip("0").rstrip(".") if a < 10 else f"{x:.1f}"


def _table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(v) if isinstance(v, (float, np.floating)) else str(v) for v in row) + " |")
    return "\n".join(lines)


def figures(r, folder: Path, top: list[str]) -> list[str]:
    """Marginals of the most constrained coefficients (prior vs posterior) and a pair plot."""
    from matplotlib.figure import Figure

    names = []
    prior_by = {p.path: p for p in r.priors}
    k = len(top)
    if k == 0:
        return names
    cols = min(3, k)
    rows = -(-k // cols)
    fig = Figure(figsize=(4 * cols, 2.8 * rows), layout="constrained")
    for i, path in enumerate(top):
        ax = fig.add_subplot(rows, cols, i + 1)
        log = prior_by[path].scale == "log"
        data = r.sets[path].to_numpy(float)
        bins = np.geomspace(prior_by[path].low, prior_by[path].high, 21) if log else np.linspace(
            prior_by[path].low, prior_by[path].high, 21)
        ax.hist(data, bins=bins, density=True, alpha=0.4, label="prior")
        if r.accepted.any():
            ax.hist(data[r.accepted], bins=bins, density=True, histtype="step", lw=2, label="posterior")
        if log:
            ax.set_xscale("log")
        ax.set_title(path, fontsize=9)
        if i == 0:
            ax.legend(fontsize=8)
    fig.savefig(folder / "marginals.png", dpi=110)
    names.append("marginals.png")

    pair = top[:4]
    if len(pair) >= 2 and r.accepted.sum() >= 2:
        n = len(pair)
        fig = Figure(figsize=(2.6 * n, 2.6 * n), layout="constrained")
        post = r.sets.loc[r.accepted, pair]
        for i, a in enumerate(pair):
            for j, b in enumerate(pair):
                ax = fig.add_subplot(n, n, i * n + j + 1)
                if i == j:
                    ax.hist(post[a], bins=20)
                else:
                    ax.scatter(post[b], post[a], s=3, alpha=0.5)
                    if prior_by[b].scale == "log":
                        ax.set_xscale("log")
                    if prior_by[a].scale == "log":
                        ax.set_yscale("log")
                if i == n - 1:
                    ax.set_xlabel(b, fontsize=7)
                if j == 0:
                    ax.set_ylabel(a, fontsize=7)
                ax.tick_params(labelsize=6)
        fig.savefig(folder / "pairs.png", dpi=110)
        names.append("pairs.png")
    return names


def _redundant(r) -> list[str]:
    """The patterns that reject (almost) no set the others accept: left out, the acceptance
    grows by less than 1%."""
    sens = r.sensitivity.set_index("bands")
    acc = int(r.accepted.sum())
    if acc == 0:
        return []
    names = [p.name for p in r.patterns
             if f"without {p.name}" in sens.index and sens.loc[f"without {p.name}", "accepted"] < 1.01 * acc]
    if not names:
        return ["Every pattern rejects sets the others accept (left out, the acceptance grows by 1% or more).", ""]
    return [f"Left out, these patterns change the acceptance by less than 1%: {', '.join(f'`{n}`' for n in names)}. "
            "Their bands hold in nearly every set the other patterns accept, so they confirm the posterior rather "
            "than shape it (their share of prior sets in band is in the prior-predictive check above).", ""]


def _identification(r) -> list[str]:
    """Which coefficients the patterns constrain, and the ones the article cannot identify."""
    from .abc import KS_IDENTIFIED, WIDTH_IDENTIFIED

    m = r.marginals
    if not r.accepted.any() or "identified" not in m:
        return []
    ident = m[m["identified"]]
    loose = m[~m["identified"]]
    return [
        "## What the article's statements identify",
        "",
        f"A coefficient counts as constrained when its posterior 90% interval is at most {WIDTH_IDENTIFIED:g} of "
        f"the prior's or its marginal moved (KS distance at least {KS_IDENTIFIED:g}). "
        f"**{len(ident)} of {len(m)}** are constrained"
        + (": " + ", ".join(f"`{c}` ({_fmt(w)}, ks {_fmt(k)})" for c, w, k in
                            zip(ident.coefficient, ident.width_ratio, ident.ks)) if len(ident) else "") + ".",
        "",
        f"**Not identified by the article ({len(loose)})**: the patterns, statements about what had happened "
        "by January 2020 and what the article's experts expected, do not speak to these coefficients strongly "
        "enough to narrow them; their posterior is their prior, and a result that depends on them depends on "
        "the prior range (configs/calibration/priors.yaml), not on the article: "
        + (", ".join(f"`{c}`" for c in loose.coefficient) or "none") + ".",
        "",
    ]


def write_report(r, settings, plan) -> Path:
    out = Path(r.out)
    exp = plan.experiment
    n, acc = len(r.sets), int(r.accepted.sum())
    top = list(r.marginals["coefficient"][:6])
    figs = figures(r, out, top)
    kinds = pd.Series([p.kind for p in r.priors]).value_counts().to_dict()
    lines = [
        "# Calibration against the article's statements",
        "",
        f"Written by `python -m sim.calibrate` on {dt.date.today().isoformat()}: approximate Bayesian computation "
        f"by rejection over a prior sweep of **{n:,} parameter sets** x {len(plan.levers)} levers "
        f"({', '.join(plan.levers)}) x {plan.replications} runs (root seed {exp.seed}, {exp.horizon_weeks} weeks). "
        f"A set is accepted when every statistic lies in its band (configs/calibration/patterns.yaml). "
        f"Calibrated: {len(r.priors)} coefficients ({kinds.get('assumption', 0)} marked assumption, "
        f"{kinds.get('sign', 0)} whose facts give only a sign); wall time {r.wall_s:.0f} s"
        + (f" ({r.reused_chunks[0]} of the prior sweep's {r.reused_chunks[1]} chunks read back from an earlier run "
           "of the same plan in `chunks/`, so not the cost of computing it)" if r.reused_chunks[0] else "") + ".",
        "",
        f"**Acceptance rate: {acc:,} of {n:,} sets = {r.acceptance_rate:.2%}.**",
        "",
        f"A set's shares are over {plan.replications} runs (steps of 1/{plan.replications}), in random worlds of "
        "its own (shared by its two levers, so the 'unless' gap is taken on common random numbers): the acceptance "
        "counts that noise as part of the indicator kernel, so a set near a band's edge is accepted by chance some "
        "of the time. `prior_sets.parquet` names, for every set, the patterns it failed (`failed_patterns`).",
        "",
        "## Not calibrated: the levers' keys",
        "",
        "A lever is a policy, never a coefficient: no calibrated value may stand where an experiment's lever sets "
        "one. These keys, set by a lever of a shipped experiment (configs/experiment/), keep their baseline values "
        "in the prior sweep and are not columns of the posterior:",
        "",
        *[f"- `{key}`: {', '.join(f'`{w}`' for w in where)}" for key, where in shipped_lever_keys().items()],
        "",
        "## The patterns",
        "",
        _table(pd.DataFrame([{"pattern": p.name, "facts": ", ".join(p.facts), "lever": p.lever,
                              "band": f"[{p.low:g}, {p.high:g}]",
                              "statistic": p.statistic} for p in r.patterns])),
        "",
        "## Prior-predictive check",
        "",
        "Before any set is accepted: the share of the prior sets whose statistic lies in each band (a band that "
        "nearly every prior set passes constrains little), and the uncalibrated baseline's own statistic"
        + (f" over {r.baseline_runs:,} runs per lever" if r.baseline is not None else "") + ".",
        "",
        _table(pd.DataFrame([{"pattern": p.name, "band": f"[{p.low:g}, {p.high:g}]",
                              "prior sets in band": float(np.mean(p.accepts(r.sets[f'pattern.{p.name}']))),
                              "baseline": (float(r.baseline[p.name]) if r.baseline is not None else float("nan")),
                              "baseline in band": ("–" if r.baseline is None else
                                                   ("yes" if bool(p.accepts(r.baseline[p.name])) else "no"))}
                             for p in r.patterns])),
        "",
        f"Prior sets passing every band: {r.acceptance_rate:.2%}"
        + ("" if r.baseline is None else
           f"; the baseline passes {sum(bool(p.accepts(r.baseline[p.name])) for p in r.patterns)} of "
           f"{len(r.patterns)} bands") + ".",
        "",
        "How each band was read from the article:",
        "",
        *[f"- **{p.name}** ({', '.join(p.facts)}): {p.reading}" for p in r.patterns],
        "",
        "## Which patterns the rejected sets failed",
        "",
        _table(pd.DataFrame({"pattern": r.failures.index, "share of rejected sets failing it": r.failures.values})),
        "",
        "The commonest combinations of failed patterns among the rejected sets:",
        "",
        _table(pd.DataFrame(r.combos, columns=["failed patterns", "rejected sets"])) if r.combos else "(none rejected)",
        "",
        "## Prior and posterior, side by side",
        "",
        "Median and 90% interval (5th to 95th percentile) of each coefficient in the prior sweep and among the "
        "accepted sets; `ks` is the Kolmogorov-Smirnov distance between the two (how much the patterns constrain "
        "the coefficient), most constrained first.",
        "",
        _table(r.marginals.assign(prior=[f"{_fmt(a)} [{_fmt(b)}, {_fmt(c)}]" for a, b, c in
                                         zip(r.marginals.prior_median, r.marginals.prior_5, r.marginals.prior_95)],
                                  posterior=[f"{_fmt(a)} [{_fmt(b)}, {_fmt(c)}]" for a, b, c in
                                             zip(r.marginals.posterior_median, r.marginals.posterior_5,
                                                 r.marginals.posterior_95)],
                                  range=[f"[{_fmt(a)}, {_fmt(b)}] {s}" for a, b, s in
                                         zip(r.marginals.prior_low, r.marginals.prior_high, r.marginals.scale)])
               [["coefficient", "kind", "range", "prior", "posterior", "width_ratio", "ks"]]),
        "",
        "`width_ratio` is the posterior's 90% interval over the prior's (on the logarithm for a log-uniform "
        "prior): below 1, the patterns narrowed the coefficient.",
        "",
        *[f"![{f}]({f})" for f in figs],
        "",
        *_identification(r),
        "## Outputs before and after",
        "",
        "Mean over the sets of the prior sweep and over the accepted ones (posterior predictive):",
        "",
        _table(r.outputs),
        "",
        "## How sensitive the posterior is to the bands",
        "",
        "Every band's width multiplied by a factor (a band reading 'at most' or 'at least' keeps its open end), "
        "and each pattern left out in turn: the acceptance rate and the posterior medians of the most "
        "constrained coefficients.",
        "",
        _table(r.sensitivity),
        "",
        *_redundant(r),
    ]
    if r.morris is not None:
        from .screening import ranking

        rank = ranking(r.morris)
        head = r.morris[r.morris.output == r.morris.output.iloc[0]].set_index("factor")
        coeffs = [f for f in rank.index if not f.startswith("structure.")][:10]
        m = r.marginals.set_index("coefficient")
        lines += [
            "## The ten most influential coefficients, before and after",
            "",
            "Ranked by Morris' scaled mu* (below); prior and posterior median with the 90% interval.",
            "",
            _table(pd.DataFrame([{"coefficient": f, "kind": m.loc[f, "kind"],
                                  "prior": f"{_fmt(m.loc[f, 'prior_median'])} [{_fmt(m.loc[f, 'prior_5'])}, "
                                           f"{_fmt(m.loc[f, 'prior_95'])}]",
                                  "posterior": f"{_fmt(m.loc[f, 'posterior_median'])} [{_fmt(m.loc[f, 'posterior_5'])}, "
                                               f"{_fmt(m.loc[f, 'posterior_95'])}]",
                                  "ks": float(m.loc[f, "ks"])} for f in coeffs if f in m.index])),
            "",
        ]
        lines += [
            "## Screening: Morris elementary effects",
            "",
            f"{settings.screening.trajectories} trajectories over {r.morris.factor.nunique()} factors (every calibrated "
            "coefficient over its prior, and the structural choices as discrete factors), "
            f"{settings.screening.replications} runs per set under the baseline, in the same random worlds for every "
            "set (so an elementary effect is not blurred by different noise). `mu* (scaled)` is the largest over "
            "the outputs (P(request), each outcome's share, time to a request) of mu* divided by the output's "
            "standard deviation. The twenty most influential:",
            "",
            _table(pd.DataFrame({"factor": rank.index[:20], "mu* (scaled)": rank.values[:20],
                                 "mu* on P(request)": [head.loc[f, "mu_star"] for f in rank.index[:20]],
                                 "interval": [head.loc[f, "mu_star_conf"] for f in rank.index[:20]]})),
            "",
            "Inert (scaled mu* below 0.05 on every output): "
            + (", ".join(f"`{f}`" for f in rank.index[rank.values < 0.05]) or "none") + ".",
            "",
        ]
    if r.sobol is not None:
        s = r.sobol
        lines += [
            "## Sobol indices on the most influential factors",
            "",
            f"Saltelli design, N = {settings.screening.base_samples}, with 95% bootstrap intervals; the other "
            "coefficients at their defaults.",
            "",
        ]
        if not len(s):
            lines += ["No output varied over the design's runs, so no index can be computed: a larger "
                      "`screening.base_samples` or `screening.replications` is needed.", ""]
        for output, part in (s.groupby("output", sort=False) if len(s) else ()):
            part = part.sort_values("ST", ascending=False)
            lines += [f"**{output}**", "",
                      _table(pd.DataFrame({"factor": part.factor,
                                           "S1": [f"{a:.2f} ± {b:.2f}" for a, b in zip(part.S1, part.S1_conf)],
                                           "ST": [f"{a:.2f} ± {b:.2f}" for a, b in zip(part.ST, part.ST_conf)]})),
                      ""]
    lines += [
        "## Files",
        "",
        "`posterior.parquet` (the accepted sets: `point_id` and one column per coefficient"
        + (f"; {settings.posterior_rows:,} of the {acc:,} accepted, drawn at random with "
           f"the experiment's seed (`posterior_rows`)"
           if settings.posterior_rows is not None and acc > settings.posterior_rows else "")
        + "; `python -m sim.sweep experiment=posterior` draws its runs' parameters from it), `prior_sets.parquet` "
        "(every set with its statistics and outputs), `marginals.csv`"
        + (", `morris.csv`, `sobol.csv`" if r.morris is not None else "") + ", the figures.",
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def scenario_yaml(r, settings) -> str:
    """A scenario built on the baseline with every calibrated coefficient at its posterior
    median (the `calibrated` scenario)."""
    import yaml

    post = r.sets.loc[r.accepted]
    doc: dict = {}
    for p in r.priors:
        value = float(np.median(post[p.path])) if len(post) else prior_median(p)
        node = doc
        parts = p.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = int(round(value)) if p.integer else float(f"{value:.6g}")
    head = (f"# The baseline with every calibrated coefficient at its posterior median: written by\n"
            f"# python -m sim.calibrate (results/calibration/report.md) from {int(r.accepted.sum()):,} accepted of\n"
            f"# {len(r.sets):,} prior sets (acceptance rate {r.acceptance_rate:.2%}). Coefficients not calibrated\n"
            f"# (data, zero defaults, keys an experiment's lever sets) keep their baseline values;\n"
            f"# see configs/calibration/ for the bands and priors.\n")
    body = {"defaults": ["baseline", "_self_"], "name": "calibrated",
            "title": "January 2020, calibrated to the article's statements",
            "description": "The baseline with the behavioural coefficients at their posterior medians "
                           "(results/calibration/report.md).", **doc}
    return head + yaml.safe_dump(body, sort_keys=False)
