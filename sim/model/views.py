"""What each actor sees: its payoffs and its open actions in the current state.

Pure functions of a `State` and `ModelParams` (R runs), built from the payoff formulas of
`payoffs.py`. The stages (`stages.py`) call them to decide; the Mesa agents, role play and
the browser app call them to show an actor's options. Washington's view includes the
what-if variants of the PM's payoffs with which it anticipates Baghdad's response to its
own move (F17, F19, F22). Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import numpy as np

from . import payoffs, transitions
from .actions import POSITION_GRID, GovernmentAction
from .choice import logit_probabilities
from .outcomes import UNDECIDED, RequestState
from .params import ModelParams
from .state import State


def presence(s: State, p: ModelParams) -> np.ndarray:
    """US presence as a share of the January 2020 level (F3), shape (R,)."""
    return transitions.presence_share(s.troops, p.world.initial_troops)


def drawdown_fraction(p: ModelParams) -> np.ndarray:
    """Share of US troops a negotiated drawdown removes (F5, F19), from both sides' patience."""
    return payoffs.drawdown_fraction(p.behaviour.baghdad_patience, p.washington.patience)


# ---------------------------------------------------------------- Tehran
def tehran_payoffs_now(s: State, p: ModelParams) -> np.ndarray:
    """Tehran's payoffs (R, 3) for restrain, press factions, escalate (F7, F12, F16, F24)."""
    t = p.tehran
    return payoffs.tehran_payoffs(
        presence(s, p), s.tension, payoffs.aligned_share(p.factions.seats, p.factions.iran_alignment),
        influence_weight=t.influence_weight, departure_weight=t.departure_weight,
        pressure_influence=t.pressure_influence, press_cost=t.press_cost,
        escalation_step=t.escalation_step, escalation_cost=t.escalation_cost,
    )


def tehran_view(s: State, p: ModelParams, week: int) -> tuple[np.ndarray, np.ndarray]:
    """Tehran's payoffs and open actions (every action is always open), (R, 3) each."""
    u = tehran_payoffs_now(s, p)
    return u, np.ones(u.shape, dtype=bool)


# ---------------------------------------------------------------- factions
def faction_payoffs_now(s: State, p: ModelParams, j: int) -> np.ndarray:
    """Payoffs (R, K) of faction j for each stance of `POSITION_GRID`, in the current world
    (F14, F16, F17, F18, F22)."""
    fa, sa = p.factions, p.sanctions

    def col(attr: str) -> np.ndarray:
        return np.asarray(fa.column(attr, j)).reshape(-1, 1)

    exp_s = payoffs.expected_sanctions(sa.magnitude, sa.credibility, s.threat_level)
    return payoffs.faction_payoffs(
        POSITION_GRID, col("ideal_position"), s.salience[:, j : j + 1], col("security_weight"),
        col("sanctions_exposure"), col("linkage_weight"), col("iran_alignment"), col("street_responsiveness"),
        s.isis_threat, exp_s, s.linkage_level, s.tehran_pressure, s.mobilisation,
    )[:, 0, :]


def factions_view(s: State, p: ModelParams, week: int) -> tuple[np.ndarray, np.ndarray]:
    """Every faction's payoffs (R, F, K) over the stances, all open."""
    u = np.stack([faction_payoffs_now(s, p, j) for j in range(p.factions.size)], axis=1)
    return u, np.ones(u.shape, dtype=bool)


# ---------------------------------------------------------------- the prime minister
def government_payoffs_now(s: State, p: ModelParams, *, threat_level: np.ndarray | None = None,
                           linkage_level: np.ndarray | None = None, drawdown_agreed: np.ndarray | None = None,
                           retraction_offer: np.ndarray | None = None) -> np.ndarray:
    """The PM's payoffs (R, 4) in the current state; keyword arguments replace a state
    variable, which is how Washington anticipates Baghdad's response to its own move."""
    g, sa = p.government, p.sanctions
    threat = s.threat_level if threat_level is None else threat_level
    return payoffs.government_payoffs(
        payoffs.pm_stance(s.pm_position, s.collective_stance, g.pm_weight),
        payoffs.pursuit_level(s.request_state, s.negotiations_open), g.salience,
        payoffs.expected_sanctions(sa.magnitude, sa.credibility, threat),
        s.linkage_level if linkage_level is None else linkage_level, s.isis_threat, s.mobilisation, s.mandate,
        s.retraction_offer if retraction_offer is None else retraction_offer,
        s.drawdown_agreed if drawdown_agreed is None else drawdown_agreed,
        sanctions_exposure=g.sanctions_exposure, linkage_cost=g.linkage_cost, security_cost=g.security_cost,
        escalation_cost=g.escalation_cost, street_weight=g.street_weight, mandate_weight=g.mandate_weight,
        package_value=g.package_value, drawdown_value=g.drawdown_value,
    )


