"""The known answers of docs/model_brief.md ("Known answers the model must reproduce").

(a) Only a formal request starts the one-year clock; a resolution or a request for
    talks does not (F4, F5, F10, F12).
(b) Troops present one year after a formal request make the run an `occupation`; gone by
    then, `withdrawal_completed` (F4, F11).
(c) Four directional effects, "everything else equal", measured with common random
    numbers (same root seed, same run ids in both arms) on N = 2,000 paired runs of the
    batch engine. Tolerance: a one-sided bound of Z_MARGIN = 3 standard errors of the
    paired mean difference (see conftest.paired_difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import Z_MARGIN, one_run_state, paired_difference, params_for, replace_params, stage, stream

from sim.abm import NegotiationModel
from sim.engines.batch import simulate
from sim.model import outcomes, views
from sim.model.actors.government import GovernmentAction
from sim.model.legal import Proposal

N_PAIRED = 2000
RUN_IDS = np.arange(N_PAIRED)


# ------------------------------------------------------------------ (a) only a formal request starts the clock
def test_resolution_vote_never_sets_the_clock():
    """A resolution that is tabled and passes (F12) changes the mandate, not the request
    or its deadline. Parliament is forced to table (a hazard of 50 a day) with every
    faction for withdrawal, so the resolution surely passes."""
    p = replace_params(params_for(), parliament={"propose_rate": 50.0, "min_interval_days": 0})
    s = one_run_state(p, position=np.full((1, p.factions.size), 1.0), mobilisation=1.0, mandate=0.0)
    before = s.resolutions_passed.copy()
    events = []
    stage("parliament", s, p, 5, stream(p), events)
    assert "resolution_passed" in [kind for kind, _, _ in events]
    assert s.resolutions_passed[0] == before[0] + 1
    assert s.mandate[0] == 1.0
    assert s.request_state[0] == outcomes.RequestState.NONE
    assert s.deadline_day[0] == -1 and s.request_day[0] == -1


def _player_pm(p, action, **fields):
    """A one-run state where the PM is a player's who makes `action` this step."""
    return one_run_state(p, human_government=True, forced_government_action=action, **fields)


def test_ask_for_negotiators_does_not_set_the_clock():
    """The PM asks Washington for talks on a drawdown (F5): a proposal waits for
    Washington's answer, no request, no deadline."""
    p = params_for("scenario.government.negotiations_requested=false")
    situation = dict(caretaker=False, pm_majority=True, pm_position=0.95)  # a request Washington fears
    _, open_moves = views.view("government", one_run_state(p, **situation), p, 3)
    assert open_moves[0, GovernmentAction.ASK_NEGOTIATIONS], "talks need a drawdown both sides could agree"
    s = _player_pm(p, GovernmentAction.ASK_NEGOTIATIONS, **situation)
    stage("government", s, p, 3, stream(p))
    assert GovernmentAction(s.government_action[0]).name.lower() == "ask_negotiations"
    assert s.talks_requested[0] and s.proposal[0] == Proposal.BAGHDAD_DRAWDOWN
    assert s.request_state[0] == outcomes.RequestState.NONE
    assert s.deadline_day[0] == -1 and s.request_day[0] == -1


def test_formal_request_sets_the_clock_to_one_year():
    """A formal request (F4, F10) in step 7 (day 49) sets the deadline to day 49 + 365."""
    p = params_for()
    s = _player_pm(p, GovernmentAction.FORMAL_REQUEST)
    stage("government", s, p, 7, stream(p))
    assert GovernmentAction(s.government_action[0]).name.lower() == "formal_request"
    assert s.request_state[0] == outcomes.RequestState.ACTIVE
    assert s.request_day[0] == 49
    assert s.deadline_day[0] == 49 + 365


def _run_with_resolution_before_a_request(p, max_runs=80):
    """The first run index whose event log has a passed resolution before a formal request."""
    for i in range(max_runs):
        m = NegotiationModel(p, run_index=i, record=True)
        m.run()
        days = {k: [e["day"] for e in m.event_log if e["kind"] == k] for k in ("resolution_passed", "formal_request")}
        if days["formal_request"] and min(days["resolution_passed"], default=10**9) < days["formal_request"][0]:
            return m, days
    pytest.fail(f"no run among the first {max_runs} has a resolution before a formal request")


