"""The parameters as the compiled kernels read them: one row of numbers per run.

`packed(p)` lays a `ModelParams` out as two float arrays, cached on the params object:

- `par`, shape (1 or R, N_PAR): every coefficient of every section (`params.sections()`,
  each field a number or a flag) and the values derived from them once (`DERIVED`), one
  column each;
- `fac`, shape (1 or R, N_FAC, F): the factions' attributes (`params.faction_attributes()`
  and each faction's logit rationality, `lam`), one row of F values each.

The columns are numbered here, from the declarations, never by hand: a kernel reads
`pr[K.WA_REVISION_RATE]`, the column of `washington.revision_rate` (the section's `PREFIX`,
then the field's name), `pr[K.WEEKS_AHEAD]` (a derived value) or `fr[K.F_SEATS, j]`. A run
reads its row with `compiled.at(par, i)`: the only row when every parameter is shared by the
runs, row i when one of them varies by run (a sweep). Derived values are computed by the
same functions of `valuation`, `payoffs`, `bargaining` and `choice` the model defines them
with, on the parameters as given (a shared number or a per-run array).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import bargaining, payoffs, transitions, valuation
from .case import VOTE_RULES, has_rival
from .choice import rationality_of
from .params import ModelParams, faction_attributes, sections

INF_DAYS = np.inf


def coefficients() -> tuple[tuple[str, str], ...]:
    """(column constant, "section.field") of every coefficient: each numeric or flag field of
    each section, in declaration order (strings, such as a posture's name, are not numbers)."""
    out = []
    for name, cls in sections():
        for f in dataclasses.fields(cls):
            if "range" in f.metadata or f.type in (bool, "bool"):
                if f.metadata.get("optional"):  # an actor's own rationality: in `lam_<actor>`
                    continue
                prefix: str = cls.PREFIX  # type: ignore[attr-defined]
                out.append((f"{prefix}_{f.name.upper()}", f"{name}.{f.name}"))
    return tuple(out)


def _lam(actor: str) -> Callable[[ModelParams], Any]:
    return lambda p: rationality_of(getattr(p.section(actor), "rationality", None), p.behaviour.rationality)


def _ou(section: str, rate: str, volatility: str, part: int) -> Callable[[ModelParams], Any]:
    return lambda p: valuation.ou_step_factors(getattr(p.section(section), rate),
                                               getattr(p.section(section), volatility), p.step_days)[part]


def _deciding_actors() -> tuple[str, ...]:
    from .actors import ACTORS

    return tuple(a.name for a in ACTORS.values() if a.decides_alone)


def _ring(section: str, name: str, p: ModelParams) -> Any:
    """The chance a clock of rate `section.name` rings within a step."""
    return valuation.step_chance(getattr(p.section(section), name), p.step_days)


def _weeks(section: str, name: str, p: ModelParams) -> Any:
    """The discounted weeks a posture taken now stands under a clock of rate `section.name`."""
    return valuation.posture_weeks(getattr(p.section(section), name), p.behaviour.discount_rate, INF_DAYS)


def _clocks() -> dict[str, Callable[[ModelParams], Any]]:
    """For each actor with a constant revision rate (`Actor.clock`): the chance its clock
    rings within a step (`<actor>_ring`) and the discounted weeks a posture it takes now is
    expected to stand (`<actor>_weeks`, `valuation.posture_weeks`)."""
    from .actors import ACTORS

    out: dict[str, Callable[[ModelParams], Any]] = {}
    for actor in ACTORS.values():
        if actor.clock is not None:
            section, name = actor.clock.split(".")
            out[f"{actor.name}_ring"] = functools.partial(_ring, section, name)
            out[f"{actor.name}_weeks"] = functools.partial(_weeks, section, name)
    return out


def _half_interval(p: ModelParams) -> np.ndarray:
    return 0.5 / np.maximum(np.asarray(p.washington.revision_rate, dtype=np.float64), 1e-9)


def _power(p: ModelParams) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # patience 1 on both sides: no share (NaN)
        return bargaining.limit_share(p.behaviour.baghdad_patience, p.washington.patience)


def _influence_base(p: ModelParams) -> np.ndarray:
    """Iranian influence's long-run level with full US presence, no sanctions and no pressure:
    January's influence less what Tehran's January pressure holds up, so January is a
    steady state and influence gained or lost lasts as long as its cause does (F7, F16, F24)."""
    return np.clip(np.asarray(p.world.initial_iran_influence, dtype=np.float64)
                   - np.asarray(p.world.influence_pressure_weight) * np.asarray(p.tehran.initial_pressure), 0.0, 1.0)


def derived() -> dict[str, Callable[[ModelParams], Any]]:
    """The values derived from the coefficients once, each by the model's own function (shared
    or per run): name -> function of the params. They include what a step of `step_days`
    does with constant rates (the chance an actor's revision clock rings, the share of a
    fading signal kept, the Ornstein-Uhlenbeck factors of the world's noisy processes), so
    the step does not recompute them in every run; each actor's clock (`_clocks`); and each
    deciding actor's logit rationality (`lam_<actor>`: its own, else `behaviour.rationality`)."""
    return {
        "step_days": lambda p: p.step_days,
        "override": lambda p: -1.0 if p.sanctions.override is None else float(bool(p.sanctions.override)),
        **{f"lam_{a}": _lam(a) for a in _deciding_actors()},
        "weeks_ahead": lambda p: valuation.discounted_weeks(INF_DAYS, p.behaviour.discount_rate),
        **_clocks(),
        "sanctions_exposure": lambda p: payoffs.coalition_exposure(p.factions.seats, p.factions.sanctions_exposure),
        "linkage_exposure": lambda p: payoffs.coalition_exposure(p.factions.seats, p.factions.linkage_weight),
        "aligned_share": lambda p: payoffs.aligned_share(p.factions.seats, p.factions.iran_alignment),
        "baghdad_power": _power,
        "washington_interval": lambda p: 1.0 / np.maximum(np.asarray(p.washington.revision_rate, dtype=np.float64),
                                                          1e-9),
        "washington_half_interval": _half_interval,
        "signal_kept": lambda p: np.exp(-np.asarray(p.washington.signal_decay) * _half_interval(p)),
        "escalation_step": lambda p: 7.0 * np.asarray(p.tehran.escalation_rate),
        "influence_base": _influence_base,
        "pace": lambda p: np.asarray(p.world.initial_troops) / np.asarray(p.washington.withdrawal_days),
        "signal_step_kept": lambda p: transitions.kept_over(p.washington.signal_decay, p.step_days),
        "pressure_step_kept": lambda p: transitions.kept_over(p.tehran.pressure_decay, p.step_days),
        # the share of its allies' pressure Tehran would lose over one revision interval if it
        # stopped pressing: what pressing is worth (F16; `actors.tehran.weigh`)
        "pressure_lost": lambda p: 1.0 - transitions.kept_over(
            p.tehran.pressure_decay, 1.0 / np.maximum(np.asarray(p.tehran.revision_rate, dtype=np.float64), 1e-9)),
        "mandate_step_kept": lambda p: transitions.kept_over(p.parliament.mandate_decay, p.step_days),
        "isis_moved": _ou("world", "isis_reversion", "isis_volatility", 0),
        "isis_spread": _ou("world", "isis_reversion", "isis_volatility", 1),
        "protests_moved": _ou("world", "protest_decay", "protest_volatility", 0),
        "protests_spread": _ou("world", "protest_decay", "protest_volatility", 1),
        "mobilisation_moved": _ou("world", "mobilisation_rate", "mobilisation_volatility", 0),
        "mobilisation_spread": _ou("world", "mobilisation_rate", "mobilisation_volatility", 1),
        # the legislature's vote rule (`legal.vote_rule`, sim/model/case.py) and whether the
        # case has a rival actor (`case.rival`; null: the rival never moves)
        "vote_share": lambda p: _vote(p)[0],
        "vote_strict": lambda p: float(_vote(p)[1]),
        "vote_of_all": lambda p: float(_vote(p)[2]),
        "rival_active": lambda p: float(has_rival(p.case)),
    }


def _vote(p: ModelParams) -> tuple[float, bool, bool]:
    return VOTE_RULES[str(p.legal.vote_rule)]


@dataclass(frozen=True)
class Layout:
    """Where every number sits in `par` and `fac` (module docstring)."""

    coefficients: tuple[tuple[str, str], ...]          # (column constant, "section.field")
    derived: dict[str, Callable[[ModelParams], Any]]
    param_names: tuple[str, ...]                        # the columns of `par`
    faction_attrs: tuple[str, ...]                      # the rows of `fac`
    columns: dict[str, int]                             # column constant -> column or row


@functools.cache
def layout() -> Layout:
    """The layout, from the declarations (computed once, on first use: the sections come from
    modules that themselves read the constants below inside their kernels)."""
    coeffs = coefficients()
    der = derived()
    attrs = tuple(a for a in faction_attributes() if a != "rationality") + ("lam",)
    columns = {
        **{const: j for j, (const, _) in enumerate(coeffs)},
        **{name.upper(): len(coeffs) + j for j, name in enumerate(der)},
        **{f"F_{name.upper()}": j for j, name in enumerate(attrs)},
    }
    if len(columns) != len(coeffs) + len(der) + len(attrs):
        raise ValueError("packing: two coefficients, derived values or faction attributes share a column name")
    return Layout(coeffs, der, tuple(path for _, path in coeffs) + tuple(der), attrs, columns)


def __getattr__(name: str) -> Any:
    """The column constants (`K.WA_REVISION_RATE`, `K.WEEKS_AHEAD`, `K.F_SEATS`; numba reads
    them as constants when it compiles a kernel) and `PARAM_NAMES`, `FACTION_ATTRS`, `N_PAR`,
    `N_FAC`."""
    lay = layout()
    named = {"PARAM_NAMES": lay.param_names, "FACTION_ATTRS": lay.faction_attrs, "N_PAR": len(lay.param_names),
             "N_FAC": len(lay.faction_attrs), "COLUMNS": lay.columns}
    if name in named:
        return named[name]
    if name in lay.columns:
        return lay.columns[name]
    raise AttributeError(f"module {__name__!r} has no column {name!r}")


def _value(p: ModelParams, path: str) -> Any:
    section, name = path.split(".")
    return getattr(p.section(section), name)


def packed(p: ModelParams) -> tuple[np.ndarray, np.ndarray]:
    """`(par, fac)` of `p` (module docstring), computed once per params object."""
    cached = p.__dict__.get("_packed")
    if cached is not None:
        return cached
    lay = layout()
    columns = [np.asarray(_value(p, path), dtype=np.float64) for _, path in lay.coefficients]
    columns += [np.asarray(fn(p), dtype=np.float64) for fn in lay.derived.values()]
    fa = p.factions
    lam = np.stack(np.broadcast_arrays(*(np.asarray(rationality_of(fa.column("rationality", j), p.behaviour.rationality),
                                                    dtype=np.float64) for j in range(fa.size))), axis=-1)
    rows = [np.asarray(getattr(fa, n) if n != "lam" else lam, dtype=np.float64) for n in lay.faction_attrs]
    runs = max([c.shape[0] if c.ndim >= 1 else 1 for c in columns] + [r.shape[0] if r.ndim == 2 else 1 for r in rows])
    par = np.ascontiguousarray(np.stack([np.broadcast_to(c, (runs,)) for c in columns], axis=1))
    fac = np.ascontiguousarray(np.stack([np.broadcast_to(r, (runs, fa.size)) for r in rows], axis=1))
    object.__setattr__(p, "_packed", (par, fac))
    return par, fac
