"""The compiled step's building blocks: the normal draws' inverse CDF gives SciPy's numbers
bit for bit, the packed parameters' columns hold the coefficients they are named after, the
step in one compiled call is the stages one after another, a field is a view of the storage
the compiled step reads, and the collective rules' kernels are NumPy's reductions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri

from sim.config import model_params, run_config
from sim.model import bargaining, draws, packing, stages
from sim.model.state import FIELD_NAMES, PLACE, STORAGE_NAMES, initial_state
from sim.model.week import run_week


def test_normal_quantile_is_scipy_ndtri_bit_for_bit():
    rng = np.random.default_rng(11)
    bits = rng.integers(0, 2**53, 200_000, dtype=np.uint64)
    u = np.concatenate([(bits.astype(np.float64) + 0.5) * 2.0**-53,  # the draws' own grid
                        (np.arange(2000) + 0.5) * 2.0**-53, 1.0 - (np.arange(2000) + 0.5) * 2.0**-53,  # both tails
                        rng.uniform(0.0, 1e-12, 20_000), [0.0, 1.0, 0.5, np.exp(-2.0), 1 - np.exp(-2.0)]])
    ours = np.array([draws.normal_quantile(x) for x in u])
    assert np.array_equal(ours, ndtri(u))


def test_normal_draws_are_the_inverse_cdf_of_centred_uniforms():
    keys = draws.run_key(0, np.arange(10_000))
    bits = np.array([draws.draw_bits(k, np.uint64(3), draws.purpose_key("world.isis")) for k in keys])
    assert np.array_equal(draws.normal(keys, 3, "world.isis"), ndtri((bits.astype(np.float64) + 0.5) * 2.0**-53))


def test_every_packed_column_holds_the_coefficient_it_is_named_after():
    """The kernels' parameter row is laid out from the declarations: each coefficient's column
    (`<PREFIX>_<FIELD>`) holds that section's field, each faction row its attribute, and the
    derived values come after the coefficients."""
    from sim.model.params import sections

    p = model_params(run_config("max_pressure", 0, ["scenario.behaviour.rationality=3.5"]))
    par, fac = packing.packed(p)
    layout = packing.layout()
    assert par.shape == (1, len(layout.param_names)) and fac.shape == (1, len(layout.faction_attrs), p.factions.size)
    prefixes = {name: cls.PREFIX for name, cls in sections()}
    checked = 0
    for const, path in layout.coefficients:
        section, field = path.split(".")
        assert const == f"{prefixes[section]}_{field.upper()}"
        assert par[0, packing.COLUMNS[const]] == float(getattr(getattr(p, section), field)), path
        checked += 1
    assert checked == len(layout.coefficients) > 80
    for attr in layout.faction_attrs[:-1]:
        assert np.array_equal(fac[0, packing.COLUMNS[f"F_{attr.upper()}"]], getattr(p.factions, attr)), attr
    assert par[0, packing.LAM_WASHINGTON] == 3.5 and par[0, packing.STEP_DAYS] == p.step_days
    assert min(packing.COLUMNS[n.upper()] for n in layout.derived) == len(layout.coefficients)


@pytest.mark.parametrize("scenario, overrides", [
    ("baseline", []),
    ("max_pressure", ["scenario.behaviour.collective_rule=median"]),
    ("anti_american_pm", ["step_order=[factions,world,government,tehran,washington,parliament,consequences]"]),
])
def test_one_compiled_call_per_step_is_the_stages_one_after_another(scenario, overrides):
    """`stages.run_step` (the step without recording) and the stages run one at a time with
    their events (`stages.run_stage`) leave the same state, field for field."""
    p = model_params(run_config(scenario, 5, overrides))
    assert stages.compiled_step(p)
    keys = draws.run_key(p.seed, np.arange(300))
    by_stage, fused = initial_state(p, 300), initial_state(p, 300)
    for step in range(1, 80):
        run_week(by_stage, p, step, keys, [])  # events recorded: stage by stage
        stages.run_step(fused, p, step, keys)
    for name in FIELD_NAMES:
        assert np.array_equal(getattr(by_stage, name), getattr(fused, name)), name


def test_collective_rules_for_one_table_are_numpys():
    """The kernels of `compromise` and `median` give what NumPy's reductions give."""
    rng = np.random.default_rng(3)
    for n in (1, 5, 9, 130):
        c, x, s = rng.uniform(size=n) * 50, rng.choice(np.linspace(0, 1, 5), size=(40, n)), rng.uniform(size=(40, n))
        s[0] = 0.0  # no weight: the plain mean
        w = c * s
        total = w.sum(axis=-1)
        expect = np.where(total > 0, (w * x).sum(axis=-1) / np.where(total > 0, total, 1.0), x.mean(axis=-1))
        assert np.array_equal(bargaining.compromise(c, x, s), expect)
        order = np.argsort(x, axis=-1, kind="stable")
        cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
        idx = np.argmax(cum >= 0.5 * cum[:, -1:], axis=-1)[:, None]
        expect = np.take_along_axis(np.take_along_axis(x, order, axis=-1), idx, axis=-1)[:, 0]
        assert np.array_equal(bargaining.weighted_median(c, x, s), expect)


