"""results/cases: scores.csv (one row per scored case), report.md and scores.png."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import atomic_write
from . import scores as sc
from .pooled import Prediction


@dataclass
class Scored:
    """A prediction of a case with an observed outcome, its scores and the base rate's."""
    prediction: Prediction
    base: np.ndarray
    others: list[str]

    @property
    def observed(self) -> str:
        return str(self.prediction.case.observed)

    def row(self) -> dict:
        pr, obs = self.prediction, self.observed
        days = pr.departure_days
        row = {"case": pr.case.name, "observed": obs, "p_observed": float(pr.p[sc.CLASSES.index(obs)])}
        row.update({f"p_{name}": float(v) for name, v in zip(sc.CLASSES, pr.p)})
        row.update({"log_score": sc.log_score(pr.p, obs), "brier": sc.brier(pr.p, obs),
                    "base_p_observed": float(self.base[sc.CLASSES.index(obs)]),
                    "base_log_score": sc.log_score(self.base, obs), "base_brier": sc.brier(self.base, obs),
                    "runs": len(pr.runs), "effective_sets": round(pr.ess, 1),
                    "calibrated_on": " ".join(pr.members),
                    "days_observed": pr.case.days_from_notice if obs == "withdrawal_completed" else None,
                    "days_median": float(np.median(days)) if days.size else None,
                    "days_p10": float(np.quantile(days, 0.1)) if days.size else None,
                    "days_p90": float(np.quantile(days, 0.9)) if days.size else None,
                    "days_share_at_or_below_observed": (float((days <= pr.case.days_from_notice).mean())
                                                        if days.size and obs == "withdrawal_completed"
                                                        and pr.case.days_from_notice is not None else None)})
        return row


def scores_table(scored: list[Scored]) -> pd.DataFrame:
    return pd.DataFrame([s.row() for s in scored])


def write_csv(table: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))


