"""How actors decide (docs/odd.md, "Decisions"): logit-response dynamics with
revision opportunities, moves valued over time, agreements by the Nash solution, sanctions
as Washington's decision, beliefs updated by Bayes' rule, and calendar time.

Exact answers where they exist (closed forms, the stopping rule's root, Bayes' rule, the
hazard of the revision rule), statistical checks with their sample sizes and tolerances,
and properties over many runs. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import one_run_state, packed_value, params_for, replace_params, stage
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.abm import NegotiationModel
from sim.engines.batch import simulate
from sim.model import choice, payoffs, transitions, valuation, views
from sim.model.actors.government import GovernmentAction
from sim.model.actors.tehran import TehranAction
from sim.model.actors.washington import WashingtonAction
from sim.model.draws import run_key
from sim.model.outcomes import RequestState

# ---------------------------------------------------------------- calendar time
RHO = 0.002


def test_step_chance_and_relaxation_compose_exactly():
    """Two steps of 7 days are one of 14: the same chance of an event and the same decay."""
    h = np.array([0.001, 0.03, 0.2])
    one = valuation.step_chance(h, 14)
    two = 1 - (1 - valuation.step_chance(h, 7)) ** 2
    assert np.allclose(one, two, rtol=0, atol=1e-15)
    x = valuation.relax(valuation.relax(0.9, 0.3, 0.01, 7), 0.3, 0.01, 7)
    assert x == pytest.approx(float(valuation.relax(0.9, 0.3, 0.01, 14)), abs=1e-15)


def test_ou_step_variance_does_not_depend_on_the_step():
    """Ornstein-Uhlenbeck noise: two 7-day steps and one 14-day step give the same variance
    (exact, away from the clipping bounds)."""
    k, sigma = 0.007, 0.0116
    var = lambda dt: sigma**2 * (1 - math.exp(-2 * k * dt)) / (2 * k)  # noqa: E731
    assert var(7) * math.exp(-2 * k * 7) + var(7) == pytest.approx(var(14), rel=1e-12)
    # and the function draws exactly that: noise 1 moves x by sqrt(var) beyond the relaxation
    x = valuation.ou_step(0.5, 0.5, k, sigma, 1.0, 14)
    assert float(x) - 0.5 == pytest.approx(math.sqrt(var(14)), rel=1e-12)


def test_discounted_weeks_and_chances():
    assert float(valuation.discounted_weeks(np.inf, RHO)) == pytest.approx(1 / (7 * RHO))
    assert float(valuation.discounted_weeks(70, 0.0)) == pytest.approx(10.0)
    # the discounted chance of an event at hazard h within T: integral of h e^-(h + rho) t
    h, T = 0.01, 200.0
    expect = h / (h + RHO) * (1 - math.exp(-(h + RHO) * T))
    assert float(valuation.discounted_chance(h, RHO, T)) == pytest.approx(expect)
    assert float(valuation.competing_chance(h, 0.03, RHO)) == pytest.approx(h / (h + 0.03 + RHO))


def test_the_deadline_is_a_year_after_the_request_at_any_step_length():
    """F4: one year after the formal request, in days, whatever the step length."""
    for step_days in (3, 7, 14):
        p = params_for(f"step_days={step_days}", "scenario=anti_american_pm")
        cols = simulate(p, np.arange(60))
        m = NegotiationModel(p, run_index=int(np.flatnonzero(cols["formal_request_day"] >= 0)[0]))
        while m.running and m.state.request_state[0] != RequestState.ACTIVE:
            m.step()
        assert int(m.state.deadline_day[0]) - int(m.state.request_day[0]) == valuation.YEAR_DAYS
        assert int(m.state.request_day[0]) % step_days == 0


# ---------------------------------------------------------------- the revision rule (Blume 1993)
def _probs(values, lam, available=None):
    return choice.logit_probabilities(np.atleast_2d(values), lam, available)[0]


def test_revision_rule_switch_hazard_does_not_depend_on_the_step():
    """Analytic: an actor that revises at q a day and keeps its status quo with logit
    probability pi_0 changes within T days with probability 1 - exp(-q T (1 - pi_0));
    with the clock rung (probability 1 - e^-m) the rule changes with (1 - e^-m nu)/(1 - e^-m),
    so the unconditional chance over one 14-day step equals that over two 7-day steps."""
    values = np.array([[0.0, 0.3, -0.2]])
    lam, q = 4.0, 0.05
    nu = 1 - _probs(values, lam)[0]
    for dt in (3, 7, 14):
        m = q * dt
        rang = -math.expm1(-m)
        got = choice.revision_choice(values.repeat(2, 0), lam, np.ones((2, 3), bool), np.zeros(2, int),
                                     np.full(2, m), np.zeros(2, bool), np.array([0.0, 1 - 1e-12]), np.full(2, 0.5))
        assert got[0] != 0 and got[1] == 0  # u below the chance changes, u at 1 keeps
        p_change = rang * (1 - math.exp(-m * nu)) / rang
        assert p_change == pytest.approx(1 - math.exp(-q * dt * nu))
    two_weeks = 1 - math.exp(-q * 14 * nu)
    one_week_twice = 1 - math.exp(-q * 7 * nu) ** 2
    assert two_weeks == pytest.approx(one_week_twice)


def test_revision_rule_monte_carlo_matches_the_hazard():
    """Statistical (N = 200,000 runs, tolerance 4 standard errors): the frequency of a
    change and of each new action equals the analytic chance for a triggered revision."""
    values = np.array([0.0, 0.4, -0.1, 0.2])
    lam, m, n = 3.0, 0.6, 200_000
    pi = _probs(values, lam)
    rng = np.random.default_rng(7)  # test-only generator: the model draws from its keyed stream
    got = choice.revision_choice(np.tile(values, (n, 1)), lam, np.ones((n, 4), bool), np.full(n, 2),
                                 np.full(n, m), np.ones(n, bool), rng.random(n), rng.random(n))
    p_keep = pi[2] * math.exp(-m * (1 - pi[2]))
    for a in range(4):
        expect = p_keep if a == 2 else (1 - p_keep) * pi[a] / (1 - pi[2])
        share = float((got == a).mean())
        assert abs(share - expect) < 4 * math.sqrt(expect * (1 - expect) / n), (a, share, expect)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=7), st.integers(0, 6), st.floats(0, 3),
       st.booleans(), st.floats(0, 1), st.floats(0, 1))
def test_best_response_moves_to_the_best_open_action_and_only_then(vals, sq, m, triggered, u1, u2):
    """At lambda = inf the rule keeps the status quo when it is a best open action (ties go
    to the first maximiser, as in the logit rule) and otherwise moves to the best."""
    v = np.array([vals])
    sq = min(sq, v.shape[1] - 1)
    out = int(choice.revision_choice(v, np.inf, np.ones(v.shape, bool), np.array([sq]), np.array([max(m, 1e-3)]),
                                     np.array([triggered]), np.array([u1 * 0.999]), np.array([u2]))[0])
    best = int(np.argmax(v[0]))
    assert out == (sq if best == sq else best)


# ---------------------------------------------------------------- bargaining: the Nash solution
def test_nash_deal_is_the_argmax_of_the_asymmetric_nash_product():
    """Closed form vs a numeric argmax: u_B = b_B x - d_B, u_W = R_W - b_W x, weights beta
    and 1 - beta (Nash 1950, asymmetric)."""
    from scipy.optimize import minimize_scalar

    for b_b, d_b, b_w, r_w, beta in ((100.0, 20.0, 30.0, 25.0, 0.33), (50.0, 0.0, 10.0, 4.0, 0.5),
                                     (80.0, 5.0, 40.0, 30.0, 0.8)):
        lo, hi = d_b / b_b, r_w / b_w

        def neg(x, b_b=b_b, d_b=d_b, r_w=r_w, b_w=b_w, beta=beta):
            ub, uw = b_b * x - d_b, r_w - b_w * x
            return np.inf if ub <= 0 or uw <= 0 else -(beta * math.log(ub) + (1 - beta) * math.log(uw))

        best = minimize_scalar(neg, bounds=(lo + 1e-12, hi - 1e-12), method="bounded",
                               options={"xatol": 1e-12}).x
        assert float(bargaining_deal(lo, hi, beta, 1.0)) == pytest.approx(best, abs=1e-7)
    # no zone of agreement: no deal; a cap below the least Baghdad accepts: no deal
    assert float(bargaining_deal(0.5, 0.4, 0.5, 1.0)) == 0.0
    assert float(bargaining_deal(0.5, 0.9, 0.5, 0.3)) == 0.0


def bargaining_deal(lo, hi, beta, cap):
    from sim.model import bargaining

    return bargaining.nash_deal(lo, hi, beta, cap)


def test_baghdads_power_is_the_limit_of_rubinsteins_share():
    """Binmore, Rubinstein & Wolinsky (1986): with discount rates r_B, r_W and offers every
    dt, Rubinstein's first-proposer share tends to r_W / (r_B + r_W) = `limit_share`."""
    from sim.model import bargaining

    d_b, d_w = 0.9, 0.95
    limit = float(bargaining.limit_share(d_b, d_w))
    assert limit == pytest.approx(math.log(d_w) / (math.log(d_b) + math.log(d_w)))
    r_b, r_w = -math.log(d_b), -math.log(d_w)
    for dt, tol in ((0.1, 0.02), (0.001, 2e-4)):
        share = float(bargaining.rubinstein_share(math.exp(-r_b * dt), math.exp(-r_w * dt)))
        assert share == pytest.approx(limit, abs=tol)


