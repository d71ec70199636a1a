"""Every actor's behaviour pinned by scripted situations, in the manner of Axelrod's
`versus_test`: a fixed world state in, the exact choice out.

Each case builds the week-0 state of one run, sets the fields that make up the situation,
turns rationality to infinity (best response, ties to the lowest action index), lets the
actor's Mesa agent take its decision for one week and checks the action (or position)
chosen and its effect on the state. The expected action is worked out by hand in the
test, from the payoff formulas as docs/model_brief.md and the payoff docstrings state them (the
arithmetic with baseline coefficients is in each docstring), never by calling the model's
own payoff function.

A contract test, parametrised over the four agent classes, checks that the same seed gives
the same trajectory, that a model pickles and continues identically, and that a fresh model
with the same parameters starts from the same state.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import one_run_state, params_for

from sim.abm import FactionAgent, GovernmentAgent, NegotiationModel, TehranAgent, WashingtonAgent
from sim.model import outcomes
from sim.model.state import initial_state

INF = float("inf")
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
GOV_ACTIONS = ("wait", "ask_negotiations", "formal_request", "withdraw_request")
WASH_ACTIONS = ("reassure", "threaten_sanctions", "link_issues", "offer_drawdown",
                "withdraw_on_schedule", "negotiate_retraction", "stay")
TEHRAN_ACTIONS = ("restrain", "press_factions", "escalate")


def best_response(values: dict, available=None) -> str:
    """The action with the highest payoff among the available ones; ties to the first listed."""
    names = [a for a in values if available is None or a in available]
    return max(names, key=lambda a: (values[a], -names.index(a)))


def model_in(p, week: int, **fields) -> NegotiationModel:
    """A Mesa model (run 0, no recording) whose state is the scripted situation at `week`."""
    m = NegotiationModel(p, run_index=0, record=False)
    m.state = one_run_state(p, **fields)
    m.steps = week  # Mesa's step counter is the week
    return m


def best_responding(*overrides):
    return params_for("scenario.behaviour.rationality=inf", *overrides)


# ====================================================================== factions
def faction_position_by_hand(p, name, *, tension, isis, threat, linkage, pressure, mobilisation):
    """The model brief's faction payoff (docs/model_brief.md) over the position grid, written out:
    U(x) = -sal |x - ideal| - security isis x - exposure E[s] x - linkage_w linkage x
           + alignment pressure x + street mobilisation x,
    with sal = min(1, base + sensitivity tension) and E[s] = magnitude credibility threat."""
    fa = p.factions
    j = fa.names.index(name)
    sal = min(1.0, fa.salience[j] + fa.tension_sensitivity[j] * tension)
    exp_s = p.sanctions.magnitude * p.sanctions.credibility * threat
    slope = (-fa.security_weight[j] * isis - fa.sanctions_exposure[j] * exp_s - fa.linkage_weight[j] * linkage
             + fa.iran_alignment[j] * pressure + fa.street_responsiveness[j] * mobilisation)
    values = {x: -sal * abs(x - fa.ideal_position[j]) + slope * x for x in GRID}
    return best_response(values)


FACTION_CASES = [
    # name, situation, expected stated position, why
    ("kurds", dict(tension=0.3, isis=0.9, threat=1.0, linkage=1.0, pressure=0.0, mobilisation=0.0), 0.0,
     "F1, F14: slope -0.8*0.9 - 0.5*0.3 - 0.6 = -1.47 pulls to 0"),
    ("iran_aligned", dict(tension=0.9, isis=0.3, threat=1.0, linkage=1.0, pressure=1.0, mobilisation=0.6), 1.0,
     "F16: Tehran's pressure 1 gives slope +0.93, salience 0.97"),
    ("other_shia", dict(tension=0.3, isis=0.1, threat=0.0, linkage=0.0, pressure=0.0, mobilisation=1.0), 0.75,
     "F18, swayed by the street: U(0.5) = 0.1535 < U(0.75) = 0.164"),
    ("other_shia", dict(tension=0.3, isis=0.3, threat=1.0, linkage=1.0, pressure=0.0, mobilisation=0.0), 0.0,
     "F17, F22, swayed by money: slope -0.7 exceeds salience 0.53"),
    ("sunni", dict(tension=0.0, isis=0.0, threat=0.0, linkage=0.0, pressure=0.0, mobilisation=0.0), 0.25,
     "F14: nothing but its own position 0.2, nearest grid point 0.25"),
]


@pytest.mark.parametrize("name, world, expected, why", FACTION_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FACTION_CASES)])
def test_faction_states_its_best_position(name, world, expected, why):
    """A faction states the grid position with the highest payoff and moves toward it with
    inertia 0.8: new = 0.8 old + 0.2 chosen (F12, F14, F16, F17, F18, F22)."""
    p = best_responding()
    assert faction_position_by_hand(p, name, **world) == expected, why
    m = model_in(p, 4, tension=world["tension"], isis_threat=world["isis"], threat_level=world["threat"],
                 linkage_level=world["linkage"], tehran_pressure=world["pressure"], mobilisation=world["mobilisation"])
    agent = next(a for a in m.factions if a.name == name)
    old = agent.position
    agent.step()
    assert agent.position == pytest.approx(0.8 * old + 0.2 * expected, abs=1e-12), why
    assert float(np.argmax(agent.payoffs())) == GRID.index(expected)


# ====================================================================== the government
def pm_payoffs_by_hand(p, *, pm_position, collective, level_now, mobilisation, mandate, threat, linkage, isis,
                       offer=False, sanctions_imposed=False, drawdown=False):
    """The PM's payoffs as the docstring of payoffs.government_payoffs states them:
    distance -salience |stance - level| with levels (now, 0.5, 1, 0.5) and
    stance = pm_weight PM + (1 - pm_weight) collective; a formal request adds street and
    mandate approval and costs expected sanctions, linkage, security and escalation;
    taking it back earns the package and loses the approval (sanctions already imposed stay);
    waiting under a negotiated drawdown earns its value."""
    g, sa = p.government, p.sanctions
    stance = g.pm_weight * pm_position + (1.0 - g.pm_weight) * collective

    def dist(level):
        return -g.salience * abs(stance - level)

    approval = g.street_weight * mobilisation + g.mandate_weight * mandate
    cost = (g.sanctions_exposure * sa.magnitude * sa.credibility * threat + g.linkage_cost * linkage
            + g.security_cost * isis + g.escalation_cost)
    return {
        "wait": dist(level_now) + g.drawdown_value * drawdown,
        "ask_negotiations": dist(0.5),
        "formal_request": dist(1.0) + approval - cost,
        "withdraw_request": dist(0.5) + g.package_value * offer - approval,
    }


def gov_available(request_state, negotiations_open, decided=False):
    """docs/model_brief.md / F4, F5, F10: wait always; negotiations once, before a request; a request once;
    taking it back while it stands and is undecided."""
    out = ["wait"]
    if request_state == outcomes.RequestState.NONE and not negotiations_open:
        out.append("ask_negotiations")
    if request_state == outcomes.RequestState.NONE:
        out.append("formal_request")
    if request_state == outcomes.RequestState.ACTIVE and not decided:
        out.append("withdraw_request")
    return out


#: a PM that surely gets to decide this week (capacity 1; F13, F14, F15)
DECISIVE = ("scenario.government.base_capacity=1", "scenario.government.protest_drain=0")

GOV_CASES = [
    # id, overrides, situation, expected action
    ("street_and_anti_american_pm_request", ("scenario.government.majority_capacity=1",),
     dict(caretaker=False, pm_majority=True, pm_position=0.95, collective_stance=0.8, mobilisation=1.0, mandate=1.0,
          threat_level=1.0, linkage_level=1.0, isis_threat=0.3, protests=0.9),
     "formal_request"),  # F15, F18: stance 0.905; wait -0.6075, request -0.1325
    ("hawkish_pm_under_threat_waits", DECISIVE,
     dict(caretaker=False, pm_position=0.2, collective_stance=0.2, mobilisation=0.6, mandate=1.0,
          threat_level=1.0, linkage_level=1.0, isis_threat=0.3),
     "wait"),  # F17, F22: wait -0.45, request -1.2 - 0.19
    ("confirmed_pm_asks_for_negotiators", DECISIVE,
     dict(caretaker=False, negotiations_open=False, pm_position=0.5, collective_stance=0.5, mobilisation=0.6,
          mandate=1.0, threat_level=1.0, linkage_level=1.0, isis_threat=0.3),
     "ask_negotiations"),  # F5: wait -0.75, ask 0, request -0.94
    ("package_brings_retraction", DECISIVE,
     dict(caretaker=False, request_state=outcomes.RequestState.ACTIVE, request_week=10, deadline_week=62, retraction_offer=True,
          sanctions_imposed=True, pm_position=0.6, collective_stance=0.6, mobilisation=0.2,
          mandate=0.1, isis_threat=0.3),
     "withdraw_request"),  # F17, F19: wait -0.6, take back -0.15 + 0.4 - 0.14 = 0.11
    ("firm_pm_keeps_request_without_offer", DECISIVE,
     dict(caretaker=False, request_state=outcomes.RequestState.ACTIVE, request_week=10, deadline_week=62, retraction_offer=False,
          pm_position=0.9, collective_stance=0.9, mobilisation=0.8, mandate=0.5, isis_threat=0.3),
     "wait"),  # F4: wait -0.15, take back -0.6 - 0.6 = -1.2
    ("caretaker_who_fully_defers_waits", ("scenario.government.caretaker_deference=1",),
     dict(caretaker=True, pm_majority=False, pm_position=0.95, collective_stance=0.8, mobilisation=1.0, mandate=1.0,
          threat_level=1.0, linkage_level=1.0, isis_threat=0.3, protests=0.0),
     "wait"),  # F13: capacity 0.25 x (1 - 1) = 0 although a request would be its best response
]


@pytest.mark.parametrize("case, overrides, world, expected", GOV_CASES, ids=[c[0] for c in GOV_CASES])
def test_government_scripted(case, overrides, world, expected):
    """The PM's decision in a scripted situation (F4, F5, F10, F13, F15, F17, F19, F22)."""
    p = best_responding(*overrides)
    s0 = one_run_state(p, **world)
    level_now = 1.0 if s0.request_state[0] == outcomes.RequestState.ACTIVE else (0.5 if s0.negotiations_open[0] else 0.0)
    by_hand = pm_payoffs_by_hand(
        p, pm_position=float(s0.pm_position[0]), collective=float(s0.collective_stance[0]), level_now=level_now,
        mobilisation=float(s0.mobilisation[0]), mandate=float(s0.mandate[0]), threat=float(s0.threat_level[0]),
        linkage=float(s0.linkage_level[0]), isis=float(s0.isis_threat[0]), offer=bool(s0.retraction_offer[0]),
        sanctions_imposed=bool(s0.sanctions_imposed[0]), drawdown=bool(s0.drawdown_agreed[0]),
    )
    choice = best_response(by_hand, gov_available(int(s0.request_state[0]), bool(s0.negotiations_open[0])))
    if case == "caretaker_who_fully_defers_waits":
        assert choice == "formal_request"  # it would, if it acted at all
    else:
        assert choice == expected, by_hand

    m = model_in(p, 20, **world)
    m.government.step()
    assert m.government.last_action == expected
    s = m.state
    if expected == "formal_request":
        assert s.request_state[0] == outcomes.RequestState.ACTIVE and s.request_week[0] == 20 and s.deadline_week[0] == 72
    elif expected == "ask_negotiations":
        assert s.negotiations_open[0] and s.request_state[0] == outcomes.RequestState.NONE and s.deadline_week[0] == -1
    elif expected == "withdraw_request":
        # sanctions once imposed stay imposed (F22, F23; an assumption of the model)
        assert s.request_state[0] == outcomes.RequestState.WITHDRAWN and s.sanctions_imposed[0] == s0.sanctions_imposed[0]
        assert not s.us_withdrawing[0]
    else:
        assert s.request_state[0] == s0.request_state[0] and s.deadline_week[0] == s0.deadline_week[0]


