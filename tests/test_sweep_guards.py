"""Checks a plan passes before any run (issue 15, cases 5, 6 and 9): combinations of values
that are each valid (seat sums per point, over every sampled and lever value), integer
fields given integers, seeds in [0, 2**63), run counts and memory against the machine, a
lower bound on chunk_size. Each is refused from the command line in one line naming the
key, the value and what is allowed, exit code 2, before anything is written (the old code
ran 828 of 2,000 runs with more than 329 seats, accepted 54.7 seats from a lever, ran the
seed-0 run for seed 2**70, crashed on seed 2**63 leaving plan.json, died of MemoryError
after 45 s on runs=10**12, and ran chunk_size=1 hundreds of times slower without a word).

The command lines run together in a module fixture (they are independent); the seat check
is also checked in-process on the points it reports.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from clitools import assert_one_line_failure, run_parallel

from sim.config.validate import ConfigError
from sim.sweep.plan import make_plan
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

#: two seat uncertainties each valid alone (with the others' seats, 80 Kurdish or 80 Sunni
#: seats fit in 329) whose sum never fits: 188 + 72 + 72 > 329
TWO_SEATS = ["experiment.uncertainties.6.low=72", "experiment.uncertainties.6.high=80",
             "experiment.uncertainties.7.low=72", "experiment.uncertainties.7.high=80"]

#: name -> (arguments after `python -m`, the parts the one line must hold)
CASES = {
    "two_seat_uncertainties": (
        ["sim.sweep", "experiment=conditions", "runs=60", *TWO_SEATS],
        ["sweep error: experiment.uncertainties (factions.kurds.seats + factions.sunni.seats) = ",
         "seats summing to at most parliament.total_seats at every point", "2 of 2 points exceed it"]),
    "lever_fractional_seats": (
        ["sim.sweep", "experiment=baseline", "runs=10", "+experiment.levers.fractional={factions.kurds.seats: 54.7}"],
        ["sweep error: lever parameter 'factions.kurds.seats' = 54.7 is not allowed: a value of the field's type (int)"]),
    "sweep_seed_2_63": (
        ["sim.sweep", "experiment=baseline", "runs=10", "experiment.seed=9223372036854775808"],
        ["sweep error: experiment.seed = 9223372036854775808 is not allowed: an integer in [0, 2**63)"]),
    "run_seed_2_70": (
        ["sim", "seed=1180591620717411303424"],
        ["config error: seed = 1180591620717411303424 is not allowed: an integer in [0, 2**63)"]),
    "runs_10_12": (
        ["sim.sweep", "experiment=baseline", "runs=1000000000000"],
        ["sweep error: runs = 1000000000000 is not allowed: a sweep that fits in this machine's memory",
         "is available"]),
    "chunk_size_1": (
        ["sim.sweep", "experiment=baseline", "runs=1001", "chunk_size=1"],
        ["sweep error: chunk_size = 1 is not allowed: at least 100 for a sweep of more than 1,000 runs"]),
    "workers_beyond_memory": (
        ["sim.sweep", "experiment=baseline", "runs=100", "workers=1000000"],
        ["sweep error: workers = 1000000 is not allowed: settings whose chunks fit in this machine's memory"]),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("guards")
    outs = {name: base / name for name in CASES}
    commands = {}
    for name, (args, _) in CASES.items():
        where = f"hydra.run.dir={outs[name]}" if args[0] == "sim" else f"out={outs[name]}"
        commands[name] = [*(["-m"] + args), where]
    # the old code ran runs=10**12 for 45 s and chunk_size=1 for many minutes: 120 s is plenty here
    return {name: (proc, outs[name]) for name, proc in run_parallel(commands, timeout=120).items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_in_one_line_before_anything_is_written(case, results):
    proc, out = results[case]
    assert_one_line_failure(proc, *CASES[case][1])
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) if out.exists() else []
    assert not [w for w in written if w not in ("sweep.lock", "chunks")], f"written: {written}"


# ---------------------------------------------------------------- in-process
def _exp(**changes) -> ExperimentConfig:
    base = ExperimentConfig(name="t", scenario="baseline", seed=3, sampler="lhs", points=50, replications=1,
                            uncertainties=[UncertaintyConfig(param="factions.kurds.seats", low=40, high=86),
                                           UncertaintyConfig(param="factions.sunni.seats", low=40, high=86)])
    return dataclasses.replace(base, **changes)


def test_seat_sums_are_checked_at_every_point():
    """Seats of two factions drawn together: the error counts the points over 329 and names
    the worst, whose seats (integers) indeed sum above 329 with the others' seats."""
    with pytest.raises(ConfigError) as info:
        make_plan(_exp())
    err = info.value
    assert err.key == "experiment.uncertainties (factions.kurds.seats + factions.sunni.seats)"
    assert err.value > 329 and f"the worst {err.value} > 329" in err.allowed
    # the same ranges narrowed so that every point fits are accepted, and every point does fit
    plan = make_plan(_exp(uncertainties=[UncertaintyConfig(param="factions.kurds.seats", low=40, high=70),
                                         UncertaintyConfig(param="factions.sunni.seats", low=40, high=70)]))
    others = sum(f.seats for name, f in plan.lever_configs[0].scenario.factions.items()
                 if f.active and name not in ("kurds", "sunni"))
    assert np.all(others + plan.samples.sum(axis=1) <= 329)
    assert np.all(plan.samples == np.round(plan.samples))


