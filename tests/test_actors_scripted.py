"""Every actor's behaviour pinned by scripted situations, in the manner of Axelrod's
`versus_test`: a fixed world state in, the exact choice out.

Each case builds the step-0 state of one run, sets the fields that make up the situation,
turns rationality to infinity (best response, ties to the lowest action index), gives the
actor a revision opportunity (a trigger event waiting) and lets its Mesa agent take its
decision for one step; it checks the action (or stance) chosen and its effect on the
state. The expected action is worked out in the test from the formulas as
docs/odd.md ("Decisions") and the payoff docstrings state them; the building
blocks that are themselves tested against closed forms (`valuation`, the stopping rule's
`withdrawal_day`) may be used, the actors' value kernels (their `weigh`) are not.

A contract test, parametrised over the agent classes of the registry, checks that the same seed gives
the same trajectory, that a model pickles and continues identically, and that a fresh model
with the same parameters starts from the same state.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from conftest import one_run_state, params_for

from sim.abm import AGENT_CLASSES as AGENTS
from sim.abm import FactionAgent, NegotiationModel
from sim.model import payoffs
from sim.model.actors.tehran import TehranAction
from sim.model.actors.washington import WashingtonAction
from sim.model.legal import Proposal
from sim.model.outcomes import RequestState
from sim.model.state import FIELD_NAMES, initial_state

INF = float("inf")
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def model_in(p, step: int, **fields) -> NegotiationModel:
    """A Mesa model (run 0, no recording) whose state is the scripted situation at `step`."""
    m = NegotiationModel(p, run_index=0, record=False)
    m.state = one_run_state(p, **fields)
    m.steps = step  # Mesa's step counter is the step
    return m


def best_responding(*overrides):
    return params_for("scenario.behaviour.rationality=inf", *overrides)


def weeks_until_revision(rate: float, p) -> float:
    """D: the discounted weeks a posture stands until the next revision at `rate` a day."""
    return 1.0 / (7.0 * (rate + p.behaviour.discount_rate))


def lasting_weeks(p) -> float:
    """A: the discounted weeks of a lasting state, 1 / (7 rho)."""
    return 1.0 / (7.0 * p.behaviour.discount_rate)


# ====================================================================== factions
def faction_stance_by_hand(p, name, *, tension, isis, presence, pressure, mobilisation, current):
    """The faction's value of each stance x (docs/odd.md, "Decisions"; actors.factions.values_of):
    V(x) = D [-sal |x - ideal| + x (-security isis presence + alignment pressure + street mobilisation)]
           + switching cost [x is its current stance], sal = min(1, base + sensitivity tension)."""
    fa, b = p.factions, p.behaviour
    j = fa.names.index(name)
    sal = min(1.0, fa.salience[j] + fa.tension_sensitivity[j] * tension)
    slope = (-fa.security_weight[j] * isis * presence + fa.iran_alignment[j] * pressure
             + fa.street_responsiveness[j] * mobilisation)
    d = weeks_until_revision(b.faction_revision_rate, p)
    values = [d * (-sal * abs(x - fa.ideal_position[j]) + slope * x) + b.faction_switching_cost * (k == current)
              for k, x in enumerate(GRID)]
    return GRID[int(np.argmax(values))]


FACTION_CASES = [
    # name, situation, expected stated position, why
    ("kurds", dict(tension=0.3, isis=0.9, presence=1.0, pressure=0.0, mobilisation=0.0, current=1), 0.0,
     "F1, F14: security 0.8 x ISIS 0.9 pulls to 0, past the cost of changing"),
    ("iran_aligned", dict(tension=0.9, isis=0.3, presence=1.0, pressure=1.0, mobilisation=0.6, current=3), 1.0,
     "F16: Tehran's pressure 1 adds +1 a unit of position"),
    ("other_shia", dict(tension=0.3, isis=0.1, presence=1.0, pressure=0.0, mobilisation=1.0, current=4), 0.75,
     "F18, swayed by the street: above its own 0.55, but not all the way"),
    ("sunni", dict(tension=0.3, isis=0.9, presence=1.0, pressure=0.0, mobilisation=0.0, current=1), 0.0,
     "F1, F14: security 1.0 x ISIS 0.9 outweighs salience 0.6"),
    ("sunni", dict(tension=0.0, isis=0.0, presence=0.0, pressure=0.0, mobilisation=0.0, current=0), 0.25,
     "F14: nothing but its own position 0.2, nearest grid point 0.25 (worth the change)"),
]


@pytest.mark.parametrize("name, world, expected, why", FACTION_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FACTION_CASES)])
def test_faction_states_its_best_stance(name, world, expected, why):
    """At a revision a faction states the stance with the highest value; its position is
    that stance (F1, F12, F14, F16, F18)."""
    p = best_responding()
    assert faction_stance_by_hand(p, name, **world) == expected, why
    j = p.factions.names.index(name)
    stance = initial_state(p, 1).stance.copy()
    stance[0, j] = world["current"]
    troops = world["presence"] * p.world.initial_troops
    m = model_in(p, 4, tension=world["tension"], isis_threat=world["isis"], troops=troops, troop_target=troops,
                 tehran_pressure=world["pressure"], mobilisation=world["mobilisation"], stance=stance,
                 position=np.asarray(GRID)[stance], trigger_factions=True)
    agent = next(a for a in m.factions if a.name == name)
    agent.step()
    assert agent.position == expected, why


# ====================================================================== the prime minister
def test_pm_with_a_majority_requests_when_the_threat_is_empty():
    """F15: a very anti-American PM (0.95) with a majority, no sanctions believed, no
    linkage. By hand, the request is worth salience (|s - 0| - |s - 1|) e^-rho (t* + L/2) A
    - escalation + mandate with s = 0.7 x 0.95 + 0.3 x collective: positive, so the PM
    makes it at its first chance; the clock starts (F4)."""
    p = best_responding()
    m = model_in(p, 2, caretaker=False, pm_majority=True, pm_position=0.95, threat_level=0.0, linkage_level=0.0,
                 credibility_belief=0.0, proposal=Proposal.NONE, trigger_government=True, mandate=0.0)
    s = m.state
    stance = p.government.pm_weight * 0.95 + (1 - p.government.pm_weight) * float(s.collective_stance[0])
    gain = p.government.salience * (abs(stance) - abs(stance - 1)) * lasting_weeks(p)
    assert gain * math.exp(-p.behaviour.discount_rate * 2 * p.washington.withdrawal_days) > p.government.escalation_cost
    m.government.step()
    assert m.government.last_action == "formal_request"
    assert int(s.request_state[0]) == RequestState.ACTIVE and int(s.deadline_day[0]) == 14 + 365


def test_hawkish_pm_under_a_believed_threat_and_linkage_asks_for_talks_instead():
    """F5, F17, F22: the same PM, but Baghdad believes the threat (credibility 1) and the
    whole relationship is on the table: sanctions 1 x 0.6 x exposure x A and linkage
    exposure x A cut the request's value (by hand, with Washington's exit day from the
    stopping rule) to less than a third of what it is worth without them, and the PM asks
    Washington for talks on a drawdown instead of the formal request."""
    p = best_responding()
    m = model_in(p, 2, caretaker=False, pm_majority=True, pm_position=0.95, threat_level=1.0, linkage_level=1.0,
                 credibility_belief=1.0, proposal=Proposal.NONE, trigger_government=True, mandate=0.0)
    fa, g, wa = p.factions, p.government, p.washington
    seats = fa.seats / fa.seats.sum()
    a = lasting_weeks(p)
    costs = (float(seats @ fa.sanctions_exposure) * p.sanctions.magnitude + float(seats @ fa.linkage_weight)) * a
    stance = g.pm_weight * 0.95 + (1 - g.pm_weight) * float(m.state.collective_stance[0])
    s = m.state
    stake = (wa.isis_weight * s.isis_threat[0] + 2 * wa.iran_weight * s.iran_influence[0]
             * p.world.influence_vacuum_weight - wa.force_protection_weight * s.tension[0])
    leave = float(payoffs.withdrawal_day(1.0, stake, 1 / wa.revision_rate, wa.withdrawal_days,
                                         p.behaviour.discount_rate, legitimacy_weight=wa.legitimacy_weight,
                                         overstay_penalty=wa.overstay_penalty))
    gain = g.salience * (abs(stance) - abs(stance - 1)) * a * math.exp(
        -p.behaviour.discount_rate * (leave + wa.withdrawal_days / 2))
    without_threat = gain - g.escalation_cost
    with_threat = gain - costs - g.escalation_cost
    assert with_threat < 0.3 * without_threat
    m.government.step()
    assert m.government.last_action == "ask_negotiations"
    assert int(m.state.request_state[0]) == RequestState.NONE
    assert int(m.state.proposal[0]) == Proposal.BAGHDAD_DRAWDOWN and float(m.state.proposal_size[0]) > 0


def test_pm_takes_a_large_package_and_the_request_back():
    """F19: a request stands and Washington offers to take 60 % of the troops out if the
    request is withdrawn. A confirmed PM whose stance is near 0.6 gets its stance met at
    once by the package, against waiting months for a full withdrawal that overshoots it: it
    takes the request back and the troops head for what is left."""
    p = best_responding()
    m = model_in(p, 10, request_state=RequestState.ACTIVE, request_day=7, deadline_day=372,
                 proposal=Proposal.RETRACTION_PACKAGE, proposal_size=0.6, trigger_government=True, mandate=0.0,
                 pm_position=0.6, caretaker=False, protests=0.0)
    m.government.step()
    assert m.government.last_action == "withdraw_request"
    assert int(m.state.request_state[0]) == RequestState.WITHDRAWN
    assert float(m.state.troop_target[0]) == pytest.approx(0.4 * p.world.initial_troops)


def test_pm_turns_down_an_offer_that_overshoots_its_stance():
    """F5: Washington offers to take out 80 % of the troops but the caretaker's stance is
    0.2 (it wants most troops to stay): accepting moves the withdrawal past the stance,
    |0.2 - 0| < |0.2 - 0.8|, so the PM turns it down."""
    p = best_responding()
    m = model_in(p, 3, pm_position=0.2, proposal=Proposal.WASHINGTON_DRAWDOWN, proposal_size=0.8,
                 trigger_government=True, caretaker=False, protests=0.0)
    m.state.collective_stance[:] = 0.2
    m.government.step()
    assert m.government.last_action != "accept_offer"
    assert int(m.state.proposal[0]) == Proposal.NONE and int(m.state.drawdowns_agreed[0]) == 0


def test_a_caretaker_that_fully_defers_never_acts_on_its_own():
    """F13: caretaker deference 1 makes its responsiveness 0 and its revision rate 0: in a
    year of steps it never reconsiders, whatever the trigger events."""
    p = best_responding("scenario.government.caretaker_deference=1.0", "scenario.government.formation_rate=0")
    m = NegotiationModel(p, run_index=5, record=False)
    for _ in range(52):
        m.step()
    assert int(m.state.government_posture_changes[0]) == 0


# ====================================================================== Washington
def test_washington_stays_right_after_a_request_and_withdraws_before_the_deadline():
    """F21 (with a package too costly to offer): a week after a request the illegitimacy is
    near 0 and the presence pays: it stays; 330 days in, staying another revision interval would cross the deadline with
    the overstay penalty ahead: it withdraws on schedule (the stopping rule)."""
    p = best_responding("scenario.washington.offer_cost=50")  # no retraction package worth offering
    early = model_in(p, 1, request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, proposal=Proposal.NONE,
                     washington_posture=WashingtonAction.STAY, trigger_washington=True, tension=0.3)
    early.washington.step()
    assert int(early.state.washington_posture[0]) == WashingtonAction.STAY and not bool(early.state.us_withdrawing[0])
    late = model_in(p, 47, request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, proposal=Proposal.NONE,
                    washington_posture=WashingtonAction.STAY, trigger_washington=True, tension=0.3)
    late.washington.step()
    assert late.washington.last_action == "withdraw_on_schedule"
    assert bool(late.state.us_withdrawing[0]) and float(late.state.troop_target[0]) == 0.0


def test_washington_with_nothing_to_deter_drops_a_costly_threat():
    """With no request possible (taken back already) there is nothing to deter: a posture's
    value is only its public cost over the weeks it stands, - c D. With no switching cost,
    reassuring (cost 0) beats threatening (F6, F19)."""
    p = best_responding("scenario.washington.switching_cost=0", "scenario.washington.threat_cost=0.2")
    m = model_in(p, 20, request_state=RequestState.WITHDRAWN, outcome=2, proposal=Proposal.NONE,
                 washington_posture=WashingtonAction.THREATEN_SANCTIONS, trigger_washington=True)
    m.washington.step()
    assert m.washington.last_action == "reassure"


def test_washington_keeps_its_posture_when_the_change_is_not_worth_its_cost():
    """The same, with the default switching cost 0.5 > threat_cost 0.02 x D: it keeps
    threatening (audience costs, Fearon 1994)."""
    p = best_responding()
    d = weeks_until_revision(p.washington.revision_rate, p)
    assert p.washington.switching_cost > p.washington.threat_cost * d
    m = model_in(p, 20, request_state=RequestState.WITHDRAWN, outcome=2, proposal=Proposal.NONE,
                 washington_posture=WashingtonAction.THREATEN_SANCTIONS, trigger_washington=True)
    m.washington.step()
    assert int(m.state.washington_posture[0]) == WashingtonAction.THREATEN_SANCTIONS


@pytest.mark.parametrize("reputation, burden_free, expect", [(50.0, True, True), (0.0, False, False)])
def test_washington_imposes_sanctions_when_its_reputation_outweighs_their_burden(reputation, burden_free, expect):
    """F22, F23: after a request, with the threat at full voice, imposing is worth
    reputation x 1 + coercion - burden x A. Reputation 50 and no burden: it imposes;
    no reputation and the default burden (its own cost and the influence handed to
    Tehran): it does not."""
    over = [f"scenario.washington.reputation_weight={reputation}"]
    if burden_free:
        over += ["scenario.sanctions.washington_cost=0", "scenario.world.influence_sanctions_weight=0"]
    p = best_responding(*over)
    m = model_in(p, 2, request_state=RequestState.ACTIVE, request_day=7, deadline_day=372, proposal=Proposal.NONE,
                 washington_posture=WashingtonAction.THREATEN_SANCTIONS, threat_level=1.0, trigger_washington=True)
    m.washington.step()
    assert bool(m.state.sanctions_imposed[0]) == expect
    if expect:
        assert float(m.state.credibility_belief[0]) == 1.0


def test_washington_does_not_decide_while_its_troops_leave():
    """Withdrawing on schedule (F4): no posture is open; only imposing sanctions could be,
    and with `override: false` it is not: Washington has nothing to decide."""
    p = best_responding("scenario.sanctions.override=false")
    m = model_in(p, 30, request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, us_withdrawing=True,
                 troop_target=0.0, washington_posture=WashingtonAction.WITHDRAW_ON_SCHEDULE, trigger_washington=True,
                 proposal=Proposal.NONE)
    before = int(m.state.washington_action[0])
    m.washington.step()
    assert int(m.state.washington_action[0]) == before


# ====================================================================== Tehran
def tehran_by_hand(p, *, presence, tension, influence, stake, aligned, current):
    """Tehran's values (docs/odd.md, "Decisions"; actors.tehran.weigh) over the weeks a posture
    stands, D, plus the switching cost for keeping its current one."""
    t = p.tehran
    push = t.departure_weight * presence * stake
    step = 7 * t.escalation_rate
    flows = [0.0,
             push * aligned + t.influence_weight * t.pressure_influence * (1 - influence) - t.press_cost,
             push * step - t.escalation_cost * (tension + step) ** 2]
    d = weeks_until_revision(t.revision_rate, p)
    values = [d * f + t.switching_cost * (k == current) for k, f in enumerate(flows)]
    if presence <= 0:
        values[2] = -np.inf
    return TehranAction(int(np.argmax(values))).name.lower()


def _aligned(p):
    fa = p.factions
    return float(np.clip((fa.seats * fa.iran_alignment).sum() / fa.seats.sum(), 0, 1))


@pytest.mark.parametrize("case, overrides, world, expected", [
    ("presses_before_a_request", (), dict(presence=1.0, tension=0.5, influence=0.5, current=0, withdrawing=False),
     "press_factions"),
    ("restrains_once_washington_leaves", (), dict(presence=1.0, tension=0.5, influence=0.5, current=1, withdrawing=True),
     "restrain"),
    ("escalates_when_cheap_at_low_tension", ("scenario.tehran.escalation_cost=0.01", "scenario.tehran.press_cost=2"),
     dict(presence=1.0, tension=0.0, influence=0.5, current=0, withdrawing=False), "escalate"),
])
def test_tehran_scripted(case, overrides, world, expected):
    p = best_responding(*overrides)
    stake = 0.0 if world["withdrawing"] else 1.0
    assert tehran_by_hand(p, presence=world["presence"], tension=world["tension"], influence=world["influence"],
                          stake=stake, aligned=_aligned(p), current=world["current"]) == expected, case
    troops = world["presence"] * p.world.initial_troops
    fields = dict(troops=troops, troop_target=0.0 if world["withdrawing"] else troops, tension=world["tension"],
                  iran_influence=world["influence"], tehran_action=world["current"], trigger_tehran=True,
                  us_withdrawing=world["withdrawing"])
    if world["withdrawing"]:
        fields.update(request_state=RequestState.ACTIVE, request_day=0, deadline_day=365)
    m = model_in(p, 3, **fields)
    m.tehran.step()
    assert m.tehran.last_action == expected, case


# ====================================================================== contract over all agent classes
def observe(agent):
    """What an agent of each class shows of itself (its public attributes)."""
    if isinstance(agent, FactionAgent):
        return (agent.name, agent.position, agent.salience)
    if isinstance(agent, AGENTS["government"]):
        return (agent.caretaker, agent.pm_position, agent.pm_majority, agent.last_action)
    return (agent.last_action,)


def observe_all(model, cls):
    return [observe(a) for a in model.agents_by_type[cls]]


AGENT_CLASSES = list(AGENTS.values())
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
    for name in FIELD_NAMES:
        assert np.array_equal(getattr(fresh.state, name), getattr(expected, name)), name