def test_clock_in_a_mesa_run_starts_only_at_the_formal_request():
    """In a whole Mesa run with resolutions (F12) before a formal request (F4): the clock
    (days_left) is unset at every step before the formal request and 365 at its step; every
    resolution before it leaves the clock unset."""
    p = params_for("scenario.government.p_anti_american_pm=0.5", "scenario.government.formation_rate=0.01")
    m, days = _run_with_resolution_before_a_request(p)
    request_day = days["formal_request"][0]
    traj = m.trajectory().set_index("day")
    for day, row in traj.iterrows():
        if day < request_day:
            assert pd.isna(row["days_left"]), day
            assert row["request_state"] == "none", day
        elif day == request_day and row["request_state"] == "active" and m.state.outcome[0] != 2:
            assert row["days_left"] == 365
    for d in days["resolution_passed"]:
        if d < request_day:
            assert traj.loc[d, "request_state"] == "none"
    assert m.summary()["formal_request_day"] == request_day
    # the clock of the request standing or made last (a request made again after a
    # retraction starts its own year, F4)
    assert int(m.state.deadline_day[0]) == int(m.state.request_day[0]) + 365
    assert int(m.state.requests_made[0]) == len(days["formal_request"])


# ------------------------------------------------------------------ (b) occupation vs withdrawal_completed
def test_decide_during_run_unit_cases():
    """outcomes.decide_during_run (F4, F11): on the deadline day, troops > 0 gives
    occupation, troops gone by then gives withdrawal_completed; troops that leave within
    the step but after the deadline day make an occupation; before the deadline a standing
    request with troops present stays undecided; a withdrawn request is request_withdrawn where
    retractions are final;
    no request stays undecided; a decided run is not changed."""
    U, A, W, N = outcomes.UNDECIDED, outcomes.RequestState.ACTIVE, outcomes.RequestState.WITHDRAWN, outcomes.RequestState.NONE
    out = outcomes.decide_during_run(
        outcome=np.array([U, U, U, U, U, U, outcomes.Outcome.OCCUPATION, U]),
        request_state=np.array([A, A, A, A, W, N, A, A]),
        troops=np.array([1.0, 0.0, 5000.0, 0.0, 5000.0, 5000.0, 0.0, 0.0]),
        day=420,
        deadline_day=np.array([420, 420, 427, 427, 427, -1, 350, 416]),
        gone_day=np.array([-1, 418, -1, 415, -1, -1, 300, 419]),
        retraction_final=True,
    )
    assert out.tolist() == [
        outcomes.Outcome.OCCUPATION, outcomes.Outcome.WITHDRAWAL_COMPLETED, U, outcomes.Outcome.WITHDRAWAL_COMPLETED,
        outcomes.Outcome.REQUEST_WITHDRAWN, U, outcomes.Outcome.OCCUPATION, outcomes.Outcome.OCCUPATION,
    ]


def _requests(r):
    return r["formal_request_week"] >= 0


def _check_deadline_rule(r):
    """Over runs with a formal request that was not taken back: withdrawal_completed
    exactly when troops reached zero within the year (by day + 365), occupation otherwise."""
    standing = _requests(r) & (r["outcome"] != outcomes.Outcome.REQUEST_WITHDRAWN)
    deadline = r["formal_request_day"] + 365
    gone_in_time = (r["withdrawal_complete_day"] >= 0) & (r["withdrawal_complete_day"] <= deadline)
    expected = np.where(gone_in_time, outcomes.Outcome.WITHDRAWAL_COMPLETED, outcomes.Outcome.OCCUPATION)
    bad = np.flatnonzero(standing & (r["outcome"] != expected))
    assert bad.size == 0, f"runs {bad[:10]} break the deadline rule"
    return standing


#: a request Washington answers only with its stopping rule: no package worth offering,
#: sanctions that stay whatever Baghdad does
NO_PACKAGE = ("scenario=anti_american_pm", "scenario.washington.offer_cost=50")


