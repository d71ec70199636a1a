"""A resumed sweep cannot be fooled by the files in its folder (issue 15, cases 1, 2 and 11):
a chunk file is used only if it is that chunk of this plan, intact (fingerprint, run range,
checksum), else it is named in a warning and computed again; a folder without plan.json is
not written into without overwrite=true; and metadata.json records every invocation that
contributed chunks.

Fault injection in tmp folders: an interrupted folder is made in-process (the local
executor stops with KeyboardInterrupt after k chunks, as Ctrl-C would), then its files are
copied, swapped, truncated or deleted, and the sweep is run again. Sample size: the baseline
experiment with 300 runs in 3 chunks of 100 (batch engine, one worker), compared with an
uninterrupted sweep of the same plan (a chunk costs about a second whatever its size).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from sim.config.validate import ConfigError
from sim.sweep import executors
from sim.sweep.plan import make_plan
from sim.sweep.runner import SweepInterrupted, run_sweep
from sim.sweep.schema import ExperimentConfig

REPO = Path(__file__).resolve().parents[1]
RUNS, CHUNK = 300, 100


def experiment(name: str = "baseline", **changes) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"), changes)
    return OmegaConf.to_object(merged)


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / "chunks").glob("*.parquet"))


def table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet")


def interrupted(out: Path, plan, after: int, **kwargs) -> None:
    """Run the sweep into `out` and stop it (KeyboardInterrupt, as Ctrl-C) once `after`
    more chunks are written."""
    real = executors.run_local
    before = len(chunk_files(out)) if (out / "chunks").exists() else 0

    def stopping(plan, engine, chunks, workers):
        for i, item in enumerate(real(plan, engine, chunks, workers)):
            if i == after:
                raise KeyboardInterrupt
            yield item

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(executors, "run_local", stopping)
        with pytest.raises(SweepInterrupted):
            run_sweep(plan, out, workers=1, chunk_size=kwargs.pop("chunk_size", CHUNK), **kwargs)
    assert len(chunk_files(out)) == before + after


@pytest.fixture(scope="module")
def plans():
    return {seed: make_plan(experiment(seed=seed), RUNS) for seed in (0, 1)}


@pytest.fixture(scope="module")
def clean(plans, tmp_path_factory):
    """Uninterrupted sweeps of both plans: seed -> table."""
    tables = {}
    for seed, plan in plans.items():
        out = tmp_path_factory.mktemp(f"clean{seed}")
        run_sweep(plan, out, workers=1, chunk_size=RUNS)
        tables[seed] = table(out)
    assert not tables[0].equals(tables[1])
    return tables


def check_equal(out: Path, expected: pd.DataFrame) -> None:
    got = table(out)
    assert got["run_id"].tolist() == list(range(RUNS))  # each run id once, none missing
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert json.loads((out / "metadata.json").read_text())["run_count"] == RUNS


# ---------------------------------------------------------------- case 1: resume trusts no chunk by its name
def test_chunk_copied_over_another_is_recomputed(plans, clean, tmp_path, capsys):
    """Chunk 0 copied over chunk 1 (the old runner then wrote a "complete" table with 100
    duplicated and 100 missing run ids)."""
    out = tmp_path / "out"
    interrupted(out, plans[0], after=2)
    first, second = chunk_files(out)
    shutil.copyfile(first, second)
    capsys.readouterr()
    run_sweep(plans[0], out, workers=1, chunk_size=CHUNK)
    err = capsys.readouterr().err
    assert f"warning: chunk {second.name} is not usable: it holds runs 0..99, not 100..199" in err
    check_equal(out, clean[0])


def test_chunk_of_another_seed_is_recomputed(plans, clean, tmp_path, capsys):
    """A valid chunk of the seed-1 sweep dropped into the seed-0 folder under the same name."""
    out, other = tmp_path / "seed0", tmp_path / "seed1"
    interrupted(out, plans[0], after=2)
    interrupted(other, plans[1], after=1)
    stranger = chunk_files(other)[0]
    shutil.copyfile(stranger, out / "chunks" / stranger.name)
    capsys.readouterr()
    run_sweep(plans[0], out, workers=1, chunk_size=CHUNK)
    err = capsys.readouterr().err
    assert f"warning: chunk {stranger.name} is not usable: it belongs to another sweep" in err
    check_equal(out, clean[0])
    assert (table(out)["seed"] == 0).all()


def test_chunk_with_changed_content_is_recomputed(plans, clean, tmp_path, capsys):
    """A chunk rewritten with one outcome changed and its metadata kept: the checksum tells."""
    out = tmp_path / "out"
    interrupted(out, plans[0], after=2)
    path = chunk_files(out)[1]
    t = pq.read_table(path)
    outcomes = t.column("outcome").to_pylist()
    outcomes[7] = "occupation" if outcomes[7] != "occupation" else "no_request"
    forged = t.set_column(t.schema.get_field_index("outcome"), "outcome", pa.array(outcomes))
    pq.write_table(forged.replace_schema_metadata(t.schema.metadata), path)
    capsys.readouterr()
    run_sweep(plans[0], out, workers=1, chunk_size=CHUNK)
    assert f"warning: chunk {path.name} is not usable: its content does not match its checksum" \
        in capsys.readouterr().err
    check_equal(out, clean[0])


def test_deleted_plan_and_another_seed_is_refused(plans, clean, tmp_path):
    """plan.json deleted, then the sweep run with another seed: the folder's chunks are not
    taken for the new plan's (the old runner assembled a table of mixed seeds); with
    overwrite=true the folder is replaced by a clean seed-1 sweep."""
    out = tmp_path / "out"
    interrupted(out, plans[0], after=2)
    (out / "plan.json").unlink()
    with pytest.raises(ConfigError) as info:
        run_sweep(plans[1], out, workers=1, chunk_size=CHUNK)
    assert info.value.key == "out" and "overwrite=true" in info.value.allowed
    assert "chunks/" in info.value.allowed and "no plan.json" in info.value.allowed
    assert not (out / "runs.parquet").exists() and not (out / "metadata.json").exists()
    assert len(chunk_files(out)) == 2
    run_sweep(plans[1], out, workers=1, chunk_size=CHUNK, overwrite=True)
    check_equal(out, clean[1])


def test_finished_folder_without_plan_is_not_overwritten(plans, clean, tmp_path):
    """A folder holding runs.parquet and metadata.json (another sweep's) but no plan.json."""
    done = tmp_path / "done"
    run_sweep(plans[1], done, workers=1, chunk_size=RUNS)
    (done / "plan.json").unlink()
    before = {p.name: p.read_bytes() for p in done.iterdir() if p.is_file()}
    with pytest.raises(ConfigError) as info:
        run_sweep(plans[0], done, workers=1, chunk_size=CHUNK)
    assert info.value.key == "out" and "metadata.json" in info.value.allowed
    assert {p.name: p.read_bytes() for p in done.iterdir() if p.is_file()} == before
    assert not (done / "chunks").exists() or not chunk_files(done)


def test_folder_holding_other_files_is_not_written_into(plans, tmp_path):
    """Any other content without a plan (here a user's notes) is refused too."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    with pytest.raises(ConfigError) as info:
        run_sweep(plans[0], out, workers=1, chunk_size=CHUNK)
    assert "notes.txt" in info.value.allowed
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


# ---------------------------------------------------------------- case 2: a damaged chunk does not block the sweep
def test_truncated_chunk_is_recomputed_from_the_command_line(plans, clean, tmp_path):
    """`truncate -s 1000` on a chunk, then the same command again: exit 0, a warning naming
    the chunk, the table of an uninterrupted sweep (the old runner computed every other
    chunk, then failed with ArrowInvalid on every rerun)."""
    out = tmp_path / "out"
    interrupted(out, plans[0], after=2)
    damaged = chunk_files(out)[0]
    os.truncate(damaged, 1000)
    proc = subprocess.run([sys.executable, "-m", "sim.sweep", "experiment=baseline", f"runs={RUNS}", "workers=1",
                           f"chunk_size={CHUNK}", f"out={out}"], cwd=REPO, env=dict(os.environ, CI="1"),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"warning: chunk {damaged.name} is not usable: unreadable" in proc.stderr
    assert "Traceback" not in proc.stderr
    check_equal(out, clean[0])
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["runs_computed_this_invocation"] == 2 * CHUNK  # chunk 0 again, and chunk 2


# ---------------------------------------------------------------- case 11: every invocation is recorded
def test_metadata_records_every_invocation(tmp_path):
    """Three invocations finish one sweep of 8 runs in chunks of 2: the batch engine on one
    worker (2 chunks, then interrupted), the Mesa engine (1 chunk, interrupted), the batch
    engine on two workers (the last one). metadata.json lists all three, oldest first, with
    their engine, executor, workers and the chunks and runs each contributed (the old
    runner recorded only the last engine); the table equals an uninterrupted sweep's."""
    plan = make_plan(experiment(), 8)
    out = tmp_path / "out"
    interrupted(out, plan, after=2, chunk_size=2)
    interrupted(out, plan, after=1, chunk_size=2, engine="mesa")
    meta = run_sweep(plan, out, workers=2, chunk_size=2)
    invocations = meta["invocations"]
    assert [(i["engine"], i["executor"], i["workers"], i["chunks"], i["runs_computed"]) for i in invocations] == [
        ("batch", "local", 1, 2, 4), ("mesa", "local", 1, 1, 2), ("batch", "local", 2, 1, 2)]
    assert len({i["id"] for i in invocations}) == 3
    assert sum(i["runs_computed"] for i in invocations) == meta["run_count"] == 8
    on_disk = json.loads((out / "metadata.json").read_text())
    assert on_disk["invocations"] == invocations
    run_sweep(plan, tmp_path / "clean", workers=1, chunk_size=8)
    pd.testing.assert_frame_equal(table(out), table(tmp_path / "clean"), check_exact=True)


def test_the_assembled_table_must_hold_each_run_id_once():
    """The last check before runs.parquet and metadata.json are written."""
    from sim.sweep.runner import SweepFailed, check_run_ids

    check_run_ids(pa.table({"run_id": pa.array(range(5), pa.int64())}), 5)
    for ids in ([0, 1, 1, 3, 4], [0, 1, 2, 3], [1, 0, 2, 3, 4], [0, 1, 2, 3, 4, 5]):
        with pytest.raises(SweepFailed, match="not the run ids 0..4 once each"):
            check_run_ids(pa.table({"run_id": pa.array(ids, pa.int64())}), 5)
