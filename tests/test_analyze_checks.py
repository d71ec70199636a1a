"""`python -m sim.analyze` trusts no metadata.json (issue 15, case 8, and its part of case
10): metadata.json must describe runs.parquet (the fingerprint and run count the sweep
runner stamps into the table, the row count, the columns), else exit code 2 with one line;
a truncated table, a metadata.json holding `[]`, a bad option or a report folder that
cannot be written are one line too, never a traceback, and leave no report.md.

Fixtures: two small sweeps made with the runner's Python API, the conditions experiment
(60 runs: 2 points x 3 levers x 10 replications, 12 conditions) and the baseline (40 runs,
no conditions); each test copies what it tampers with into its own tmp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from clitools import assert_one_line_failure
from omegaconf import OmegaConf

from sim.analyze import main as analyze_main
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig

REPO = Path(__file__).resolve().parents[1]


def experiment(name: str) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"))
    return OmegaConf.to_object(merged)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweeps")
    run_sweep(make_plan(experiment("conditions"), 60), root / "conditions", workers=1)
    run_sweep(make_plan(experiment("baseline"), 40), root / "baseline", workers=1)
    return root


def folder(tmp_path: Path, runs_from: Path, meta_from: Path | None = None) -> Path:
    """A sweep folder holding one sweep's runs.parquet and (another's) metadata.json."""
    out = tmp_path / "sweep"
    out.mkdir(parents=True)
    shutil.copyfile(runs_from / "runs.parquet", out / "runs.parquet")
    shutil.copyfile((meta_from or runs_from) / "metadata.json", out / "metadata.json")
    return out


def analyze(capsys, out: Path, *extra: str) -> tuple[int, str]:
    code = analyze_main([str(out), "--no-fan", "--quiet", *extra])
    err = capsys.readouterr().err
    return code, err


def refused(capsys, out: Path, *parts: str, extra=()) -> str:
    code, err = analyze(capsys, out, *extra)
    assert code == 2, err
    got = [line for line in err.splitlines() if line.strip()]
    assert len(got) == 1 and got[0].startswith("analyze error: "), err
    for part in parts:
        assert part in got[0], got[0]
    assert not (out / "report" / "report.md").exists()
    return got[0]


def edit_metadata(out: Path, change) -> None:
    meta = json.loads((out / "metadata.json").read_text())
    change(meta)
    (out / "metadata.json").write_text(json.dumps(meta))


# ---------------------------------------------------------------- metadata.json must describe the table
def test_another_sweeps_metadata_is_refused(sweeps, tmp_path, capsys):
    """The baseline's metadata.json next to the conditions table (the old code reported "no
    conditions swept" over 12 conditions and 3 levers, exit 0)."""
    out = folder(tmp_path, sweeps / "conditions", sweeps / "baseline")
    line = refused(capsys, out, "metadata.json does not describe runs.parquet", "fingerprint",
                   "run_count 40 in metadata.json, 60 rows in the table", "columns differ")
    assert "sanctions.magnitude" in line


def test_metadata_with_another_run_count_is_refused(sweeps, tmp_path, capsys):
    out = folder(tmp_path, sweeps / "conditions")
    edit_metadata(out, lambda m: m.update(run_count=90))
    refused(capsys, out, "run_count 90 in metadata.json, 60 rows in the table")


def test_metadata_with_other_columns_is_refused(sweeps, tmp_path, capsys):
    out = folder(tmp_path, sweeps / "conditions")
    edit_metadata(out, lambda m: m.update(columns=[c for c in m["columns"] if c != "world.isis_mean"]))
    refused(capsys, out, "columns differ", "'world.isis_mean'")


def test_metadata_with_another_fingerprint_is_refused(sweeps, tmp_path, capsys):
    out = folder(tmp_path, sweeps / "conditions")
    edit_metadata(out, lambda m: m.update(fingerprint="0" * 16))
    refused(capsys, out, "fingerprint 0000000000000000 in metadata.json")


