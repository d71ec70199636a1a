"""The benchmark scripts' own arithmetic: what they print is what was measured."""

import numpy as np

from benchmarks.agreement import compare
from benchmarks.sweep import threads_line


def test_threads_line_gives_each_round_its_load_and_the_median_ratio():
    got = {1: [(100.0, 0.5), (110.0, 1.5), (90.0, 1.0)], 2: [(190.0, 0.6), (200.0, 1.7), (171.0, 1.1)]}
    line = threads_line(200_000, got)
    assert "100 (load 0.50) vs 190 (load 0.60)" in line
    assert "1.90x, 1.82x, 1.90x" in line
    assert line.endswith("(median 1.90x)")


def test_agreement_counts_nan_as_equal_and_checks_each_share_against_the_other_tree_s_interval():
    a = {"outcome": np.array([0, 1, 1, 2]), "x": np.array([1.0, np.nan, 2.0, 3.0])}
    b = {"outcome": np.array([0, 1, 1, 2]), "x": np.array([1.0, np.nan, 2.0, 3.5])}
    differ, lines = compare(a, b, "ref", 4)
    assert differ.tolist() == [3]
    assert "1 of 4 differ" in lines[-1] and "outcomes identical: 1.000000" in lines[-1]
    assert all(line.rstrip().endswith("yes") for line in lines[2:-1])
    far = {"outcome": np.zeros(400, dtype=np.int64)}
    near = {"outcome": np.r_[np.zeros(200, dtype=np.int64), np.ones(200, dtype=np.int64)]}
    _, lines = compare(far, near, "ref", 400)
    assert lines[2].rstrip().endswith("NO")


def test_decision_costs_reads_every_deciding_actor_the_outlook_and_a_faction_at_each_step_asked():
    from benchmarks.step_costs import decision_costs
    from sim.model.actors import ACTORS

    got = decision_costs(runs=40, weeks=(1, 3))
    assert sorted(got) == [1, 3]
    deciding = {name for name, actor in ACTORS.items() if actor.decides_alone}
    for costs in got.values():
        assert set(costs) == deciding | {"outlook", "faction", "active"}
        assert 0.0 <= costs["active"] <= 1.0
        assert all(v > 0 for k, v in costs.items() if k != "active")