# ---------------------------------------------------------------- Washington's stopping rule (F4, F21)
KW = dict(legitimacy_weight=1.0, overstay_penalty=1.0)


@settings(max_examples=150, deadline=None)
@given(st.floats(0.05, 1.0), st.floats(-0.2, 2.5), st.floats(7, 90))
def test_withdrawal_day_is_the_root_of_the_stopping_rule(presence, stake, interval):
    """`withdrawal_day` is where withdrawing now first beats staying one more interval
    (computed from `withdrawal_path_value` and `stay_value` themselves): the difference is
    >= 0 there and < 0 three days earlier; inf where it is still negative after two years."""
    lead = presence * 210.0

    def gain(t):
        return float(payoffs.withdrawal_path_value(presence, stake, t, lead, RHO, **KW)
                     - payoffs.stay_value(presence, stake, t, interval, lead, RHO, **KW))

    day = float(payoffs.withdrawal_day(presence, stake, interval, lead, RHO, **KW))
    if math.isinf(day):
        assert gain(payoffs.STOPPING_SEARCH_NOTICES * valuation.YEAR_DAYS) < 1e-9  # (a tie within rounding counts as staying)
    else:
        assert gain(day) >= -1e-9
        if day > 3:
            assert gain(day - 3) < 0


def test_washington_leaves_later_the_more_presence_is_worth():
    """A higher stake (ISIS, Iran held back) keeps Washington longer (F20, F21); past the
    deadline the overstay penalty makes it leave; a stake above both means staying (F11)."""
    stakes = np.array([0.2, 0.5, 0.9, 1.5, 2.5])
    days = payoffs.withdrawal_day(1.0, stakes, 30.0, 210.0, RHO, **KW)
    finite = days[np.isfinite(days)]
    assert np.all(np.diff(finite) > 0)
    assert math.isinf(days[-1])


