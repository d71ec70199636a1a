"""The coefficient registry read for calibration: which coefficients the data fix, which
the article signs only, which are assumptions, and the plausible prior range of each.

`sim/config/schema.py` gives every coefficient a `source`. Here it is read as one of three
kinds (`coefficient_kind`):

- `data`: a number the project takes from data (troops F3, seats, parliament's size and
  quorum, the one January resolution F12); never varied;
- `assumption`: the source says `assumption` (the article gives no number);
- `sign`: the source cites facts or a published model but no number: the article says
  which way the effect goes, not how large it is.

Every `assumption` and `sign` coefficient with a non-zero default is given a plausible
prior (`prior_for`): a rule by the kind of quantity (a rate known to a factor, a share
known to a band), overridden per coefficient in `configs/calibration/priors.yaml`, each
override with its reason. A zero default means the article gives the actor no such
channel (Kurds are not aligned with Tehran, F14, F16), so it stays zero. Pure functions of
the config dataclasses; nothing is read from files here but what the caller passes in.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..config.schema import ScenarioConfig
from ..model.params import sections

#: coefficients whose number comes from data (docs/facts.md, the 2018 election, the constitution;
#: the notice period is the 2014 notes' year, F4)
DATA = frozenset({"world.initial_troops", "parliament.total_seats", "parliament.quorum", "legal.notice_days",
                  "parliament.initial_resolutions"})
#: name parts of coefficients known only to a factor (rates per day, decays, noise, durations)
_RATE_WORDS = ("rate", "decay", "reversion", "volatility", "_days")
#: factor around the default for `log` priors, and half-width of `band` priors (shares)
RATE_FACTOR = 3.0
SHARE_HALF_WIDTH = 0.2


@dataclass(frozen=True)
class Coefficient:
    """One scenario coefficient: its path relative to the scenario, default, domain and source."""

    path: str
    default: float
    low: float
    high: float
    source: str
    doc: str
    kind: str          # data | sign | assumption
    integer: bool = False


@dataclass(frozen=True)
class Prior:
    """A uniform prior over [low, high], in the value or in its logarithm."""

    path: str
    low: float
    high: float
    scale: str         # linear | log
    kind: str
    source: str
    why: str
    integer: bool = False


def coefficient_kind(path: str, source: str) -> str:
    """`data`, `assumption` or `sign` for a coefficient (module docstring)."""
    if path in DATA or path.endswith(".seats"):
        return "data"
    if "assumption" in source.lower():
        return "assumption"
    return "sign"


def coefficients(scenario: ScenarioConfig) -> list[Coefficient]:
    """Every numeric coefficient of a scenario (active factions included), in schema order.
    Optional per-actor rationalities left null are skipped: `behaviour.rationality` stands
    for them."""
    out: list[Coefficient] = []

    def add(prefix: str, obj) -> None:
        for f in dataclasses.fields(obj):
            if "range" not in f.metadata:
                continue
            value = getattr(obj, f.name)
            if value is None or isinstance(value, bool):
                continue
            path = f"{prefix}.{f.name}"
            lo, hi = f.metadata["range"]
            source = str(f.metadata.get("source", ""))
            out.append(Coefficient(path, float(value), float(lo), float(hi), source, str(f.metadata.get("doc", "")),
                                   coefficient_kind(path, source), f.type in (int, "int")))

    for section, _ in sections():
        add(section, getattr(scenario, section))
    for name, faction in scenario.factions.items():
        if faction.active:
            add(f"factions.{name}", faction)
    return out


def _is_rate(path: str) -> bool:
    leaf = path.rsplit(".", 1)[-1]
    return any(word in leaf for word in _RATE_WORDS)


def rule_prior(c: Coefficient) -> Prior | None:
    """The default rule (module docstring): None for data and zero defaults; a rate, decay,
    noise or duration, or a small coefficient (< 0.25), is known to a factor of three either
    way (log-uniform); a share or level in [0, 1] to +/- 0.2; any other weight or cost to a
    factor of three. Always clipped to the coefficient's domain."""
    if c.kind == "data" or c.default == 0.0:
        return None
    if c.high <= 1.0 and not _is_rate(c.path) and c.default >= 0.25:
        lo = max(c.low, c.default - SHARE_HALF_WIDTH)
        hi = min(c.high, c.default + SHARE_HALF_WIDTH)
        return Prior(c.path, lo, hi, "linear", c.kind, c.source, f"a share or level: the default +/- {SHARE_HALF_WIDTH}")
    lo = max(c.low, c.default / RATE_FACTOR)
    hi = min(c.high, c.default * RATE_FACTOR)
    if lo <= 0.0:
        lo = c.default / RATE_FACTOR
    what = "a rate, decay, noise or duration" if _is_rate(c.path) else "a weight or cost"
    return Prior(c.path, lo, hi, "log", c.kind, c.source, f"{what} known to a factor of {RATE_FACTOR:g}")


def priors(scenario: ScenarioConfig, overrides: dict | None = None, fixed: tuple[str, ...] = ()) -> list[Prior]:
    """The prior of every `sign` and `assumption` coefficient with a non-zero default,
    except `fixed` (set by the experiment's levers). `overrides` maps a path to
    {low, high, scale, why} (configs/calibration/priors.yaml); an override may also name a
    coefficient the rule leaves out. Raises ValueError naming a bad override."""
    overrides = dict(overrides or {})
    by_path = {c.path: c for c in coefficients(scenario)}
    unknown = sorted(set(overrides) - set(by_path))
    if unknown:
        raise ValueError(f"priors.overrides: {unknown[0]!r} is not a coefficient of the scenario "
                         f"(one of {sorted(by_path)[:5]} ...)")
    out = []
    for path, c in by_path.items():
        if path in fixed:
            continue
        if path in overrides:
            o = overrides[path]
            if c.kind == "data":
                raise ValueError(f"priors.overrides: {path!r} comes from data and is not calibrated")
            p = Prior(path, float(o["low"]), float(o["high"]), str(o.get("scale", "linear")), c.kind, c.source,
                      str(o.get("why", "")))
            if not (c.low <= p.low <= p.high <= c.high) or p.scale not in ("linear", "log") or \
                    (p.scale == "log" and p.low <= 0):
                raise ValueError(f"priors.overrides.{path}: [{p.low:g}, {p.high:g}] ({p.scale}) must lie in the "
                                 f"coefficient's range [{c.low:g}, {c.high:g}], low <= high, low > 0 for log")
        else:
            p = rule_prior(c)
        if p is not None and c.integer:
            p = dataclasses.replace(p, low=float(math.floor(p.low)), high=float(math.ceil(p.high)), integer=True)
        if p is not None:
            out.append(p)
    return out


def prior_median(p: Prior) -> float:
    """The prior's median: the midpoint, or the geometric midpoint for a log prior."""
    return math.sqrt(p.low * p.high) if p.scale == "log" else 0.5 * (p.low + p.high)


def counts(scenario: ScenarioConfig) -> dict[str, int]:
    """How many coefficients of each kind the scenario has (the report's first table)."""
    out = {"data": 0, "sign": 0, "assumption": 0}
    for c in coefficients(scenario):
        out[c.kind] += 1
    return out
