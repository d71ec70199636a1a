"""Hostile config files and names are refused (issue 15, case 7, and the empty scenario file
of case 10): a scenario chosen by a path, names with `../` that would write outside
results/, `${oc.env:...}` that would copy a secret into config.yaml, a YAML alias bomb, a
`# @package _global_` header, a symbolic link out of configs/, an empty file. Each is one
line naming the file or key, exit code 2, and nothing written.

Fault injection in a tmp folder: the tests run a copy of the project (sim/ and configs/,
made once per module) with hostile files dropped into its configs/, so the repository's
own configs/ is never touched. Sizes: single runs of `python -m sim` and refusals of
`python -m sim.sweep` (no sweep runs); the alias bomb would expand to 10**9 nodes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from clitools import assert_one_line_failure, lines

from sim.config.safety import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, check_choice, check_config_file
from sim.config.validate import ConfigError

REPO = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-value-for-the-test"

#: a billion laughs: 9 levels of ten aliases each
ALIAS_BOMB = "name: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi"))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's code and configs to drop hostile files into."""
    root = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "sim", root / "sim", ignore=ignore)
    shutil.copytree(REPO / "configs", root / "configs", ignore=ignore)
    return root


def run(project: Path, *args: str, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess:
    """`python -m ARGS` in the project copy (its own sim/ and configs/)."""
    env = dict(os.environ, CI="1", PYTHONPATH=str(project), **extra_env)
    try:
        return subprocess.run([sys.executable, "-m", *args], cwd=project, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"`python -m {' '.join(args)}` still ran after {timeout} s: {err}")


@pytest.fixture
def dropped(project):
    """dropped(group, name, text) writes configs/<group>/<name>.yaml into the copy; removed after the test."""
    made: list[Path] = []

    def drop(group: str, name: str, text: str) -> Path:
        path = project / "configs" / group / f"{name}.yaml"
        path.write_text(text)
        made.append(path)
        return path

    yield drop
    for path in made:
        path.unlink(missing_ok=True)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def no_results(project: Path) -> None:
    assert not list((project / "results").rglob("summary.json")) if (project / "results").exists() else True


# ---------------------------------------------------------------- names and paths
def test_scenario_chosen_by_a_path_is_refused(project, tmp_path):
    """`scenario=../../x` would load a YAML file outside configs/ (the old code did)."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(project / "configs" / "scenario" / "max_pressure.yaml", outside / "evil.yaml")
    rel = os.path.relpath(outside / "evil", project / "configs" / "scenario")
    proc = run(project, "sim", f"scenario={rel}", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_failure(proc, f"config error: scenario = '{rel}' is not allowed: a name of letters")
    assert not (tmp_path / "run" / "summary.json").exists()


def test_scenario_name_with_dots_cannot_write_outside_results(project):
    """`scenario.name=../../escape`: the default run folder results/runs/${scenario.name}/...
    would lie outside results/ (the old code wrote there)."""
    proc = run(project, "sim", "scenario.name=../../escaped_run")
    assert_one_line_failure(proc, "config error: scenario.name = '../../escaped_run' is not allowed")
    assert not (project / "escaped_run").exists()
    no_results(project)


def test_scenario_file_declaring_a_path_as_its_name_is_refused(project, dropped):
    path = dropped("scenario", "sneaky", "defaults:\n  - baseline\n  - _self_\nname: ../../escaped_file\n")
    proc = run(project, "sim", "scenario=sneaky")
    assert_one_line_failure(proc, f"config error: {path}: name = '../../escaped_file' is not allowed")
    assert not (project / "escaped_file").exists()


def test_experiment_name_with_dots_cannot_write_outside_results(project):
    """The sweep's default folder is results/sweeps/<experiment name>."""
    proc = run(project, "sim.sweep", "experiment=baseline", "experiment.name=../../escaped_sweep", "runs=10")
    assert_one_line_failure(proc, "sweep error: experiment.name = '../../escaped_sweep' is not allowed")
    assert not (project / "escaped_sweep").exists()
    assert files_under(project / "results" / "sweeps") == []


def test_symbolic_link_out_of_configs_is_refused(project, tmp_path):
    target = tmp_path / "outside.yaml"
    shutil.copyfile(project / "configs" / "scenario" / "max_pressure.yaml", target)
    link = project / "configs" / "scenario" / "linked.yaml"
    link.symlink_to(target)
    try:
        proc = run(project, "sim", "scenario=linked", f"hydra.run.dir={tmp_path / 'run'}")
    finally:
        link.unlink()
    assert_one_line_failure(proc, "config error: scenario file = ", "is not allowed: a file inside")
    assert not (tmp_path / "run").exists()


def test_config_folder_cannot_be_changed_from_the_command_line(project, tmp_path):
    proc = run(project, "sim", f"--config-dir={tmp_path}", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_failure(proc, "config error: --config-dir = ", "configs are read only from the project's")


# ---------------------------------------------------------------- contents
def test_env_resolver_in_a_scenario_title_is_refused_and_no_secret_is_written(project, dropped, tmp_path):
    """`${oc.env:...}` in a scenario file would be resolved and written in plain text into
    config.yaml (the old code did)."""
    path = dropped("scenario", "leaky", "defaults:\n  - baseline\n  - _self_\nname: leaky\n"
                                        "title: ${oc.env:SIM_TEST_SECRET}\n")
    proc = run(project, "sim", "scenario=leaky", f"hydra.run.dir={tmp_path / 'run'}", SIM_TEST_SECRET=SECRET)
    assert_one_line_failure(proc, f"config error: {path}: title = '${{oc.env:SIM_TEST_SECRET}}' is not allowed",
                            "interpolations")
    assert SECRET not in proc.stdout + proc.stderr
    for f in (tmp_path / "run").rglob("*") if (tmp_path / "run").exists() else []:
        assert not f.is_file() or SECRET not in f.read_text(errors="replace"), f


def test_yaml_alias_bomb_is_refused_at_once(project, dropped, tmp_path):
    """A billion-laughs file: refused in seconds (the old code ran for minutes and hundreds
    of MB)."""
    path = dropped("scenario", "bomb", ALIAS_BOMB)
    t0 = time.monotonic()
    proc = run(project, "sim", "scenario=bomb", f"hydra.run.dir={tmp_path / 'run'}", timeout=90)
    assert_one_line_failure(proc, f"config error: scenario file = '{path}' is not allowed: at most")
    assert time.monotonic() - t0 < 60


def test_package_header_cannot_reach_hydra_settings(project, dropped, tmp_path):
    """`# @package _global_` would let a scenario file set hydra.run.dir (or any key)."""
    hijacked = tmp_path / "hijacked"
    path = dropped("scenario", "global_one", f"# @package _global_\nhydra:\n  run:\n    dir: {hijacked}\n")
    proc = run(project, "sim", "scenario=global_one", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_failure(proc, f"config error: {path}: # @package _global_ = '_global_' is not allowed")
    assert not hijacked.exists()


def test_target_key_in_an_experiment_file_is_refused(project, dropped):
    path = dropped("experiment", "factory", "name: factory\nlevers:\n  x:\n    _target_: os.system\n")
    proc = run(project, "sim.sweep", "experiment=factory")
    assert_one_line_failure(proc, f"sweep error: {path}: levers.x._target_ = '_target_' is not allowed")


def test_empty_scenario_file_is_one_line(project, dropped, tmp_path):
    """Case 10: an empty scenario file gave a traceback."""
    path = dropped("scenario", "blank", "")
    proc = run(project, "sim", "scenario=blank", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line_failure(proc, f"config error: scenario file = '{path}' is not allowed: a non-empty YAML mapping")
    assert "Traceback" not in proc.stderr


def test_the_front_door_refuses_a_hostile_file_too(project, dropped):
    """sim.teach (through sim.config.run_config) reads the same files: refused in one line."""
    dropped("scenario", "leaky2", "defaults:\n  - baseline\n  - _self_\nname: leaky2\ntitle: ${oc.env:HOME}\n")
    proc = run(project, "sim.teach", "run", "leaky2", "--runs", "10")
    assert proc.returncode == 2 and len(lines(proc.stderr)) == 1, proc.stderr[-2000:]
    assert "interpolations" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- the checks in-process
def scenario_root(tmp_path: Path, text: str, name: str = "x") -> Path:
    (tmp_path / "scenario").mkdir(exist_ok=True)
    (tmp_path / "scenario" / f"{name}.yaml").write_bytes(text.encode() if isinstance(text, str) else text)
    return tmp_path


@pytest.mark.parametrize("text, allowed", [
    ("name: x\n" + "y: " + "z" * MAX_FILE_BYTES + "\n", f"at most {MAX_FILE_BYTES} bytes"),
    ("name: x\n" + "".join(f"k{i}: &a{i} 1\nr{i}: *a{i}\n" for i in range(MAX_ALIASES + 1)), f"at most {MAX_ALIASES}"),
    ("name: x\nd: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n", f"at most {MAX_DEPTH} levels"),
    ("- a\n- b\n", "a YAML mapping"),
    ("name: x\nbad: [\n", "valid YAML"),
    ("name: x\nv: !!python/object:os.system {}\n", "plain YAML data"),
    ("name: x\nt: \"a\\0b\"\n".replace("\\0", "\0"), "without NUL"),
], ids=["size", "aliases", "depth", "not_a_mapping", "syntax", "python_tag", "nul"])
def test_file_checks(tmp_path, text, allowed):
    root = scenario_root(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        check_choice("scenario", "x", root)
    assert allowed in info.value.allowed, info.value


def test_defaults_may_name_only_files_of_the_same_folder(tmp_path):
    for entry in ("../experiment/conditions", "override hydra/launcher: basic", "/scenario/baseline"):
        root = scenario_root(tmp_path, yaml.safe_dump({"defaults": [entry, "_self_"], "name": "x"}))
        with pytest.raises(ConfigError) as info:
            check_choice("scenario", "x", root)
        assert "defaults" in info.value.key and info.value.value == entry


def test_the_shipped_files_pass(tmp_path):
    for group in ("scenario", "experiment"):
        for path in sorted((REPO / "configs" / group).glob("*.yaml")):
            info = check_config_file(path, group)
            assert info["name"] == path.stem, path