# ====================================================================== Washington
def washington_by_hand(p, s, week, gov_kwargs):
    """Washington's payoffs as docs/model_brief.md and the payoff docstrings state them.

    Before a request: each move is valued by Baghdad's best response to it (Washington
    anticipates with the PM's payoff): -deterrence x (presence x stake + the sanctions
    backfire) x [PM requests] minus the move's cost (threat, linkage, or giving up the drawdown share of presence).
    Reassuring lets threat and linkage fade by signal_decay; threatening sets the threat to
    1; linking sets linkage to 1; a drawdown offer lets both fade and adds the drawdown.
    After a request: withdraw -presence x stake; stay -presence x (illegitimacy + force
    protection x tension), illegitimacy = legitimacy_weight x elapsed share of the year
    + overstay penalty past the deadline (F21); negotiate -package + (1 - [PM takes back
    for a package]) x stay.
    stake = isis_weight x ISIS + iran_weight x influence_vacuum_weight (F7, F20, F24)."""
    wa = p.washington
    presence = float(s.troops[0]) / p.world.initial_troops
    stake = wa.isis_weight * float(s.isis_threat[0]) + wa.iran_weight * p.world.influence_vacuum_weight
    fade = 1.0 - wa.signal_decay
    rs, neg = int(s.request_state[0]), bool(s.negotiations_open[0])
    threat, linkage = float(s.threat_level[0]), float(s.linkage_level[0])
    share = (1.0 - wa.patience) / (1.0 - p.behaviour.baghdad_patience * wa.patience)

    def pm_requests(**change):
        kw = dict(gov_kwargs, threat=threat * fade, linkage=linkage * fade)
        kw.update(change)
        return best_response(pm_payoffs_by_hand(p, **kw), gov_available(rs, neg)) == "formal_request"

    # a request may force Washington to carry out its threat, and sanctions raise Iranian
    # influence against its own aim (F22, F23): credibility x iran_weight x influence_sanctions_weight
    at_risk = presence * stake + p.sanctions.credibility * wa.iran_weight * p.world.influence_sanctions_weight
    pre = {
        "reassure": -wa.deterrence_weight * at_risk * pm_requests(),
        "threaten_sanctions": -wa.deterrence_weight * at_risk * pm_requests(threat=1.0) - wa.threat_cost,
        "link_issues": -wa.deterrence_weight * at_risk * pm_requests(linkage=1.0) - wa.linkage_cost,
        "offer_drawdown": -wa.deterrence_weight * at_risk * pm_requests(drawdown=True)
        - presence * stake * share,
    }
    weeks_left = int(s.deadline_week[0]) - week
    deadline_weeks = p.deadline_weeks
    elapsed = min(1.0, max(0.0, (deadline_weeks - weeks_left) / deadline_weeks))
    illegit = wa.legitimacy_weight * elapsed + wa.overstay_penalty * (weeks_left < 0)
    stay = -presence * (illegit + wa.force_protection_weight * float(s.tension[0]))
    retracts = best_response(pm_payoffs_by_hand(p, **dict(gov_kwargs, offer=True)),
                             gov_available(rs, neg)) == "withdraw_request"
    post = {
        "withdraw_on_schedule": -presence * stake,
        "negotiate_retraction": -wa.package_cost + (1.0 - retracts) * stay,
        "stay": stay,
    }
    if rs == outcomes.RequestState.ACTIVE:
        return best_response(post), post
    can_offer = neg and not bool(s.drawdown_agreed[0]) and rs == outcomes.RequestState.NONE
    avail = ["reassure", "threaten_sanctions", "link_issues"] + (["offer_drawdown"] if can_offer else [])
    return best_response(pre, avail), pre