def government_open(s: State) -> np.ndarray:
    """The PM's open actions (R, 4) (F4, F5, F10)."""
    return payoffs.government_available(s.request_state, s.negotiations_open, s.outcome != UNDECIDED)


def government_view(s: State, p: ModelParams, week: int) -> tuple[np.ndarray, np.ndarray]:
    """The PM's payoffs and open actions, (R, 4) each."""
    return government_payoffs_now(s, p), government_open(s)


# ---------------------------------------------------------------- Washington
def _anticipated_request(s: State, p: ModelParams, avail_gov: np.ndarray) -> np.ndarray:
    """Baghdad's logit probability of a formal request after each of Washington's four
    pre-request moves (reassure, threaten, link, offer a drawdown), (R, 4): the PM's own
    payoffs with the signal that move sends (F17, F19, F22)."""
    wa, lam = p.washington, p.behaviour.rationality
    fade = 1.0 - wa.signal_decay
    ones = np.ones(s.runs)
    variants = (
        dict(threat_level=s.threat_level * fade, linkage_level=s.linkage_level * fade),  # reassure
        dict(threat_level=ones, linkage_level=s.linkage_level * fade),                  # threaten
        dict(threat_level=s.threat_level * fade, linkage_level=ones),                   # link
        dict(threat_level=s.threat_level * fade, linkage_level=s.linkage_level * fade,
             drawdown_agreed=np.ones(s.runs, dtype=bool)),                               # offer a drawdown
    )
    return np.stack(
        [logit_probabilities(government_payoffs_now(s, p, **v), lam, avail_gov)[:, GovernmentAction.FORMAL_REQUEST]
         for v in variants], axis=1,
    )


def washington_payoffs_now(s: State, p: ModelParams, week: int) -> np.ndarray:
    """Washington's payoffs (R, 7) over all its actions: the four pre-request moves valued by
    the request they would provoke, the three post-request ones by presence, stake,
    illegitimacy (F21) and Baghdad's chance of retracting."""
    wa, w, lam = p.washington, p.world, p.behaviour.rationality
    pres = presence(s, p)
    stake = payoffs.washington_stake(s.isis_threat, isis_weight=wa.isis_weight, iran_weight=wa.iran_weight,
                                     vacuum_weight=w.influence_vacuum_weight)
    avail_gov = government_open(s)
    pre = payoffs.washington_pre_request_payoffs(
        _anticipated_request(s, p, avail_gov), pres, stake, threat_cost=wa.threat_cost,
        linkage_cost=wa.linkage_cost, drawdown_fraction=drawdown_fraction(p), deterrence_weight=wa.deterrence_weight,
        sanctions_backfire=payoffs.sanctions_backfire(p.sanctions.credibility, iran_weight=wa.iran_weight,
                                                      influence_sanctions_weight=w.influence_sanctions_weight),
    )
    p_retract = logit_probabilities(
        government_payoffs_now(s, p, retraction_offer=np.ones(s.runs, dtype=bool)), lam, avail_gov
    )[:, GovernmentAction.WITHDRAW_REQUEST]
    illegit = payoffs.illegitimacy(
        transitions.weeks_left(week, s.deadline_week), deadline_steps=p.deadline_weeks,
        legitimacy_weight=wa.legitimacy_weight, overstay_penalty=wa.overstay_penalty,
    )
    post = payoffs.washington_post_request_payoffs(
        pres, stake, illegit, s.tension, p_retract,
        force_protection_weight=wa.force_protection_weight, package_cost=wa.package_cost,
    )
    return np.concatenate([pre, post], axis=1)


def washington_open(s: State) -> np.ndarray:
    """Washington's open actions (R, 7): the pre-request moves while no request stands (a
    drawdown only once talks are open and none is agreed, F5), the post-request ones after it."""
    after_request = s.request_state == RequestState.ACTIVE
    can_offer = s.negotiations_open & ~s.drawdown_agreed & (s.request_state == RequestState.NONE)
    return np.concatenate(
        [np.stack([~after_request, ~after_request, ~after_request, ~after_request & can_offer], axis=1),
         np.repeat(after_request[:, None], 3, axis=1)], axis=1,
    )


def washington_view(s: State, p: ModelParams, week: int) -> tuple[np.ndarray, np.ndarray]:
    """Washington's payoffs and open actions, (R, 7) each."""
    return washington_payoffs_now(s, p, week), washington_open(s)