def test_a_field_set_on_the_state_is_what_the_compiled_step_sees():
    # setting a field writes into the storage the compiled step reads (no stale copy), and
    # take, put, copies and pickles keep every field a view of the storage
    import copy
    import pickle

    p = model_params(run_config("baseline", seed=0))
    s = initial_state(p, 4)
    s.troops = np.array([1.0, 2.0, 3.0, 4.0])
    s.trigger_tehran = np.zeros(4, dtype=bool)
    troops, trigger = PLACE["troops"], PLACE["trigger_tehran"]
    assert np.array_equal(s.storage()[troops[0]][troops[1]], [1.0, 2.0, 3.0, 4.0])
    assert not s.storage()[trigger[0]][trigger[1]].any()
    for other in (s.take(np.array([2, 0])), copy.deepcopy(s), pickle.loads(pickle.dumps(s)), copy.copy(s)):
        other.troops[0] = -7.0
        assert other.storage()[troops[0]][troops[1], 0] == -7.0
        other.position[0, 1] = 0.33
        assert other.storage()[STORAGE_NAMES.index("position")][0, 1] == 0.33
    assert s.troops[0] == -7.0  # the shallow copy shares the storage, as a shallow copy of arrays does
    sub = s.take(np.array([1, 3]))
    sub.tension = np.array([0.9, 0.8])
    s.put(np.array([1, 3]), sub)
    tension = PLACE["tension"]
    assert np.array_equal(s.tension[[1, 3]], [0.9, 0.8]) and s.storage()[tension[0]][tension[1], 3] == 0.8


def test_the_bound_stepper_is_run_step_and_every_collective_rule_is_compiled():
    p = model_params(run_config("anti_american_pm", 3))
    keys = draws.run_key(p.seed, np.arange(50))
    bound, plain = initial_state(p, 50), initial_state(p, 50)
    step = stages.stepper(bound, p, keys)
    for week in range(1, 60):
        step(week)
        stages.run_step(plain, p, week, keys)
    for name in FIELD_NAMES:
        assert np.array_equal(getattr(bound, name), getattr(plain, name)), name
    for reading in ("text", "replication"):  # bdm too, since issue 28 (tests/test_bdm_compiled.py)
        bdm = model_params(run_config("baseline", 0, ["scenario.behaviour.collective_rule=bdm",
                                                      f"scenario.behaviour.bdm_reading={reading}"]))
        assert stages.compiled_step(bdm)
        stages.stepper(initial_state(bdm, 1), bdm, draws.run_key(0, [0]))(1)


def test_shared_exponentials_give_the_separate_integrals_bit_for_bit():
    # `valuation.integrals` computes e^(-rho t) once for both integrals; the stopping rule's
    # search gives `illegitimacy_over` its spans' integrals once: both the same numbers
    import math

    from sim.model import valuation as v

    rng = np.random.default_rng(4)
    for t, rho in zip(rng.uniform(0, 900, 2000), np.r_[rng.uniform(0, 0.01, 1990), np.zeros(10)]):
        t, rho = float(t), float(rho)
        closed = (((1.0 - math.exp(-rho * t)) / rho, (1.0 - math.exp(-rho * t) * (1.0 + rho * t)) / (rho * rho))
                  if rho > 0 else (t, 0.5 * t * t))
        assert v.integrals(t, rho) == closed == (v.integral_level(t, rho), v.integral_slope(t, rho))
    for tau, span, rho in zip(rng.uniform(0, 800, 2000), np.r_[rng.uniform(-5, 800, 1990), [np.inf] * 10],
                              rng.uniform(1e-4, 0.01, 2000)):
        direct = v.illegitimacy(tau, span, rho, 1.3, 2.1, 365.0)
        s = max(span, 0.0)
        assert direct == v.illegitimacy_over(tau, s, v.span_integral(s, rho), rho, 1.3, 2.1, 365.0)
