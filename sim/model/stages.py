"""One week of the model, as stages over a `State` of R runs.

Each stage reads the state, calls the pure payoff, choice and transition functions and
writes its results back. Both engines run exactly these functions: the Mesa model through
its agents (one run, R = 1), the batch engine over many runs at once. The order of stages
is `ModelParams.step_order` (default: world, tehran, factions, parliament, government,
washington, consequences); see docs/architecture.md.

Random numbers come only from `draws`, keyed by (root seed, run index, week, purpose): `keys`
holds each run's stream key, `draws.run_key(root_seed, run_indices)`, so a run's draws are
the same whichever engine computes it and with whichever other runs.

`events`, when a list is given, receives `(kind, mask, data)` tuples: `mask` marks the runs
in which the event happened this week and `data` holds per-run numbers for its text.
"""

from __future__ import annotations

import numpy as np

from . import bargaining, draws, institutions, outcomes, payoffs, transitions
from .choice import logit_choice, logit_probabilities
from .params import ModelParams
from .state import State

STAGE_NAMES = ("world", "tehran", "factions", "parliament", "government", "washington", "consequences")


def _forced(chosen, forced, available=None):
    """A player's imposed action where one is set (and open), else the model's choice."""
    take = forced >= 0
    if available is not None:
        idx = np.clip(forced, 0, available.shape[1] - 1).astype(np.int64)
        take = take & available[np.arange(available.shape[0]), idx]
    return np.where(take, forced, chosen)


def _emit(events, kind, mask, **data):
    if events is not None and np.any(mask):
        events.append((kind, np.asarray(mask, dtype=bool), data))


def presence(s: State, p: ModelParams) -> np.ndarray:
    return transitions.presence_share(s.troops, p.world.initial_troops)


def current_level(request_state, negotiations_open) -> np.ndarray:
    """How far Baghdad is pursuing withdrawal: 0 nothing, 0.5 talks, 1 a formal request (F4, F5)."""
    rs = np.asarray(request_state)
    return np.where(rs == outcomes.ACTIVE, 1.0, np.where((rs == outcomes.WITHDRAWN) | negotiations_open, 0.5, 0.0))


def drawdown_fraction(p: ModelParams) -> np.ndarray:
    """Share of US troops a negotiated drawdown removes: Baghdad's share as first proposer in
    Rubinstein's alternating offers with the two sides' patience (F5, F19)."""
    return bargaining.rubinstein_share(p.behaviour.baghdad_patience, p.washington.patience)


# ---------------------------------------------------------------- world
def stage_world(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """Exogenous dynamics: ISIS threat, tension decay, protests, street mobilisation."""
    w = p.world
    s.isis_threat = transitions.isis_step(
        s.isis_threat, presence(s, p), draws.normal(keys, week, "world.isis"),
        mean=w.isis_mean, reversion=w.isis_reversion, volatility=w.isis_volatility,
        presence_effect=w.isis_presence_effect,
    )
    s.tension = transitions.tension_step(s.tension, baseline=w.tension_baseline, decay=w.tension_decay)
    s.protests = transitions.protests_step(
        s.protests, draws.normal(keys, week, "world.protests"),
        decay=w.protest_decay, volatility=w.protest_volatility, floor=w.protest_floor,
    )
    call = transitions.street_call(p.factions.mobilising_power, s.position, s.salience)
    s.mobilisation = transitions.mobilisation_step(
        s.mobilisation, s.tension, call, s.sanctions_imposed, draws.normal(keys, week, "world.mobilisation"),
        rate=w.mobilisation_rate, tension_weight=w.mobilisation_tension_weight,
        sanctions_anger=w.mobilisation_sanctions_anger, volatility=w.mobilisation_volatility,
    )


# ---------------------------------------------------------------- Tehran
def aligned_share(p: ModelParams) -> np.ndarray:
    """Seat share of the factions Tehran can press, weighted by their alignment (F16)."""
    fa = p.factions
    seats = np.asarray(fa.seats, dtype=np.float64)
    return np.clip((seats * fa.iran_alignment).sum(axis=-1) / np.maximum(seats.sum(axis=-1), 1e-9), 0.0, 1.0)


def tehran_payoffs_now(s: State, p: ModelParams) -> np.ndarray:
    t = p.tehran
    return payoffs.tehran_payoffs(
        presence(s, p), s.tension, aligned_share(p), influence_weight=t.influence_weight,
        departure_weight=t.departure_weight, pressure_influence=t.pressure_influence, press_cost=t.press_cost,
        escalation_step=t.escalation_step, escalation_cost=t.escalation_cost,
    )


def stage_tehran(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """Tehran restrains, presses aligned factions (F16) or escalates through proxies (F12)."""
    t = p.tehran
    u = tehran_payoffs_now(s, p)
    a = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, "tehran.choice"))
    a = _forced(a, s.forced_tehran_action)
    changed = a != s.tehran_action
    _emit(events, "tehran_press", changed & (a == payoffs.PRESS))
    _emit(events, "tehran_escalate", changed & (a == payoffs.ESCALATE))
    _emit(events, "tehran_restrain", changed & (a == payoffs.RESTRAIN) & (s.tehran_action >= 0))
    s.tehran_pressure = transitions.level_step(s.tehran_pressure, a == payoffs.PRESS, decay=t.pressure_decay)
    s.tension = transitions.nudge(s.tension, t.escalation_step, a == payoffs.ESCALATE)
    s.tehran_action = a.astype(np.int8)


