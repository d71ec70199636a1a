"""Why an actor moved: a move's value split into its named terms, in weeks of payoff.

The terms are the pieces of the very sums the actors decide by (`views`, `payoffs`), so
they add up to the value of the action in `views.*_values` (tests/test_story.py checks
it). The story of a run (`sim.abm.story`) compares an actor's new course with its old one
term by term and names the largest differences ("because ..."). Every function takes a
`State` of R runs and returns {term: array (R,)}. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import numpy as np

from . import payoffs, transitions, valuation, views
from .actions import GovernmentAction, TehranAction, WashingtonAction, names
from .outcomes import RequestState
from .params import ModelParams
from .state import State

INF_DAYS = np.inf
Terms = dict[str, np.ndarray]


def _a(p: ModelParams) -> np.ndarray:
    return valuation.discounted_weeks(INF_DAYS, p.behaviour.discount_rate)


def request_terms(s: State, p: ModelParams, step: int) -> Terms:
    """The PM's formal request against waiting (F4, F10): the withdrawal it brings once
    Washington leaves (F4), the sanctions it expects (F22), the linked support put at risk
    (F17), a public escalation (F19) and parliament's mandate (F12); the terms of
    `payoffs.request_value`."""
    g, sa, wa, rho = p.government, p.sanctions, p.washington, p.behaviour.discount_rate
    look = views.outlook(s, p, step)
    exp_s, exp_l = views.baghdad_exposure(p)
    a = _a(p)
    leave = np.asarray(look.now.leave_day, dtype=np.float64)
    lead = transitions.lead_days(views.presence(s, p), wa.withdrawal_days)
    finite = np.isfinite(leave)
    gain = np.where(finite, payoffs.withdrawal_gain(views.pm_stance_now(s, p), views.committed_withdrawal(s, p), 1.0,
                                                    g.salience)
                    * valuation.later(np.where(finite, leave, 0.0) + 0.5 * np.asarray(lead), rho) * a, 0.0)
    ones = np.ones(s.runs)
    return {
        "the withdrawal it would bring (F4)": gain,
        "the sanctions Baghdad expects (F22)": -s.credibility_belief * np.asarray(sa.magnitude) * exp_s * a * ones,
        "the linked US support put at risk (F17)": -np.asarray(exp_l) * s.linkage_level * a * ones,
        "a public escalation (F19)": -np.asarray(g.escalation_cost) * ones,
        "parliament's mandate (F12)": np.asarray(g.mandate_weight) * s.mandate * ones,
    }


def government_terms(s: State, p: ModelParams, step: int, action: int) -> Terms:
    """The terms of the PM's value of `action` against waiting (F4, F5, F17, F19, F22)."""
    ones = np.ones(s.runs)
    if action == GovernmentAction.FORMAL_REQUEST:
        return request_terms(s, p, step)
    values = views.government_values(s, p, step)
    if action == GovernmentAction.ASK_NEGOTIATIONS:
        _, exp_l = views.baghdad_exposure(p)
        weeks = valuation.posture_weeks(views.pm_revision_rate(s, p), p.behaviour.discount_rate, INF_DAYS)
        cost = payoffs.talks_cost(exp_l, s.linkage_level, weeks) * ones
        return {"the drawdown talks could win (F5)": values[:, action] + cost,
                "the linked support on the table while talks last (F17)": -cost}
    if action == GovernmentAction.WITHDRAW_REQUEST:
        _, exp_l = views.baghdad_exposure(p)
        link = np.asarray(exp_l) * s.linkage_level * _a(p) * ones
        mandate = -np.asarray(p.government.mandate_weight) * s.mandate * ones
        return {"the withdrawal it keeps or gives up (F4, F19)": values[:, action] - link - mandate,
                "the linked support restored (F17)": link, "defying parliament (F12)": mandate}
    if action == GovernmentAction.ACCEPT_OFFER:
        return {"the drawdown offered against pressing on alone (F5, F19)": values[:, action]}
    return {}  # waiting: every term is counted against it