def test_a_lever_that_moves_seats_is_checked_with_the_sampled_ones():
    """A lever adding seats to one faction while another's are sampled: refused under that
    lever, naming it."""
    exp = _exp(uncertainties=[UncertaintyConfig(param="factions.kurds.seats", low=40, high=70)],
               levers={"plain": {}, "big_sunni_bloc": {"factions.sunni.seats": 80}})
    with pytest.raises(ConfigError) as info:
        make_plan(exp)
    assert "under lever 'big_sunni_bloc'" in info.value.allowed


def test_integer_fields_need_integers_everywhere():
    for levers in ({"x": {"factions.kurds.seats": 54.7}}, {"x": {"parliament.total_seats": 300.5}}):
        with pytest.raises(ConfigError) as info:
            make_plan(_exp(uncertainties=[], levers=levers))
        assert "(int)" in info.value.allowed
    with pytest.raises(ConfigError) as info:
        make_plan(_exp(uncertainties=[UncertaintyConfig(param="factions.kurds.seats", low=40.5, high=60)]))
    assert info.value.value == 40.5 and "whole numbers" in info.value.allowed


@pytest.mark.parametrize("seed", [-1, 2**63, 2**70, True])
def test_seeds_outside_the_int64_range_are_refused(seed):
    with pytest.raises(ConfigError) as info:
        make_plan(_exp(uncertainties=[], seed=seed))
    assert info.value.key == "experiment.seed" and info.value.value is seed


@pytest.mark.parametrize("seed", [0, 2**63 - 1])
def test_seeds_at_the_ends_of_the_range_are_accepted(seed):
    plan = make_plan(_exp(uncertainties=[], seed=seed, replications=2))
    assert plan.experiment.seed == seed and plan.total_runs == 2


def test_the_memory_guard_names_runs_before_drawing_points(monkeypatch):
    """runs=10**12 for an LHS experiment: its points alone would not fit; refused at once."""
    with pytest.raises(ConfigError) as info:
        make_plan(_exp(uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0, high=1)]), 10**12)
    assert info.value.key == "runs" and "memory" in info.value.allowed


def test_no_results_folder_for_refused_runs(results):
    """The refused single run (seed 2**70) wrote no summary.json."""
    _, out = results["run_seed_2_70"]
    assert not list(Path(out).rglob("summary.json")) if Path(out).exists() else True