# ---------------------------------------------------------------- factions
def faction_payoffs_now(s: State, p: ModelParams, j: int) -> np.ndarray:
    """Payoffs (R, K) of faction j for each position of the grid, in the current world."""
    fa, sa = p.factions, p.sanctions
    col = lambda attr: np.asarray(fa.column(attr, j)).reshape(-1, 1)  # noqa: E731
    exp_s = payoffs.expected_sanctions(sa.magnitude, sa.credibility, s.threat_level)
    return payoffs.faction_payoffs(
        payoffs.POSITION_GRID, col("ideal_position"), s.salience[:, j : j + 1], col("security_weight"),
        col("sanctions_exposure"), col("linkage_weight"), col("iran_alignment"), col("street_responsiveness"),
        s.isis_threat, exp_s, s.linkage_level, s.tehran_pressure, s.mobilisation,
    )[:, 0, :]


def faction_step(s: State, p: ModelParams, week: int, keys, j: int, events=None) -> None:
    """Faction j updates its salience (F12), states a position by logit choice over its
    payoff (F14, F16, F17, F18, F22) and moves toward it."""
    fa = p.factions
    s.salience[:, j] = transitions.salience_now(
        fa.column("salience", j), fa.column("tension_sensitivity", j), s.tension
    )
    u = faction_payoffs_now(s, p, j)
    k = logit_choice(u, p.behaviour.rationality, draws.uniform(keys, week, f"faction.{fa.names[j]}"))
    s.position[:, j] = transitions.position_step(
        s.position[:, j], payoffs.POSITION_GRID[k], inertia=p.behaviour.position_inertia
    )


def update_collective(s: State, p: ModelParams) -> None:
    """Baghdad's collective stance by the configured rule over seats, positions and saliences."""
    s.collective_stance = bargaining.collective_position(
        p.behaviour.collective_rule, p.factions.seats, s.position, s.salience
    )


