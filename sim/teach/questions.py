"""The questions of the exercise cards, and what each asks about: their one source.

A card's section "Questions for students" is written from `QUESTIONS` by
`python -m sim.teach facilitator`, between the markers `<!-- questions:begin -->` and
`<!-- questions:end -->`; edit the questions here, never in the card. A question that asks
about something the model computes names its measures (`MEASURES`: a value per run, from
the runs' summary columns). The facilitator's note then sets the scenario against the
baseline on each measure over the same runs (run i of both is the same random world:
common random numbers), as the paired mean difference with its 95 % interval, so an
exercise shows that there is something to find. tests/test_teach_cards.py fails if a
difference's interval includes 0. The baseline's own card gives each measure's level with its
interval. A question of judgement (what would make a scenario realistic, play a role) names
no measure.

Fact ids in brackets point to docs/facts.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..ensembles import YEAR_ENDS, Ensemble
from ..model.outcomes import OUTCOMES
from ..style import OUTCOME_LABELS

#: the normal quantile of a two-sided 95 % interval
Z95 = 1.959963984540054

Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Measure:
    """A value per run. `kind` says how it reads: "share" (a yes or no per run, shown in per
    cent, differences in percentage points), "weeks", "troops", "influence" (0 to 1) or
    "count" (how many times per run)."""

    label: str
    kind: str
    value: Callable[[Ensemble], np.ndarray]


def _outcome(name: str) -> Callable[[Ensemble], np.ndarray]:
    code = OUTCOMES.index(name)
    return lambda e: e.columns["outcome"] == code


def _requested_by(year: str) -> Callable[[Ensemble], np.ndarray]:
    def value(e: Ensemble) -> np.ndarray:
        w = e.columns["formal_request_week"]
        return (w >= 0) & (w <= e.last_week_by(YEAR_ENDS[year]))
    return value


def _column(name: str) -> Callable[[Ensemble], np.ndarray]:
    return lambda e: e.columns[name]


MEASURES: dict[str, Measure] = {
    "request": Measure("runs with a formal request (F4)", "share", lambda e: e.columns["formal_request_week"] >= 0),
    "request_by_2020": Measure("runs with a formal request by the end of 2020 (F15)", "share", _requested_by("2020")),
    "request_by_2021": Measure("runs with a formal request by the end of 2021 (F15)", "share", _requested_by("2021")),
    "weeks_to_request": Measure(
        "weeks to the first formal request (a run without one counts the whole horizon)", "weeks",
        lambda e: np.where(e.columns["formal_request_week"] >= 0, e.columns["formal_request_week"], e.horizon_weeks)),
    **{name: Measure(f"share of runs ending: {OUTCOME_LABELS[name]}", "share", _outcome(name)) for name in OUTCOMES},
    "final_troops": Measure("US troops in Iraq at the end of the run (F3)", "troops", _column("final_troops")),
    "final_iran_influence": Measure("Iranian influence at the end of the run (0 to 1; F7, F24)", "influence",
                                    _column("final_iran_influence")),
    "sanctions_imposed": Measure("runs in which Washington imposed its sanctions (F22)", "share",
                                 _column("sanctions_imposed")),
    "tehran_posture_changes": Measure("times Tehran changed course", "count", _column("tehran_posture_changes")),
    "factions_posture_changes": Measure("times Baghdad's factions changed position (all factions together)", "count",
                                        _column("factions_posture_changes")),
    "government_posture_changes": Measure("moves the prime minister made", "count",
                                          _column("government_posture_changes")),
    "resolutions_passed": Measure("resolutions parliament passed against the US presence (F12)", "count",
                                  _column("resolutions_passed")),
}


@dataclass(frozen=True)
class Question:
    """A question for students (Markdown, with fact ids) and the measures it asks about."""

    text: str
    measures: tuple[str, ...] = ()


Q = Question

QUESTIONS: dict[str, tuple[Question, ...]] = {
    "baseline": (
        Q("The parliament voted to expel US troops in January 2020. Why does that vote not start the one-year "
          "clock, and what would (F4, F5, F10, F12)?"),
        Q("Silliman expected the question to run \"through 2020, likely into 2021\" (F15). Does the model agree? "
          "Which mechanisms in the model produce the delay?", ("request_by_2020", "request_by_2021")),
        Q("Do most runs end without a formal request? Which of Baghdad's factions hold the request back, and with "
          "which payoff terms (security, sanctions, linkage: F1, F14, F17, F22)?", ("request",)),
        Q("When a request is made, what does Washington do next, and why does it so rarely stay past the deadline "
          "(F21)?", ("occupation",)),
    ),
    "anti_american_pm": (
        Q("Silliman's exception says such a PM would speed up a request (F15). How much sooner does the request "
          "come than in the baseline, and why is the change so large?", ("weeks_to_request",)),
        Q("With the request made, who decides what happens next? Compare the shares of requests taken back and of "
          "withdrawals completed: what does Washington offer (F17, F19)?",
          ("request_withdrawn", "withdrawal_completed")),
        Q("Does a quicker request make an \"occupation\" (F4, F11) more likely? Why or why not?", ("occupation",)),
        Q("Which assumption in this scenario would you most like to see tested against evidence?"),
    ),
    "max_pressure": (
        Q("Does a credible threat deter the formal request? Compare with the baseline and with the sanctions bluff "
          "exercise (F22).", ("request",)),
        Q("If fewer requests are made, does Washington get what it wants? Look at negotiated drawdowns (F5, F19) "
          "and at Iranian influence at the end (F7, F24).", ("negotiated_drawdown", "final_iran_influence")),
        Q("Does Washington end up imposing its sanctions more often or less often than in the baseline, and what "
          "does the model say sanctions do to Iranian influence (F22, F23)?", ("sanctions_imposed",)),
        Q("Which factions respond most to the threat, and why (sanctions exposure, F22)? Read it in a single run's "
          "story and faction positions."),
    ),
    "sanctions_bluff": (
        Q("A bluff costs Washington nothing to make. Does it still work? Compare the share of runs with a formal "
          "request with the baseline and with `max_pressure` (F22).", ("request",)),
        Q("The Kurdish and Sunni parties are wary of expelling US forces (F14), and the other Shia parties fear "
          "sanctions (F22). When the threat is a bluff, does Baghdad still settle for a negotiated drawdown "
          "(F5, F19)?", ("negotiated_drawdown",)),
        Q("If Baghdad calls the bluff and makes the request, does the request stand, or is it taken back for a "
          "package (F4, F19, F21)?", ("request_withdrawn",)),
        Q("How would you measure credibility in the real 2020 negotiations?"),
    ),
    "amicable_dialogue": (
        Q("Does quiet diplomacy produce fewer formal requests or more? Why (F19)?", ("request",)),
        Q("A negotiated drawdown removes part of the troops without starting the clock (F5). How many troops are "
          "left at the end, and who decides the split (the model's Rubinstein bargaining)?", ("final_troops",)),
        Q("Is a negotiated drawdown a good outcome for Tehran (F7, F24)? Look at Iranian influence at the end.",
          ("final_iran_influence",)),
        Q("What would have to be true in Washington for this scenario to be realistic in 2020 (F20, F22)?"),
    ),
    "isis_resurgence": (
        Q("When the ISIS threat is high, do Baghdad's factions change position more often or less often, which "
          "of them hold their line, and why (F1, F14)?", ("factions_posture_changes",)),
        Q("The State Department said US soldiers are not leaving because the fight against ISIS goes on (F20). "
          "Does a high threat keep more US troops in Iraq at the end, and through which moves (F5, F19, F21)?",
          ("final_troops",)),
        Q("In the model, the threat rises if US forces leave. How does that feed back into Baghdad's decision to "
          "make the formal request (F1, F24)?", ("request",)),
        Q("Compare with 2011 (F9): troops left, and returned in 2014. What would the model need to represent that "
          "history?"),
    ),
    "tehran_escalates": (
        Q("With escalation cheap and its pressure lasting, how often does Tehran change course, and does "
          "parliament pass more resolutions against the US presence (F12, F16)?",
          ("tehran_posture_changes", "resolutions_passed")),
        Q("What does rising tension do to Washington's cost of staying (force protection) and to the troops left "
          "at the end (F12, F21)?", ("final_troops",)),
        Q("Does Tehran gain influence by escalating? Compare Iranian influence at the end, and find the outcomes "
          "in which it gains most (F7, F23, F24).", ("final_iran_influence",)),
        Q("Play Tehran (`python -m sim.play --as tehran scenario=tehran_escalates`): can you do better than the "
          "model's Tehran in the same world?"),
    ),
    "permanent_caretaker": (
        Q("A caretaker has full powers (F13). Why does the model still let it act less than a confirmed "
          "government? Compare the moves the prime minister makes, and find the parameters that express it.",
          ("government_posture_changes",)),
        Q("How does the outcome distribution compare with the baseline's and with `anti_american_pm`? Which of the "
          "three is closest to what happened after January 2020?", ("no_request",)),
        Q("With no formal request, what can still happen (F5, F19)? Compare the share of negotiated drawdowns.",
          ("negotiated_drawdown",)),
        Q("Street mobilisation (F18) and protests (F14) keep going. Why do they not force the caretaker's hand?",
          ("request",)),
    ),
    "calibrated": (
        Q("Compare the outcome shares with the baseline's. Which outcome moved most, and which of the article's "
          "statements (F5, F13, F15, F20, F22) pulled it there?", ("no_request",)),
        Q("The calibration only used what was known in January 2020. Which later events would you use to test this "
          "scenario, and which of its numbers would they confirm or contradict?"),
        Q("Open the calibration report's prior and posterior table. Which coefficients did the article's "
          "statements narrow, and which stayed as uncertain as before? What does that say about the evidence an "
          "article like this one can give?"),
        Q("The posterior medians are one point of many plausible settings. Would you rather teach with this "
          "scenario or with runs drawn from the whole posterior (`python -m sim.sweep experiment=posterior`)? Why?"),
    ),
}


def questions_of(name: str) -> tuple[Question, ...]:
    if name not in QUESTIONS:
        raise KeyError(f"no questions for scenario {name!r} in sim/teach/questions.py (have: {', '.join(QUESTIONS)})")
    return QUESTIONS[name]


def _wrap(text: str, width: int = 96, indent: str = "   ") -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="", subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def questions_markdown(name: str) -> str:
    """The card's numbered questions, as Markdown (wrapped, continuation lines indented)."""
    lines = ["<!-- written from sim/teach/questions.py by python -m sim.teach facilitator: edit the questions there -->"]
    for k, q in enumerate(questions_of(name), 1):
        lines += _wrap(f"{k}. {q.text}")
    return "\n".join(lines)