def test_illegitimacy_cost_matches_quadrature():
    from scipy.integrate import quad

    for tau, span in ((0, 100), (100, 400), (300, 30), (400, 50), (200, np.inf)):
        def f(u, tau=tau):
            return (min((tau + u) / 365, 1) + 1.0 * ((tau + u) >= 365)) * math.exp(-RHO * u)
        cut = min(max(365 - tau, 0), span)  # integrate each side of the deadline's jump
        ref = quad(f, 0, cut)[0] if cut > 0 else 0.0
        if np.isinf(span):  # past the deadline the cost is constant: its tail in closed form
            ref += 2.0 * math.exp(-RHO * cut) / RHO
        elif span > cut:
            ref += quad(f, cut, span)[0]
        ref /= 7
        assert float(valuation.illegitimacy_cost(tau, span, RHO, **KW)) == pytest.approx(ref, rel=1e-6)


# ---------------------------------------------------------------- beliefs (F22)
def test_credibility_updates_by_bayes_rule():
    mu, r, b = 0.5, 0.8, 0.5
    up = float(transitions.credibility_after_posture(mu, True, resolute_signal=r, bluff_signal=b))
    down = float(transitions.credibility_after_posture(mu, False, resolute_signal=r, bluff_signal=b))
    assert up == pytest.approx(mu * r / (mu * r + (1 - mu) * b))
    assert down == pytest.approx(mu * (1 - r) / (mu * (1 - r) + (1 - mu) * (1 - b)))
    assert down < mu < up
    called = float(transitions.credibility_after_restraint(mu, follow_through=0.9))
    assert called == pytest.approx(0.5 * 0.1 / (0.5 * 0.1 + 0.5))
    # a cheap threat (both types threaten alike) moves nothing
    assert float(transitions.credibility_after_posture(0.3, True, resolute_signal=0.6, bluff_signal=0.6)) == pytest.approx(0.3)