def test_slow_withdrawal_makes_every_standing_request_an_occupation():
    """withdrawal_days = 600: the full force needs 600 days to leave, more than the year,
    so every request not taken back must end as an occupation (F4, F11). N = 2,000 runs; at
    least 100 occupations are required so the check is not vacuous (about 290 are seen)."""
    p = params_for(*NO_PACKAGE, "scenario.washington.withdrawal_days=600")
    r = simulate(p, RUN_IDS)
    standing = _check_deadline_rule(r)
    assert np.all(r["outcome"][standing] == outcomes.Outcome.OCCUPATION)
    assert np.sum(r["outcome"] == outcomes.Outcome.OCCUPATION) >= 100
    assert not np.any(r["outcome"] == outcomes.Outcome.WITHDRAWAL_COMPLETED)


def test_fast_withdrawal_completes_within_the_year():
    """withdrawal_days = 7: once Washington decides to leave, the troops are gone within a
    week or two, so the deadline rule gives withdrawal_completed; the rule holds on all
    N = 2,000 runs and at least 100 withdrawals complete (about 1,800 are seen)."""
    p = params_for(*NO_PACKAGE, "scenario.washington.withdrawal_days=7")
    r = simulate(p, RUN_IDS)
    _check_deadline_rule(r)
    assert np.sum(r["outcome"] == outcomes.Outcome.WITHDRAWAL_COMPLETED) >= 100


@pytest.mark.parametrize("withdrawal_days, outcome", [(600, "occupation"), (7, "withdrawal_completed")])
def test_end_to_end_mesa_run_at_the_deadline(withdrawal_days, outcome):
    """One Mesa run per case (the first run id the batch engine classifies so): at the
    deadline, the trajectory has troops > 0 for an occupation (with a 'deadline_passed'
    event) and 0 for a completed withdrawal (F4, F11)."""
    p = params_for(*NO_PACKAGE, f"scenario.washington.withdrawal_days={withdrawal_days}")
    r = simulate(p, np.arange(300))
    hits = np.flatnonzero(r["outcome"] == outcomes.OUTCOMES.index(outcome))
    assert hits.size, f"no {outcome} among 300 runs"
    m = NegotiationModel(p, run_index=int(hits[0]), record=True)
    summary = m.run()
    assert summary["outcome"] == outcome
    deadline = summary["formal_request_day"] + 365
    traj = m.trajectory().set_index("day")
    at_deadline = traj.index[traj.index >= deadline][0]
    if outcome == "occupation":
        assert traj.loc[at_deadline, "troops"] > 0
        assert "deadline_passed" in [e["kind"] for e in m.event_log if e["day"] == at_deadline]
    else:
        done = summary["withdrawal_complete_day"]
        assert done <= deadline
        assert traj.loc[traj.index[traj.index >= done][0], "troops"] == 0
        assert "deadline_passed" not in [e["kind"] for e in m.event_log]


# ------------------------------------------------------------------ (c) directional effects, paired runs
def _p_request(overrides):
    return _requests(simulate(params_for(*overrides), RUN_IDS)).astype(float)


@pytest.mark.parametrize("scenario", ["baseline", "max_pressure"])
def test_more_credible_sanctions_do_not_raise_request_chance(scenario):
    """F22: credibility 0.9 vs 0.2, N = 2,000 paired runs; P(request | 0.9) - P(request | 0.2)
    must be <= 3 SE of the paired difference (observed about -0.06 in baseline)."""
    low = _p_request([f"scenario={scenario}", "scenario.sanctions.credibility=0.2"])
    high = _p_request([f"scenario={scenario}", "scenario.sanctions.credibility=0.9"])
    diff, se, n = paired_difference(low, high)
    assert n == N_PAIRED
    assert diff <= Z_MARGIN * se, f"credible threat raised P(request) by {diff:.4f} (SE {se:.4f})"


def test_anti_american_pm_with_majority_does_not_lower_request_chance():
    """F15: p_anti_american_pm 1 vs 0, N = 2,000 paired runs; P(request | 1) - P(request | 0)
    must be >= -3 SE (observed about +0.95)."""
    never = _p_request(["scenario.government.p_anti_american_pm=0"])
    always = _p_request(["scenario.government.p_anti_american_pm=1"])
    diff, se, _ = paired_difference(never, always)
    assert diff >= -Z_MARGIN * se, f"anti-American PM lowered P(request) by {-diff:.4f} (SE {se:.4f})"


