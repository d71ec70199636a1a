"""The model declared once (issue 25): every state field and every coefficient is declared
exactly once, in the module that owns it, and reaches what is derived from it: the state and
its storage, the initial state, the summary columns of every table, the compiled layout of
the parameters, the config's schema; every actor of the registry has the pieces its stage
is assembled from; editing a comment does not change what the compiled cache is keyed by."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.config import run_params, schema
from sim.model import compiled, packing, state
from sim.model.actors import ACTORS
from sim.model.declare import Field
from sim.model.params import sections
from sim.model.stages import STAGE_NAMES

pytestmark = pytest.mark.model


def test_every_field_is_declared_once_and_stored_once():
    names = [f.name for f in state.FIELDS]
    assert len(names) == len(set(names)) > 40
    stored = [n for _, group in state.STORAGE for n in group] + [n for n, _ in state.MATRICES]
    assert sorted(stored) == sorted(names)
    for f in state.FIELDS:
        assert isinstance(f, Field) and f.doc, f.name
    owned = [f.name for a in ACTORS.values() for f in a.fields]
    assert len(owned) == len(set(owned))


def test_the_initial_state_and_the_summary_come_from_the_declarations():
    p = run_params("baseline", 0)
    s = state.initial_state(p, 3)
    for f in state.FIELDS:
        value = getattr(s, f.name)
        assert value.dtype == f.dtype, f.name
        assert value.shape == ((3, p.factions.size) if f.per_faction else (3,)), f.name
    cols = state.summary_columns(s, [7, 14, 21])
    declared = [f.summary.column for f in state.FIELDS if f.summary is not None]
    weeks = [f.summary.week_column for f in state.FIELDS if f.summary is not None and f.summary.week_column]
    assert sorted(cols) == sorted(declared + weeks + ["weeks_simulated", "days_simulated"])
    assert list(state.summary_kinds()) == list(cols)
    row = state.summary_row(cols, 0, seed=0, scenario="baseline", run_index=0)
    assert row["outcome"] == "no_request" or row["outcome"] is None or isinstance(row["outcome"], str)


def test_every_coefficient_is_declared_once_and_packed_once():
    seen = []
    for name, cls in sections():
        assert dataclasses.is_dataclass(cls) and isinstance(getattr(cls, "PREFIX", None), str), name
        for f in dataclasses.fields(cls):
            assert f.metadata.get("doc") and f.metadata.get("source"), f"{name}.{f.name}"
            seen.append(f"{name}.{f.name}")
    assert len(seen) == len(set(seen))
    layout = packing.layout()
    numeric = {path for _, path in layout.coefficients}
    assert numeric <= set(seen)
    assert len(layout.param_names) == len(set(layout.param_names))
    assert len(packing.COLUMNS) == len(layout.param_names) + len(layout.faction_attrs)
    # the config's schema is composed of the same sections
    scenario_fields = {f.name: f.type for f in dataclasses.fields(schema.ScenarioConfig)}
    for name, cls in sections():
        assert scenario_fields[name] is cls


def test_every_actor_has_the_pieces_its_stage_is_assembled_from():
    for name, actor in ACTORS.items():
        assert name in STAGE_NAMES
        assert actor.fields and actor.facts
        if actor.decides_alone:
            assert actor.occasion is not None and actor.act is not None and actor.terms
            assert set(actor.texts) <= set(actor.events.kinds)
        for kind in actor.events.kinds:
            for _, column in actor.events.carried(kind):
                assert column in actor.events.data, (name, kind, column)
        if actor.role is not None:
            assert actor.brief and actor.forced_field in state.FIELD_BY_NAME and actor.human_field in state.FIELD_BY_NAME


def test_a_comment_or_docstring_does_not_change_the_cache_key(tmp_path):
    source = Path(compiled.__file__).parent / "valuation.py"
    text = source.read_text()
    edited = tmp_path / "valuation.py"
    edited.write_text(text.replace('"""Chance that', '"""The chance that', 1) + "\n# a comment at the end\n")
    assert compiled.code_digest(edited) == compiled.code_digest(source)
    changed = tmp_path / "changed.py"
    changed.write_text(text.replace("return -expm1(-rate * step_days)", "return -expm1(-rate * step_days * 1.0)"))
    assert compiled.code_digest(changed) != compiled.code_digest(source)


def test_the_state_views_its_storage():
    p = run_params("baseline", 0)
    s = state.initial_state(p, 4)
    s.tension = np.array([0.1, 0.2, 0.3, 0.4])
    g, k = state.PLACE["tension"]
    assert np.array_equal(s.storage()[g][k], [0.1, 0.2, 0.3, 0.4])


CHECK = """
import sys
from sim.model import valuation
valuation.chance_within(0.1, 7.0)
valuation.discount(3.0, 0.01)
stats = [valuation.chance_within.stats, valuation.discount.stats]
print(sum(sum(s.cache_hits.values()) for s in stats), sum(sum(s.cache_misses.values()) for s in stats))
"""


def test_a_comment_edit_recompiles_nothing_and_a_code_edit_recompiles(tmp_path):
    """In a copy of the package with its own compiled cache: the first run compiles two
    kernels; after a comment and a docstring are edited in their file, the next run loads them
    from the cache (hits, no misses); after their code is edited, it compiles them again."""
    import os
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(tmp_path))

    def run() -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=600)
        assert out.returncode == 0, out.stderr[-2000:]
        hits, misses = out.stdout.split()
        return int(hits), int(misses)

    first = run()
    assert first[0] == 0 and first[1] > 0
    path = tmp_path / "sim" / "model" / "valuation.py"
    text = path.read_text()
    path.write_text("# a comment added at the top\n" + text.replace('"""Chance that', '"""The chance that', 1))
    assert run() == (2, 0)
    path.write_text(path.read_text().replace("return exp(-discount_rate * max(days, 0.0))",
                                             "return exp(-discount_rate * max(days, 0.0) * 1.0)"))
    assert run()[1] > 0


def test_texts_players_read_are_not_code(tmp_path):
    """An actor's action texts, event texts and brief can be edited without recompiling."""
    source = Path(compiled.__file__).parent / "actors" / "tehran.py"
    text = source.read_text()
    edited = tmp_path / "tehran.py"
    edited.write_text(text.replace("Restrain your allies", "Hold your allies back").replace(
        "Tehran restrains its proxies", "Tehran holds its proxies back").replace("You are the Iranian", "You play the Iranian"))
    assert edited.read_text() != text
    assert compiled.code_digest(edited) == compiled.code_digest(source)



