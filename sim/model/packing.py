"""The parameters as the compiled stages read them: one row of numbers per run.

`packed(p)` lays a `ModelParams` out as two float arrays, cached on the params object:

- `par`, shape (1 or R, N_PAR): the coefficients of every section and a few values derived
  from them once (`DERIVED`), one column each, named by the index constants below
  (`WA_REVISION_RATE` is column `PARAM_NAMES.index("washington.revision_rate")`);
- `fac`, shape (1 or R, N_FAC, F): the factions' attributes, one row of F values each.

A run reads its row with `compiled.row_of(par, i)`: the only row when every parameter is
shared by the runs, row i when one of them varies by run (a sweep). Derived values are
computed here by the same functions of `valuation`, `payoffs`, `bargaining` and `choice`
the model defines them with, on the parameters as given (a shared number or a per-run
array), so a compiled stage reads exactly the numbers those functions give.
"""

from __future__ import annotations

import numpy as np

from . import bargaining, payoffs, transitions, valuation
from .choice import rationality_of
from .params import SECTIONS, ModelParams

#: the coefficients, as section.field (strings and the step order are not numbers)
COEFFICIENTS = (
    "world.initial_troops", "world.isis_mean", "world.isis_reversion", "world.isis_volatility",
    "world.isis_presence_effect", "world.tension_baseline", "world.tension_decay", "world.mobilisation_rate",
    "world.mobilisation_tension_weight", "world.mobilisation_sanctions_anger", "world.mobilisation_threat_anger",
    "world.mobilisation_volatility", "world.protest_decay", "world.protest_floor", "world.protest_volatility",
    "world.influence_rate", "world.influence_base", "world.influence_vacuum_weight",
    "world.influence_sanctions_weight", "world.influence_pressure_weight",
    "sanctions.magnitude", "sanctions.resolute_signal", "sanctions.bluff_signal", "sanctions.follow_through",
    "sanctions.washington_cost", "sanctions.lifted_by_retraction",
    "government.salience", "government.pm_weight", "government.escalation_cost", "government.mandate_weight",
    "government.base_revision_rate", "government.caretaker_deference", "government.protest_drain",
    "government.majority_revision_rate", "government.formation_rate", "government.p_anti_american_pm",
    "government.anti_american_position", "government.collapse_rate",
    "washington.iran_weight", "washington.isis_weight", "washington.force_protection_weight",
    "washington.legitimacy_weight", "washington.overstay_penalty", "washington.threat_cost",
    "washington.linkage_cost", "washington.offer_cost", "washington.reputation_weight", "washington.signal_decay",
    "washington.reassure_rate", "washington.withdrawal_days", "washington.revision_rate",
    "washington.switching_cost",
    "tehran.influence_weight", "tehran.departure_weight", "tehran.pressure_influence", "tehran.press_cost",
    "tehran.escalation_rate", "tehran.escalation_cost", "tehran.pressure_decay", "tehran.clock_weight",
    "tehran.revision_rate", "tehran.switching_cost",
    "parliament.quorum", "parliament.propose_rate", "parliament.min_interval_days", "parliament.yes_threshold",
    "parliament.boycott_threshold", "parliament.mandate_decay",
    "behaviour.discount_rate", "behaviour.faction_revision_rate", "behaviour.faction_switching_cost",
    "behaviour.min_deal",
)
#: values derived from the coefficients once (`_derived`)
DERIVED = (
    "step_days", "override", "lam_government", "lam_washington", "lam_tehran", "weeks_ahead", "tehran_weeks",
    "faction_weeks", "washington_weeks", "sanctions_exposure", "linkage_exposure", "aligned_share",
    "baghdad_power", "washington_interval", "washington_half_interval", "signal_kept", "escalation_step",
    "pace", "faction_ring", "tehran_ring", "washington_ring", "signal_step_kept", "pressure_step_kept",
    "mandate_step_kept", "isis_moved", "isis_spread", "protests_moved", "protests_spread", "mobilisation_moved",
    "mobilisation_spread",
)
PARAM_NAMES = COEFFICIENTS + DERIVED
#: the factions' attributes (`lam`: each faction's logit rationality, its own or the default)
FACTION_ATTRS = ("seats", "ideal_position", "salience", "tension_sensitivity", "security_weight",
                 "sanctions_exposure", "linkage_weight", "iran_alignment", "street_responsiveness",
                 "mobilising_power", "can_boycott", "lam")

