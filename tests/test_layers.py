"""The import rules of docs/architecture.md, checked on the source: the model math imports
only NumPy, SciPy and the standard library; the teaching tools and the browser app take
config helpers from sim.config and import nothing of each other."""

from __future__ import annotations

import sys
from pathlib import Path

from test_analysis_layers import REPO, imported_modules

STDLIB = set(sys.stdlib_module_names)


def _files(*parts: str) -> list[Path]:
    return sorted((REPO.joinpath(*parts)).glob("*.py"))


def test_model_math_imports_only_numpy_scipy_numba_and_the_standard_library():
    files = _files("sim", "model")
    assert len(files) > 8
    # llvmlite is numba's code generator: a numba intrinsic (bdm._c_pow) writes its LLVM IR with it
    allowed_roots = STDLIB | {"numpy", "scipy", "numba", "llvmlite", "sim"}
    offenders = {}
    for f in files:
        bad = sorted(m for m in imported_modules(f) if m.split(".")[0] not in allowed_roots
                     or (m.startswith("sim.") and not m.startswith("sim.model")))
        if bad:
            offenders[f.name] = bad
    assert not offenders, offenders


def test_teach_play_and_webapp_do_not_import_each_other():
    groups = {g: _files("sim", g) for g in ("teach", "play", "webapp")}
    assert all(groups.values())
    for group, files in groups.items():
        others = tuple(f"sim.{o}" for o in groups if o != group)
        for f in files:
            bad = sorted(m for m in imported_modules(f) if m.startswith(others))
            assert not bad, (f"sim/{group}/{f.name}", bad)