# ---------------------------------------------------------------- feedback
def test_washingtons_stake_reads_iranian_influence_and_tehrans_reads_the_clock():
    """F7: the more influence Tehran has, the more presence is worth to Washington;
    Tehran's push is worth nothing while US forces are leaving and more as a request's
    year runs out (F11, F16)."""
    kw = dict(isis_weight=1.0, iran_weight=1.0, vacuum_weight=0.35, force_protection_weight=0.3)
    stakes = payoffs.washington_stake(0.3, np.array([0.2, 0.5, 0.8]), 0.3, **kw)
    assert np.all(np.diff(stakes) > 0)
    stake = payoffs.tehran_departure_stake(np.array([False, True, True, True]), np.array([False, False, False, True]),
                                           np.array([0, 0, 300, 300]), clock_weight=1.0)
    assert stake[0] == 1.0 and stake[1] == 1.0 and stake[2] > 1.0 and stake[3] == 0.0


# ---------------------------------------------------------------- scripted decisions at best response
def _inf(*overrides):
    return params_for("scenario.behaviour.rationality=inf", *overrides)


def test_pm_with_a_majority_and_no_threat_makes_the_formal_request():
    """F15: a very anti-American PM with a majority, no live threat or linkage: the formal
    request is its best move, and at lambda = inf it makes it at its first chance."""
    p = _inf()
    s = one_run_state(p, caretaker=False, pm_majority=True, pm_position=0.95, threat_level=0.0, linkage_level=0.0,
                      credibility_belief=0.0, proposal=0, trigger_government=True)
    stage("government", s, p, 1, run_key(p.seed, [0]))
    assert int(s.request_state[0]) == RequestState.ACTIVE
    assert int(s.government_action[0]) == GovernmentAction.FORMAL_REQUEST


def test_caretaker_under_threat_and_linkage_waits():
    """F13, F17, F22: the January caretaker, with the threat and linkage live, does not
    make the formal request even when it reconsiders."""
    p = _inf()
    s = one_run_state(p, trigger_government=True)
    for week in range(1, 8):
        stage("government", s, p, week, run_key(p.seed, [week]))
    assert int(s.request_state[0]) == RequestState.NONE


def test_washington_withdraws_late_in_the_year_and_stays_early():
    """F21: right after a request Washington stays (its presence still pays); near the
    deadline, with the illegitimacy at its height and the overstay ahead, it withdraws."""
    p = _inf()
    for days_in, expect in ((7, WashingtonAction.STAY), (330, WashingtonAction.WITHDRAW_ON_SCHEDULE)):
        s = one_run_state(p, request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, proposal=0,
                          washington_posture=WashingtonAction.STAY, trigger_washington=True, tension=0.3)
        step = days_in // p.step_days
        values, _ = views.view("washington", s, p, step)
        assert (values[0, WashingtonAction.WITHDRAW_ON_SCHEDULE] > values[0, WashingtonAction.STAY]) == (
            expect == WashingtonAction.WITHDRAW_ON_SCHEDULE)


