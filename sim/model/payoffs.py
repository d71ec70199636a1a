"""Payoff functions of every actor, as pure functions over arrays with a leading runs axis.

Each term cites the facts of `shared/design/FACTS.md` it comes from. Positions lie on one
issue axis: 0 = US forces stay indefinitely, 1 = full withdrawal now. World variables
(ISIS threat, tension, mobilisation, influence, ...) are arrays of shape (R,); faction
attributes are (F,) or (R, F); weights are floats or (R,) arrays (per-run parameters in
sweeps). The functions return payoffs per action, shape (R, A), or per faction and
position, shape (R, F, K).
"""

from __future__ import annotations

import numpy as np

# Action sets (index = action code). Names are the ones printed in logs and used in tests.
GOVERNMENT_ACTIONS = ("wait", "ask_negotiations", "formal_request", "withdraw_request")
WAIT, ASK_NEGOTIATIONS, FORMAL_REQUEST, WITHDRAW_REQUEST = range(4)

WASHINGTON_ACTIONS = (
    "reassure", "threaten_sanctions", "link_issues", "offer_drawdown",  # before a formal request (F17, F20, F22)
    "withdraw_on_schedule", "negotiate_retraction", "stay",            # after it (F4, F21, F22)
)
REASSURE, THREATEN, LINK, OFFER_DRAWDOWN, WITHDRAW, NEGOTIATE_RETRACTION, STAY = range(7)

TEHRAN_ACTIONS = ("restrain", "press_factions", "escalate")
RESTRAIN, PRESS, ESCALATE = range(3)

#: positions a faction can take in a week (its stated stance on the issue axis)
POSITION_GRID = np.linspace(0.0, 1.0, 5)


def _col(a) -> np.ndarray:
    """A per-run value as a column (R, 1) so it broadcasts against actions."""
    return np.asarray(a, dtype=np.float64).reshape(-1, 1)


def expected_sanctions(magnitude, credibility, threat_level) -> np.ndarray:
    """Expected sanctions cost of a formal request: size x credibility x how loudly it is threatened (F22)."""
    return np.asarray(magnitude) * np.asarray(credibility) * np.asarray(threat_level)


def faction_payoffs(
    grid, ideal, salience, security_weight, sanctions_exposure, linkage_weight, iran_alignment,
    street_responsiveness, isis, exp_sanctions, linkage, tehran_pressure, mobilisation,
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

    def fac(a):  # (F,) or (R, F) -> (R or 1, F, 1)
        a = np.asarray(a, dtype=np.float64)
        return (a[None, :] if a.ndim == 1 else a)[..., None]

    def world(a):  # (R,) -> (R, 1, 1)
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
    stance, current_level, salience, exp_sanctions, linkage, isis, mobilisation, mandate,
    retraction_offer, drawdown_agreed, *, sanctions_exposure, linkage_cost, security_cost, escalation_cost,
    street_weight, mandate_weight, package_value, drawdown_value,
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


def government_available(request_state, negotiations_open, outcome_decided) -> np.ndarray:
    """Which government actions are open, shape (R, 4) (F4, F5, F10).

    A formal request can be made once (a retracted request ends the question in the
    model: an assumption); negotiations can be asked for once, before any request; a
    request can be taken back while its outcome is undecided.
    """
    rs = np.asarray(request_state).reshape(-1)
    neg = np.asarray(negotiations_open, dtype=bool).reshape(-1)
    decided = np.asarray(outcome_decided, dtype=bool).reshape(-1)
    return np.stack(
        [np.ones_like(neg), (rs == 0) & ~neg, rs == 0, (rs == 1) & ~decided], axis=1
    )


def washington_pre_request_payoffs(
    request_prob_by_action, presence, stake, *, threat_cost, linkage_cost, drawdown_fraction,
    deterrence_weight, sanctions_backfire=0.0,
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


def illegitimacy(steps_left, *, deadline_steps, legitimacy_weight, overstay_penalty) -> np.ndarray:
    """Cost of staying per unit of presence after a formal request (F21).

    Rises linearly over the year from 0 at the request to `legitimacy_weight` at the
    deadline (F4), plus `overstay_penalty` once the deadline has passed (F11, F21).
    `steps_left` and `deadline_steps` (the year, 52 weekly steps) count model steps.
    """
    wl = np.asarray(steps_left, dtype=np.float64)
    elapsed = np.clip((deadline_steps - wl) / deadline_steps, 0.0, 1.0)
    return legitimacy_weight * elapsed + overstay_penalty * (wl < 0)


def washington_post_request_payoffs(
    presence, stake, illegit, tension, retraction_prob, *, force_protection_weight, package_cost,
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
    presence, tension, aligned_share, *, influence_weight, departure_weight, pressure_influence,
    press_cost, escalation_step, escalation_cost,
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