def figure(scored: list[Scored], iraq: Prediction | None, path: Path) -> None:
    """One panel per case: the model's P(outcome) beside the base rate's, the observed
    outcome marked; Iraq 2020's prediction last."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(s.prediction, s.base, s.observed) for s in scored] + ([(iraq, None, None)] if iraq else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(3.1 * len(panels), 3.8), sharey=True, squeeze=False)
    x = np.arange(len(sc.CLASSES))
    for ax, (pr, base, obs) in zip(axes[0], panels):
        ax.bar(x - 0.2, pr.p, 0.4, label="model (left out)" if obs else "model (all cases)", color="#3b6ea5")
        if base is not None:
            ax.bar(x + 0.2, base, 0.4, label="base rate", color="#bbbbbb")
        if obs:
            k = sc.CLASSES.index(obs)
            ax.annotate("observed", (k, max(pr.p[k], base[k] if base is not None else 0) + 0.02), ha="center",
                        fontsize=8)
        ax.set_title(f"{pr.case.label}\n({pr.case.name})", fontsize=9)
        ax.set_xticks(x, [n.replace("_", "\n") for n in sc.CLASSES], fontsize=7, rotation=35, ha="right")
        ax.set_ylim(0, 1.05)
    axes[0][0].set_ylabel("probability")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def _pct(x) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * float(x):.1f}%"


def _num(x, digits: int = 3) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{float(x):.{digits}f}"


def markdown(table: pd.DataFrame, iraq: Prediction | None, meta: dict,
             title: str = "Cases: the model scored out of sample") -> str:
    lines = [
        f"# {title}",
        "",
        f"Command: `{meta['command'].strip()}` ({meta['wall_s']:.0f} s on {meta['workers']}, executor "
        f"{meta['executor']}; {meta['reused']}).",
        "",
        f"Prior sweep: {meta['sets']:,} parameter sets of the shared behavioural coefficients "
        f"({meta['coefficients']} coefficients, configs/calibration/priors.yaml), each run {meta['replications']} times "
        f"under each case ({', '.join(meta['cases'])}); Iraq 2020 weighs a set by the article's bands "
        "(configs/calibration/patterns.yaml), every other case by the chance of its observed outcome under the set, "
        "(count + 1) / (runs + 5). Each case is predicted by the sets weighted by the other cases only (leave one "
        f"case out), {meta['runs']:,} runs of its own scenario, one per set drawn; probabilities are "
        "(count + 1) / (runs + 5). The base rate is (count among the other cases + 1) / (cases + 5) over the five "
        "outcomes. Log score: ln P(observed), higher is better; Brier: the squared distance to the outcome, lower "
        "is better.",
        "",
        "| case | observed | P(observed): model | base rate | log score: model | base rate | Brier: model | base rate | effective sets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(f"| {r['case']} | {r['observed']} | {_pct(r['p_observed'])} | {_pct(r['base_p_observed'])} | "
                     f"{_num(r['log_score'])} | {_num(r['base_log_score'])} | {_num(r['brier'])} | "
                     f"{_num(r['base_brier'])} | {_num(r['effective_sets'], 0)} |")
    if len(table):
        lines.append(f"| **all** | | | | **{table['log_score'].sum():.3f}** | **{table['base_log_score'].sum():.3f}** | "
                     f"**{table['brier'].mean():.3f}** (mean) | **{table['base_brier'].mean():.3f}** | |")
        better = int((table["log_score"] > table["base_log_score"]).sum())
        lines += ["", f"The model's log score beats the base rate's in {better} of {len(table)} cases; summed over the "
                  f"cases, {table['log_score'].sum():.3f} against {table['base_log_score'].sum():.3f} "
                  f"({'better' if table['log_score'].sum() > table['base_log_score'].sum() else 'worse'} than the "
                  "base rate)."]
    lines += ["", "![the model's prediction of each case left out, beside the base rate](scores.png)", "",
              "## Each outcome's probability", "",
              "| case | " + " | ".join(sc.CLASSES) + " |", "|---|" + "---|" * len(sc.CLASSES)]
    for _, r in table.iterrows():
        lines.append(f"| {r['case']} | " + " | ".join(_pct(r[f'p_{n}']) for n in sc.CLASSES) + " |")
    lines += ["", "## Days from the notice to the departure", "",
              "Among the predictive runs in which US forces left after a formal notice: the median and the 10th and "
              "90th percentiles of the days from the notice to the last troops' departure, beside what happened.", "",
              "| case | observed | median | 10%-90% | share of runs at or below the observed |", "|---|---|---|---|---|"]
    for _, r in table.iterrows():
        obs = "no departure" if r["observed"] != "withdrawal_completed" else f"{int(r['days_observed'])} days"
        rng = f"{_num(r['days_p10'], 0)}-{_num(r['days_p90'], 0)}" if r["days_p10"] is not None and not pd.isna(r["days_p10"]) else ""
        lines.append(f"| {r['case']} | {obs} | {_num(r['days_median'], 0)} | {rng} | "
                     f"{_pct(r['days_share_at_or_below_observed'])} |")
    for heading, pr in (("Iraq 2020, predicted from the other cases", iraq),):
        if pr is None:
            continue
        days = pr.departure_days
        lines += ["", f"## {heading}", "",
                  f"{pr.case.label} ({pr.case.name}), calibrated on {', '.join(pr.members)} ({len(pr.runs):,} runs, "
                  f"{pr.ess:.0f} effective sets):", "",
                  "| " + " | ".join(sc.CLASSES) + " |", "|" + "---|" * len(sc.CLASSES),
                  "| " + " | ".join(_pct(v) for v in pr.p) + " |"]
        if days.size:
            lines += ["", f"Days from notice to departure where US forces left: median {np.median(days):.0f} "
                      f"(10%-90%: {np.quantile(days, 0.1):.0f}-{np.quantile(days, 0.9):.0f})."]
        if pr.case.observed:
            lines += ["", f"Observed: {pr.case.observed}; log score {sc.log_score(pr.p, pr.case.observed):.3f}, "
                      f"Brier {sc.brier(pr.p, pr.case.observed):.3f}."]
    misses = []
    for _, r in table.iterrows():
        probs = {n: r[f"p_{n}"] for n in sc.CLASSES}
        top = max(probs, key=probs.get)
        if top != r["observed"]:
            misses.append(f"{r['case']}: {top} ({_pct(probs[top])}) against the observed {r['observed']}")
    if misses:
        lines += ["", "## Where the model misses", "",
                  "The model's most likely outcome, where it is not what happened: " + "; ".join(misses) + ". The "
                  "days table says how: where the patron left after a notice, the model's patron left at the end of "
                  "the notice period or after it, while the observed patrons left well inside it."]
    lines += ["", "## What this does and does not show", "",
              "- The cases enter through their observed outcomes only; what was knowable at each case's start date "
              "sets its scenario's parameters (docs/cases/), not bands of the calibration. Only Iraq 2020 has bands "
              "(the article's statements).",
              "- Five cases are few: a score difference of one case is one case. The base rate itself is estimated "
              "from three or four cases.",
              "- Iraq 2020's prediction uses the article's bands (what was knowable in January 2020) and the other "
              "cases' outcomes; its own course after January 2020 is not data.", ""]
    return "\n".join(lines)