def _gov_kwargs(s):
    level_now = 1.0 if s.request_state[0] == outcomes.RequestState.ACTIVE else (0.5 if s.negotiations_open[0] else 0.0)
    return dict(pm_position=float(s.pm_position[0]), collective=float(s.collective_stance[0]), level_now=level_now,
                mobilisation=float(s.mobilisation[0]), mandate=float(s.mandate[0]), threat=float(s.threat_level[0]),
                linkage=float(s.linkage_level[0]), isis=float(s.isis_threat[0]), offer=bool(s.retraction_offer[0]),
                sanctions_imposed=bool(s.sanctions_imposed[0]), drawdown=bool(s.drawdown_agreed[0]))


ACTIVE_REQUEST = dict(request_state=outcomes.RequestState.ACTIVE, request_week=10, deadline_week=62, caretaker=False)
FIRM_BAGHDAD = dict(pm_position=0.9, collective_stance=0.9, mobilisation=1.0, mandate=1.0)   # would not take it back
PLIANT_BAGHDAD = dict(pm_position=0.5, collective_stance=0.5, mobilisation=0.0, mandate=0.0)  # would, for a package

WASH_CASES = [
    # id, overrides, week, situation, expected
    ("deadline_near_withdraws", (), 60, dict(**ACTIVE_REQUEST, **FIRM_BAGHDAD, isis_threat=0.1, tension=0.5),
     "withdraw_on_schedule"),  # F21: 2 weeks left, stay -1.11 < withdraw -0.45
    ("early_after_request_stays", (), 11, dict(**ACTIVE_REQUEST, **FIRM_BAGHDAD, isis_threat=0.1, tension=0.5),
     "stay"),  # F20: 51 weeks left, stay -0.169 > withdraw -0.45; Baghdad would not retract
    ("early_pliant_baghdad_negotiates", (), 11, dict(**ACTIVE_REQUEST, **PLIANT_BAGHDAD, isis_threat=0.1, tension=0.5),
     "negotiate_retraction"),  # F17, F19: package 0.1 < stay's 0.169, and Baghdad takes it back
    ("past_deadline_leaves_despite_high_isis", (), 70,
     dict(**ACTIVE_REQUEST, **FIRM_BAGHDAD, isis_threat=1.0, tension=0.2),
     "withdraw_on_schedule"),  # F11, F21: 8 weeks past, stay -(1 + 1 + 0.06) = -2.06 < withdraw -(1 + 0.35)
    ("no_request_in_sight_reassures", (), 5,
     dict(caretaker=False, pm_position=0.2, collective_stance=0.2, mobilisation=0.3, mandate=0.0, isis_threat=0.1),
     "reassure"),  # F6, F19: Baghdad requests under no move, so the cheapest move wins
    ("threat_deters_request", ("scenario.government.linkage_cost=0",), 5,
     dict(caretaker=False, pm_position=0.8, collective_stance=0.8, mobilisation=0.4, mandate=0.0, threat_level=0.0,
          linkage_level=0.0, isis_threat=0.1),
     "threaten_sanctions"),  # F22: only the threat (E[s] 0.3) turns request -0.23 below wait -0.45
    ("drawdown_buys_off_request", ("scenario.sanctions.magnitude=0", "scenario.government.linkage_cost=0",
                                   "scenario.government.drawdown_value=2"), 5,
     dict(caretaker=False, pm_position=0.8, collective_stance=0.8, mobilisation=0.4, mandate=0.0, threat_level=0.0,
          linkage_level=0.0, isis_threat=0.1),
     "offer_drawdown"),  # F5, F19: threats are empty, a drawdown (value 2) keeps Baghdad waiting
]


