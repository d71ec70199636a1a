"""A case: which negotiation a scenario is (docs/cases/README.md).

The `case:` section of a scenario file names the host country, its patron and the rival (or
none), the start date and horizon, the outcome observed and its source, the lines a story
opens with and the words its texts use for the case's actors. The legal basis (notice
period, who may give notice, the vote rule) is the scenario's `legal:` section
(`sim.model.legal.LegalConfig`), since the model reads it. The defaults are Iraq 2020 (the
article, docs/facts.md): a scenario that sets no `case:` is a variant of it, and its texts
are today's.

The model's texts are written in the words of Iraq 2020 ("Baghdad", "Tehran", "the ISIS
threat", ...). A case's `terms` maps those words to its own ("Baghdad" -> "Manila"), and
`render` applies them, with the Iraq fact ids in brackets dropped for a case with its own
sheet, wherever a run's texts are printed (the story, the briefs, the app).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

#: the facts of Iraq 2020, the article's (the default sheet)
IRAQ_SHEET = "docs/facts.md"

#: who may give formal notice (the allowed values of `legal.notice_by`)
NOTICE_BY = ("executive", "executive_after_law", "legislature")

#: the rule a resolution of the legislature passes by (`legal.vote_rule`): rule -> (share,
#: strictly more than the share (else at least), of all seats (else of those present)).
#: "none": no vote (no legislature, or none the notice needs); resolutions are never tabled.
VOTE_RULES: dict[str, tuple[float, bool, bool]] = {
    "majority_present": (0.5, True, False),       # more than half of those present (Iraq, art. 59)
    "majority_all": (0.5, True, True),            # more than half of all seats
    "two_thirds_present": (2.0 / 3.0, False, False),
    "two_thirds_all": (2.0 / 3.0, False, True),   # at least two-thirds of all seats
    "blocking_third_all": (1.0 / 3.0, True, True),  # more than a third of all seats: enough to block a
                                                    # treaty that needs two-thirds of all to let the patron stay
    "none": (float("inf"), False, False),
}


@dataclass
class CaseOutcome:
    """What happened (for scoring only; it sets no parameter): an outcome name of
    `sim.model.outcomes`, the notice's date, the outcome's date and the source (keys of
    docs/cases/sources.md, or the sheet's fact ids)."""

    observed: str = ""
    notice_date: Optional[str] = None
    date: Optional[str] = None
    days_from_notice: Optional[int] = None
    completed_date: Optional[str] = None
    source: str = ""


@dataclass
class CaseLine:
    """A line of the story's "before the model starts": its date and its text."""

    date: str = ""
    text: str = ""


_IRAQ_OPENING = [
    CaseLine("2019-11-29", "Prime Minister Adel Abdul Mahdi has resigned; he governs as caretaker with full constitutional powers [F11, F13]."),
    CaseLine("2020-01-03", "A US strike in Baghdad kills Qassem Soleimani and the PMU commander Abu Mahdi al-Muhandis [F12]."),
    CaseLine("2020-01-05", "Parliament passes a non-binding resolution calling on the government to expel US troops; Kurdish and Sunni parties are wary [F12, F14]."),
    CaseLine("2020-01-06", "About 5,000 US troops are in Iraq in an advisory role against IS, invited with immunity by the 2014 diplomatic notes, which give them one year to leave after a formal request [F2, F3, F4, F8]. Trump threatens 'very big sanctions' [F22]; Washington links any talks to the whole relationship [F17]."),
]


@dataclass
class CaseConfig:
    """The case a scenario is (module docstring); the defaults are Iraq 2020."""

    country: str = "Iraq"
    patron: str = "United States"
    rival: Optional[str] = "Iran"
    start_date: str = "2020-01-06"          # F12: the day after the resolution
    horizon_weeks: int = 156                # docs/model_brief.md: January 2020 plus three years
    sheet: str = IRAQ_SHEET                 # the case's facts, a path inside the repository
    outcome: Optional[CaseOutcome] = None   # Iraq 2020's own course after January 2020 is not data
    opening: List[CaseLine] = field(default_factory=lambda: [CaseLine(x.date, x.text) for x in _IRAQ_OPENING])
    #: the words of the model's texts (Iraq 2020's) -> the case's words
    terms: Dict[str, str] = field(default_factory=dict)
    #: a role's brief in this case (role of the game: pm, washington, tehran -> text); a role not given: its actor's brief, rendered
    briefs: Dict[str, str] = field(default_factory=dict)


#: "[F12]", "[F2, F3, F4]", "(F14, F15)": Iraq 2020's fact ids, in brackets or parentheses
_FACT_IDS = re.compile(r"\s*\[F\d+(?:, ?F\d+)*\]|\s*\(F\d+(?:, ?F\d+)*\)")


def _pattern(terms: dict[str, str]) -> re.Pattern | None:
    if not terms:
        return None
    keys = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])")


def render(text: str, case: object | None) -> str:
    """`text` in the words of `case` (a CaseConfig, or None: Iraq 2020, unchanged): each of
    its `terms` replaced (whole words, longest first, in one pass), and, for a case with its
    own sheet, the Iraq 2020 fact ids in brackets ("[F12, F14]") left out."""
    if case is None:
        return text
    terms = dict(getattr(case, "terms", None) or {})
    pattern = _pattern(terms)
    if pattern is not None:
        text = pattern.sub(lambda m: terms[m.group(1)], text)
    if getattr(case, "sheet", IRAQ_SHEET) != IRAQ_SHEET:
        text = _FACT_IDS.sub("", text)
    return text


def has_rival(case: object | None) -> bool:
    """Whether the case has a rival actor (Iraq 2020, and a scenario without a case: Iran)."""
    return case is None or getattr(case, "rival", "x") is not None


def brief(role: str, default: str, case: object | None) -> str:
    """The brief of a role in `case`: the case's own (`case.briefs`), else `default` (the
    actor's, Iraq 2020's) in the case's words."""
    own = (getattr(case, "briefs", None) or {}).get(role) if case is not None else None
    return own if own else render(default, case)
