"""The article's statements as summary statistics of a sweep's table, each with the facts
it reads (docs/facts.md) and an acceptance band (configs/calibration/patterns.yaml says how
each band was read from the text).

The model's knowledge ends where the article ends, in January 2020: every pattern is a
statement the article makes by then, about what had happened (no binding request yet, F5,
F13; a resolution passed with Kurds and Sunnis away, F12, F14; Washington not leaving, F20)
or about what its experts expected (F15, F6, F19). Nothing that happened later is used.

A statistic is computed per parameter set (a sweep's `point_id`) over the set's runs under
one lever of the calibration experiment: `no_such_pm` (no very anti-American PM with a
majority can be chosen) or `such_pm` (one is chosen within weeks), the two directions of
Silliman's "unless" (F15). Every other statement is about the ordinary course, so it is read
where no such PM is chosen. Pure functions of a pandas table with the columns of a sweep
table (`point_id`, `lever`, `formal_request_day`) and the features of
`sim.calibrate.features` (`talks_day`, `troops_2020`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .features import END_2020

#: the levers of configs/experiment/calibration.yaml the patterns read
ORDINARY, SUCH_PM = "no_such_pm", "such_pm"
#: the first weeks after the article: four weeks from 6 January 2020
FIRST_WEEKS_DAYS = 28


@dataclass(frozen=True)
class Pattern:
    """One statement of the article as a statistic with a band [low, high]."""

    name: str
    facts: tuple[str, ...]
    lever: str
    statement: str                                   # what the article says, in a line
    statistic: str                                   # what is computed, in a line
    low: float = 0.0
    high: float = 1.0
    reading: str = ""                                # how the band was read from the text

    def accepts(self, value):
        """True where `value` lies in the band; a statistic that is undefined (NaN: no run
        had the event it is conditioned on) does not reject."""
        v = np.asarray(value, dtype=float)
        return np.isnan(v) | ((v >= self.low) & (v <= self.high))


def _requested_by(df: pd.DataFrame, day: int) -> pd.Series:
    d = df["formal_request_day"]
    return (d.notna() & (d >= 0) & (d <= day)).astype(float)


def _share(condition: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.Series]:
    """A statistic: per point, the share of runs meeting `condition`."""
    def stat(df: pd.DataFrame) -> pd.Series:
        return condition(df).groupby(df["point_id"]).mean()
    return stat


def early_request(df):
    """F5, F13: a formal request within the first weeks."""
    return _requested_by(df, FIRST_WEEKS_DAYS - 1)


def settled_2020(df):
    """F15: the question settled by 31 December 2020: a formal request standing then (made and
    not taken back; F4, F10). A request made and retracted leaves it open."""
    return df["standing_2020"].astype(float)


def settled_2021(df):
    """F15: a formal request standing on 31 December 2021."""
    return df["standing_2021"].astype(float)


def us_leaves_unasked_2020(df):
    """F20, F22: half the January force or more gone by the end of 2020 with no formal request."""
    return ((~(_requested_by(df, END_2020) > 0)) & (df["troops_2020"] <= 0.5 * df["initial_troops"])).astype(float)


def request_after_resolution(df):
    """F12, F13: a formal request within eight weeks of a resolution passing."""
    return df["request_after_resolution"].astype(float)


def rupture_2020(df):
    """F6, F19, F23: US sanctions in force at some time in 2020."""
    d = df["sanctions_day"]
    return ((d >= 0) & (d <= END_2020)).astype(float)


def talks_2020(df):
    """F5, F6, F17, F19: with no request standing, talks in 2020: either side put a new drawdown
    on the table, Washington accepted Baghdad's, or one was agreed (`features.talks_day`)."""
    d = df["talks_day"]
    return ((d >= 0) & (d <= END_2020)).astype(float)


def resolutions_absent(df: pd.DataFrame) -> pd.Series:
    """F12, F14: of the resolutions passed in 2020 after January's, the share passed with the
    Kurdish and Sunni parties away (NaN for a set in which none passed)."""
    g = df.groupby("point_id")
    passed = g["resolutions_2020"].sum()
    return (g["resolutions_absent_2020"].sum() / passed.where(passed > 0)).astype(float)