# the columns of `par` (PARAM_NAMES order; tests/test_compiled_stages.py checks them)
W_INITIAL_TROOPS, W_ISIS_MEAN, W_ISIS_REVERSION, W_ISIS_VOLATILITY = 0, 1, 2, 3
W_ISIS_PRESENCE_EFFECT, W_TENSION_BASELINE, W_TENSION_DECAY, W_MOBILISATION_RATE = 4, 5, 6, 7
W_MOBILISATION_TENSION_WEIGHT, W_MOBILISATION_SANCTIONS_ANGER, W_MOBILISATION_THREAT_ANGER = 8, 9, 10
W_MOBILISATION_VOLATILITY, W_PROTEST_DECAY, W_PROTEST_FLOOR, W_PROTEST_VOLATILITY = 11, 12, 13, 14
W_INFLUENCE_RATE, W_INFLUENCE_BASE, W_INFLUENCE_VACUUM_WEIGHT = 15, 16, 17
W_INFLUENCE_SANCTIONS_WEIGHT, W_INFLUENCE_PRESSURE_WEIGHT = 18, 19
SA_MAGNITUDE, SA_RESOLUTE_SIGNAL, SA_BLUFF_SIGNAL, SA_FOLLOW_THROUGH = 20, 21, 22, 23
SA_WASHINGTON_COST, SA_LIFTED_BY_RETRACTION = 24, 25
G_SALIENCE, G_PM_WEIGHT, G_ESCALATION_COST, G_MANDATE_WEIGHT = 26, 27, 28, 29
G_BASE_REVISION_RATE, G_CARETAKER_DEFERENCE, G_PROTEST_DRAIN = 30, 31, 32
G_MAJORITY_REVISION_RATE, G_FORMATION_RATE, G_P_ANTI_AMERICAN_PM = 33, 34, 35
G_ANTI_AMERICAN_POSITION, G_COLLAPSE_RATE = 36, 37
WA_IRAN_WEIGHT, WA_ISIS_WEIGHT, WA_FORCE_PROTECTION_WEIGHT = 38, 39, 40
WA_LEGITIMACY_WEIGHT, WA_OVERSTAY_PENALTY, WA_THREAT_COST = 41, 42, 43
WA_LINKAGE_COST, WA_OFFER_COST, WA_REPUTATION_WEIGHT, WA_SIGNAL_DECAY = 44, 45, 46, 47
WA_REASSURE_RATE, WA_WITHDRAWAL_DAYS, WA_REVISION_RATE, WA_SWITCHING_COST = 48, 49, 50, 51
TE_INFLUENCE_WEIGHT, TE_DEPARTURE_WEIGHT, TE_PRESSURE_INFLUENCE, TE_PRESS_COST = 52, 53, 54, 55
TE_ESCALATION_RATE, TE_ESCALATION_COST, TE_PRESSURE_DECAY, TE_CLOCK_WEIGHT = 56, 57, 58, 59
TE_REVISION_RATE, TE_SWITCHING_COST = 60, 61
PA_QUORUM, PA_PROPOSE_RATE, PA_MIN_INTERVAL_DAYS, PA_YES_THRESHOLD = 62, 63, 64, 65
PA_BOYCOTT_THRESHOLD, PA_MANDATE_DECAY = 66, 67
B_DISCOUNT_RATE, B_FACTION_REVISION_RATE, B_FACTION_SWITCHING_COST, B_MIN_DEAL = 68, 69, 70, 71
STEP_DAYS, OVERRIDE, LAM_GOVERNMENT, LAM_WASHINGTON, LAM_TEHRAN = 72, 73, 74, 75, 76
WEEKS_AHEAD, TEHRAN_WEEKS, FACTION_WEEKS, WASHINGTON_WEEKS = 77, 78, 79, 80
SANCTIONS_EXPOSURE, LINKAGE_EXPOSURE, ALIGNED_SHARE, BAGHDAD_POWER = 81, 82, 83, 84
WASHINGTON_INTERVAL, WASHINGTON_HALF_INTERVAL, SIGNAL_KEPT, ESCALATION_STEP, PACE = 85, 86, 87, 88, 89
FACTION_RING, TEHRAN_RING, WASHINGTON_RING = 90, 91, 92
SIGNAL_STEP_KEPT, PRESSURE_STEP_KEPT, MANDATE_STEP_KEPT = 93, 94, 95
ISIS_MOVED, ISIS_SPREAD, PROTESTS_MOVED, PROTESTS_SPREAD, MOBILISATION_MOVED, MOBILISATION_SPREAD = (
    96, 97, 98, 99, 100, 101)
N_PAR = 102

# the rows of `fac` (FACTION_ATTRS order)
F_SEATS, F_IDEAL_POSITION, F_SALIENCE, F_TENSION_SENSITIVITY, F_SECURITY_WEIGHT = 0, 1, 2, 3, 4
F_SANCTIONS_EXPOSURE, F_LINKAGE_WEIGHT, F_IRAN_ALIGNMENT, F_STREET_RESPONSIVENESS = 5, 6, 7, 8
F_MOBILISING_POWER, F_CAN_BOYCOTT, F_LAM = 9, 10, 11
N_FAC = 12