def test_tehran_restrains_once_washington_is_leaving():
    """Nothing left to push for (F16, F24): pressing costs and escalating risks a response."""
    p = _inf()
    s = one_run_state(p, request_state=RequestState.ACTIVE, us_withdrawing=True, troop_target=0.0,
                      tehran_action=TehranAction.PRESS_FACTIONS, trigger_tehran=True)
    stage("tehran", s, p, 1, run_key(p.seed, [0]))
    assert int(s.tehran_action[0]) == TehranAction.RESTRAIN


def test_no_escalation_against_absent_forces():
    p = _inf("scenario=tehran_escalates")
    s = one_run_state(p, troops=0.0, troop_target=0.0, tehran_action=TehranAction.ESCALATE)
    assert not views.view("tehran", s, p, 1)[1][0, TehranAction.ESCALATE]
    stage("tehran", s, p, 1, run_key(p.seed, [0]))
    assert int(s.tehran_action[0]) != TehranAction.ESCALATE


def test_washington_cannot_threaten_once_a_drawdown_is_agreed():
    p = params_for()
    s = one_run_state(p, drawdowns_agreed=1)
    assert not views.view("washington", s, p, 1)[1][0, WashingtonAction.THREATEN_SANCTIONS]


def test_sanctions_override_imposes_at_the_request():
    """The F23 counterfactual: with `override: true` sanctions come with the request."""
    p = _inf("scenario.sanctions.override=true")
    s = one_run_state(p, caretaker=False, pm_majority=True, pm_position=0.95, threat_level=0.0, linkage_level=0.0,
                      credibility_belief=0.0, proposal=0, trigger_government=True)
    stage("government", s, p, 1, run_key(p.seed, [0]))
    assert bool(s.sanctions_imposed[0]) and bool(s.sanctions_ever[0])


@pytest.mark.parametrize("lifted", [True, False])
def test_a_retraction_lifts_sanctions_only_if_the_scenario_says_so(lifted):
    p = params_for(f"scenario.sanctions.lifted_by_retraction={str(lifted).lower()}")
    s = one_run_state(p, request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, sanctions_imposed=True,
                      sanctions_ever=True, proposal=0, forced_government_action=GovernmentAction.WITHDRAW_REQUEST)
    stage("government", s, p, 3, run_key(p.seed, [0]))
    assert int(s.request_state[0]) == RequestState.WITHDRAWN
    assert bool(s.sanctions_imposed[0]) == (not lifted)


def test_imposed_sanctions_cost_baghdad_and_make_retraction_likelier():
    """Sanctions in force that a retraction lifts (the scenario option) add their weekly
    cost, by Baghdad's exposure, to the value of taking the request back (F22); sanctions a
    retraction does not lift (the default, F23) add nothing."""
    p = params_for("scenario.sanctions.lifted_by_retraction=true")
    base = dict(request_state=RequestState.ACTIVE, request_day=0, deadline_day=365, credibility_belief=0.0)
    s0 = one_run_state(p, **base)
    s1 = one_run_state(p, sanctions_imposed=True, **base)

    def retraction(state, params):
        return views.view("government", state, params, 4)[0][0, GovernmentAction.WITHDRAW_REQUEST]

    exposure = packed_value(p, "SANCTIONS_EXPOSURE")
    expect = float(exposure * p.sanctions.magnitude * valuation.discounted_weeks(np.inf, p.behaviour.discount_rate))
    assert retraction(s1, p) - retraction(s0, p) == pytest.approx(expect)
    q = params_for()
    assert retraction(s1, q) - retraction(s0, q) == pytest.approx(0.0)


