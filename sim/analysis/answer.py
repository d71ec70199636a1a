"""The answer in plain words, computed from the results: where a formal request becomes
likely (the PRIM box), how often it happens overall, what follows it, and which conditions
matter most. Nothing here is typed by hand except the sentence frames."""

from __future__ import annotations

import math

import pandas as pd

from .outcomes import ALL
from .table import pretty

#: a limit must cut at least this share of a condition's swept range to be named in the
#: headline sentence; smaller (but significant) limits are listed as minor
MAIN_CUT = 0.10


def pct(p: float, digits: int = 0) -> str:
    return "n/a" if p is None or (isinstance(p, float) and math.isnan(p)) else f"{100 * p:.{digits}f}%"


def ci(low: float, high: float, digits: int = 0) -> str:
    return f"{pct(low, digits)}–{pct(high, digits)}"


def fmt_value(value: float, bounds: tuple[float, float]) -> str:
    """A condition's value with as many decimals as its swept range warrants."""
    span = abs(bounds[1] - bounds[0]) or abs(value) or 1.0
    decimals = max(0, 2 - int(math.floor(math.log10(span))))
    return f"{value:.{decimals}f}"


def the(label: str) -> str:
    """A condition's label with "the" before it, unless it starts with one already."""
    return label if label.lower().startswith("the ") else f"the {label}"


def limit_phrase(label: str, lo: float, hi: float, bounds: tuple[float, float]) -> tuple[str, float] | None:
    """("label is at least a", share of the range cut) for one box limit, None if it cuts nothing."""
    low, high = bounds
    span = (high - low) or 1.0
    tol = 0.005 * span
    cut_low, cut_high = lo > low + tol, hi < high - tol
    cut = max(0.0, 1.0 - (min(hi, high) - max(lo, low)) / span)
    subject = f"{the(label)} {'are' if label.endswith('s') and not label.endswith('ss') else 'is'}"
    if cut_low and cut_high:
        return f"{subject} between {fmt_value(lo, bounds)} and {fmt_value(hi, bounds)}", cut
    if cut_low:
        return f"{subject} at least {fmt_value(lo, bounds)}", cut
    if cut_high:
        return f"{subject} at most {fmt_value(hi, bounds)}", cut
    return None


def describe_box(limits: pd.DataFrame, bounds: dict, label) -> tuple[str, str]:
    """(main conditions, minor conditions) of a box in words, the main ones ordered by how
    much of their range they cut."""
    phrases = []
    for cond, lim in limits.iterrows():
        p = limit_phrase(label(cond), float(lim["min"]), float(lim["max"]), bounds[cond])
        if p:
            phrases.append(p)
    phrases.sort(key=lambda p: -p[1])
    main = [p for p, cut in phrases if cut >= MAIN_CUT] or [p for p, _ in phrases[:1]]
    minor = [p for p, _ in phrases if p not in main]
    return join(main), join(minor)