INF_DAYS = np.inf


def _derived(p: ModelParams) -> dict[str, object]:
    """The derived values, each computed by the model's own function (shared or per run)."""
    w, wa, te, b, fa = p.world, p.washington, p.tehran, p.behaviour, p.factions
    rho = b.discount_rate
    override = p.sanctions.override
    dt = p.step_days
    isis = valuation.ou_step_factors(w.isis_reversion, w.isis_volatility, dt)
    protests = valuation.ou_step_factors(w.protest_decay, w.protest_volatility, dt)
    mobilisation = valuation.ou_step_factors(w.mobilisation_rate, w.mobilisation_volatility, dt)
    half = 0.5 / np.maximum(np.asarray(wa.revision_rate, dtype=np.float64), 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):  # patience 1 on both sides: no share (NaN), as in views
        power = bargaining.limit_share(b.baghdad_patience, wa.patience)
    return {
        "step_days": p.step_days,
        "override": -1.0 if override is None else float(bool(override)),
        "lam_government": rationality_of(getattr(p.government, "rationality", None), b.rationality),
        "lam_washington": rationality_of(getattr(wa, "rationality", None), b.rationality),
        "lam_tehran": rationality_of(getattr(te, "rationality", None), b.rationality),
        "weeks_ahead": valuation.discounted_weeks(INF_DAYS, rho),
        "tehran_weeks": valuation.posture_weeks(te.revision_rate, rho, INF_DAYS),
        "faction_weeks": valuation.posture_weeks(b.faction_revision_rate, rho, INF_DAYS),
        "washington_weeks": valuation.posture_weeks(wa.revision_rate, rho, INF_DAYS),
        "sanctions_exposure": payoffs.coalition_exposure(fa.seats, fa.sanctions_exposure),
        "linkage_exposure": payoffs.coalition_exposure(fa.seats, fa.linkage_weight),
        "aligned_share": payoffs.aligned_share(fa.seats, fa.iran_alignment),
        "baghdad_power": power,
        "washington_interval": 1.0 / np.maximum(np.asarray(wa.revision_rate, dtype=np.float64), 1e-9),
        "washington_half_interval": half,
        "signal_kept": np.exp(-np.asarray(wa.signal_decay) * half),
        "escalation_step": 7.0 * np.asarray(te.escalation_rate),
        "pace": np.asarray(w.initial_troops) / np.asarray(wa.withdrawal_days),
        # what a step of `step_days` does with constant rates, computed once: the chance an
        # actor's revision clock rings, the share of a fading signal kept, and the
        # Ornstein-Uhlenbeck factors of the world's noisy processes
        "faction_ring": valuation.step_chance(b.faction_revision_rate, dt),
        "tehran_ring": valuation.step_chance(te.revision_rate, dt),
        "washington_ring": valuation.step_chance(wa.revision_rate, dt),
        "signal_step_kept": transitions.kept_over(wa.signal_decay, dt),
        "pressure_step_kept": transitions.kept_over(te.pressure_decay, dt),
        "mandate_step_kept": transitions.kept_over(p.parliament.mandate_decay, dt),
        "isis_moved": isis[0], "isis_spread": isis[1],
        "protests_moved": protests[0], "protests_spread": protests[1],
        "mobilisation_moved": mobilisation[0], "mobilisation_spread": mobilisation[1],
    }


def _value(p: ModelParams, name: str) -> object:
    section, field = name.split(".")
    assert section in SECTIONS
    return getattr(getattr(p, section), field)


def packed(p: ModelParams) -> tuple[np.ndarray, np.ndarray]:
    """`(par, fac)` of `p` (module docstring), computed once per params object."""
    cached = p.__dict__.get("_packed")
    if cached is not None:
        return cached
    derived = _derived(p)
    columns = [np.asarray(_value(p, n), dtype=np.float64) for n in COEFFICIENTS]
    columns += [np.asarray(derived[n], dtype=np.float64) for n in DERIVED]
    fa = p.factions
    lam = np.stack(np.broadcast_arrays(*(np.asarray(rationality_of(fa.column("rationality", j), p.behaviour.rationality),
                                                    dtype=np.float64) for j in range(fa.size))), axis=-1)
    rows = [np.asarray(getattr(fa, n) if n != "lam" else lam, dtype=np.float64) for n in FACTION_ATTRS]
    runs = max([c.shape[0] if c.ndim >= 1 else 1 for c in columns] + [r.shape[0] if r.ndim == 2 else 1 for r in rows])
    par = np.ascontiguousarray(np.stack([np.broadcast_to(c, (runs,)) for c in columns], axis=1))
    fac = np.ascontiguousarray(np.stack([np.broadcast_to(r, (runs, fa.size)) for r in rows], axis=1))
    object.__setattr__(p, "_packed", (par, fac))
    return par, fac