# ------------------------------------------------------------------ the numbers
@dataclass(frozen=True)
class Finding:
    """One measure of one question: the scenario's mean, the reference's (None on the
    reference's own card), and the paired difference (or, on the reference's card, the
    mean) with its 95 % interval."""

    question: int
    measure: str
    mean: float
    reference: float | None
    estimate: float
    low: float
    high: float
    differ: int = 0   # runs whose value differs from the reference's in the same world

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval leaves 0 out (an interval of a difference that is 0 in every run is [0, 0])."""
        return self.low > 0 or self.high < 0


def _interval(x: np.ndarray) -> tuple[float, float, float]:
    """The mean and its normal 95 % interval (± 1.96 standard errors)."""
    x = np.asarray(x, dtype=np.float64)
    mean = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")
    return mean, mean - Z95 * se, mean + Z95 * se


def _clopper_pearson(k: int, n: int) -> tuple[float, float]:
    """The exact 95 % interval of a proportion k of n (Clopper & Pearson 1934)."""
    from scipy.stats import beta

    low = float(beta.ppf(0.025, k, n - k + 1)) if k > 0 else 0.0
    high = float(beta.ppf(0.975, k + 1, n - k)) if k < n else 1.0
    return low, high


def _share_interval(x: np.ndarray) -> tuple[float, float, float]:
    """A share and its exact 95 % interval."""
    x = np.asarray(x, dtype=bool)
    low, high = _clopper_pearson(int(x.sum()), x.size)
    return float(x.mean()), low, high


def _paired_share_interval(mine: np.ndarray, theirs: np.ndarray) -> tuple[float, float, float]:
    """The difference of two shares over the same runs and its 95 % interval: the wider of
    the normal interval of the runs' differences and the exact one conditional on the runs
    whose result differs (McNemar's exact test inverted: of the d runs that differ, b are yes
    here and no there; the difference is (2 b / d - 1) d / n, with the Clopper-Pearson
    interval of b / d). When few runs differ the exact one is the wider however one-sided they
    are: 4 runs of 4 (the audit's tehran_escalates request, 9.1 % against 8.9 %) do not
    exclude 0, where the normal interval alone would."""
    mine, theirs = np.asarray(mine, dtype=bool), np.asarray(theirs, dtype=bool)
    n = mine.size
    b, c = int((mine & ~theirs).sum()), int((~mine & theirs).sum())
    d = b + c
    diff, low, high = _interval(mine.astype(np.float64) - theirs.astype(np.float64))
    if d == 0:
        return 0.0, 0.0, 0.0
    exact_low, exact_high = _clopper_pearson(b, d)
    return diff, min(low, (2 * exact_low - 1) * d / n), max(high, (2 * exact_high - 1) * d / n)


def findings(e: Ensemble, reference: Ensemble | None = None) -> list[Finding]:
    """Every measured question of `e`'s card: against `reference` (the same runs of the
    baseline; paired by run) or, without one, the measure's own level."""
    if reference is not None and (reference.seed != e.seed or not np.array_equal(reference.run_ids, e.run_ids)):
        raise ValueError("a paired comparison needs the same root seed and run ids in both ensembles")
    out = []
    for k, q in enumerate(questions_of(e.scenario), 1):
        for name in q.measures:
            m = MEASURES[name]
            share = m.kind == "share"
            mine = np.asarray(m.value(e), dtype=bool if share else np.float64)
            if reference is None:
                mean, low, high = _share_interval(mine) if share else _interval(mine)
                out.append(Finding(k, name, mean, None, mean, low, high))
            else:
                theirs = np.asarray(m.value(reference), dtype=bool if share else np.float64)
                diff, low, high = (_paired_share_interval(mine, theirs) if share
                                   else _interval(mine - theirs))
                out.append(Finding(k, name, float(mine.mean()), float(theirs.mean()), diff, low, high,
                                   int((mine != theirs).sum())))
    return out


