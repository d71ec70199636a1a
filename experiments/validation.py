"""The numbers of docs/validation.md, measured, and written into the document.

    python -m experiments.validation                 # rewrite every generated block of docs/validation.md
    python -m experiments.validation --check         # exit 1 (and name the blocks) if a block is stale
    python -m experiments.validation --only ec       # one block: ec, known, experts, rules
    python -m experiments.validation --print experts # print a block instead of writing it

Each block of docs/validation.md between `<!-- generated:NAME:begin -->` and
`<!-- generated:NAME:end -->` is the output of one function here, from a fixed root seed
and a fixed number of runs, so the same command always writes the same text
(tests/test_validation_doc.py checks that the document is current).

- `ec`: the collective rules and BDM's expected-utility model on the EC car-emissions data
  of Bueno de Mesquita (1994) / Scholz, Calbert & Smith (2011): risk values, moves, outcome.
- `known`: the known answers of docs/model_brief.md, measured as the tests in tests/test_known_answers.py
  measure them (same root seed, same N = 2,000 paired runs).
- `experts`: the article's expert claims (Silliman F15, Kadhim F23, Trump F7/F24) on
  N = 10,000 paired runs of the batch engine (common random numbers: same run ids).
- `rules`: the baseline's outcome distribution under each collective rule.
- `dynamics`: the baseline at rationality inf, 30, the default and 4, and at step lengths
  of 3, 7 and 14 days: outcome shares, P(request by the end of 2020 / 2021), posture
  changes.
- `facts`: the fact-effect table: for each directional statement of the article (and
  Washington's three strategies), its lever switched on against off in N = 4,000 paired
  runs, the effect on the statement's target and on P(request) and each outcome, the
  article's sign and the verdict (agree / inert / opposite, at 3 standard errors), with the
  mechanism where the verdict is not "agree" (`FACT_EFFECTS`).
- `structures`: the calibrated scenario's five outcome shares at the default rationality,
  at best response and with 14-day steps, side by side (N = 4,000 paired runs).
- `deals`: whether the dominant outcome holds across the logit rationality (4 to best
  response) and each patience coefficient's prior range, and what the deals avoid: the
  chance of a request a deal was priced at against the same runs without deals.
- `after_request`: per shipped scenario, what follows a formal request: the share of the
  runs with a request that end withdrawn within the notice, taken back or past the deadline
  (occupation), and how often Tehran changes posture.

Runs go through the public functions only: the batch engine's `simulate`, and for the
forced-withdrawal counterfactual the stage functions with the model's role-play hook
(`State.forced_washington_action`), as the teaching game uses it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import math
import re
import sys
from pathlib import Path

import numpy as np

from sim import bargain, config
from sim.engines.batch import simulate
from sim.model import bargaining, bdm, outcomes
from sim.model.actors.government import GovernmentAction
from sim.model.actors.washington import WashingtonAction
from sim.model.state import initial_state
from sim.model.week import trace

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "validation.md"
EC_DATA = REPO / "data" / "bdm_ec_car_emissions.csv"

SEED = 0
N_KNOWN = 2_000        # as tests/test_known_answers.py
N_EXPERT = 10_000      # paired runs per arm for the expert claims
N_RULES = 10_000       # baseline runs per static collective rule
N_RULES_BDM = 2_000    # baseline runs under the bdm rule (much slower a week)
BDM_ROUNDS = bargain.DEFAULT_ROUNDS
SENSITIVITY = ((1.0, 1.0), (0.5, 1.0), (0.5, 0.5), (0.0, 1.0), (1.0, 0.0))  # (Q, T)
BLOCKS = ("ec", "known", "experts", "rules", "dynamics", "facts", "structures", "deals", "after_request")
N_DYNAMICS = 4_000     # baseline runs per rationality and per step length
N_FACTS = 4_000        # paired runs per arm of the fact-effect table, the structures and the post-request shares
COMMAND = "python -m experiments.validation"


# ---------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=None)
def run_config(overrides: tuple[str, ...]):
    """The config of Hydra overrides as on the command line ("scenario=NAME" picks the scenario)."""
    scenario = next((o.partition("=")[2] for o in overrides if o.startswith("scenario=")), "baseline")
    return config.run_config(scenario, SEED, [o for o in overrides if not o.startswith("scenario=")])


def params(*overrides: str):
    return config.model_params(run_config(tuple(overrides)))


@functools.lru_cache(maxsize=None)
def _simulate(overrides: tuple[str, ...], n: int):
    return simulate(params(*overrides), np.arange(n))


def runs(n: int, *overrides: str) -> dict:
    """Batch-engine summaries of run ids 0..n-1 under the root seed SEED (cached)."""
    return _simulate(tuple(overrides), n)


def paired(a, b):
    """(mean a, mean b, mean of b - a, its standard error, n) over paired runs."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    d = b - a
    se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan
    return float(a.mean()), float(b.mean()), float(d.mean()), se, int(d.size)


def last_week_of_year(year: int, overrides: tuple[str, ...] = ()) -> int:
    """The last calendar week (days // 7 since the start date) that begins in `year`."""
    cfg = run_config(overrides)
    start = dt.date.fromisoformat(cfg.start_date)
    return (dt.date(year, 12, 31) - start).days // 7


def week_date(week: int) -> str:
    cfg = run_config(())
    return (dt.date.fromisoformat(cfg.start_date) + dt.timedelta(days=7 * week)).isoformat()


def f3(x) -> str:
    return f"{x:.3f}"


def pm(diff, se) -> str:
    return f"{diff:+.3f} ± {se:.3f}"


def table(header, rows) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def requested(r) -> np.ndarray:
    return r["formal_request_week"] >= 0


def share_by_outcome(r) -> list[str]:
    counts = np.bincount(r["outcome"], minlength=len(outcomes.OUTCOMES))
    return [f"{c / r['outcome'].size:.3f}" for c in counts]


