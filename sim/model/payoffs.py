"""Payoff functions of every actor, as pure functions over arrays with a leading runs axis.

Each term cites the facts of docs/facts.md it comes from. Positions lie on one
issue axis: 0 = US forces stay indefinitely, 1 = full withdrawal now. World variables
(ISIS threat, tension, mobilisation, influence, ...) are arrays of shape (R,); faction
attributes are (F,) or (R, F); weights are floats or (R,) arrays (per-run parameters in
sweeps). The functions return payoffs per action, shape (R, A), or per faction and
position, shape (R, F, K).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import bargaining
from .outcomes import RequestState


def _col(a: ArrayLike) -> np.ndarray:
    """A per-run value as a column (R, 1) so it broadcasts against actions."""
    return np.asarray(a, dtype=np.float64).reshape(-1, 1)


def expected_sanctions(magnitude: ArrayLike, credibility: ArrayLike, threat_level: ArrayLike) -> np.ndarray:
    """Expected sanctions cost of a formal request: size x credibility x how loudly it is threatened (F22)."""
    return np.asarray(magnitude) * np.asarray(credibility) * np.asarray(threat_level)


def pursuit_level(request_state: ArrayLike, negotiations_open: bool | np.ndarray) -> np.ndarray:
    """How far Baghdad is pursuing withdrawal: 0 nothing, 0.5 talks (F5), 1 a formal request (F4)."""
    rs = np.asarray(request_state)
    return np.where(rs == RequestState.ACTIVE, 1.0,
                    np.where((rs == RequestState.WITHDRAWN) | negotiations_open, 0.5, 0.0))


def pm_stance(pm_position: ArrayLike, collective_stance: ArrayLike, pm_weight: float | np.ndarray) -> np.ndarray:
    """The stance the prime minister acts on: its own position weighted by `pm_weight`, the
    rest Baghdad's collective stance (F11, F13, F15: a PM answers to the coalition behind it)."""
    return pm_weight * np.asarray(pm_position) + (1.0 - pm_weight) * np.asarray(collective_stance)


def aligned_share(seats: ArrayLike, iran_alignment: float | np.ndarray) -> np.ndarray:
    """Seat share of the factions Tehran can press, weighted by their alignment (F16)."""
    seats = np.asarray(seats, dtype=np.float64)
    return np.clip((seats * iran_alignment).sum(axis=-1) / np.maximum(seats.sum(axis=-1), 1e-9), 0.0, 1.0)


def washington_stake(isis: ArrayLike, *, isis_weight: float | np.ndarray, iran_weight: float | np.ndarray,
                     vacuum_weight: float | np.ndarray) -> np.ndarray:
    """What a unit of US presence is worth to Washington: fighting ISIS while the threat is
    high (F20) and holding back the Iranian influence that would fill its place (F7, F24)."""
    return isis_weight * np.asarray(isis) + iran_weight * vacuum_weight


def sanctions_backfire(credibility: ArrayLike, *, iran_weight: float | np.ndarray,
                       influence_sanctions_weight: float | np.ndarray) -> np.ndarray:
    """Washington's expected loss from having to carry out its threat after a request:
    credibility x its weight on Iranian influence x the influence sanctions add (F22, F23)."""
    return np.asarray(credibility) * iran_weight * influence_sanctions_weight


def drawdown_fraction(baghdad_patience: ArrayLike, washington_patience: ArrayLike) -> np.ndarray:
    """Share of US troops a negotiated drawdown removes: Baghdad's share as first proposer in
    Rubinstein's (1982) alternating offers with the two sides' patience (F5, F19)."""
    return bargaining.rubinstein_share(baghdad_patience, washington_patience)