#: statistic functions by pattern name (per point); `unless_gap` is computed from two levers
STATISTICS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "early_request": _share(early_request),
    "settled_2020": _share(settled_2020),
    "settled_2021": _share(settled_2021),
    "settled_2021_such_pm": _share(settled_2021),
    "us_leaves_unasked_2020": _share(us_leaves_unasked_2020),
    "resolutions_absent": resolutions_absent,
    "request_after_resolution": _share(request_after_resolution),
    "rupture_2020": _share(rupture_2020),
    "talks_2020": _share(talks_2020),
}
#: a pattern computed as a paired difference of one statistic under two levers (the same
#: replications, so common random numbers): name -> (statistic, lever, minus lever)
DIFFERENCES = {"unless_gap": ("settled_2021", SUCH_PM, ORDINARY)}
#: the features each statistic needs beyond a sweep table's own columns
NEEDS = {"settled_2020": ("standing_2020",), "settled_2021": ("standing_2021",),
         "settled_2021_such_pm": ("standing_2021",), "us_leaves_unasked_2020": ("troops_2020",), "resolutions_absent": ("resolutions_2020",),
         "request_after_resolution": ("request_after_resolution",), "rupture_2020": ("sanctions_day",),
         "talks_2020": ("talks_day",)}


def load_patterns(doc: Mapping) -> list[Pattern]:
    """Patterns from the `patterns` mapping of configs/calibration/patterns.yaml:
    name -> {facts, lever, statement, statistic, low, high, reading}. ValueError names a bad entry."""
    out = []
    for name, entry in doc.items():
        if name not in STATISTICS and name not in DIFFERENCES:
            raise ValueError(f"patterns.{name}: not a pattern this module computes (one of "
                             f"{sorted([*STATISTICS, *DIFFERENCES])})")
        low, high = float(entry.get("low", 0.0)), float(entry.get("high", 1.0))
        if not low <= high:
            raise ValueError(f"patterns.{name}: band [{low:g}, {high:g}] must have low <= high")
        lever = str(entry.get("lever", ORDINARY))
        if lever not in (ORDINARY, SUCH_PM):
            raise ValueError(f"patterns.{name}.lever: {lever!r} is not one of ['{ORDINARY}', '{SUCH_PM}']")
        out.append(Pattern(name, tuple(entry.get("facts", ())), lever, str(entry.get("statement", "")),
                           str(entry.get("statistic", "")), low, high, str(entry.get("reading", ""))))
    return out


def statistics(table: pd.DataFrame, patterns: list[Pattern], initial_troops: float = 5000.0) -> pd.DataFrame:
    """One row per parameter set (`point_id`), one column per pattern: the statistic over
    the set's runs under the pattern's lever. A pattern whose features or lever the table
    lacks (a plain `python -m sim.sweep` table has no `talks_day`) is NaN; see
    `missing_features`."""
    df = table if "initial_troops" in table.columns else table.assign(initial_troops=initial_troops)
    points = pd.Index(np.unique(df["point_id"]), name="point_id")
    by_lever = {lever: part for lever, part in df.groupby("lever")}

    def stat(name: str, lever: str) -> pd.Series:
        part = by_lever.get(lever)
        if part is None or any(c not in part.columns for c in NEEDS.get(name, ())):
            return pd.Series(np.nan, index=points)
        return STATISTICS[name](part).reindex(points)

    out = pd.DataFrame(index=points)
    for pat in patterns:
        if pat.name in DIFFERENCES:
            name, a, b = DIFFERENCES[pat.name]
            out[pat.name] = stat(name, a) - stat(name, b)
        else:
            out[pat.name] = stat(pat.name, pat.lever)
    return out


def missing_features(table: pd.DataFrame, patterns: list[Pattern]) -> dict[str, tuple[str, ...]]:
    """Patterns the table cannot give, with the columns they lack."""
    return {p.name: tuple(c for c in NEEDS.get(p.name, ()) if c not in table.columns)
            for p in patterns if any(c not in table.columns for c in NEEDS.get(p.name, ()))}


def acceptance(stats: pd.DataFrame, patterns: list[Pattern], scale: float = 1.0) -> pd.DataFrame:
    """Per set and pattern, whether the statistic lies in the band; `scale` widens (> 1) or
    narrows (< 1) every band about its centre, clipped to [0, 1] for shares (the report's
    sensitivity to the bands)."""
    out = pd.DataFrame(index=stats.index)
    for p in patterns:
        out[p.name] = scaled(p, scale).accepts(stats[p.name].to_numpy())
    return out


def scaled(p: Pattern, scale: float) -> Pattern:
    """The pattern with its band's width multiplied by `scale` about the band's centre; a
    band that reaches 0 or 1 keeps that end (it reads "at most" or "at least")."""
    if scale == 1.0:
        return p
    lo_open, hi_open = p.low <= 0.0, p.high >= 1.0
    centre, half = 0.5 * (p.low + p.high), 0.5 * (p.high - p.low) * scale
    if lo_open and not hi_open:
        return _replace(p, p.low, p.low + (p.high - p.low) * scale)
    if hi_open and not lo_open:
        return _replace(p, p.high - (p.high - p.low) * scale, p.high)
    return _replace(p, centre - half, centre + half)


def _replace(p: Pattern, low: float, high: float) -> Pattern:
    from dataclasses import replace

    return replace(p, low=low, high=high)