def _piece(monkeypatch, text: str):
    """A throwaway actor piece defined from `text`, whose source the assembler reads."""
    import inspect

    space: dict = {}
    exec(compile(text, "<piece>", "exec"), space)  # the test's own text
    monkeypatch.setattr(inspect, "getsource", lambda fn: text)
    return space["piece"]


def test_a_piece_is_spliced_into_its_loop_under_the_loops_names(monkeypatch):
    """The assembler copies a piece's body into the loop: a field annotated as a number reads
    the run's value, the piece's own variables get a prefix, its module's names are read
    through the module, and its one return becomes the loop's assignment."""
    from sim.model import assemble

    piece = _piece(monkeypatch, "def piece(pr, troops: float, tension, a):\n"
                                "    heat = tension[0] + troops * K.STEP_DAYS\n"
                                "    return heat, a\n")
    text = assemble._spliced(piece, "_tehran", "_w_", "value, other", indent="")
    assert text.splitlines() == ["_w_heat = tension[0] + troops[i] * _tehran.K.STEP_DAYS", "value, other = (_w_heat, a)"]


@pytest.mark.parametrize("body, message", [
    ("    if troops > 0:\n        return\n    tension[i] = 0.0\n", "returns before its end"),
    ("    troops = 1.0\n", "assigns its parameters"),
])
def test_a_piece_that_cannot_be_spliced_is_refused(monkeypatch, body, message):
    from sim.model import assemble

    piece = _piece(monkeypatch, "def piece(i, troops: float, tension):\n" + body)
    with pytest.raises(ValueError, match=message):
        assemble._spliced(piece, "_tehran", "_a_", None)
