"""Results that cannot be forged or mixed, and configs that cannot leak or break the install
(issue 30). One test per attack that succeeded before:

- an edited runs.parquet (every outcome set to `occupation`, its tag kept) was analysed,
  reported complete by the sweep and returned by `sim.Sweep.open`;
- an edited metadata.json (horizon, bounds, a `<script>` label) was reported as given, and
  a hostile label in a genuine experiment was printed raw into report.md;
- `${oc.env:...}` on the command line or in the Python interface copied the environment into
  config.yaml, overrides.yaml and the folder name;
- a `defaults:` cycle recursed until Python's stack ran out (exit 1, 1,000 frames);
- an infinite or duplicated uncertainty was accepted by the sweep (the analysis then crashed
  or refused it); `sim.ensemble(runs=10**12)` ran for minutes;
- a folder with a chunk's name blocked a resume;
- a command could be told to write into the project's code, configs or docs, or over a
  committed file; the calibration wrote its scenario over the shipped baseline, and found a
  scenario_out it could not write only after the whole calibration;
- the calibration's own tables could be edited: a posterior.parquet changed by hand was
  sampled by `experiment=posterior`, an edited chunk of sets was read back on the next run,
  and a calibration started on a nearly full disk failed only after its first chunk; its
  calibrated scenario was written without being composed first.

Each refusal is one line naming the key or file, exit code 2 (a ConfigError in Python), and
nothing written. Sizes: one conditions sweep of 60 runs (2 points x 3 levers x 10
replications) made in-process, its copies edited; the other attacks are refusals (no runs)
run as subprocesses a few at a time, and one baseline sweep of 300 runs in 3 chunks.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clitools import assert_one_line_failure, env, run_parallel
from omegaconf import OmegaConf

import sim
from sim.analyze import main as analyze_main
from sim.config import experiment_config, run_config
from sim.config.safety import check_choice
from sim.config.validate import ConfigError
from sim.sweep.plan import make_plan
from sim.sweep.runner import run_sweep
from sim.sweep.schema import ExperimentConfig

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
SECRET = "rv-secret-for-issue-30"


def experiment(name: str, **changes) -> ExperimentConfig:
    merged = OmegaConf.merge(OmegaConf.structured(ExperimentConfig),
                             OmegaConf.load(REPO / "configs" / "experiment" / f"{name}.yaml"), changes)
    return OmegaConf.to_object(merged)


def hostile_conditions() -> ExperimentConfig:
    """The conditions experiment with a hostile label and source on its second uncertainty."""
    exp = experiment("conditions")
    exp.uncertainties[1].label = SCRIPT
    exp.uncertainties[1].source = "F22 | [click](javascript:alert(1))"
    return exp


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("genuine") / "conditions"
    run_sweep(make_plan(hostile_conditions(), 60), out, workers=1)
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / "sweep"
    shutil.copytree(folder, out)
    return out


def analyze(capsys, out: Path) -> tuple[int, list[str]]:
    code = analyze_main([str(out), "--no-fan", "--quiet"])
    return code, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


# ---------------------------------------------------------------- forged tables
def test_edited_outcomes_are_refused_by_every_reader(genuine, tmp_path, capsys):
    out = copy_of(genuine, tmp_path)
    table = pq.read_table(out / "runs.parquet")
    edited = table.set_column(table.column_names.index("outcome"), "outcome",
                              pa.array(["occupation"] * table.num_rows, type=pa.string()))
    pq.write_table(edited.replace_schema_metadata(table.schema.metadata), out / "runs.parquet")

    code, err = analyze(capsys, out)
    assert code == 2 and len(err) == 1, err
    assert "runs.parquet" in err[0] and "does not match the checksum" in err[0] and "overwrite=true" in err[0]
    assert not (out / "report" / "report.md").exists()
    with pytest.raises(ConfigError, match="runs.parquet.*does not match the checksum"):
        run_sweep(make_plan(hostile_conditions(), 60), out, workers=1)  # not "already complete"
    with pytest.raises(ConfigError, match="runs.parquet.*does not match the checksum"):
        sim.Sweep.open(out)


@pytest.mark.parametrize("edit", ["horizon", "bounds", "label"])
def test_edited_metadata_is_refused(genuine, tmp_path, capsys, edit):
    out = copy_of(genuine, tmp_path)
    meta = json.loads((out / "metadata.json").read_text())
    exp = meta["experiment_config"]
    if edit == "horizon":
        exp["horizon_weeks"] = 20
    elif edit == "bounds":
        exp["uncertainties"][0].update(low=-1000, high=1000)
    else:
        exp["uncertainties"][0]["label"] = SCRIPT
    (out / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
    code, err = analyze(capsys, out)
    assert code == 2 and len(err) == 1, err
    assert "metadata.json" in err[0] and "checksum" in err[0], err[0]
    with pytest.raises(ConfigError, match="metadata.json"):
        _ = sim.Sweep.open(out).metadata


def test_hostile_text_of_a_genuine_sweep_is_escaped_in_the_report(genuine, tmp_path, capsys):
    out = copy_of(genuine, tmp_path)
    code, err = analyze(capsys, out)
    assert code == 0, err
    text = (out / "report" / "report.md").read_text()
    assert "<script" not in text and "](javascript:" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as text, where the label is printed
    assert "F22 &#124; &#91;click&#93;(javascript:alert(1))" in text  # no table cell split, no link


def test_the_series_table_is_verified_too(tmp_path):
    s = sim.sweep("baseline", runs=40, out=str(tmp_path / "b"), workers=1, record={"weeks": [52]})
    assert len(s.series) == 40
    path = tmp_path / "b" / "series.parquet"
    t = pq.read_table(path)
    troops = pa.array([0.0] * t.num_rows)
    pq.write_table(t.set_column(t.column_names.index("troops"), "troops", troops)
                   .replace_schema_metadata(t.schema.metadata), path)
    with pytest.raises(ConfigError, match="series.parquet.*does not match the checksum"):
        _ = sim.Sweep.open(tmp_path / "b").series


# ---------------------------------------------------------------- resolvers, cycles, bounds
@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """The command-line attacks, run a few at a time: name -> (result, folder it must not create)."""
    tmp = tmp_path_factory.mktemp("refusals")
    project = tmp / "project"
    shutil.copytree(REPO / "sim", project / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(REPO / "configs", project / "configs")
    scen = project / "configs" / "scenario"
    (scen / "loop.yaml").write_text("defaults:\n  - loop\n  - _self_\nname: loop\n")
    (scen / "ping.yaml").write_text("defaults:\n  - pong\n  - _self_\nname: ping\n")
    (scen / "pong.yaml").write_text("defaults:\n  - ping\n  - _self_\nname: pong\n")
    exp = project / "configs" / "experiment"
    (exp / "loop_exp.yaml").write_text("defaults:\n  - loop_exp\n  - _self_\nname: loop_exp\n")
    inf = "'experiment.uncertainties=[{param: behaviour.rationality, low: 1, high: inf, source: x}]'"
    dup = ("'experiment.uncertainties=[{param: behaviour.rationality, low: 1, high: 5, source: x},"
           "{param: behaviour.rationality, low: 2, high: 4, source: x}]'")
    commands = {
        "secret_cli": (["-m", "sim", "scenario.description=${oc.env:RV_SECRET}", f"hydra.run.dir={tmp}/secret"],
                       tmp / "secret", REPO),
        "secret_name": (["-m", "sim", "seed=5", "scenario.description=${oc.env:RV_SECRET}"],
                        REPO / "results" / "runs" / "baseline" / f"seed_5__description={SECRET}", REPO),
        "secret_dir": (["-m", "sim", "hydra.run.dir=" + str(tmp) + "/${oc.env:RV_SECRET}"], tmp / SECRET, REPO),
        "secret_sweep": (["-m", "sim.sweep", "experiment=baseline", "runs=40", "experiment.description=${oc.env:RV_SECRET}",
                          f"out={tmp}/secret_sweep"], tmp / "secret_sweep", REPO),
        "cycle_self": (["-m", "sim", "scenario=loop", f"hydra.run.dir={tmp}/loop"], tmp / "loop", project),
        "cycle_pair": (["-m", "sim", "scenario=ping", f"hydra.run.dir={tmp}/ping"], tmp / "ping", project),
        "cycle_sweep": (["-m", "sim.sweep", "experiment=loop_exp", f"out={tmp}/loop_exp"], tmp / "loop_exp", project),
        "cycle_api": (["-c", "import sim; sim.run('pong')"], tmp / "none", project),
        "infinite": (["-m", "sim.sweep", "experiment=conditions", "runs=1200", "workers=1", inf.strip("'"),
                      f"out={tmp}/inf"], tmp / "inf", REPO),
        "duplicate": (["-m", "sim.sweep", "experiment=conditions", "runs=600", "workers=1", dup.strip("'"),
                       f"out={tmp}/dup"], tmp / "dup", REPO),
        "huge_ensemble": (["-c", "import sim; sim.ensemble(runs=10**12)"], tmp / "none", REPO),
    }
    results = {}
    for cwd in (REPO, project):
        batch = {k: v[0] for k, v in commands.items() if v[2] == cwd}
        environ = env(RV_SECRET=SECRET, **({"PYTHONPATH": str(project)} if cwd == project else {}))
        try:
            results.update(run_parallel(batch, cwd=cwd, timeout=60, environ=environ))
        finally:
            shutil.rmtree(commands["secret_name"][1], ignore_errors=True)  # written only by the old code
    return {k: (results[k], commands[k][1]) for k in commands}


def no_secret_under(folder: Path) -> None:
    for f in folder.rglob("*") if folder.exists() else []:
        assert SECRET not in f.name and (not f.is_file() or SECRET.encode() not in f.read_bytes()), f


@pytest.mark.parametrize("name", ["secret_cli", "secret_name", "secret_dir", "secret_sweep"])
def test_resolvers_on_the_command_line_are_refused(refusals, name):
    proc, folder = refusals[name]
    assert_one_line_failure(proc, "resolvers such as ${oc.env:...} are not allowed")
    assert SECRET not in proc.stderr
    assert not folder.exists()
    no_secret_under(folder.parent)


@pytest.mark.parametrize("call", [
    lambda: sim.run(description="${oc.env:HOME}"),
    lambda: sim.run(overrides={"scenario.description": "x${oc.env:HOME}"}),
    lambda: sim.ensemble(runs=10, description="${oc.decode:'1'}"),
    lambda: sim.sweep("baseline", runs=40, out="results/sweeps/${oc.env:HOME}"),
    lambda: run_config("baseline", 0, ["scenario.description=${oc.env:HOME}"]),
    lambda: experiment_config("baseline", ["description=${oc.env:HOME}"]),
])
def test_resolvers_in_the_python_interface_are_refused(call):
    with pytest.raises(ConfigError, match=r"resolvers such as \$\{oc.env:...\} are not allowed"):
        call()


def test_a_plain_interpolation_of_a_key_is_still_allowed():
    assert run_config("baseline", 0, ["scenario.description=${scenario.name}"]).scenario.description \
        == "baseline"


@pytest.mark.parametrize("name", ["cycle_self", "cycle_pair", "cycle_sweep", "cycle_api"])
def test_a_defaults_cycle_is_refused_in_one_line(refusals, name):
    proc, folder = refusals[name]
    assert "RecursionError" not in proc.stderr and "a cycle:" in proc.stderr, proc.stderr[-2000:]
    if name == "cycle_api":
        assert proc.returncode == 1 and proc.stderr.strip().splitlines()[-1].startswith("sim.config.validate.Config")
    else:
        assert_one_line_failure(proc, "defaults", "a cycle:")
    assert not folder.exists()


def test_a_defaults_cycle_is_named_by_the_check(tmp_path):
    (tmp_path / "scenario").mkdir()
    for name, parent in (("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")):
        (tmp_path / "scenario" / f"{name}.yaml").write_text(f"defaults:\n  - {parent}\n  - _self_\nname: {name}\n")
    with pytest.raises(ConfigError, match=r"a cycle: a -> b -> c -> a"):
        check_choice("scenario", "d", tmp_path)


@pytest.mark.parametrize("name,words", [("infinite", "finite bounds"), ("duplicate", "each parameter once")])
def test_infinite_or_duplicated_uncertainties_are_refused(refusals, name, words):
    proc, folder = refusals[name]
    assert_one_line_failure(proc, "experiment.uncertainties[", "behaviour.rationality", words)
    assert not folder.exists()


@pytest.mark.parametrize("low,high,levels,words", [
    (1.0, float("inf"), None, "finite bounds"), (float("-inf"), 1.0, None, "finite bounds"),
    (float("nan"), 1.0, None, "finite bounds"), (1.0, 5.0, [1.0, float("inf")], "finite bounds"),
])
def test_make_plan_refuses_non_finite_bounds(low, high, levels, words):
    u = {"param": "behaviour.rationality", "low": low, "high": high, "source": "x", "levels": levels}
    with pytest.raises(ConfigError, match=words):
        make_plan(experiment("conditions", uncertainties=[u]), 600)


def test_make_plan_refuses_a_duplicated_uncertainty():
    u = {"param": "sanctions.credibility", "low": 0.0, "high": 1.0, "source": "x"}
    with pytest.raises(ConfigError, match="each parameter once"):
        make_plan(experiment("conditions", uncertainties=[u, dict(u, low=0.5)]), 600)


def test_an_ensemble_that_does_not_fit_in_memory_is_refused_at_once(refusals):
    proc, _ = refusals["huge_ensemble"]
    assert proc.returncode == 1, "sim.ensemble(runs=10**12) still ran after 60 s" if proc.returncode is None else \
        proc.stderr[-2000:]
    assert "ConfigError: runs = 1000000000000 is not allowed" in proc.stderr and "memory" in proc.stderr
    from sim.ensembles import run_ensemble

    with pytest.raises(ConfigError, match="fits in this machine's memory"):
        run_ensemble("baseline", 10**12)


# ---------------------------------------------------------------- a folder with a chunk's name
def test_a_folder_with_a_chunk_s_name_does_not_block_a_resume(tmp_path):
    plan = make_plan(experiment("baseline"), 300)
    out = tmp_path / "sweep"
    run_sweep(plan, out, workers=1, chunk_size=100)
    clean = pd.read_parquet(out / "runs.parquet")
    (out / "runs.parquet").unlink()
    (out / "metadata.json").unlink()
    squatter = out / "chunks" / "runs_0000000100_0000000200.parquet"
    (squatter / "inner").mkdir(parents=True)
    (squatter / "inner" / "x.parquet").write_bytes(b"not a chunk")
    run_sweep(plan, out, workers=1, chunk_size=100)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), clean)
    assert not (out / "chunks").exists()


# ---------------------------------------------------------------- where commands write
@pytest.fixture
def committed(tmp_path):
    """A git checkout holding a copy of sim/ and configs/, with a committed README.md and a
    committed report under results/: (root, environment to run its commands)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "sim", root / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(REPO / "configs", root / "configs")
    shutil.copytree(REPO / "docs" / "exercises", root / "docs" / "exercises")
    (root / "README.md").write_text("the project's README\n")
    (root / "results" / "report").mkdir(parents=True)
    (root / "results" / "report" / "report.md").write_text("the committed report\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "README.md", "results/report/report.md"], check=True)
    return root, env(PYTHONPATH=str(root))


def test_commands_do_not_write_into_the_install_or_over_committed_files(committed, genuine, tmp_path):
    root, environ = committed
    mark = uuid.uuid4().hex[:8]
    inside = {  # new names inside the repository's own install, removed whatever happens
        "sweep_out": REPO / "sim" / f"_attack_{mark}",
        "run_dir": REPO / "configs" / f"_attack_{mark}",
        "record": REPO / "docs" / f"_attack_{mark}.md",
        "analyze_out": REPO / "tests" / f"_attack_{mark}",
    }
    sweep = copy_of(genuine, tmp_path)
    commands = {
        "sweep_out": ["-m", "sim.sweep", "experiment=baseline", "runs=40", "workers=1", f"out={inside['sweep_out']}"],
        "run_dir": ["-m", "sim", f"hydra.run.dir={inside['run_dir']}"],
        "record": ["-m", "sim.play", "--as", "pm", "--record", str(inside["record"])],
        "analyze_out": ["-m", "sim.analyze", str(sweep), "--no-fan", "--quiet", "--out", str(inside["analyze_out"])],
    }
    try:
        results = run_parallel(commands, timeout=240)
    finally:
        for path in inside.values():
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    for proc in results.values():
        assert_one_line_failure(proc, "is not allowed", "part of the project's install")
    tracked = {
        "handout": ["-m", "sim.teach", "handout", "baseline", "--out", str(root / "results" / "report" / "report.md")],
        "report": ["-m", "sim.analyze", str(sweep), "--no-fan", "--quiet", "--out", str(root / "results" / "report")],
    }
    results = run_parallel(tracked, cwd=root, environ=environ, timeout=240)
    for proc in results.values():
        assert_one_line_failure(proc, "is not allowed", "under version control")
    assert (root / "README.md").read_text() == "the project's README\n"
    assert (root / "results" / "report" / "report.md").read_text() == "the committed report\n"


def test_the_python_interface_does_not_write_into_the_install(genuine, tmp_path):
    mark = uuid.uuid4().hex[:8]
    target = REPO / "docs" / f"_attack_{mark}"
    try:
        with pytest.raises(ConfigError, match="part of the project's install"):
            sim.analyze(copy_of(genuine, tmp_path), target, fan=False)
        with pytest.raises(ConfigError, match="part of the project's install"):
            sim.run("baseline", horizon_weeks=4).save(target)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    assert not target.exists()


def test_results_folders_and_folders_outside_the_project_are_allowed(tmp_path):
    from sim.files import check_destination

    for ok in (tmp_path / "anywhere", REPO / "results" / "sweeps" / "x", REPO / "results" / "runs" / "y"):
        assert check_destination(ok, "out") == ok
    for bad in (REPO, REPO / "results", REPO / "sim" / "new", REPO / "README.md", REPO / "results" / "which_conditions"):
        with pytest.raises(ConfigError):
            check_destination(bad, "out")


# ---------------------------------------------------------------- where the calibration writes
CALIBRATE_SMALL = ["sets=40", "replications=2", "workers=1", "chunk_sets=6", "screening.enabled=false"]


def test_the_calibration_writes_neither_into_the_install_nor_late(tmp_path):
    """`scenario_out=configs/scenario/baseline.yaml` replaced the shipped baseline with a file
    whose defaults list itself, `out=sim/...` wrote into the code, and a scenario_out in a
    missing folder failed after the whole calibration: each is refused before any run now.
    Run in a copy of the project, so that code which still writes harms nothing."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "sim", project / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(REPO / "configs", project / "configs")
    baseline = project / "configs" / "scenario" / "baseline.yaml"
    before = baseline.read_text()
    commands = {
        "baseline": ["-m", "sim.calibrate", *CALIBRATE_SMALL, f"out={tmp_path / 'a'}",
                     "scenario_out=configs/scenario/baseline.yaml"],
        "code": ["-m", "sim.calibrate", *CALIBRATE_SMALL, "out=sim/_attack"],
        "missing": ["-m", "sim.calibrate", *CALIBRATE_SMALL, f"out={tmp_path / 'c'}",
                    f"scenario_out={tmp_path / 'missing' / 'calibrated.yaml'}"],
    }
    results = run_parallel(commands, cwd=project, environ=env(PYTHONPATH=str(project)), timeout=300)
    assert_one_line_failure(results["baseline"], "scenario_out = ", "part of the project's install")
    assert_one_line_failure(results["code"], "out = ", "part of the project's install")
    assert_one_line_failure(results["missing"], "scenario_out = ", "an existing folder")
    assert baseline.read_text() == before
    assert not (project / "sim" / "_attack").exists()
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_the_calibration_s_own_places_are_allowed():
    """Its committed report's folder and the calibrated scenario's documented file stay
    writable by the calibration; another command's committed report does not."""
    from types import SimpleNamespace

    from sim.calibrate.pipeline import CALIBRATED_SCENARIO, check_destinations

    check_destinations(SimpleNamespace(out=str(REPO / "results" / "calibration"), scenario_out=str(CALIBRATED_SCENARIO)))
    if shutil.which("git") is not None and (REPO / ".git").exists():
        with pytest.raises(ConfigError, match="under version control"):
            check_destinations(SimpleNamespace(out=str(REPO / "results" / "which_conditions"), scenario_out=None))


# ---------------------------------------------------------------- the calibration's tables and chunks
def stand_in_posterior(path: Path) -> pd.DataFrame:
    """A small posterior as the calibration writes it (with its checksum)."""
    from sim.calibrate.tables import write_table

    df = pd.DataFrame({"point_id": [0, 3, 5], "behaviour.rationality": [4.0, 8.0, 16.0],
                       "sanctions.credibility": [0.2, 0.5, 0.7]})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(df, path, "posterior")
    return df


def set_column(path: Path, name: str, value: float) -> None:
    """Edit one column of a Parquet file in place, keeping its schema metadata (its checksum record)."""
    t = pq.read_table(path)
    pq.write_table(t.set_column(t.column_names.index(name), name, pa.array([value] * t.num_rows))
                   .replace_schema_metadata(t.schema.metadata), path)


def test_an_edited_posterior_is_refused_by_every_reader(tmp_path, monkeypatch):
    """Row 36 of docs/attacks.md: a column of posterior.parquet set to 0.99 was sampled as
    given by `experiment=posterior`. Now the table sampler, the sweep command and
    `which_conditions --posterior` refuse it in one line naming the file and how to compute
    it again; a table without the checksum (written by other code) is refused the same way."""
    monkeypatch.chdir(tmp_path)
    table = "results/calibration/posterior.parquet"
    stand_in_posterior(tmp_path / table)
    exp = dataclasses.replace(experiment_config("posterior"), table=table, points=20)
    plan = make_plan(exp)  # the genuine table is read
    assert set(plan.samples[:, plan.params.index("sanctions.credibility")]) <= {0.2, 0.5, 0.7}

    set_column(tmp_path / table, "sanctions.credibility", 0.99)
    with pytest.raises(ConfigError, match=r"posterior.parquet: its content does not match the checksum.*"
                                          r"python -m sim.calibrate"):
        make_plan(exp)
    environ = env(PYTHONPATH=str(REPO))
    results = run_parallel({
        "sweep": ["-m", "sim.sweep", "experiment=posterior", f"experiment.table={table}", "runs=40", "workers=1",
                  f"out={tmp_path / 'sw'}"],
        "headline": ["-m", "experiments.which_conditions", "--posterior", "--workers", "1"],
    }, cwd=tmp_path, environ=environ, timeout=120)
    assert_one_line_failure(results["sweep"], "sweep error: ", "posterior.parquet", "does not match the checksum",
                            "python -m sim.calibrate")
    assert_one_line_failure(results["headline"], "which_conditions error: ", "posterior.parquet",
                            "does not match the checksum")
    assert not (tmp_path / "sw" / "runs.parquet").exists()
    assert not (tmp_path / "results" / "which_conditions_posterior").exists()

    pd.DataFrame({"point_id": [0], "sanctions.credibility": [0.99]}).to_parquet(tmp_path / table)
    with pytest.raises(ConfigError, match="posterior.parquet: it carries no checksum"):
        make_plan(exp)


def test_the_committed_posterior_carries_its_checksum():
    from sim.calibrate.tables import verify_calibration_table

    record = verify_calibration_table(REPO / "results" / "calibration" / "posterior.parquet")
    assert record["table"] == "posterior" and record["rows"] > 0


def fake_calibration(tmp_path: Path, monkeypatch, scenario_text: str | None = None):
    """A finished calibration's result, small enough to write without running it: three
    sets, two accepted (the report itself left out): (result, settings)."""
    from types import SimpleNamespace

    import numpy as np

    from sim.calibrate import report

    monkeypatch.setattr(report, "write_report", lambda *args: None)
    if scenario_text is not None:
        monkeypatch.setattr(report, "scenario_yaml", lambda r, settings: scenario_text)
    sets = pd.DataFrame({"point_id": [0, 1, 2], "behaviour.rationality": [4.0, 8.0, 9.0],
                         "pattern.early_request": [0.1, 0.2, 0.9], "failed_patterns": ["", "", "early_request"]})
    r = SimpleNamespace(out=tmp_path / "cal", sets=sets, accepted=np.array([True, True, False]),
                        priors=[SimpleNamespace(path="behaviour.rationality")],
                        marginals=pd.DataFrame({"coefficient": ["behaviour.rationality"]}), morris=None, sobol=None)
    settings = SimpleNamespace(posterior_rows=None, experiment=SimpleNamespace(seed=0),
                               scenario_out=str(tmp_path / "calibrated.yaml"))
    return r, settings


def test_the_calibration_s_tables_are_written_with_their_checksum(tmp_path, monkeypatch):
    """posterior.parquet and prior_sets.parquet carry the checksum of their content, as
    runs.parquet does; an edit of either is found."""
    from sim.calibrate.pipeline import write
    from sim.calibrate.tables import verify_calibration_table

    r, settings = fake_calibration(tmp_path, monkeypatch)
    settings.scenario_out = None
    write(r, settings, None)
    for name, rows in (("posterior", 2), ("prior_sets", 3)):
        path = r.out / f"{name}.parquet"
        assert verify_calibration_table(path) == {**verify_calibration_table(path), "table": name, "rows": rows}
        set_column(path, "behaviour.rationality", 999.0)
        with pytest.raises(ConfigError, match=f"{name}.parquet: its content does not match the checksum"):
            verify_calibration_table(path)


def test_a_calibrated_scenario_that_does_not_compose_is_not_written(tmp_path, monkeypatch):
    """The calibrated scenario is composed through the config loader before it replaces the
    file: one that does not compose is refused (on scenario_out, naming the problem) and the
    old file is left as it was; one that composes replaces it."""
    from sim.calibrate.pipeline import write

    shipped = (REPO / "configs" / "scenario" / "calibrated.yaml").read_text()
    bad = shipped.replace("initial_tension: ", "initial_tension: 7", 1)  # 70.85..., outside [0, 1]
    r, settings = fake_calibration(tmp_path, monkeypatch, bad)
    target = tmp_path / "calibrated.yaml"
    target.write_text("the old calibrated scenario\n")
    with pytest.raises(ConfigError, match=r"scenario_out = .*calibrated.yaml.* is not allowed: a calibrated "
                                          r"scenario that composes \(.*initial_tension"):
        write(r, settings, None)
    assert target.read_text() == "the old calibrated scenario\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal", "calibrated.yaml"]  # no temporary file left

    good = shipped.replace("# The baseline", "# A newer calibration: the baseline", 1)
    r, settings = fake_calibration(tmp_path, monkeypatch, good)
    write(r, settings, None)
    assert target.read_text() == good


