"""A plan's fingerprint (sim/sweep/plan.py): what decides a run's result changes it, nothing
else does. It keys resumable sweep and calibration chunks, so a miss means results of two
models mixed in one table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from sim.sweep import plan as plan_module
from sim.sweep.plan import make_plan, model_code_files, samples_digest
from sim.sweep.schema import ExperimentConfig, UncertaintyConfig

REPO = Path(__file__).resolve().parents[1]


def _plan(points: int = 8, seed: int = 0):
    return make_plan(ExperimentConfig(
        name="fp", scenario="baseline", seed=seed, sampler="lhs", points=points, replications=2,
        uncertainties=[UncertaintyConfig(param="sanctions.credibility", low=0.1, high=0.9),
                       UncertaintyConfig(param="government.salience", low=0.5, high=3.0)]))


def test_every_model_module_counts_the_actors_included():
    files = {p.relative_to(REPO / "sim").as_posix() for p in model_code_files()}
    on_disk = {p.relative_to(REPO / "sim").as_posix() for sub in ("model", "engines", "abm", "config")
               for p in (REPO / "sim" / sub).rglob("*.py") if "__pycache__" not in p.parts}
    assert files == on_disk
    assert {"model/actors/government.py", "model/actors/washington.py", "model/payoffs.py",
            "engines/batch.py", "config/schema.py"} <= files


def test_an_edit_of_an_actor_changes_the_code_hash(tmp_path, monkeypatch):
    files = model_code_files()
    before = plan_module.model_code_hash()
    copy = tmp_path / "government.py"
    copy.write_bytes(REPO.joinpath("sim/model/actors/government.py").read_bytes() + b"\n# edited\n")
    # the same file list, the actor's file read from its edited copy
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: real_read(copy) if self.name == "government.py"
                        and self.parent.name == "actors" else real_read(self))
    assert plan_module.model_code_files() == files
    assert plan_module.model_code_hash() != before


def test_the_samples_digest_rounds_to_twelve_decimals_and_sees_above():
    x = np.random.default_rng(0).random((1000, 5)).round(6)  # away from the rounding's edges
    assert samples_digest(x) == samples_digest(x.copy())
    assert samples_digest(x) == samples_digest(x + 1e-15)
    y = x.copy()
    y[999, 4] += 1e-9
    assert samples_digest(x) != samples_digest(y)
    assert samples_digest(x) != samples_digest(x.reshape(5000, 1))  # the shape counts
    # blocks of any size give the same digest
    assert samples_digest(x, block=7) == samples_digest(x, block=65536)


def test_the_fingerprint_follows_the_plan_and_is_kept():
    a, b = _plan(), _plan()
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != _plan(seed=1).fingerprint()
    assert a.fingerprint() != _plan(points=16).fingerprint()
    assert a.fingerprint() != dataclasses.replace(a, replications=3).fingerprint()
    assert a.__dict__["_fingerprint"] == a.fingerprint()