@pytest.mark.parametrize("case, overrides, week, world, expected", WASH_CASES, ids=[c[0] for c in WASH_CASES])
def test_washington_scripted(case, overrides, week, world, expected):
    """Washington's decision in a scripted situation (F4, F7, F17, F19, F20, F21, F22, F24)."""
    p = best_responding(*overrides)
    s0 = one_run_state(p, **world)
    by_hand, values = washington_by_hand(p, s0, week, _gov_kwargs(s0))
    assert by_hand == expected, values

    m = model_in(p, week, **world)
    m.washington.step()
    assert m.washington.last_action == expected
    s = m.state
    if expected == "withdraw_on_schedule":
        assert s.us_withdrawing[0] and s.troop_target[0] == 0.0
    elif expected == "negotiate_retraction":
        assert s.retraction_offer[0]
    elif expected == "stay":
        assert s.troop_target[0] == s0.troop_target[0] and not s.us_withdrawing[0]
    elif expected == "threaten_sanctions":
        assert s.threat_level[0] == 1.0
    elif expected == "reassure":
        assert s.tension[0] == pytest.approx(max(0.0, s0.tension[0] - p.washington.reassure_effect))
        assert s.threat_level[0] == pytest.approx(s0.threat_level[0] * (1 - p.washington.signal_decay))
    elif expected == "offer_drawdown":
        share = (1.0 - p.washington.patience) / (1.0 - p.behaviour.baghdad_patience * p.washington.patience)
        assert s.drawdown_agreed[0]
        assert s.troop_target[0] == pytest.approx(p.world.initial_troops * (1.0 - share))