# ---------------------------------------------------------------- in whole runs
def _decisions(p, runs):
    out = []
    for i in runs:
        m = NegotiationModel(p, run_index=i)
        m.run()
        out.extend(m.decisions)
    return out


def test_at_best_response_no_actor_takes_an_action_its_values_rank_below_another():
    """Every revision of every actor in 12 runs of three scenarios at lambda = inf (6 of the
    baseline, 3 of each other; about 4,000 revisions with a choice): the action taken is a
    best open action by the actor's own values at that moment."""
    count = 0
    for scen in ("baseline", "anti_american_pm", "tehran_escalates"):
        p = _inf(f"scenario={scen}")
        for d in _decisions(p, range(6 if scen == "baseline" else 3)):
            values, available, chosen = np.asarray(d["values"]), np.asarray(d["open"]), int(d["chosen"])
            if chosen < 0:
                continue
            best = values[available].max()
            assert available[chosen] and values[chosen] >= best - 1e-12, (scen, d["actor"], d["date"], values, chosen)
            count += 1
    assert count > 500


def test_postures_of_washington_and_tehran_last_at_least_four_weeks():
    """At the defaults (2,000 baseline runs): the mean time a Washington or Tehran posture
    stands is at least four weeks (weeks simulated / (changes + 1) per run, pooled)."""
    cols = simulate(params_for(), np.arange(2000))
    weeks = cols["days_simulated"].sum() / 7
    for actor in ("washington", "tehran"):
        spells = (cols[f"{actor}_posture_changes"] + 1).sum()
        assert weeks / spells >= 4.0, actor


def test_no_resolution_against_troops_that_are_gone():
    """In runs where the troops leave (a fast withdrawal, no retraction package), no
    resolution passes and no escalation starts after the last one left (F12). The batch
    engine finds the runs among the first 60 in which the withdrawal completes (it agrees
    with the Mesa engine run by run, tests/test_sweep_engines.py); the Mesa model replays
    eight of them with their event logs."""
    p = params_for("scenario=anti_american_pm", "scenario.washington.withdrawal_days=30",
                   "scenario.washington.offer_cost=50")
    left = np.flatnonzero(simulate(p, np.arange(60))["withdrawal_complete_day"] >= 0)
    assert left.size >= 8, left
    seen = 0
    for i in left[:8]:
        m = NegotiationModel(p, run_index=int(i))
        m.run()
        gone = [e["day"] for e in m.event_log if e["kind"] == "troops_gone"]
        if gone:
            seen += 1
            assert not [e for e in m.event_log if e["kind"] == "resolution_passed" and e["day"] > gone[0]]
            assert not [e for e in m.event_log if e["kind"] == "tehran_escalate" and e["day"] > gone[0]]
    assert seen == 8


def test_deals_need_two_sides():
    """Every drawdown agreed answers an offer or a proposal made before it (or the
    caretaker's request for talks of January 2020, F5): none appears from one side. The
    Mesa model replays the first eight of the first 60 baseline runs in which the batch
    engine finds a drawdown agreed, and two in which it finds none."""
    p = params_for()
    deals = simulate(p, np.arange(60))["drawdowns_agreed"] > 0
    picked = [*np.flatnonzero(deals)[:8], *np.flatnonzero(~deals)[:2]]
    assert len(picked) == 10, deals
    agreed = 0
    for i in picked:
        m = NegotiationModel(p, run_index=int(i))
        m.run()
        kinds = ["ask_negotiations"] if p.government.negotiations_requested else []
        for e in m.event_log:
            if e["kind"] == "drawdown_agreed":
                agreed += 1
                assert kinds and kinds[-1] in ("drawdown_offered", "ask_negotiations"), kinds
            if e["kind"] in ("drawdown_offered", "ask_negotiations", "drawdown_agreed"):
                kinds.append(e["kind"])
    assert agreed >= 8


def test_replace_params_helper_still_reaches_sections():
    p = replace_params(params_for(), washington={"revision_rate": 0.5})
    assert p.washington.revision_rate == 0.5