# ---------------------------------------------------------------- EC car emissions and BDM
def ec_block() -> str:
    t = bargain.read_actors(EC_DATA, "bdm")
    c, x, s, names = t.capability, t.position, t.salience, t.names
    history = bdm.bdm_rounds(c, x[None, :], s, BDM_ROUNDS)
    positions = [x] + [h.position[0] for h in history]
    lines = [
        f"Generated by `{COMMAND}` from `data/bdm_ec_car_emissions.csv`; the same run is "
        f"`python -m sim.bargain --protocol bdm --actors data/bdm_ec_car_emissions.csv --rounds {BDM_ROUNDS}`.",
        "",
        f"- compromise (capability-and-salience-weighted mean): **{float(bargaining.compromise(c, x, s)):.2f}**",
        f"- weighted median: **{float(bargaining.weighted_median(c, x, s)):g}**",
        f"- BDM (Q = {bdm.STATUS_QUO_PROBABILITY:g}, T = {bdm.IMPROVEMENT_PROBABILITY:g}), {len(history)} rounds "
        f"(limit {BDM_ROUNDS}; {'converged' if len(history) < BDM_ROUNDS else 'no convergence within the limit'}): "
        f"weighted mean of the positions after the last round **{float(bdm.weighted_mean(c, positions[-1][None], s)[0]):.3f}**, "
        f"median voter **{float(bdm.median_voter(c, positions[-1][None], s)[0]):g}**",
        "",
        "Risk in round 1 (from the input positions): R = risk acceptance in [-1, 1], r = risk exponent "
        "(1 - R/3)/(1 + R/3) in [0.5, 2]; and the risk acceptance R of every later round:",
        "",
    ]
    header = ["actor", "capability", "position", "salience", "R (round 1)", "r (round 1)"] + [
        f"R{k}" for k in range(2, len(history) + 1)
    ] + [f"position after round {len(history)}"]
    rows = []
    for j, name in enumerate(names):
        rows.append([name, f"{c[j]:g}", f"{x[j]:g}", f"{s[j]:g}", f"{history[0].risk_acceptance[0, j]:+.3f}",
                     f"{history[0].risk_exponent[0, j]:.3f}"]
                    + [f"{h.risk_acceptance[0, j]:+.2f}" for h in history[1:]] + [f"{positions[-1][j]:.3f}"])
    lines += [table(header, rows), "", "Moves (each actor takes the offer that moves it least; all move at once):", ""]
    move_rows = []
    for k, h in enumerate(history, start=1):
        for j, name in enumerate(names):
            if h.move[0, j] != bdm.NO_MOVE:
                move_rows.append([k, name, bdm.MOVE_NAMES[h.move[0, j]], names[h.proposer[0, j]],
                                  f"{positions[k - 1][j]:.3f}", f"{positions[k][j]:.3f}"])
    lines += [table(["round", "actor", "move", "offer from", "from", "to"], move_rows), ""]
    lines += ["Collective outcome by round:", ""]
    lines += [table(["round", "weighted mean", "median voter"],
                    [[k, f"{float(bdm.weighted_mean(c, p[None], s)[0]):.3f}",
                      f"{float(bdm.median_voter(c, p[None], s)[0]):.3f}"] for k, p in enumerate(positions)]), ""]
    shown = (1, 2, 3, 4, 5, BDM_ROUNDS)
    sens = []
    for q, tt in SENSITIVITY:
        h = bdm.bdm_rounds(c, x[None, :], s, BDM_ROUNDS, q=q, t=tt)
        means = [float(bdm.weighted_mean(c, h[min(k, len(h)) - 1].position, s)[0]) for k in shown]
        sens.append([f"Q = {q:g}, T = {tt:g}"] + [f"{m:.2f}" for m in means])
    lines += ["Sensitivity to the reading of Q and T (weighted mean of the positions after round k):", "",
              table(["reading"] + [f"k = {k}" for k in shown], sens)]
    return "\n".join(lines)


# ---------------------------------------------------------------- known answers of docs/model_brief.md
def _moves(p, n):
    return simulate(p, np.arange(n))["government_posture_changes"].astype(np.float64)