def join(items: list[str]) -> str:
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def headline(*, base: pd.Series, request_boxes: list, request_box_all: list[dict], occupation_boxes: list,
             occupation_all: pd.Series, after: pd.DataFrame, ranking: list[str], ranking_how: str,
             sobol: pd.DataFrame | None, bounds: dict, label, threshold: float, runs: int) -> list[str]:
    """Paragraphs of the answer. `base`: the request rate over all runs (share, low, high);
    `request_box_all`: per request box, its share over all runs (share, low, high, by lever)."""
    out = []
    overall = (f"Over all {runs:,} runs, Baghdad makes a formal request in {pct(base['share'])} "
               f"(95% CI {ci(base['low'], base['high'], 1)}).")
    if not bounds:
        out.append(f"**With no conditions swept, Baghdad makes a formal request in {pct(base['share'])} of runs** "
                   f"(95% CI {ci(base['low'], base['high'], 1)}, {runs:,} runs).")
    elif not request_boxes:
        out.append(f"**A formal request never happens in the conditions swept.** {overall}")
    for k, (box, whole) in enumerate(zip(request_boxes, request_box_all)):
        main, minor = describe_box(box.limits, bounds, label)
        extra = f" (with minor limits: {minor})" if minor else ""
        where = f"when {main}{extra}" if main else "under all the conditions swept"
        held = whole.get("held_out") or {}
        unseen = (f"; on the runs PRIM did not see, {pct(held['share'], 1)} "
                  f"(95% CI {ci(held['low'], held['high'], 1)})" if held.get("total") else "")
        stats = (f"In all runs inside these limits the share is {pct(whole['share'], 1)} "
                 f"(95% CI {ci(whole['low'], whole['high'], 1)}){unseen}; they are {pct(box.mass)} of the runs swept "
                 f"and hold {pct(box.coverage)} of all formal requests (PRIM box {box.number}).")
        if k == 0 and box.reached:
            out.append(f"**A formal request becomes likely, above {pct(box.density)}, {where}.** {stats} {overall}")
        elif k == 0 and (box.density == 0 or not main):
            out.append(f"**A formal request does not become likely (above {pct(threshold)}) anywhere in the conditions "
                       f"swept, and no part of them makes it more frequent than the rest.** {overall}")
        elif k == 0:
            out.append(f"**A formal request does not become likely (above {pct(threshold)}) anywhere in the conditions "
                       f"swept; it is most frequent, at {pct(box.density)}, {where}.** {stats} {overall}")
        else:
            out.append(f"Outside {'box 1' if box.number == 2 else f'boxes 1–{box.number - 1}'}, it is also likely, above {pct(box.density)}, {where}. {stats}")
        if whole.get("by_lever") and len(whole["by_lever"]) > 1:
            parts = [f"{pct(v['share'])} under {pretty(g)}" for g, v in whole["by_lever"].items()]
            out[-1] += f" Inside box {box.number}, by Washington's strategy: {join(parts)}."
    if len(after):
        a = after[after["group"] == ALL] if (after["group"] == ALL).any() else after
        shares = {r.outcome: r for r in a.itertuples()}
        n_req = int(a["total"].iloc[0]) if len(a) else 0
        follow = [f"{pct(shares[o].share, 1)} end in {pretty(o)} (CI {ci(shares[o].low, shares[o].high, 1)})"
                  for o in ("occupation", "withdrawal_completed", "request_withdrawn") if o in shares]
        out.append(f"**What follows a formal request:** of the {n_req:,} runs with one, {join(follow)}. "
                   f"*Occupation* means US troops still in Iraq when the year after the request runs out (F4, F11).")
    if occupation_boxes:
        box = occupation_boxes[0]
        main, minor = describe_box(box.limits, bounds, label)
        where = f"when {main}" + (f" (with minor limits: {minor})" if minor else "") if main else "everywhere"
        verb = "becomes likely, above" if box.reached else "is most frequent, at"
        if occupation_all["share"] == 0 or box.density == 0:
            out.append("**Occupation** does not happen in any run.")
        elif not main:
            out.append(f"**Occupation** happens in {pct(occupation_all['share'], 1)} of all runs "
                       f"(CI {ci(occupation_all['low'], occupation_all['high'], 1)}), about as often throughout the "
                       f"conditions swept.")
        else:
            out.append(f"**Occupation** happens in {pct(occupation_all['share'], 1)} of all runs "
                       f"(CI {ci(occupation_all['low'], occupation_all['high'], 1)}); it {verb} {pct(box.density)}, "
                       f"{where} ({pct(box.mass)} of the runs, {pct(box.coverage)} of all occupations).")
    if ranking:
        if sobol is not None and len(sobol):
            s = sobol.set_index("condition")
            top = [f"{label(c)} (total Sobol index {s.loc[c, 'ST']:.2f} ± {s.loc[c, 'ST_conf']:.2f})"
                   for c in ranking[:3]]
        else:
            top = [label(c) for c in ranking[:3]]
        out.append(f"The conditions that matter most for whether a request is made, by {ranking_how}: {join(top)}.")
    return out