def _moves(p):
    """Per run, the number of moves the government made over the horizon (asked for
    talks, accepted an offer, made or took back a formal request)."""
    return simulate(p, RUN_IDS)["government_posture_changes"].astype(float)


@pytest.mark.parametrize("talks_requested", ["true", "false"])
def test_caretaker_acts_less_than_a_confirmed_government(talks_requested):
    """F13: same PM, no government formation (formation_rate = 0), caretaker from the start
    vs confirmed from the start; with talks already requested (F5, the baseline) or not yet
    (then asking for talks is a second way to act). Measure: the moves the government made
    over the 156-week horizon, N = 2,000 paired runs. The caretaker must act less:
    confirmed - caretaker > 3 SE (strict). P(formal request) must not be higher for the
    caretaker (one-sided, 3 SE)."""
    common = ("scenario.government.formation_rate=0", f"scenario.government.negotiations_requested={talks_requested}")
    caretaker = params_for(*common, "scenario.government.initially_caretaker=true")
    confirmed = params_for(*common, "scenario.government.initially_caretaker=false")
    acted_c = _moves(caretaker)
    acted_f = _moves(confirmed)
    diff, se, _ = paired_difference(acted_c, acted_f)
    assert diff > Z_MARGIN * se, f"confirmed - caretaker weeks acted = {diff:.4f} (SE {se:.4f})"
    req_c = _requests(simulate(caretaker, RUN_IDS)).astype(float)
    req_f = _requests(simulate(confirmed, RUN_IDS)).astype(float)
    diff, se, _ = paired_difference(req_c, req_f)
    assert diff >= -Z_MARGIN * se, f"caretaker requested more often: {-diff:.4f} (SE {se:.4f})"


def test_imposed_sanctions_do_not_lower_iranian_influence():
    """F23 ("Iraq to Iran on a silver platter"): sanctions forced on at every formal request
    (scenario.sanctions.override=true) vs forced off (false), N = 2,000 paired runs of the
    anti_american_pm scenario (where requests are common), of which the runs with a formal
    request (the same runs and days in both arms, checked) are compared: mean final Iranian
    influence (on - off) must be >= -3 SE."""
    off = simulate(params_for("scenario=anti_american_pm", "scenario.sanctions.override=false"), RUN_IDS)
    on = simulate(params_for("scenario=anti_american_pm", "scenario.sanctions.override=true"), RUN_IDS)
    assert np.array_equal(off["formal_request_day"], on["formal_request_day"]), "arms differ before the request"
    requested = _requests(off)
    assert requested.sum() >= 100, "too few requests for a comparison"
    assert on["sanctions_imposed"][requested].all() and not off["sanctions_imposed"].any()
    diff, se, n = paired_difference(off["final_iran_influence"][requested], on["final_iran_influence"][requested])
    assert diff >= -Z_MARGIN * se, (
        f"imposed sanctions lowered final Iranian influence by {-diff:.4f} on average "
        f"(SE {se:.4f}, {n} paired runs with a request; off {off['final_iran_influence'][requested].mean():.4f}, "
        f"on {on['final_iran_influence'][requested].mean():.4f}; outcomes off "
        f"{np.bincount(off['outcome'][requested], minlength=5).tolist()}, on "
        f"{np.bincount(on['outcome'][requested], minlength=5).tolist()} in order {outcomes.OUTCOMES})"
    )


def test_imposed_sanctions_do_not_lower_influence_within_a_week():
    """F23, the direct effect with everything else held fixed: from the same state, one
    step of consequences with sanctions active gives at least the influence it gives
    without them (strictly more here, since the target is below 1)."""
    p = params_for()
    with_s = one_run_state(p, sanctions_imposed=True)
    without = one_run_state(p, sanctions_imposed=False)
    stage("consequences", with_s, p, 1, stream(p))
    stage("consequences", without, p, 1, stream(p))
    assert with_s.iran_influence[0] > without.iran_influence[0]