def known_block() -> str:
    n = N_KNOWN
    lines = [f"Generated by `{COMMAND}`: root seed {SEED}, N = {n:,} paired runs (run ids 0..{n - 1}) per arm, "
             "as in tests/test_known_answers.py; ± is one standard error of the paired mean difference.", ""]
    rows = []
    for scen in ("baseline", "max_pressure"):
        lo = requested(runs(n, f"scenario={scen}", "scenario.sanctions.credibility=0.2"))
        hi = requested(runs(n, f"scenario={scen}", "scenario.sanctions.credibility=0.9"))
        a, b, d, se, _ = paired(lo, hi)
        rows.append([f"F22, {scen}: P(formal request), credibility 0.2 → 0.9", f3(a), f3(b), pm(d, se),
                     "no rise" if d <= 3 * se else "**RISE**", "test_more_credible_sanctions_do_not_raise_request_chance"])
    never = requested(runs(n, "scenario.government.p_anti_american_pm=0"))
    always = requested(runs(n, "scenario.government.p_anti_american_pm=1"))
    a, b, d, se, _ = paired(never, always)
    rows.append(["F15: P(formal request), p_anti_american_pm 0 → 1", f3(a), f3(b), pm(d, se),
                 "no fall" if d >= -3 * se else "**FALL**", "test_anti_american_pm_with_majority_does_not_lower_request_chance"])
    common = ("scenario.government.formation_rate=0", "scenario.government.negotiations_requested=false")
    pc = params(*common, "scenario.government.initially_caretaker=true")
    pf = params(*common, "scenario.government.initially_caretaker=false")
    acted_c, acted_f = _moves(pc, n), _moves(pf, n)
    a, b, d, se, _ = paired(acted_c, acted_f)
    rows.append(["F13: moves the government made, caretaker → confirmed", f"{a:.2f}", f"{b:.2f}",
                 f"{d:+.2f} ± {se:.2f}", "caretaker acts less" if d > 3 * se else "**not less**",
                 "test_caretaker_acts_less_than_a_confirmed_government"])
    off = runs(n, "scenario=anti_american_pm", "scenario.sanctions.override=false")
    on = runs(n, "scenario=anti_american_pm", "scenario.sanctions.override=true")
    req = requested(off)
    a, b, d, se, m = paired(off["final_iran_influence"][req], on["final_iran_influence"][req])
    rows.append([f"F23: final Iranian influence, sanctions off → on (`anti_american_pm`, {m:,} runs with a request)",
                 f3(a), f3(b), pm(d, se),
                 "no fall" if d >= -3 * se else "**FALL**", "test_imposed_sanctions_do_not_lower_iranian_influence"])
    lines += [table(["known answer (docs/model_brief.md)", "arm 1", "arm 2", "difference (2 - 1)", "verdict", "test"], rows), ""]
    no_package = ("scenario=anti_american_pm", "scenario.washington.offer_cost=50")
    slow = runs(n, *no_package, "scenario.washington.withdrawal_days=600")
    fast = runs(n, *no_package, "scenario.washington.withdrawal_days=7")
    o = outcomes.OUTCOMES
    lines += [
        "Occupation vs completed withdrawal (`anti_american_pm` with no retraction package worth offering, "
        "`scenario.washington.offer_cost=50`, N = {:,}): outcome counts in the order {}:".format(n, ", ".join(o)),
        "",
        table(["withdrawal_days", *o, "test"], [
            [600, *np.bincount(slow["outcome"], minlength=5).tolist(), "test_slow_withdrawal_makes_every_standing_request_an_occupation"],
            [7, *np.bincount(fast["outcome"], minlength=5).tolist(), "test_fast_withdrawal_completes_within_the_year"],
        ]),
        "",
    ]
    p = params()
    share = float(bargaining.limit_share(p.behaviour.baghdad_patience, p.washington.patience))
    lines += [
        f"Bargaining layer: a deal's size is the asymmetric Nash solution over both sides' linear payoffs; Baghdad's "
        f"share of the zone of agreement is log {p.washington.patience:g} / (log {p.behaviour.baghdad_patience:g} + "
        f"log {p.washington.patience:g}) = {share:.4f}, the limit of Rubinstein's first-proposer share as offers come "
        "ever faster (test_baghdads_share_of_a_deal_is_the_rubinstein_limit, "
        "test_nash_deal_is_the_argmax_of_the_asymmetric_nash_product, "
        "test_every_drawdown_in_a_run_is_the_proposal_the_other_side_accepted).",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- the article's experts
def run_weeks(p, n: int, steps: int, washington_action: int = -1, hold_request: bool = False) -> dict:
    """Runs 0..n-1 stepped through the stage functions for `steps` steps (all runs kept
    going, unlike the batch engine, so a reading at a date covers every run), with
    Washington's action imposed at every step where it is open if `washington_action` >= 0
    (the role-play hook; before a formal request the post-request actions are not open, so
    every arm is the same run until the request). `hold_request`: once a formal request
    stands, the government is held to waiting, so it never takes the request back. Per
    run: Iranian influence and troops at the step containing the deadline (NaN without a
    request), and the first calendar week a drawdown stood (-1: none)."""
    out = {"influence_at_deadline": np.full(n, np.nan), "troops_at_deadline": np.full(n, np.nan),
           "drawdown_week": np.full(n, -1)}
    start = initial_state(p, n)
    start.forced_washington_action[:] = washington_action
    s = start
    for step, s in trace(p, np.arange(n), steps, start):
        day = p.day(step)
        now = (s.deadline_day > day - p.step_days) & (s.deadline_day <= day)
        out["influence_at_deadline"][now] = s.iran_influence[now]
        out["troops_at_deadline"][now] = s.troops[now]
        first = (s.drawdowns_agreed > 0) & (out["drawdown_week"] < 0)
        out["drawdown_week"][first] = day // 7
        if hold_request:  # for the next step
            s.forced_government_action[:] = np.where(s.request_state == outcomes.RequestState.ACTIVE,
                                                     GovernmentAction.WAIT, -1)
    out["request_week"] = np.where(s.first_request_day >= 0, s.first_request_day // 7, -1)
    return out


def _steps_to_week(p, week: int) -> int:
    """Steps whose end falls in calendar week `week` or earlier (a step's events carry the
    day at its end)."""
    return (7 * week + 6) // p.step_days


def _steps_past_deadlines(p) -> int:
    """Steps that cover the horizon and the year of a request made at its end."""
    return -(-(p.horizon_days + 365) // p.step_days) + 1


def silliman() -> tuple[str, dict]:
    n = N_EXPERT
    end20, end21 = last_week_of_year(2020), last_week_of_year(2021)
    arms = [
        ("baseline (p_anti_american_pm = 0.1, formation_rate = 0.0043 a day)", ()),
        ("no such PM: `scenario.government.p_anti_american_pm=0`", ("scenario.government.p_anti_american_pm=0",)),
        ("every new PM is one: `scenario.government.p_anti_american_pm=1`", ("scenario.government.p_anti_american_pm=1",)),
        ("`scenario=anti_american_pm` (formation_rate 0.023 a day, p 0.95)", ("scenario=anti_american_pm",)),
    ]
    res, rows = {}, []
    for label, ov in arms:
        w = runs(n, *ov)["formal_request_week"]
        by20, by21, ever = (w >= 0) & (w <= end20), (w >= 0) & (w <= end21), w >= 0
        stepped = run_weeks(params(*ov), n, _steps_to_week(params(*ov), end21))
        assert np.array_equal(np.where((w >= 0) & (w <= end21), w, -1), stepped["request_week"]), "engines disagree"
        dw = stepped["drawdown_week"]
        settled20 = by20 | ((dw >= 0) & (dw <= end20))
        in21 = ~by20 & by21
        res[ov] = dict(by20=by20, by21=by21, open20=~settled20, in21=in21)
        rows.append([label, f3(by20.mean()), f3(by21.mean()), f3(ever.mean()), f3((~settled20).mean()), f3(in21.mean())])
    none, every = res[arms[1][1]], res[arms[2][1]]
    d20, d21 = paired(none["by20"], every["by20"]), paired(none["by21"], every["by21"])
    text = "\n".join([
        f"Formal request by the end of 2020 (week ≤ {end20}, {week_date(end20)}) and of 2021 (week ≤ {end21}, "
        f"{week_date(end21)}); N = {n:,} paired runs per arm, root seed {SEED}. \"Open at the end of 2020\": "
        "neither a formal request nor a negotiated drawdown by then; \"request in 2021\": none in 2020, one in 2021.",
        "",
        table(["arm (overrides)", "P(request by end of 2020)", "P(by end of 2021)", "P(by end of run)",
               "P(open at end of 2020)", "P(request in 2021)"], rows),
        "",
        f"Paired difference, every new PM very anti-American minus none: by end of 2020 {pm(d20[2], d20[3])}, "
        f"by end of 2021 {pm(d21[2], d21[3])}.",
    ])
    base = res[arms[0][1]]
    return text, {"p20_none": float(none["by20"].mean()), "p21_none": float(none["by21"].mean()),
                  "open20_none": float(none["open20"].mean()), "in21_none": float(none["in21"].mean()),
                  "open20_base": float(base["open20"].mean()), "in21_base": float(base["in21"].mean()),
                  "p20_always": float(every["by20"].mean()), "d20": d20[2], "d20_se": d20[3]}


def kadhim() -> tuple[str, dict]:
    n = N_EXPERT
    off = runs(n, "scenario.sanctions.override=false")
    on = runs(n, "scenario.sanctions.override=true")
    same = bool(np.array_equal(off["formal_request_day"], on["formal_request_day"]))
    req = requested(off)
    a, b, d, se, m = paired(off["final_iran_influence"][req], on["final_iran_influence"][req])
    p_off, p_on = params("scenario.sanctions.override=false"), params("scenario.sanctions.override=true")
    held = {k: run_weeks(pp, n, _steps_past_deadlines(pp), hold_request=True) for k, pp in (("off", p_off), ("on", p_on))}
    hreq = ~np.isnan(held["off"]["influence_at_deadline"])
    _, _, hd, hse, hm = paired(held["off"]["influence_at_deadline"][hreq], held["on"]["influence_at_deadline"][hreq])
    held_rows = [[f"sanctions forced {k}", f3(held[k]["influence_at_deadline"][hreq].mean()),
                  f"{held[k]['troops_at_deadline'][hreq].mean():,.0f}"] for k in ("off", "on")]
    o = outcomes.OUTCOMES
    rows = [["sanctions forced off: `scenario.sanctions.override=false`", f3(a),
             *[f"{v / m:.3f}" for v in np.bincount(off["outcome"][req], minlength=5)]],
            ["sanctions forced on: `scenario.sanctions.override=true`", f3(b),
             *[f"{v / m:.3f}" for v in np.bincount(on["outcome"][req], minlength=5)]]]
    text = "\n".join([
        f"Runs with a formal request: {m:,} of N = {n:,} (the same runs and request weeks in both arms: {same}); "
        "final Iranian influence and the outcome shares among them:",
        "",
        table(["arm", "mean final influence", *o], rows),
        "",
        f"Paired difference, on minus off: {pm(d, se)} (on {m:,} paired runs).",
        "",
        "Mechanism: the same two arms with the government held to its request once made (it never takes it back; "
        "`State.forced_government_action` = wait while a request stands), influence at the deadline:",
        "",
        table(["arm", "mean influence at the deadline", "mean troops at the deadline"], held_rows),
        "",
        f"Paired difference with the request held, on minus off: {pm(hd, hse)} (on {hm:,} paired runs).",
    ])
    return text, {"diff": d, "se": se, "held_diff": hd, "held_se": hse}


def trump() -> tuple[str, dict]:
    n = N_EXPERT
    p = params()
    steps = _steps_past_deadlines(p)
    arms = {a: run_weeks(p, n, steps, a) for a in (WashingtonAction.STAY, -1, WashingtonAction.WITHDRAW_ON_SCHEDULE)}
    infl = {a: r["influence_at_deadline"] for a, r in arms.items()}
    req = ~np.isnan(infl[WashingtonAction.STAY])
    a, b, d, se, m = paired(infl[WashingtonAction.STAY][req], infl[WashingtonAction.WITHDRAW_ON_SCHEDULE][req])
    _, _, d2, se2, _ = paired(infl[-1][req], infl[WashingtonAction.WITHDRAW_ON_SCHEDULE][req])
    base = runs(n)
    rows = [[name, f"{arms[k]['troops_at_deadline'][req].mean():,.0f}", f3(infl[k][req].mean())] for name, k in (
        ("Washington forced to stay (`stay`)", WashingtonAction.STAY),
        ("the model decides", -1),
        ("Washington forced to withdraw on schedule (`withdraw_on_schedule`)", WashingtonAction.WITHDRAW_ON_SCHEDULE),
    )]
    obs = []
    for k, name in enumerate(outcomes.OUTCOMES):
        sel = base["outcome"] == k
        if sel.any():
            obs.append([name, f"{sel.sum():,}", f"{base['final_troops'][sel].mean():,.0f}",
                        f3(base["final_iran_influence"][sel].mean())])
    text = "\n".join([
        f"Counterfactual: after a formal request Washington's action is imposed through the role-play hook "
        f"(`State.forced_washington_action`); before the request all arms are the same run. N = {n:,} baseline runs "
        f"for {steps} steps (the horizon plus one year), of which {m:,} make a formal request; values at the step "
        "that contains each run's deadline (the request's day + 365):",
        "",
        table(["arm", "mean troops at the deadline", "mean Iranian influence at the deadline"], rows),
        "",
        f"Paired difference in influence at the deadline, withdraw minus stay: {pm(d, se)}; "
        f"withdraw minus the model's own choice: {pm(d2, se2)}.",
        "",
        f"Observational, baseline (N = {n:,}, `simulate`): final troops and final Iranian influence by outcome "
        "(not causal: the runs differ in more than the withdrawal; an occupation run goes on to the horizon "
        "after its deadline, so its troops may leave later):",
        "",
        table(["outcome", "runs", "mean final troops", "mean final influence"], obs),
    ])
    return text, {"diff": d, "se": se}


def experts_block() -> str:
    s_text, s = silliman()
    k_text, k = kadhim()
    t_text, t = trump()
    verdicts = [
        "Verdicts (computed from the numbers above; the discussion below explains them):",
        "",
        f"- Silliman (F15), *through 2020*: without a very anti-American PM, P(request by end of 2020) = "
        f"{s['p20_none']:.3f}: " + ("**agrees**." if s["p20_none"] < 0.5 else "**disagrees**."),
        f"- Silliman (F15), *likely into 2021*: without such a PM the question is still open at the end of 2020 in "
        f"{s['open20_none']:.3f} of runs (baseline {s['open20_base']:.3f}) and a request comes in 2021 in "
        f"{s['in21_none']:.3f} (baseline {s['in21_base']:.3f}): "
        + ("**agrees**." if s["open20_none"] >= 0.5 and s["in21_none"] >= 0.5 * s["open20_none"] else
           "**disagrees**: the model settles the question earlier, by a negotiated drawdown without any request (F19), "
           "instead of carrying it into 2021."),
        f"- Silliman (F15), *unless a very anti-American PM with a majority*: P(request by end of 2020) rises by "
        f"{pm(s['d20'], s['d20_se'])} to {s['p20_always']:.3f}: "
        + ("**agrees**." if s["d20"] > 3 * s["d20_se"] else "**disagrees**."),
        f"- Kadhim (F23): imposed sanctions change final Iranian influence by {pm(k['diff'], k['se'])} in the runs with a "
        "request: " + ("**agrees**, Iran gains." if k["diff"] > 3 * k["se"] else
                       "**disagrees**, Iran does not gain in total; " + (
                           f"with the request held (no retraction) it does, by {pm(k['held_diff'], k['held_se'])} at the deadline."
                           if k["held_diff"] > 3 * k["held_se"] else "nor with the request held.")),
        f"- Trump (F7, F24): forcing withdrawal instead of staying changes Iranian influence at the deadline by "
        f"{pm(t['diff'], t['se'])}: " + ("**agrees**, withdrawal raises Iranian influence." if t["diff"] > 3 * t["se"]
                                         else "**disagrees**."),
    ]
    return "\n".join([
        f"Generated by `{COMMAND}` (root seed {SEED}, batch engine, paired runs: same run ids in every arm; ± is one "
        "standard error of the paired mean difference).", "",
        "**Silliman (F15).**", "", s_text, "", "**Kadhim (F23).**", "", k_text, "", "**Trump (F7, F24).**", "", t_text,
        "", *verdicts,
    ])


# ---------------------------------------------------------------- collective rules in the model
def rules_block() -> str:
    rows = []
    for rule, n in (("compromise", N_RULES), ("median", N_RULES), ("bdm", N_RULES_BDM)):
        r = runs(n, *(() if rule == "compromise" else (f"scenario.behaviour.collective_rule={rule}",)))
        pp = params(*(() if rule == "compromise" else (f"scenario.behaviour.collective_rule={rule}",)))
        stance0 = float(initial_state(pp, 1).collective_stance[0])
        rows.append([f"`{rule}`", f"{n:,}", f3(stance0), *share_by_outcome(r), f3(requested(r).mean())])
    return "\n".join([
        f"Generated by `{COMMAND}`: the baseline under each `scenario.behaviour.collective_rule` (root seed {SEED}, "
        "run ids 0..N-1, batch engine): Baghdad's collective stance from the factions' January 2020 positions "
        "(week 0), and the shares of runs by outcome:",
        "",
        table(["rule", "N", "stance in January 2020", *outcomes.OUTCOMES, "P(formal request)"], rows),
    ])


# ---------------------------------------------------------------- rationality and step length
def _dynamics_row(label: str, r: dict) -> list[str]:
    w = r["formal_request_week"]
    weeks = r["days_simulated"].sum() / 7
    return [label, *share_by_outcome(r), f3(((w >= 0) & (w <= last_week_of_year(2020))).mean()),
            f3(((w >= 0) & (w <= last_week_of_year(2021))).mean()),
            f"{weeks / (r['washington_posture_changes'] + 1).sum():.1f}",
            f"{weeks / (r['tehran_posture_changes'] + 1).sum():.1f}",
            f"{r['drawdowns_agreed'].mean():.2f}"]


def dynamics_block() -> str:
    n = N_DYNAMICS
    header = ["setting", *outcomes.OUTCOMES, "P(request by end 2020)", "P(by end 2021)",
              "Washington posture (mean weeks)", "Tehran posture (mean weeks)", "drawdowns per run"]
    default = params().behaviour.rationality
    lam_rows = [_dynamics_row(f"rationality {lam}" + (" (default)" if lam == f"{default:g}" else ""),
                              runs(n, f"scenario.behaviour.rationality={lam}"))
                for lam in ("inf", "30", f"{default:g}", "4")]
    step_rows = [_dynamics_row(f"step_days = {d}" + (" (default)" if d == 7 else ""), runs(n, f"step_days={d}"))
                 for d in (3, 7, 14)]
    return "\n".join([
        f"Generated by `{COMMAND}`: the baseline, N = {n:,} runs per row (run ids 0..N-1, root seed {SEED}, batch "
        "engine), by every actor's logit rationality (`scenario.behaviour.rationality`) and by the step length "
        "(`step_days`). A posture's mean length is the weeks simulated over the postures held (changes + 1), pooled.",
        "",
        table(header, lam_rows),
        "",
        table(header, step_rows),
    ])


# ---------------------------------------------------------------- the fact-effect table
@dataclasses.dataclass(frozen=True)
class FactEffect:
    """One directional statement of the article as a paired experiment: `off` and `on` are
    overrides of `scenario`; `target` the quantity the statement speaks of (`METRICS`),
    `sign` the article's direction on it; `mechanism` says why the model departs from it
    where the verdict is not "agree" (the table shows it; tests/test_validation_doc.py fails
    on a row that departs without one)."""

    fact: str
    statement: str
    lever: str
    off: tuple[str, ...]
    on: tuple[str, ...]
    target: str
    sign: int
    scenario: str = "baseline"
    mechanism: str = ""


def _lever(name: str) -> tuple[str, ...]:
    """The overrides of one of Washington's strategies of the `conditions` experiment."""
    from sim.config import experiment_config

    settings = experiment_config("conditions").levers[name] or {}
    return tuple(f"scenario.{k}={v}" for k, v in settings.items())


#: the quantities a statement may speak of: name -> function of a summary table (per run)
METRICS = {
    "P(request)": lambda r: requested(r),
    **{name: (lambda r, k=k: r["outcome"] == k) for k, name in enumerate(outcomes.OUTCOMES)},
    "request by a caretaker": lambda r: r["request_by_caretaker"],
    "sanctions imposed": lambda r: r["sanctions_imposed"],
    "final Iranian influence": lambda r: r["final_iran_influence"],
}

FACT_EFFECTS = (
    FactEffect("F13", "a caretaker defers to the next government", "government.caretaker_deference 0 → 0.95",
               ("scenario.government.caretaker_deference=0",), ("scenario.government.caretaker_deference=0.95",),
               "request by a caretaker", -1),
    FactEffect("F15", "a very anti-American PM with a majority speeds a request", "government.p_anti_american_pm 0 → 1",
               ("scenario.government.p_anti_american_pm=0",), ("scenario.government.p_anti_american_pm=1",),
               "P(request)", +1),
    FactEffect("F17", "linkage puts other support at risk: asking costs more", "washington.initial_linkage 0 → 1",
               ("scenario.washington.initial_linkage=0",), ("scenario.washington.initial_linkage=1",), "P(request)", -1),
    FactEffect("F19", "public escalation is costly ('knee-jerk reactions')", "government.escalation_cost 0 → 5",
               ("scenario.government.escalation_cost=0",), ("scenario.government.escalation_cost=5",), "P(request)", -1),
    FactEffect("F19", "backing down from a public request is costly (audience cost)", "government.retraction_cost 0 → 0.14",
               ("scenario.government.retraction_cost=0",), ("scenario.government.retraction_cost=0.14",),
               "request_withdrawn", -1, "anti_american_pm"),
    FactEffect("F21", "the US cannot impose its troops: staying after a request costs it",
               "washington.legitimacy_weight 0.5 → 2", ("scenario.washington.legitimacy_weight=0.5",),
               ("scenario.washington.legitimacy_weight=2",), "occupation", -1, "anti_american_pm"),
    FactEffect("F22", "'very big sanctions' deter a request (their size)", "sanctions.magnitude 0.4 → 1",
               ("scenario.sanctions.magnitude=0.4",), ("scenario.sanctions.magnitude=1.0",), "P(request)", -1,
               mechanism="a bigger threat lowers the PM's value of a request, and by as much raises the drawdown "
               "Washington concedes to head one off (the Nash deal prices the request it avoids): runs without a "
               "request turn into negotiated drawdowns (no_request −20, negotiated_drawdown +20 points), while the "
               "requests of PMs who value withdrawal most are not deterred. The article's own reading: troops leave "
               "'on Washington's terms' (F22), not no request at all."),
    FactEffect("F22", "'very big sanctions' deter a request (their credibility)", "sanctions.credibility 0.2 → 0.9",
               ("scenario.sanctions.credibility=0.2",), ("scenario.sanctions.credibility=0.9",), "P(request)", -1),
    FactEffect("F23", "sanctions hand Iraq to Iran ('on a silver platter')", "world.influence_sanctions_weight 0 → 0.4",
               ("scenario.world.influence_sanctions_weight=0",), ("scenario.world.influence_sanctions_weight=0.4",),
               "final Iranian influence", +1, "anti_american_pm"),
    FactEffect("F24", "if the US leaves, Iran fills the vacuum", "world.influence_vacuum_weight 0.1 → 0.6",
               ("scenario.world.influence_vacuum_weight=0.1",), ("scenario.world.influence_vacuum_weight=0.6",),
               "final Iranian influence", +1, "anti_american_pm"),
    FactEffect("F16", "Tehran's allies call the presence an occupation and push for a request",
               "tehran.initial_pressure 0 → 0.8", ("scenario.tehran.initial_pressure=0",),
               ("scenario.tehran.initial_pressure=0.8",), "P(request)", +1,
               mechanism="Tehran's pressure moves the Shia factions (F16), whose stances already stand near "
               "withdrawal, and reaches the PM's decision only through the collective stance (weight 1 − "
               "government.pm_weight); a caretaker takes few of its chances to act (F13). The request follows the PM "
               "parliament confirms (F15: 'unless a very anti-American PM with a majority is chosen'), not the "
               "pressure on its coalition: the effect is positive, under 3 standard errors."),
    FactEffect("F12, F16", "Tehran escalates: cheap proxy escalation, strong lasting pressure", "scenario tehran_escalates",
               (), ("scenario=tehran_escalates",), "negotiated_drawdown", +1),
    FactEffect("F18", "the street marching for withdrawal presses the government",
               "world.mobilisation_tension_weight 0 → 2", ("scenario.world.mobilisation_tension_weight=0",),
               ("scenario.world.mobilisation_tension_weight=2",), "P(request)", +1),
    FactEffect("F12", "parliament's resolution is a mandate to act", "government.mandate_weight 0 → 5",
               ("scenario.government.mandate_weight=0",), ("scenario.government.mandate_weight=5",), "P(request)", +1),
    FactEffect("F19", "Washington's quiet diplomacy: negotiate the drawdown", "lever quiet_diplomacy vs status quo",
               (), _lever("quiet_diplomacy"), "negotiated_drawdown", +1),
    FactEffect("F17, F22", "Washington's maximum pressure: threats and linkage kept live",
               "lever maximum_pressure vs status quo", (), _lever("maximum_pressure"), "P(request)", -1,
               mechanism="Trump's intent (F22) is deterrence; Kadhim's reading (F19, F23) is that public pressure "
               "does not help, and the model sides with him: threats and linkage kept live make taking a request back "
               "worth more (the relief and the support it restores, F17, F22), so the extra requests end taken back "
               "(request_withdrawn +2 points) and Washington buys more drawdowns first (negotiated_drawdown +7)."),
)


def verdict(diff: float, se: float, sign: int) -> str:
    """agree / inert / opposite: inert within 3 standard errors of 0."""
    if not abs(diff) > 3 * se:
        return "inert"
    return "agree" if diff * sign > 0 else "opposite"


def fact_row(f: FactEffect, n: int = N_FACTS) -> dict:
    """The paired effects of one statement's lever (on - off) over run ids 0..n-1."""
    base = (f"scenario={f.scenario}",)
    off = runs(n, *(f.off if any(o.startswith("scenario=") for o in f.off) else base + f.off))
    on = runs(n, *(f.on if any(o.startswith("scenario=") for o in f.on) else base + f.on))
    effects = {name: paired(fn(off), fn(on))[2:4] for name, fn in METRICS.items()}
    d, se = effects[f.target]
    return {"effects": effects, "verdict": verdict(d, se, f.sign)}


def _pts(d: float, se: float, metric: str) -> str:
    return f"{d:+.3f} ± {se:.3f}" if metric == "final Iranian influence" else f"{100 * d:+.1f} ± {100 * se:.1f}"


def facts_block() -> str:
    n = N_FACTS
    header = ["fact", "the article says", "lever (off → on)", "scenario", "target", "article's sign", "effect on target",
              "P(request)", *outcomes.OUTCOMES, "verdict", "mechanism"]
    rows = []
    for f in FACT_EFFECTS:
        r = fact_row(f, n)
        e = r["effects"]
        rows.append([f.fact, f.statement, f"`{f.lever}`", f.scenario, f.target, "+" if f.sign > 0 else "−",
                     _pts(*e[f.target], f.target), _pts(*e["P(request)"], "P(request)"),
                     *(_pts(*e[o], o) for o in outcomes.OUTCOMES), r["verdict"],
                     f.mechanism if r["verdict"] != "agree" else ""])
    return "\n".join([
        f"Generated by `{COMMAND}`: each row switches one lever from off to on in N = {n:,} paired runs (run ids "
        f"0..N-1, root seed {SEED}, batch engine: common random numbers), in the scenario named. Effects are on - off "
        "in percentage points (final Iranian influence: on its 0-1 scale) ± one standard error of the paired "
        "difference. Verdict: inert if the effect on the target is within 3 standard errors of 0, else agree or "
        "opposite to the article's sign.",
        "",
        table(header, rows),
    ])


def structures_block() -> str:
    n = N_FACTS
    header = ["calibrated scenario", *outcomes.OUTCOMES, "P(request)"]
    rows = []
    for label, extra in (("default rationality, 7-day steps", ()),
                         ("best response (rationality inf)", ("scenario.behaviour.rationality=inf",)),
                         ("14-day steps", ("step_days=14",))):
        r = runs(n, "scenario=calibrated", *extra)
        rows.append([label, *share_by_outcome(r), f3(requested(r).mean())])
    return "\n".join([
        f"Generated by `{COMMAND}`: the calibrated scenario, N = {n:,} paired runs per row (run ids 0..N-1, root "
        f"seed {SEED}), the five outcome shares under the default logit rationality, at best response and with a "
        "14-day step.",
        "",
        table(header, rows),
    ])


#: the settings of the `deals` block: the logit rationality from nearly random to best response, and
#: each patience coefficient at the ends of its prior range (configs/calibration/priors.yaml)
DEAL_ROWS = (("rationality 4", ("scenario.behaviour.rationality=4",)),
             ("the scenario's rationality", ()),
             ("rationality 32", ("scenario.behaviour.rationality=32",)),
             ("best response (rationality inf)", ("scenario.behaviour.rationality=inf",)),
             ("Washington's patience 0.8", ("scenario.washington.patience=0.8",)),
             ("Washington's patience 0.99", ("scenario.washington.patience=0.99",)),
             ("Baghdad's patience 0.75", ("scenario.behaviour.baghdad_patience=0.75",)),
             ("Baghdad's patience 0.98", ("scenario.behaviour.baghdad_patience=0.98",)),
             ("discount rate 0.0005 a day", ("scenario.behaviour.discount_rate=0.0005",)),
             ("discount rate 0.008 a day", ("scenario.behaviour.discount_rate=0.008",)))
#: no drawdown is worth negotiating: the counterfactual of the deals' pricing check
NO_DEALS = ("scenario.behaviour.min_deal=1.0",)
N_DEALS = 2_000       # runs per rationality in the pricing check (stepped one week at a time)


def deal_pricing(n: int, *overrides: str) -> dict:
    """What a deal avoids, at the model's own hazards: in the runs that strike a drawdown, the
    chance of a formal request in the rest of the run that the first deal was priced at (the
    PM's request hazard in the outlook the side closing the deal read as it decided,
    `views.outlook_now` just before its stage, held constant), against the share of the same
    runs (same ids) that make a request after that day when no drawdown can be agreed
    (`NO_DEALS`)."""
    from sim.model import draws, stages
    from sim.model.views import outlook_now
    from sim.model.week import run_week

    p = params(*overrides)
    ids = np.arange(n)
    keys = draws.run_key(p.seed, ids.astype(np.uint64))
    s = initial_state(p, n)
    first = np.full(n, -1)
    priced = np.full(n, np.nan)
    size = np.full(n, np.nan)
    for week in range(1, p.horizon_steps + 1):
        day = p.day(week)

        def perform(stage, week=week, day=day):
            look = outlook_now(s, p, week) if stage.name in ("government", "washington") else None
            agreed, target = s.drawdowns_agreed.copy(), s.troop_target.copy()
            stages.run_stage(stage, s, p, week, keys)
            new = (s.drawdowns_agreed > agreed) & (first < 0)
            if look is not None and new.any():
                priced[new] = 1.0 - np.exp(-look["hazard"][new] * (p.horizon_days - day))
                size[new] = (target[new] - s.troop_target[new]) / p.world.initial_troops
                first[new] = day

        run_week(s, p, week, keys, perform=perform)
    without = runs(n, *overrides, *NO_DEALS)
    day = without["formal_request_day"]
    deal = first >= 0
    after = (day >= 0) & (day >= first)
    with_ = runs(n, *overrides)
    return {"deal": float(deal.mean()), "size": float(np.nanmean(size[deal])) if deal.any() else math.nan,
            "priced_mean": float(np.nanmean(priced[deal])) if deal.any() else math.nan,
            "priced_median": float(np.nanmedian(priced[deal])) if deal.any() else math.nan,
            "realised": float(after[deal].mean()) if deal.any() else math.nan,
            "request": paired(requested(with_), requested(without))}


def deals_block() -> str:
    n = N_FACTS
    base = runs(n, "scenario=calibrated")
    names = list(outcomes.OUTCOMES)
    default = names[int(np.argmax([np.mean(base["outcome"] == k) for k in range(len(names))]))]
    header = ["calibrated scenario", *names, "dominant outcome"]
    rows = []
    lam = run_config(("scenario=calibrated",)).scenario.behaviour.rationality
    for label, extra in DEAL_ROWS:
        label = f"{label} ({lam:g})" if not extra else label
        r = runs(n, "scenario=calibrated", *extra)
        shares = [float(np.mean(r["outcome"] == k)) for k in range(len(names))]
        top = names[int(np.argmax(shares))]
        rows.append([label, *(f3(v) for v in shares), top if top == default else f"**{top}**"])
    price_rows = []
    for label, extra in DEAL_ROWS[:4]:
        label = f"{label} ({lam:g})" if not extra else label
        d = deal_pricing(N_DEALS, "scenario=calibrated", *extra)
        a, b, diff, se, _ = d["request"]
        price_rows.append([label, f3(d["deal"]), f3(d["size"]), f"{f3(d['priced_mean'])} ({f3(d['priced_median'])})",
                           f3(d["realised"]), f"{f3(a)} → {f3(b)} ({pm(diff, se)})"])
    return "\n".join([
        f"Generated by `{COMMAND}`: the calibrated scenario, N = {n:,} paired runs per row (run ids 0..N-1, root "
        f"seed {SEED}); the five outcome shares with the logit rationality from 4 to best response and each "
        "patience coefficient at the ends of its prior range, the others at the scenario's values. The dominant "
        f"outcome is in bold where it is not the default's ({default}).",
        "",
        table(header, rows),
        "",
        f"What the deals avoid, at the model's own hazards (N = {N_DEALS:,} runs per row): of the runs that agree a "
        "drawdown, the mean drawdown (share of the January force), the chance of a formal request in the rest of "
        "the run that the first deal was priced at (the PM's request hazard in the outlook the side closing the deal "
        "read as it decided, held constant; mean and median), and the share of the same runs that make a request after that day when no "
        "drawdown can be agreed (`behaviour.min_deal` 1, same run ids); last, P(request) with deals and without.",
        "",
        table(["calibrated scenario", "runs with a deal", "mean drawdown", "priced chance of a request (median)",
               "realised without deals", "P(request): deals → none (paired)"], price_rows),
    ])


#: the shipped scenarios whose post-request outcomes the `after_request` block reports
SCENARIOS = ("baseline", "calibrated", "anti_american_pm", "amicable_dialogue", "isis_resurgence", "max_pressure",
             "permanent_caretaker", "sanctions_bluff", "tehran_escalates")
AFTER = ("withdrawal_completed", "request_withdrawn", "occupation")


def after_request(n: int = N_FACTS) -> dict[str, dict]:
    """Per scenario: runs with a request, the share of them ending in each of `AFTER`, and the
    share of runs in which Tehran changed posture."""
    out = {}
    for sc in SCENARIOS:
        r = runs(n, f"scenario={sc}")
        req = requested(r)
        k = int(req.sum())
        shares = {o: (float((r["outcome"][req] == outcomes.OUTCOMES.index(o)).mean()) if k else math.nan)
                  for o in AFTER}
        out[sc] = {"requests": k, "shares": shares, "tehran_moved": float((r["tehran_posture_changes"] > 0).mean())}
    return out


def after_request_block() -> str:
    n = N_FACTS
    data = after_request(n)
    header = ["scenario", "runs with a request", *(f"{o} (share of requests)" for o in AFTER),
              "Tehran changed posture (share of runs)"]
    rows = [[sc, f"{d['requests']:,}", *(f3(d["shares"][o]) for o in AFTER), f3(d["tehran_moved"])]
            for sc, d in data.items()]
    return "\n".join([
        f"Generated by `{COMMAND}`: N = {n:,} runs per scenario (run ids 0..N-1, root seed {SEED}); of the runs with "
        "a formal request, the share whose troops left within the notice period, whose request was taken back (and "
        "not made again), and whose deadline passed with troops there (occupation, F11).",
        "",
        table(header, rows),
    ])


# ---------------------------------------------------------------- the document
BUILDERS = {"ec": ec_block, "known": known_block, "experts": experts_block, "rules": rules_block,
            "dynamics": dynamics_block, "facts": facts_block, "structures": structures_block,
            "deals": deals_block, "after_request": after_request_block}


def _pattern(name: str):
    return re.compile(rf"(<!-- generated:{name}:begin -->\n)(.*?)(\n?<!-- generated:{name}:end -->)", re.S)


def current_block(text: str, name: str) -> str | None:
    m = _pattern(name).search(text)
    return m.group(2) if m else None


def write_blocks(names, path: Path = DOC) -> list[str]:
    """Regenerate the named blocks of the document; returns the names that changed."""
    text = path.read_text(encoding="utf-8")
    changed = []
    for name in names:
        if current_block(text, name) is None:
            raise SystemExit(f"{path}: no block <!-- generated:{name}:begin --> ... <!-- generated:{name}:end -->")
        new = BUILDERS[name]()
        if current_block(text, name) != new:
            changed.append(name)
            block = f"<!-- generated:{name}:begin -->\n{new}\n<!-- generated:{name}:end -->"
            text = _pattern(name).sub(lambda m, block=block: block, text)
    path.write_text(text, encoding="utf-8")
    return changed


def stale_blocks(names, path: Path = DOC) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [name for name in names if current_block(text, name) != BUILDERS[name]()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=BLOCKS, action="append", help="block(s) to build (default: all)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if a block is stale")
    parser.add_argument("--print", dest="show", choices=BLOCKS, help="print one block to stdout and exit")
    args = parser.parse_args(argv)
    if args.show:
        print(BUILDERS[args.show]())
        return 0
    names = args.only or list(BLOCKS)
    if args.check:
        stale = stale_blocks(names)
        if stale:
            print(f"{DOC}: stale block(s) {', '.join(stale)}; run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{DOC}: blocks {', '.join(names)} are current")
        return 0
    changed = write_blocks(names)
    print(f"{DOC}: rewrote {', '.join(changed) if changed else 'nothing (all current)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