def tiny_tasks(seed: int = 0) -> list[tuple]:
    """Four chunks of two parameter sets, two runs each, under the baseline's status quo."""
    import numpy as np

    levers = {"status_quo": run_config("baseline", seed)}
    values = np.linspace(2.0, 16.0, 8)[:, None]
    return [(levers, ["behaviour.rationality"], values[a:a + 2], np.arange(a, a + 2), 2, [], None, "set")
            for a in range(0, 8, 2)]


def test_a_changed_copied_or_foreign_calibration_chunk_is_computed_again(tmp_path, capsys):
    """Row 37 of docs/attacks.md: a coefficient of a saved chunk set to 999 was read back as
    it was on the next run. Now a chunk whose content no longer matches its checksum, one
    copied over another position, one from another calibration and one truncated are each
    named in a warning and computed again; the intact one is read back."""
    import shutil as sh

    from sim.calibrate import runner

    out, other = tmp_path / "chunks", tmp_path / "other"
    clean = runner.compute(tiny_tasks(), out, "prior-aaaa", runner.Where(workers=1))
    runner.compute(tiny_tasks(seed=7), other, "prior-bbbb", runner.Where(workers=1))
    capsys.readouterr()
    names = [out / f"prior-aaaa-{i:05d}.parquet" for i in range(4)]
    set_column(names[0], "behaviour.rationality", 999.0)
    sh.copy(names[2], names[1])
    sh.copy(other / "prior-bbbb-00002.parquet", names[2])
    names[3].write_bytes(names[3].read_bytes()[:500])
    again = runner.compute(tiny_tasks(), out, "prior-aaaa", runner.Where(workers=1))
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(warnings) == 4, warnings
    for name, why in zip(names, ("does not match its checksum", "it is chunk 2 of this computation, not chunk 1",
                                 "belongs to another computation", "unreadable")):
        assert any(str(name) in w and why in w and "computing it again" in w for w in warnings), (why, warnings)
    assert (again["behaviour.rationality"] != 999.0).all()
    pd.testing.assert_frame_equal(again, clean)
    assert again.attrs["reused_chunks"] == 0
    once_more = runner.compute(tiny_tasks(), out, "prior-aaaa", runner.Where(workers=1))
    assert once_more.attrs["reused_chunks"] == 4 and capsys.readouterr().err == ""
    pd.testing.assert_frame_equal(once_more, clean)