def washington_terms(s: State, p: ModelParams, step: int, action: int) -> Terms:
    """The terms of Washington's value of `action` (F4, F17, F19, F20, F21, F22, F23)."""
    wa, rho = p.washington, p.behaviour.discount_rate
    ones = np.ones(s.runs)
    look = views.outlook(s, p, step)
    values = views.washington_values(s, p, step, look)
    keep = np.asarray(wa.switching_cost) * (s.washington_posture == action) * ones
    pre: dict[int, tuple[bool, float]] = {WashingtonAction.REASSURE: (False, 0.0), WashingtonAction.THREATEN_SANCTIONS: (True, wa.threat_cost),
           WashingtonAction.LINK_ISSUES: (False, wa.linkage_cost)}
    if action in pre:
        threatens, cost = pre[action]
        weeks = valuation.posture_weeks(wa.revision_rate, rho, INF_DAYS)
        public = -np.asarray(cost) * weeks * ones
        return {"its public cost (F19)": public,
                "the risk of a formal request meanwhile (F4, F17, F22)": values[:, action] - keep - public,
                "keeping its course": keep}
    if action == WashingtonAction.IMPOSE_SANCTIONS:
        burden = -views._sanctions_burden(s, p) * _a(p) * ones
        reputation = np.asarray(wa.reputation_weight) * s.threat_level * ones
        standing = values[:, action] - payoffs.imposition_value(
            s.threat_level, views._sanctions_burden(s, p), 0.0, rho, reputation_weight=wa.reputation_weight)
        return {"the reputation of a threat carried out (F22)": reputation,
                "their lasting burden, Iran's gain included (F23)": burden,
                "its standing course and the retraction they may force (F19)": standing}
    if action in (WashingtonAction.WITHDRAW_ON_SCHEDULE, WashingtonAction.STAY,
                  WashingtonAction.NEGOTIATE_RETRACTION):
        words = {WashingtonAction.WITHDRAW_ON_SCHEDULE: "leaving on schedule before the deadline (F4, F21)",
                 WashingtonAction.STAY: "its stake in staying against the illegitimacy of overstaying (F20, F21)",
                 WashingtonAction.NEGOTIATE_RETRACTION: "a package Baghdad may accept for taking the request back (F19)"}
        return {words[WashingtonAction(action)]: values[:, action] - keep, "keeping its course": keep}
    if action == WashingtonAction.OFFER_DRAWDOWN:
        return {"a drawdown instead of the risk of a request (F19)": values[:, action] + np.asarray(wa.offer_cost),
                "the cost of an offer in public (F20)": -np.asarray(wa.offer_cost) * ones}
    return {"the move's value": values[:, action]}


def tehran_terms(s: State, p: ModelParams, step: int, action: int) -> Terms:
    """The terms of Tehran's value of `action`, its flows of `payoffs.tehran_flows` over the
    weeks the posture stands (F7, F12, F16, F24)."""
    t, b = p.tehran, p.behaviour
    ones = np.ones(s.runs)
    weeks = valuation.posture_weeks(t.revision_rate, b.discount_rate, INF_DAYS) * ones
    stake = payoffs.tehran_departure_stake(s.request_state == RequestState.ACTIVE, s.us_withdrawing, views.days_since_request(s, p, step),
                                           clock_weight=t.clock_weight)
    push = np.asarray(t.departure_weight) * views.presence(s, p) * stake
    keep = np.asarray(t.switching_cost) * (s.tehran_action == action) * ones
    if action == TehranAction.PRESS_FACTIONS:
        aligned = payoffs.aligned_share(p.factions.seats, p.factions.iran_alignment)
        return {"pushing US forces out through its allies (F16)": push * aligned * weeks,
                "influence it gains (F24)": np.asarray(t.influence_weight) * np.asarray(t.pressure_influence)
                * (1.0 - s.iran_influence) * weeks,
                "the cost of pressing": -np.asarray(t.press_cost) * weeks, "keeping its course": keep}
    if action == TehranAction.ESCALATE:
        step_up = 7.0 * np.asarray(t.escalation_rate)
        return {"raising the cost of US presence (F12)": push * step_up * weeks,
                "the risk of a US response (F12)": -np.asarray(t.escalation_cost) * (s.tension + step_up) ** 2 * weeks,
                "keeping its course": keep}
    return {"keeping its course": keep}  # restraint: no flow, every term is counted against it


TERMS = {"government": government_terms, "washington": washington_terms, "tehran": tehran_terms}
ACTION_NAMES = {"government": names(GovernmentAction), "washington": names(WashingtonAction),
                "tehran": names(TehranAction)}


def change_terms(actor: str, s: State, p: ModelParams, step: int, new: int, old: int) -> dict[str, float]:
    """Run 0's terms of `new` less those of `old`, for an actor of `TERMS`: why it preferred
    its new course. Courses valued by different sums (a posture before a request against
    one after it) are compared whole: the new course's value and minus the old one's."""
    f = TERMS[actor]
    a = {k: float(v[0]) for k, v in f(s, p, step, new).items()}
    b = {k: float(v[0]) for k, v in f(s, p, step, old).items()} if old >= 0 else {}
    common = {"keeping its course"}
    own_a, own_b = set(a) - common, set(b) - common
    if own_a and own_b and own_a != own_b:
        names = ACTION_NAMES[actor]
        return {f"the value of {names[new].replace('_', ' ')}": sum(a.values()),
                f"the value of {names[old].replace('_', ' ')} (given up)": -sum(b.values())}
    return {k: a.get(k, 0.0) - b.get(k, 0.0) for k in dict.fromkeys([*a, *b])}