def test_washington_illegitimacy_starts_at_zero_whatever_the_step_length():
    """F21 and the docstring of payoffs.illegitimacy: the cost of staying rises "from 0 at
    the request to legitimacy_weight at the deadline". With two-week steps
    (step_days = 14, so the year is deadline_weeks = 26 steps), in the step right after a
    request (26 steps left) staying costs only force protection: stay = -0.3 x 0.5 = -0.15
    > withdraw = -(0.1 + 0.35) = -0.45, so Washington stays, exactly as with one-week steps."""
    p = best_responding("step_days=14")
    assert p.deadline_weeks == 26
    world = dict(ACTIVE_REQUEST, **FIRM_BAGHDAD, isis_threat=0.1, tension=0.5, request_week=10, deadline_week=36)
    s0 = one_run_state(p, **world)
    by_hand, values = washington_by_hand(p, s0, 10, _gov_kwargs(s0))
    assert by_hand == "stay", values
    m = model_in(p, 10, **world)
    m.washington.step()
    assert m.washington.last_action == "stay"


def test_washington_does_not_decide_while_withdrawing():
    """Once the withdrawal is decided (F4), Washington takes no further decision."""
    p = best_responding()
    m = model_in(p, 30, **ACTIVE_REQUEST, us_withdrawing=True, troop_target=0.0, troops=3000.0)
    m.washington.step()
    assert m.washington.last_action is None
    assert m.state.troop_target[0] == 0.0