def faction_payoffs(
    grid: ArrayLike, ideal: ArrayLike, salience: ArrayLike, security_weight: ArrayLike, sanctions_exposure: ArrayLike,
    linkage_weight: ArrayLike, iran_alignment: ArrayLike, street_responsiveness: ArrayLike, isis: ArrayLike,
    exp_sanctions: ArrayLike, linkage: ArrayLike, tehran_pressure: ArrayLike, mobilisation: ArrayLike,
) -> np.ndarray:
    """Payoff of stating each position x of `grid` for each faction: shape (R, F, K).

    U_i(x) = - salience_i |x - ideal_i|                     distance from own position (F14, F16)
             - security_i  * isis * x                        security lost if US presence falls (F1, F14)
             - exposure_i  * E[sanctions] * x                expected sanctions cost (F22)
             - linkage_i   * linkage * x                     other US support put at risk (F17)
             + alignment_i * Tehran's pressure * x            alignment with Tehran (F16)
             + street_i    * mobilisation * x                 pull of the street (F18)
    """
    x = np.asarray(grid, dtype=np.float64)[None, None, :]

    def fac(a: ArrayLike) -> np.ndarray:  # (F,) or (R, F) -> (R or 1, F, 1)
        a = np.asarray(a, dtype=np.float64)
        return (a[None, :] if a.ndim == 1 else a)[..., None]

    def world(a: ArrayLike) -> np.ndarray:  # (R,) -> (R, 1, 1)
        return np.asarray(a, dtype=np.float64).reshape(-1, 1, 1)

    slope = (
        -fac(security_weight) * world(isis)
        - fac(sanctions_exposure) * world(exp_sanctions)
        - fac(linkage_weight) * world(linkage)
        + fac(iran_alignment) * world(tehran_pressure)
        + fac(street_responsiveness) * world(mobilisation)
    )
    return -fac(salience) * np.abs(x - fac(ideal)) + slope * x


def government_payoffs(
    stance: ArrayLike, current_level: ArrayLike, salience: ArrayLike, exp_sanctions: ArrayLike, linkage: ArrayLike,
    isis: ArrayLike, mobilisation: ArrayLike, mandate: ArrayLike, retraction_offer: ArrayLike,
    drawdown_agreed: ArrayLike, *, sanctions_exposure: float | np.ndarray, linkage_cost: float | np.ndarray,
    security_cost: float | np.ndarray, escalation_cost: float | np.ndarray, street_weight: float | np.ndarray,
    mandate_weight: float | np.ndarray, package_value: float | np.ndarray, drawdown_value: float | np.ndarray,
) -> np.ndarray:
    """Payoffs of the prime minister's four actions, shape (R, 4).

    Each action moves Baghdad's pursuit of withdrawal to a level: wait keeps the current
    one (0 nothing, 0.5 negotiations open, 1 formal request active), asking for
    negotiators is 0.5 (F5), a formal request is 1 (F4, F10), taking it back returns to
    0.5. The PM loses salience x |stance - level| and on top:
    - a formal request costs the expected sanctions (F22), the linked US support (F17),
      security against ISIS (F1, F14) and a public escalation (F19); it earns the street's
      approval (F18) and the parliamentary mandate (F12);
    - taking the request back earns Washington's package if one is offered (F17, F19) and
      costs the street's and parliament's approval; it does not lift sanctions already
      imposed (an assumption: sanctions, once carried out, outlast their trigger, F22, F23);
    - while a negotiated drawdown stands, staying put earns its value (F19).
    """
    levels = np.stack(
        np.broadcast_arrays(np.asarray(current_level, dtype=np.float64), 0.5, 1.0, 0.5), axis=-1
    ).reshape(-1, 4)
    dist = -_col(salience) * np.abs(_col(stance) - levels)
    approval = _col(street_weight * np.asarray(mobilisation) + mandate_weight * np.asarray(mandate))
    request_cost = _col(
        sanctions_exposure * np.asarray(exp_sanctions) + linkage_cost * np.asarray(linkage)
        + security_cost * np.asarray(isis) + escalation_cost
    )
    retract_gain = _col(package_value * np.asarray(retraction_offer, dtype=np.float64))
    settle = _col(drawdown_value * np.asarray(drawdown_agreed, dtype=np.float64))
    zero = np.zeros_like(settle)
    extra = np.concatenate(
        [settle, zero, approval - request_cost, retract_gain - approval], axis=1
    )
    return dist + extra


def government_available(request_state: ArrayLike, negotiations_open: ArrayLike,
                         outcome_decided: ArrayLike) -> np.ndarray:
    """Which government actions are open, shape (R, 4) (F4, F5, F10).

    A formal request can be made once (a retracted request ends the question in the
    model: an assumption); negotiations can be asked for once, before any request; a
    request can be taken back while its outcome is undecided.
    """
    rs = np.asarray(request_state).reshape(-1)
    neg = np.asarray(negotiations_open, dtype=bool).reshape(-1)
    decided = np.asarray(outcome_decided, dtype=bool).reshape(-1)
    none = rs == RequestState.NONE
    return np.stack(
        [np.ones_like(neg), none & ~neg, none, (rs == RequestState.ACTIVE) & ~decided], axis=1
    )


