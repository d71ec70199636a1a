"""Docking the `bdm` rule's `replication` reading against the open replication of Scholz,
Calbert & Smith (2011) on the EC car-emissions data (issue 12, item 6).

The reference trace below is the output of J. McKibben's replication
(github.com/jmckib/bdm-scholz-expected-utility-model, `bdm_scholz_model.py`, whose commit
says it reproduces Scholz et al.'s results to ten rounds), run on its `ExampleActors.csv`,
the same table as data/bdm_ec_car_emissions.csv: per round, each actor that moved, the kind
of move, to whom, its new position, and the capability-and-salience-weighted mean. Only the
numbers are taken; the code under test is this project's own (sim/model/bdm_readings.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clitools import REPO, assert_one_line_failure, run_parallel

from sim.config import ConfigError, run_config, run_params
from sim.model import bdm, bdm_readings

EC = pd.read_csv(REPO / "data" / "bdm_ec_car_emissions.csv")

#: round -> ([(actor, move, proposer, new position)], weighted mean after the round)
REFERENCE = {
    1: ([("Belgium", "compromise", "France", 8.41593231543), ("Luxembourg", "confrontation", "Belgium", 7.0),
         ("Ireland", "confrontation", "Luxembourg", 4.0)], 7.46131437828),
    2: ([("Belgium", "compromise", "France", 9.61085913412), ("Luxembourg", "confrontation", "Belgium", 8.41593231543),
         ("Ireland", "confrontation", "Luxembourg", 7.0)], 7.55250086586),
    3: ([("Belgium", "compromise", "France", 9.9619795904), ("Luxembourg", "confrontation", "Belgium", 9.61085913412),
         ("Ireland", "confrontation", "Luxembourg", 8.41593231543)], 7.59014499745),
    4: ([("Belgium", "compromise", "Netherlands", 4.80088114063),
         ("Luxembourg", "confrontation", "Belgium", 9.9619795904),
         ("Ireland", "confrontation", "Luxembourg", 9.61085913412)], 7.35813053133),
    5: ([("Belgium", "compromise", "France", 5.5242376942), ("Luxembourg", "confrontation", "Belgium", 4.80088114063),
         ("Ireland", "confrontation", "Luxembourg", 9.9619795904)], 7.34917398968),
    6: ([("Belgium", "compromise", "France", 7.47204636192), ("Luxembourg", "confrontation", "Belgium", 5.5242376942),
         ("Ireland", "confrontation", "Belgium", 5.5242376942)], 7.41487754537),
    7: ([("Belgium", "compromise", "France", 8.82459385526), ("Luxembourg", "confrontation", "Belgium", 7.47204636192),
         ("Ireland", "confrontation", "Belgium", 7.47204636192)], 7.51045718368),
    8: ([("Belgium", "compromise", "France", 9.6711297698), ("Luxembourg", "confrontation", "Belgium", 8.82459385526),
         ("Ireland", "confrontation", "Belgium", 8.82459385526)], 7.57244709755),
    9: ([("Belgium", "compromise", "Netherlands", 4.1448490625),
         ("Luxembourg", "confrontation", "Belgium", 9.6711297698),
         ("Ireland", "confrontation", "Belgium", 9.6711297698)], 7.32498906568),
    10: ([("Belgium", "compromise", "France", 4.29154122498), ("Luxembourg", "confrontation", "Belgium", 4.1448490625),
          ("Ireland", "confrontation", "Belgium", 4.1448490625)], 7.24213095847),
}


def _ec():
    return EC.Capability.to_numpy(float), EC.Position.to_numpy(float)[None, :], EC.Salience.to_numpy(float)


def test_replication_reading_docks_round_by_round():
    c, x, s = _ec()
    history = bdm_readings.rounds(c, x, s, 10, reading="replication")
    assert len(history) == 10
    names = list(EC.Actor)
    for k, rnd in enumerate(history, start=1):
        moves, mean = REFERENCE[k]
        moved = [(names[i], bdm.MOVE_NAMES[rnd.move[0, i]], names[rnd.proposer[0, i]], rnd.position[0, i])
                 for i in np.flatnonzero(rnd.move[0])]
        assert [m[:3] for m in moved] == [m[:3] for m in moves], k
        assert [m[3] for m in moved] == pytest.approx([m[3] for m in moves], abs=1e-9), k
        assert float(bdm.weighted_mean(c, rnd.position, s)[0]) == pytest.approx(mean, abs=1e-9), k


def test_text_reading_keeps_its_numbers():
    """`text` is the rule as before: the same rounds as sim.model.bdm, and the model's
    collective stance unchanged by naming the default."""
    c, x, s = _ec()
    a = bdm_readings.rounds(c, x, s, 10, reading="text")
    b = bdm.bdm_rounds(c, x, s, 10)
    assert np.array_equal(a[-1].position, b[-1].position)
    assert float(bdm.weighted_mean(c, b[-1].position, s)[0]) == pytest.approx(7.027, abs=5e-4)  # docs/validation.md
    from sim.engines import batch

    short = ["scenario.behaviour.collective_rule=bdm", "horizon_weeks=12"]
    p0 = run_params("baseline", 0, short)
    p1 = run_params("baseline", 0, [*short, "scenario.behaviour.bdm_reading=text"])
    r0, r1 = batch.simulate(p0, np.arange(8)), batch.simulate(p1, np.arange(8))
    assert all(np.array_equal(r0[k], r1[k]) for k in r0)


def test_readings_over_a_runs_axis_equal_run_by_run():
    rng = np.random.default_rng(3)
    c, s = rng.uniform(0.1, 1, 6), rng.uniform(0.1, 1, 6)
    x = rng.uniform(0, 1, (4, 6))
    together = bdm_readings.rounds(c, x, s, 4, reading="replication")[-1].position
    alone = np.vstack([bdm_readings.rounds(c, x[i:i + 1], s, 4, reading="replication")[-1].position
                       for i in range(4)])
    assert np.array_equal(together, alone)


def test_the_setting_is_checked_and_runs_in_the_model():
    with pytest.raises(ConfigError, match="bdm_reading"):
        run_config("baseline", 0, ["scenario.behaviour.bdm_reading=authors"])
    from sim.engines import batch

    p = run_params("baseline", 0, ["scenario.behaviour.collective_rule=bdm", "horizon_weeks=12",
                                   "scenario.behaviour.bdm_reading=replication"])
    cols = batch.simulate(p, np.arange(8))
    assert cols["outcome"].shape == (8,)


def test_command_line_reading():
    res = run_parallel({
        "ok": ["-m", "sim.bargain", "--protocol", "bdm", "--actors", "data/bdm_ec_car_emissions.csv", "--rounds", "10",
               "--scale", "4", "10", "--bdm-reading", "replication"],
        "bad": ["-m", "sim.bargain", "--protocol", "bdm", "--actors", "data/bdm_ec_car_emissions.csv",
                "--bdm-reading", "authors"],
        "static": ["-m", "sim.bargain", "--protocol", "median", "--actors", "data/bdm_ec_car_emissions.csv",
                   "--bdm-reading", "replication"],
    })
    assert res["ok"].returncode == 0, res["ok"].stderr
    last = [line for line in res["ok"].stdout.splitlines() if line.startswith("10,__outcome__")]
    assert float(last[0].split(",")[2]) == pytest.approx(REFERENCE[10][1], abs=1e-8)
    assert_one_line_failure(res["bad"], "--bdm-reading", "authors")
    assert_one_line_failure(res["static"], "--bdm-reading", "only with --protocol bdm")