# ====================================================================== Tehran
def tehran_by_hand(p, *, presence, tension):
    """Tehran's payoffs (docs/model_brief.md, F7, F12, F16, F24): restrain 0; press
    (departure x presence + influence x pressure_influence) x aligned seat share - press cost;
    escalate departure x presence x step - escalation cost x (tension + step)^2.
    Aligned share = sum(seats x alignment) / sum(seats) (baseline: 102.1 / 297 = 0.344)."""
    t, fa = p.tehran, p.factions
    aligned = sum(fa.seats[j] * fa.iran_alignment[j] for j in range(fa.size)) / sum(fa.seats)
    values = {
        "restrain": 0.0,
        "press_factions": (t.departure_weight * presence + t.influence_weight * t.pressure_influence) * aligned
        - t.press_cost,
        "escalate": t.departure_weight * presence * t.escalation_step - t.escalation_cost * (tension + t.escalation_step) ** 2,
    }
    return best_response(values), values


TEHRAN_CASES = [
    ("presses_aligned_factions", (), dict(troops=5000.0, tension=0.3), "press_factions"),  # F16: press 0.261 > restrain 0 > escalate -0.0525
    ("high_tension_and_costly_pressing_restrains", ("scenario.tehran.press_cost=0.5",), dict(troops=5000.0, tension=0.9),
     "restrain"),  # F12: press -0.14, escalate 0.15 - 1.1025
    ("cheap_escalation_at_low_tension", ("scenario.tehran.press_cost=2", "scenario.tehran.escalation_cost=0.3"),
     dict(troops=5000.0, tension=0.0), "escalate"),  # F12: 0.15 - 0.3 x 0.0225 = 0.143
    ("nothing_to_push_out_restrains", (), dict(troops=0.0, tension=0.5), "restrain"),  # F24: press 0.017 - 0.1
]