def test_metadata_whose_parameters_are_not_the_declared_uncertainties_is_refused(sweeps, tmp_path, capsys):
    out = folder(tmp_path, sweeps / "conditions")
    edit_metadata(out, lambda m: m.update(parameters=m["parameters"][:3]))
    refused(capsys, out, "declared uncertainties", "are not the sweep's parameters")


def test_a_table_without_the_runners_record_is_refused(sweeps, tmp_path, capsys):
    """A runs.parquet rewritten by other code (here pandas) carries no fingerprint to check."""
    out = folder(tmp_path, sweeps / "conditions")
    pd.read_parquet(out / "runs.parquet").to_parquet(out / "runs.parquet")
    refused(capsys, out, "carries no sweep record")


def test_the_sweeps_own_files_are_analysed(sweeps, tmp_path, capsys):
    """The checks pass a sweep's own two files (the report is written)."""
    out = folder(tmp_path, sweeps / "baseline")
    code, err = analyze(capsys, out)
    assert code == 0, err
    assert (out / "report" / "report.md").exists() and (out / "report" / "analysis.json").exists()


# ---------------------------------------------------------------- damaged files and bad options (case 10)
@pytest.mark.parametrize("damage, part", [
    (lambda out: os.truncate(out / "runs.parquet", 1000), "is not a readable Parquet table"),
    (lambda out: (out / "metadata.json").write_text("[]"), "holds a JSON list, not the object a sweep writes"),
    (lambda out: (out / "metadata.json").write_text("{"), "is not valid JSON"),
    (lambda out: (out / "metadata.json").write_text('{"fingerprint": 3}'), "fingerprint = 3 is not a str"),
], ids=["truncated_table", "list_metadata", "broken_json", "wrong_type"])
def test_damaged_files_are_one_line(sweeps, tmp_path, capsys, damage, part):
    out = folder(tmp_path, sweeps / "conditions")
    damage(out)
    refused(capsys, out, part)


@pytest.mark.parametrize("option", [["--seed", "-1"], ["--seed", str(2**63)], ["--fan-runs", "-3"],
                                    ["--threshold", "1.5"], ["--prim-rows", "x"]])
def test_bad_options_are_one_line(sweeps, tmp_path, capsys, option):
    out = folder(tmp_path, sweeps / "baseline")
    with pytest.raises(SystemExit) as info:
        analyze_main([str(out), "--no-fan", "--quiet", *option])
    assert info.value.code == 2
    err = capsys.readouterr().err
    got = [line for line in err.splitlines() if line.strip()]
    assert len(got) == 1 and f"argument {option[0]}" in got[0], err
    assert not (out / "report").exists()


def test_command_line_refusals_have_no_traceback(sweeps, tmp_path):
    """The same refusals from a real command line: exit 2, one line (the old code printed
    tracebacks for a truncated table and a `[]` metadata)."""
    truncated = folder(tmp_path / "a", sweeps / "conditions")
    os.truncate(truncated / "runs.parquet", 1000)
    listed = folder(tmp_path / "b", sweeps / "conditions")
    (listed / "metadata.json").write_text("[]")
    mixed = folder(tmp_path / "c", sweeps / "conditions", sweeps / "baseline")
    for out, part in ((truncated, "not a readable Parquet table"), (listed, "holds a JSON list"),
                      (mixed, "does not describe runs.parquet")):
        proc = subprocess.run([sys.executable, "-m", "sim.analyze", str(out), "--no-fan", "--quiet"], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert_one_line_failure(proc, "analyze error: ", part)
        assert not (out / "report" / "report.md").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; see test_cli_disk_errors")
def test_report_folder_that_cannot_be_written_is_one_line(sweeps, tmp_path, capsys):
    out = folder(tmp_path, sweeps / "baseline")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        refused(capsys, out, "cannot write the report", extra=("--out", str(locked / "report")))
    finally:
        locked.chmod(0o755)
