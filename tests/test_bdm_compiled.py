"""The `bdm` collective rule compiled (sim/model/bdm.py `text_positions_of`,
sim/model/bdm_readings.py `replication_positions_of`, dispatched by
`bargaining.collective_of`) computes the numbers of its NumPy reference (`bdm.bdm_rounds`,
`bdm_readings.rounds`, `bdm_readings.collective`), in both readings; and a whole run with
collective_rule=bdm gives the summary the code gave before the rule was compiled (the
collective stance from the NumPy reference, the step taken stage by stage: `_old_path`
below is that code), in both engines.

How equal: the compiled rule's `**` is the C library's pow. NumPy's power is too on a machine
without AVX-512, where both are compared bit for bit. On a machine with AVX-512, NumPy 2
computes `**` of float64 arrays with its own vector routine (SVML), which differs from the
C library's pow in the last bit in about 5% of calls (max 1 ulp, measured on 200,000 pairs);
the difference then moves a position by a few ulps (cancellation in U_s - U_sq magnifies it;
the largest seen over 3,000 random tables was 1.8e-14). There the in-process comparison
allows 1e-12, and `test_bit_for_bit_where_numpy_uses_the_c_librarys_pow` runs this file again
in a subprocess with NumPy's AVX-512 code switched off (NPY_DISABLE_CPU_FEATURES), so the
bit-for-bit comparison is made on every machine.

Sample sizes: 300 hypothesis examples per reading for the rounds (each example a table of
1 to 4 runs of 2 to 9 actors, positions on the model's five-point grid or anywhere in [0, 1],
1 to 6 rounds), derandomized so a run of the suite is reproducible; whole runs: 40 runs each
for seeds 0, 1, 2 in both readings (batch against the old path), 6 runs per reading for the
Mesa engine, 2 told runs per reading.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config import run_params
from sim.model import bargaining, bdm, bdm_readings

GRID = np.linspace(0.0, 1.0, 5)
EXAMPLES = 300


def _numpy_pow_is_c_pow() -> bool:
    rng = np.random.default_rng(0)
    base, exponent = rng.random(4096), rng.uniform(0.5, 2.0, 4096)
    return all(a == math.pow(b, e) for a, b, e in zip(np.power(base, exponent), base, exponent))


EXACT = _numpy_pow_is_c_pow()
TOLERANCE = 0.0 if EXACT else 1e-12


@st.composite
def tables(draw):
    """(capability (N,), positions (R, N), saliences (R, N), rounds)."""
    n = draw(st.integers(2, 9))
    runs = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    capability = rng.integers(0, 120, n).astype(float) if draw(st.booleans()) else rng.uniform(0.0, 100.0, n)
    if draw(st.booleans()):
        position = rng.choice(GRID, (runs, n))
    else:
        position = rng.uniform(0.0, 1.0, (runs, n))
    salience = rng.uniform(0.0, 1.0, (runs, n))
    if draw(st.booleans()):  # some actors that do not care, or share a salience
        salience[:, rng.integers(0, n)] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    return capability, position, salience, draw(st.integers(1, 6))


def _compiled_positions(reading: str, c: np.ndarray, x: np.ndarray, s: np.ndarray, rounds: int) -> np.ndarray:
    kernel = bdm.text_positions_of if reading == "text" else bdm_readings.replication_positions_of
    out = np.empty_like(x)
    scratch = np.empty(bdm.scratch_size(x.shape[1]))
    for i in range(x.shape[0]):
        out[i] = kernel(c, x[i].copy(), s[i].copy(), rounds, scratch)
    return out


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    if EXACT:
        assert np.array_equal(a, b), (a, b, a - b)
    else:
        np.testing.assert_allclose(a, b, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("reading", bdm_readings.BDM_READINGS)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(table=tables())
def test_compiled_rounds_and_rule_equal_the_numpy_reference(reading, table):
    c, x, s, rounds = table
    history = bdm_readings.rounds(c, x, s, rounds, reading=reading)
    _assert_same(_compiled_positions(reading, c, x, s, rounds), history[-1].position)
    # the rule itself (MODEL_ROUNDS rounds), as the model calls it
    _assert_same(bargaining.collective_position("bdm", c, x, s, reading), bdm_readings.collective(c, x, s, reading))


def test_the_ec_car_emissions_case_keeps_its_numbers():
    """The docked case of tests/test_bdm_readings.py through the compiled rule: 10 rounds."""
    import pandas as pd
    from clitools import REPO

    ec = pd.read_csv(REPO / "data" / "bdm_ec_car_emissions.csv")
    c, x, s = (ec[k].to_numpy(float) for k in ("Capability", "Position", "Salience"))
    for reading in bdm_readings.BDM_READINGS:
        ref = bdm_readings.rounds(c, x, s, 10, reading=reading)[-1].position
        _assert_same(_compiled_positions(reading, c, x[None], s[None], 10), ref)


@pytest.mark.skipif(EXACT, reason="NumPy's power is the C library's here: the tests above are bit for bit")
def test_bit_for_bit_where_numpy_uses_the_c_librarys_pow():
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512_SKX AVX512F"}
    res = subprocess.run([sys.executable, "-m", "pytest", __file__, "-n", "0", "-rA", "-p", "no:cacheprovider",
                          "-k", "equal_the_numpy_reference or keeps_its_numbers or is_exact_there"],
                         env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    passed = [line for line in res.stdout.splitlines() if line.startswith("PASSED ")]
    assert len(passed) == 4 and "SKIPPED" not in res.stdout, res.stdout[-2000:]


def test_numpy_pow_is_exact_there():
    """Run in the subprocess above: there the comparisons must be bit for bit."""
    if "NPY_DISABLE_CPU_FEATURES" in os.environ:
        assert EXACT, "NumPy's power still differs from the C library's with AVX-512 switched off"


# ---------------------------------------------------------------- whole runs against the code before
def _old_collective_position(original):
    def collective_position(rule, capability, position, salience, bdm_reading="text"):
        if bargaining.RULE_ALIASES.get(rule, rule) == "bdm":  # the commit before: NumPy for bdm
            return bdm_readings.collective(capability, position, salience, bdm_reading)
        return original(rule, capability, position, salience, bdm_reading)

    return collective_position


def _old_run_then(stage, s, p, step=0, keys=None, events=None):
    """`stages.run_then` of the commit before the rule was compiled, for bdm: the NumPy rule."""
    s.collective_stance = bdm_readings.collective(p.factions.seats, s.position, s.salience, p.behaviour.bdm_reading)
    s.trigger_factions = np.zeros(s.runs, dtype=bool)


def _old_path(monkeypatch):
    """The code path of bdm runs before: not one compiled call but the stages one at a
    time, the collective stance (and the initial one) from NumPy."""
    from sim.model import stages, week

    monkeypatch.setattr(week, "compiled_step", lambda p: False)
    monkeypatch.setattr(stages, "run_then", _old_run_then)
    monkeypatch.setattr(bargaining, "collective_position", _old_collective_position(bargaining.collective_position))


def _params(reading: str, seed: int):
    return run_params("baseline", seed, ["scenario.behaviour.collective_rule=bdm",
                                         f"scenario.behaviour.bdm_reading={reading}"])


def _same_table(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f"), k


@pytest.mark.parametrize("reading", bdm_readings.BDM_READINGS)
def test_bdm_runs_give_the_summary_of_the_numpy_rule(reading, monkeypatch):
    from sim.engines import batch
    from sim.model import stages

    ids = np.arange(40)
    for seed in (0, 1, 2):
        p = _params(reading, seed)
        assert stages.compiled_step(p)
        new = batch.simulate(p, ids)
        with monkeypatch.context() as m:
            _old_path(m)
            old = batch.simulate(_params(reading, seed), ids)
        _same_table(new, old)


@pytest.mark.parametrize("reading", bdm_readings.BDM_READINGS)
def test_mesa_and_batch_engines_agree_on_bdm_runs(reading):
    from sim.abm.model import NegotiationModel
    from sim.engines import batch, mesa_engine
    from sim.model.state import summary_columns

    p = _params(reading, 4)
    ids = np.arange(6)
    rows = batch.simulate(p, ids)
    _same_table(mesa_engine.simulate(p, ids), rows)
    for i in (0, 1):  # a told run: the agents' stages one at a time, the rule through `run_then`
        model = NegotiationModel(_params(reading, 4), run_index=i, record=True)
        model.run()
        told = summary_columns(model.state, [model.day])
        _same_table(told, {k: v[i:i + 1] for k, v in rows.items()})


@pytest.mark.parametrize("reading", ["text", "replication"])
def test_the_collective_stance_starts_by_the_configured_reading(reading):
    """Before the first step the collective stance is the rule's in its configured reading
    (it was the text reading's for both)."""
    from sim.model import bargaining
    from sim.model.state import initial_state

    p = run_params("baseline", 0, ["scenario.behaviour.collective_rule=bdm", f"scenario.behaviour.bdm_reading={reading}"])
    s = initial_state(p, 3)
    expected = bargaining.collective_position("bdm", p.factions.seats, s.position[0], s.salience[0], reading)
    assert np.array_equal(s.collective_stance, np.full(3, float(np.asarray(expected).reshape(-1)[0])))
    other = bargaining.collective_position("bdm", p.factions.seats, s.position[0], s.salience[0],
                                           "text" if reading == "replication" else "replication")
    assert not np.array_equal(np.asarray(expected), np.asarray(other)), "the readings agree here: the test shows nothing"