def calibrate_settings(*overrides: str):
    from sim.calibrate import app  # noqa: F401 - registers the calibration's schema
    from sim.calibrate.schema import CalibrateConfig
    from sim.config import compose_config

    cfg = compose_config("calibrate", list(overrides))
    settings = OmegaConf.to_object(cfg)
    assert isinstance(settings, CalibrateConfig)
    return settings


def test_a_calibration_that_does_not_fit_on_its_disk_is_refused_before_it_starts(tmp_path, monkeypatch):
    """Row 18 of docs/attacks.md: on a nearly full disk the calibration computed its first
    chunk, then failed without naming the folder. Now it is refused before any set is
    computed, naming the folder and the room it needs, as the sweep is."""
    from sim.calibrate import pipeline, runner
    from sim.sweep import resources

    def computed(*args, **kwargs):
        raise AssertionError("a set was computed before the free space was checked")

    monkeypatch.setattr(runner, "compute", computed)
    monkeypatch.setattr(resources, "free_disk", lambda path: 64 * 1024)
    out = tmp_path / "cal"
    settings = calibrate_settings(*CALIBRATE_SMALL, f"out={out}")
    with pytest.raises(ConfigError, match=rf"out = '{out}' is not allowed: a folder on a disk with room for the "
                                          r"calibration: about .* needed"):
        pipeline.calibrate(settings)
    assert not out.exists()