def _level(kind: str, x: float) -> str:
    return {"share": f"{100 * x:.1f} %", "weeks": f"{x:.1f} weeks", "troops": f"{x:,.0f}",
            "influence": f"{x:.3f}"}.get(kind, f"{x:.2f}")


def _change(kind: str, x: float, unit: bool = True) -> str:
    text = {"share": f"{100 * x:+.1f}", "weeks": f"{x:+.1f}", "troops": f"{x:+,.0f}",
            "influence": f"{x:+.4f}"}.get(kind, f"{x:+.2f}")
    return text + ({"share": " points", "weeks": " weeks"}.get(kind, "") if unit else "")


def findings_markdown(e: Ensemble, reference: Ensemble | None = None) -> str:
    """The facilitator's table of what each question finds (`findings`)."""
    found = findings(e, reference)
    qs = questions_of(e.scenario)
    judged = [str(k) for k, q in enumerate(qs, 1) if not q.measures]
    if reference is None:
        head = ("What the questions ask about, in these runs: each measure's mean with its 95 % interval (a share's "
                "exact interval, Clopper-Pearson; else the mean ± 1.96 standard errors); the other cards set their "
                "scenario against these runs.")
        rows = ["| question | measure | mean (95 % interval) |", "|---|---|---|"]
        for f in found:
            m = MEASURES[f.measure]
            rows.append(f"| {f.question} | {m.label} | {_level(m.kind, f.mean)} ({_level(m.kind, f.low)} to "
                        f"{_level(m.kind, f.high)}) |")
    else:
        head = (f"What the questions find: this scenario against the baseline on the same {e.runs:,} runs (run *i* "
                "of both is the same random world), each measure's means, the runs in which it differs and the "
                "paired difference with its 95 % interval (the mean of the runs' differences ± 1.96 standard "
                "errors; for a share, widened where needed to the exact interval given the runs that differ).")
        rows = ["| question | measure | this scenario | baseline | runs that differ | difference (95 % interval) |",
                "|---|---|---|---|---|---|"]
        for f in found:
            m = MEASURES[f.measure]
            rows.append(f"| {f.question} | {m.label} | {_level(m.kind, f.mean)} | {_level(m.kind, f.reference)} | "
                        f"{f.differ:,} | {_change(m.kind, f.estimate)} ({_change(m.kind, f.low, False)} to "
                        f"{_change(m.kind, f.high, False)}) |")
    tail = ""
    if judged:
        which = judged[0] if len(judged) == 1 else ", ".join(judged[:-1]) + " and " + judged[-1]
        tail = (f"\n\nQuestion{'s' if len(judged) > 1 else ''} {which} "
                f"ask{'s' if len(judged) == 1 else ''} for judgement or a single run's story: no measure.")
    return head + "\n\n" + "\n".join(rows) + tail