@pytest.mark.parametrize("case, overrides, world, expected", TEHRAN_CASES, ids=[c[0] for c in TEHRAN_CASES])
def test_tehran_scripted(case, overrides, world, expected):
    """Tehran's decision in a scripted situation and its effect on pressure and tension."""
    p = best_responding(*overrides)
    by_hand, values = tehran_by_hand(p, presence=world["troops"] / p.world.initial_troops, tension=world["tension"])
    assert by_hand == expected, values
    m = model_in(p, 3, **world, tehran_pressure=0.5)
    m.tehran.step()
    assert m.tehran.last_action == expected
    s = m.state
    if expected == "press_factions":
        assert s.tehran_pressure[0] == 1.0
    else:
        assert s.tehran_pressure[0] == pytest.approx(0.5 * (1 - p.tehran.pressure_decay))
    step = p.tehran.escalation_step if expected == "escalate" else 0.0
    assert s.tension[0] == pytest.approx(min(1.0, world["tension"] + step))


# ====================================================================== contract over all agent classes
def observe(agent):
    """What an agent of each class shows of itself (its public attributes)."""
    if isinstance(agent, FactionAgent):
        return (agent.name, agent.position, agent.salience)
    if isinstance(agent, GovernmentAgent):
        return (agent.caretaker, agent.pm_position, agent.majority, agent.last_action)
    return (agent.last_action,)


def observe_all(model, cls):
    return [observe(a) for a in model.agents_by_type[cls]]


AGENT_CLASSES = [FactionAgent, GovernmentAgent, WashingtonAgent, TehranAgent]
CONTRACT_OVERRIDES = ("scenario=anti_american_pm",)  # requests happen, so every actor has choices to make
CONTRACT_RUN, CONTRACT_WEEKS = 3, 60


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_same_seed_same_trajectory(cls):
    """Two models with the same parameters and run index show the same agents, week by week
    for 60 weeks; a different root seed gives a different model trajectory."""
    p = params_for(*CONTRACT_OVERRIDES)
    a, b = (NegotiationModel(p, run_index=CONTRACT_RUN, record=False) for _ in range(2))
    assert len(a.agents_by_type[cls]) >= 1
    for _ in range(CONTRACT_WEEKS):
        assert observe_all(a, cls) == observe_all(b, cls)
        a.step()
        b.step()
    assert observe_all(a, cls) == observe_all(b, cls)
    c = NegotiationModel(params_for(*CONTRACT_OVERRIDES, "seed=1"), run_index=CONTRACT_RUN, record=False)
    for _ in range(CONTRACT_WEEKS):
        c.step()
    assert not np.array_equal(a.state.isis_threat, c.state.isis_threat)


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_model_pickles_and_continues_identically(cls):
    """pickle.dumps / loads of a model after 20 weeks (with recording on, as the CLI runs
    it), then 40 more weeks of both: the agents of the class show the same thing each week
    and the summaries agree."""
    p = params_for(*CONTRACT_OVERRIDES)
    m = NegotiationModel(p, run_index=CONTRACT_RUN, record=True)
    for _ in range(20):
        m.step()
    twin = pickle.loads(pickle.dumps(m))
    assert observe_all(twin, cls) == observe_all(m, cls)
    for _ in range(CONTRACT_WEEKS - 20):
        m.step()
        twin.step()
        assert observe_all(twin, cls) == observe_all(m, cls)
    assert twin.summary() == m.summary()


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_fresh_model_resets_to_the_initial_state(cls):
    """A model stepped 60 weeks, then a fresh model with the same parameters: the fresh one
    starts where the first started (same agents, same week-0 state, equal to initial_state)."""
    p = params_for(*CONTRACT_OVERRIDES)
    first = NegotiationModel(p, run_index=CONTRACT_RUN, record=False)
    start = observe_all(first, cls)
    for _ in range(CONTRACT_WEEKS):
        first.step()
    fresh = NegotiationModel(p, run_index=CONTRACT_RUN, record=False)
    assert fresh.week == 0 and fresh.running
    assert observe_all(fresh, cls) == start
    expected = initial_state(p, 1)
    for name in vars(expected):
        assert np.array_equal(getattr(fresh.state, name), getattr(expected, name)), name