def washington_pre_request_payoffs(
    request_prob_by_action: ArrayLike, presence: ArrayLike, stake: ArrayLike, *, threat_cost: ArrayLike,
    linkage_cost: ArrayLike, drawdown_fraction: float | np.ndarray, deterrence_weight: float | np.ndarray,
    sanctions_backfire: ArrayLike = 0.0,
) -> np.ndarray:
    """Washington's payoffs for reassure, threaten, link and offer a drawdown, shape (R, 4).

    `request_prob_by_action[:, a]` is Baghdad's quantal-response probability of a formal
    request after Washington's action a (Washington anticipates Baghdad with the
    government's own payoff function). A request puts the whole presence at stake:
    `stake` = value per unit of presence (ISIS fight F20, Iran held back F7, F24), and it
    may force Washington to carry out its threat, whose sanctions raise Iranian influence
    against Washington's own aim: `sanctions_backfire` = credibility x Washington's weight
    on Iranian influence x the influence sanctions add (F22, F23).
    Threats and linkage are public escalations with a small cost (F19); a drawdown gives up
    `drawdown_fraction` of the presence (F24).
    """
    p = np.asarray(request_prob_by_action, dtype=np.float64).reshape(-1, 4)
    value = _col(np.asarray(presence) * np.asarray(stake) + np.asarray(sanctions_backfire))
    costs = np.stack(
        np.broadcast_arrays(
            0.0, threat_cost, linkage_cost, np.asarray(presence) * np.asarray(stake) * drawdown_fraction
        ),
        axis=-1,
    ).reshape(-1, 4)
    return -deterrence_weight * value * p - costs


def illegitimacy(steps_left: ArrayLike, *, deadline_steps: float | np.ndarray, legitimacy_weight: float | np.ndarray,
                 overstay_penalty: float | np.ndarray) -> np.ndarray:
    """Cost of staying per unit of presence after a formal request (F21).

    Rises linearly over the year from 0 at the request to `legitimacy_weight` at the
    deadline (F4), plus `overstay_penalty` once the deadline has passed (F11, F21).
    `steps_left` and `deadline_steps` (the year, 52 weekly steps) count model steps.
    """
    wl = np.asarray(steps_left, dtype=np.float64)
    elapsed = np.clip((deadline_steps - wl) / deadline_steps, 0.0, 1.0)
    return legitimacy_weight * elapsed + overstay_penalty * (wl < 0)


def washington_post_request_payoffs(
    presence: ArrayLike, stake: ArrayLike, illegit: ArrayLike, tension: ArrayLike, retraction_prob: ArrayLike, *,
    force_protection_weight: float | np.ndarray, package_cost: float | np.ndarray,
) -> np.ndarray:
    """Washington's payoffs for withdraw on schedule, negotiate a retraction, stay; shape (R, 3).

    Withdrawing gives up the presence and what it holds (F7, F20, F24). Staying pays the
    illegitimacy of overstaying (F21) and force protection under tension (F12). Negotiating
    pays a package (F17, F19) and escapes the illegitimacy with Baghdad's probability of
    taking the request back.
    """
    presence = np.asarray(presence, dtype=np.float64)
    stay = -presence * (np.asarray(illegit) + force_protection_weight * np.asarray(tension))
    withdraw = -presence * np.asarray(stake)
    negotiate = -package_cost + (1.0 - np.asarray(retraction_prob)) * stay
    return np.stack(np.broadcast_arrays(withdraw, negotiate, stay), axis=-1).reshape(-1, 3)


def tehran_payoffs(
    presence: ArrayLike, tension: ArrayLike, aligned_share: ArrayLike, *, influence_weight: float | np.ndarray,
    departure_weight: float | np.ndarray, pressure_influence: float | np.ndarray, press_cost: float | np.ndarray,
    escalation_step: float | np.ndarray, escalation_cost: float | np.ndarray,
) -> np.ndarray:
    """Tehran's payoffs for restrain, press aligned factions, escalate through proxies; (R, 3).

    Tehran gains with influence and with US departure (F7, F24). Pressing aligned factions
    (F16) pushes Baghdad toward a request in proportion to their seat share and adds to
    influence; escalating raises the cost of US presence but risks a US response, a cost
    that grows with the tension it creates (the January strike, F12).
    """
    presence = np.asarray(presence, dtype=np.float64)
    press = (departure_weight * presence + influence_weight * pressure_influence) * np.asarray(aligned_share) - press_cost
    escalate = departure_weight * presence * escalation_step - escalation_cost * (
        np.asarray(tension) + escalation_step
    ) ** 2
    return np.stack(np.broadcast_arrays(0.0, press, escalate), axis=-1).reshape(-1, 3)