def stage_factions(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    for j in range(p.factions.size):
        faction_step(s, p, week, keys, j, events)
    update_collective(s, p)


# ---------------------------------------------------------------- parliament and government formation
def stage_parliament(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """Non-binding resolutions (F12, F14) and government formation or collapse (F13, F14, F15)."""
    pa, g = p.parliament, p.government
    tabled = (draws.uniform(keys, week, "parliament.table") < pa.propose_rate * s.mobilisation) & (
        week - s.last_resolution_week >= pa.min_interval_weeks
    )
    passed, yes, present = institutions.resolution_vote(
        p.factions.seats, s.position, p.factions.can_boycott,
        yes_threshold=pa.yes_threshold, boycott_threshold=pa.boycott_threshold, quorum=pa.quorum,
    )
    passed = tabled & passed
    _emit(events, "resolution_passed", passed, yes=yes, present=present)
    _emit(events, "resolution_failed", tabled & ~passed, yes=yes, present=present)
    s.resolutions_passed = s.resolutions_passed + passed
    s.last_resolution_week = np.where(tabled, week, s.last_resolution_week)
    s.mandate = transitions.mandate_step(s.mandate, passed, decay=pa.mandate_decay)

    formed = s.caretaker & (draws.uniform(keys, week, "government.formation") < g.formation_rate)
    pos, anti = institutions.new_prime_minister(
        draws.uniform(keys, week, "government.pm_type"), s.collective_stance,
        p_anti_american=g.p_anti_american_pm, anti_american_position=g.anti_american_position,
    )
    _emit(events, "pm_confirmed", formed, position=pos, anti_american=anti)
    s.pm_position = np.where(formed, pos, s.pm_position)
    s.pm_majority = np.where(formed, anti, s.pm_majority)
    s.caretaker = s.caretaker & ~formed
    s.pm_changes = s.pm_changes + formed
    fell = ~s.caretaker & ~formed & (
        draws.uniform(keys, week, "government.collapse") < g.collapse_rate * s.protests
    )
    _emit(events, "government_fell", fell)
    s.caretaker = s.caretaker | fell
    s.pm_majority = s.pm_majority & ~fell


# ---------------------------------------------------------------- the prime minister
def government_payoffs_now(s: State, p: ModelParams, *, threat_level=None, linkage_level=None,
                           drawdown_agreed=None, retraction_offer=None) -> np.ndarray:
    """The PM's payoffs (R, 4) in the current state; keyword arguments replace a state
    variable, which is how Washington anticipates Baghdad's response to its own move."""
    g, sa = p.government, p.sanctions
    threat = s.threat_level if threat_level is None else threat_level
    stance = g.pm_weight * s.pm_position + (1.0 - g.pm_weight) * s.collective_stance
    return payoffs.government_payoffs(
        stance, current_level(s.request_state, s.negotiations_open), g.salience,
        payoffs.expected_sanctions(sa.magnitude, sa.credibility, threat),
        s.linkage_level if linkage_level is None else linkage_level, s.isis_threat, s.mobilisation, s.mandate,
        s.retraction_offer if retraction_offer is None else retraction_offer,
        s.drawdown_agreed if drawdown_agreed is None else drawdown_agreed,
        sanctions_exposure=g.sanctions_exposure, linkage_cost=g.linkage_cost, security_cost=g.security_cost,
        escalation_cost=g.escalation_cost, street_weight=g.street_weight, mandate_weight=g.mandate_weight,
        package_value=g.package_value, drawdown_value=g.drawdown_value,
    )


def government_available_now(s: State) -> np.ndarray:
    return payoffs.government_available(s.request_state, s.negotiations_open, s.outcome != outcomes.UNDECIDED)


def stage_government(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """The PM, the only actor who can make a formal request (F10), decides if the
    institutions let it act this week (F13, F14, F15)."""
    g, sa = p.government, p.sanctions
    capacity = institutions.decision_capacity(
        s.caretaker, s.pm_majority, s.protests, base_capacity=g.base_capacity,
        caretaker_deference=g.caretaker_deference, protest_drain=g.protest_drain, majority_capacity=g.majority_capacity,
    )
    acts = draws.uniform(keys, week, "government.opportunity") < capacity
    a = logit_choice(
        government_payoffs_now(s, p), p.behaviour.rationality,
        draws.uniform(keys, week, "government.choice"), government_available_now(s),
    )
    a = np.where(acts, a, payoffs.WAIT)
    a = _forced(a, s.forced_government_action, government_available_now(s))  # a player is not held back by capacity

    ask = a == payoffs.ASK_NEGOTIATIONS
    _emit(events, "ask_negotiations", ask)
    s.negotiations_open = s.negotiations_open | ask

    request = a == payoffs.FORMAL_REQUEST
    if sa.override is None:
        sanction = draws.uniform(keys, week, "sanctions.carried_out") < sa.credibility
    else:
        sanction = np.full(s.runs, bool(sa.override))
    sanction = request & sanction
    s.request_state = np.where(request, outcomes.ACTIVE, s.request_state).astype(np.int8)
    s.request_week = np.where(request, week, s.request_week)
    s.deadline_week = np.where(request, week + p.deadline_weeks, s.deadline_week)
    _emit(events, "formal_request", request, deadline_week=s.deadline_week)
    _emit(events, "sanctions_imposed", sanction)
    s.sanctions_imposed = s.sanctions_imposed | sanction

    retract = a == payoffs.WITHDRAW_REQUEST
    keep = np.where(s.retraction_offer, np.minimum(s.troops, s.troop_target), s.troops)
    _emit(events, "request_withdrawn", retract, package=s.retraction_offer.copy())
    s.request_state = np.where(retract, outcomes.WITHDRAWN, s.request_state).astype(np.int8)
    s.troop_target = np.where(retract, keep, s.troop_target)
    s.us_withdrawing = s.us_withdrawing & ~retract
    s.government_action = a.astype(np.int8)


# ---------------------------------------------------------------- Washington
def washington_payoffs_now(s: State, p: ModelParams):
    """Washington's payoffs (R, 7) over all its actions and which are open, (R, 7)."""
    wa, w, lam = p.washington, p.world, p.behaviour.rationality
    pres = presence(s, p)
    stake = wa.isis_weight * s.isis_threat + wa.iran_weight * w.influence_vacuum_weight
    avail_gov = government_available_now(s)
    fade = 1.0 - wa.signal_decay
    ones = np.ones(s.runs)
    variants = (
        dict(threat_level=s.threat_level * fade, linkage_level=s.linkage_level * fade),  # reassure
        dict(threat_level=ones, linkage_level=s.linkage_level * fade),                  # threaten
        dict(threat_level=s.threat_level * fade, linkage_level=ones),                   # link
        dict(threat_level=s.threat_level * fade, linkage_level=s.linkage_level * fade,
             drawdown_agreed=np.ones(s.runs, dtype=bool)),                               # offer a drawdown
    )
    p_request = np.stack(
        [logit_probabilities(government_payoffs_now(s, p, **v), lam, avail_gov)[:, payoffs.FORMAL_REQUEST]
         for v in variants], axis=1,
    )
    pre = payoffs.washington_pre_request_payoffs(
        p_request, pres, stake, threat_cost=wa.threat_cost, linkage_cost=wa.linkage_cost,
        drawdown_fraction=drawdown_fraction(p), deterrence_weight=wa.deterrence_weight,
        sanctions_backfire=p.sanctions.credibility * wa.iran_weight * w.influence_sanctions_weight,
    )
    p_retract = logit_probabilities(
        government_payoffs_now(s, p, retraction_offer=np.ones(s.runs, dtype=bool)), lam, avail_gov
    )[:, payoffs.WITHDRAW_REQUEST]
    return pre, p_retract, pres, stake


def stage_washington(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """Washington reassures, threatens sanctions (F22), links issues (F17) or offers a
    drawdown (F19) while no request stands; after a formal request it withdraws on
    schedule, negotiates a retraction or stays (F4, F21)."""
    wa = p.washington
    u, avail = washington_payoffs_all(s, p, week)
    a = logit_choice(
        u, p.behaviour.rationality,
        draws.uniform(keys, week, "washington.choice"), avail,
    )
    decides = ~s.us_withdrawing & (s.troops > 0)
    a = _forced(a, s.forced_washington_action, avail)
    a = np.where(decides, a, -1)
    changed = a != s.washington_action
    _emit(events, "washington_threaten", changed & (a == payoffs.THREATEN))
    _emit(events, "washington_link", changed & (a == payoffs.LINK))
    _emit(events, "washington_reassure", changed & (a == payoffs.REASSURE))

    s.threat_level = transitions.level_step(s.threat_level, a == payoffs.THREATEN, decay=wa.signal_decay)
    s.linkage_level = transitions.level_step(s.linkage_level, a == payoffs.LINK, decay=wa.signal_decay)
    s.tension = transitions.nudge(s.tension, -wa.reassure_effect, a == payoffs.REASSURE)

    offer = a == payoffs.OFFER_DRAWDOWN
    drawdown_troops = p.world.initial_troops * (1.0 - drawdown_fraction(p))
    s.drawdown_agreed = s.drawdown_agreed | offer
    s.troop_target = np.where(offer, np.minimum(s.troop_target, drawdown_troops), s.troop_target)
    _emit(events, "drawdown_agreed", offer, troops=np.broadcast_to(drawdown_troops, (s.runs,)))

    withdraw = a == payoffs.WITHDRAW
    s.us_withdrawing = s.us_withdrawing | withdraw
    s.troop_target = np.where(withdraw, 0.0, s.troop_target)
    _emit(events, "withdrawal_decided", withdraw)

    negotiate = a == payoffs.NEGOTIATE_RETRACTION
    _emit(events, "retraction_offered", negotiate & ~s.retraction_offer)
    s.retraction_offer = s.retraction_offer | negotiate
    _emit(events, "washington_stays", changed & (a == payoffs.STAY))
    s.washington_action = a.astype(np.int8)


# ---------------------------------------------------------------- consequences
def stage_consequences(s: State, p: ModelParams, week: int, keys, events=None) -> None:
    """Troops move, Iranian influence responds (F7, F23, F24), the clock is read (F4, F11)."""
    w, wa = p.world, p.washington
    s.troops = transitions.troops_step(s.troops, s.troop_target, pace=w.initial_troops / wa.withdrawal_weeks)
    # the withdrawal a formal request asks for is complete when no troops are left (F4)
    gone_now = (s.troops <= 0.0) & (s.withdrawal_complete_week < 0) & (s.request_state == outcomes.ACTIVE)
    s.withdrawal_complete_week = np.where(gone_now, week, s.withdrawal_complete_week)
    _emit(events, "troops_gone", gone_now)
    s.iran_influence = transitions.influence_step(
        s.iran_influence, presence(s, p), s.sanctions_imposed, s.tehran_pressure,
        rate=w.influence_rate, base=w.influence_base, vacuum_weight=w.influence_vacuum_weight,
        sanctions_weight=w.influence_sanctions_weight, pressure_weight=w.influence_pressure_weight,
    )
    before = s.outcome
    s.outcome = outcomes.decide_during_run(s.outcome, s.request_state, s.troops, week, s.deadline_week).astype(np.int8)
    _emit(events, "deadline_passed", (before != s.outcome) & (s.outcome == outcomes.OCCUPATION), troops=s.troops.copy())


def washington_payoffs_all(s: State, p: ModelParams, week: int):
    """Washington's payoffs over its seven actions and which are open, (R, 7) each."""
    wa = p.washington
    pre, p_retract, pres, stake = washington_payoffs_now(s, p)
    illegit = payoffs.illegitimacy(
        transitions.weeks_left(week, s.deadline_week), deadline_steps=p.deadline_weeks,
        legitimacy_weight=wa.legitimacy_weight, overstay_penalty=wa.overstay_penalty,
    )
    post = payoffs.washington_post_request_payoffs(
        pres, stake, illegit, s.tension, p_retract,
        force_protection_weight=wa.force_protection_weight, package_cost=wa.package_cost,
    )
    after_request = s.request_state == outcomes.ACTIVE
    can_offer = s.negotiations_open & ~s.drawdown_agreed & (s.request_state == outcomes.NONE)
    avail = np.concatenate(
        [np.stack([~after_request, ~after_request, ~after_request, ~after_request & can_offer], axis=1),
         np.repeat(after_request[:, None], 3, axis=1)], axis=1,
    )
    return np.concatenate([pre, post], axis=1), avail


def actor_options(s: State, p: ModelParams, actor: str, week: int):
    """(action names, payoffs (R, A), available (R, A)) of 'government', 'washington' or
    'tehran' in the current state: what a player of that actor chooses between."""
    if actor == "government":
        return payoffs.GOVERNMENT_ACTIONS, government_payoffs_now(s, p), government_available_now(s)
    if actor == "washington":
        u, avail = washington_payoffs_all(s, p, week)
        return payoffs.WASHINGTON_ACTIONS, u, avail
    if actor == "tehran":
        u = tehran_payoffs_now(s, p)
        return payoffs.TEHRAN_ACTIONS, u, np.ones(u.shape, dtype=bool)
    raise ValueError(f"actor {actor!r} is not one of government, washington, tehran")


STAGES = {
    "world": stage_world,
    "tehran": stage_tehran,
    "factions": stage_factions,
    "parliament": stage_parliament,
    "government": stage_government,
    "washington": stage_washington,
    "consequences": stage_consequences,
}


def finish_rows(s: State, rows) -> None:
    """Classify the given runs at their end; undecided ones made no formal request."""
    s.outcome[rows] = outcomes.decide_at_end(s.outcome[rows], s.drawdown_agreed[rows])


def finish(s: State) -> None:
    finish_rows(s, np.ones(s.runs, dtype=bool))
