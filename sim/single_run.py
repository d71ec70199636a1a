"""`python -m sim`: one simulated negotiation as a Hydra app.

    python -m sim                                   # the January 2020 baseline, seed 0
    python -m sim scenario=anti_american_pm seed=7
    python -m sim scenario.sanctions.credibility=0.9 hydra.run.dir=/tmp/run

Writes summary.json, events.md, trajectory.parquet, trajectory.png (.svg, .pdf), config.yaml (the
resolved config) and overrides.yaml (the command line's overrides) into the run folder:
results/runs/SCENARIO/seed_SEED, followed by the other overrides when there are any
(`seed_7__sanctions.credibility=0.9`); with `-m`, results/multirun/TIME/SCENARIO/... by the
same rule. A folder holding a run with another config is never written into
(`sim.run_folders`): the run goes to the next free name, or, for a folder named with
`hydra.run.dir=DIR`, is refused.

Exit codes: 0 done; 2 refused (an unknown key, a wrong type, an override Hydra cannot
read, a value outside its range, a seed outside [0, 2**63), `+key=` on a schema node
(`sim.config.overrides`), a scenario name or file the config edge refuses,
`sim.config.safety`), a folder holding another run, or a folder that cannot be written
(full, read-only, no permission), with one line `config error: ...` or `run error: ...`
and no summary.json.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from .cli import (
    compose_single_run,
    describe_os_error,
    hydra_errors_as_lines,
    omegaconf_message,
    quiet_logging,
    run_hydra_app,
)
from .config import CONFIG_DIR, ConfigError, model_params, register_configs, to_run_config
from .config.overrides import check_command_overrides
from .config.safety import check_command_line, check_name
from .config.schema import RunConfig
from .files import write_text

log = logging.getLogger(__name__)
register_configs()


def main() -> None:
    """The command: check the scenario files the command line selects (names, location,
    size, aliases, interpolations) and the config it composes (`_check_first`), then let
    Hydra compose and run (`_app`)."""
    args = sys.argv[1:]
    try:
        check_command_line(args, "config")
        check_command_overrides(args, RunConfig, "config", CONFIG_DIR, "python -m sim")
        with hydra_errors_as_lines("config", args):
            _check_first(args)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    if any(a in ("-h", "--help") for a in args):
        from .config.help import register_help, run_help

        register_help("sim_run", "python -m sim", run_help(CONFIG_DIR))
    problem = _run_dir_problem(args)
    if problem:
        print(f"run error: cannot write the run folder: {problem}", file=sys.stderr)
        sys.exit(2)
    run_hydra_app(_app, "config", sys.argv[1:])


def _check_first(args) -> None:
    """Compose and validate the run's config before Hydra creates the run folder and writes
    its .hydra/ record into it: a refused value must not leave (or overwrite, in an earlier
    run's folder) a record of a run that never ran. Raises ConfigError."""
    cfg = compose_single_run(str(CONFIG_DIR), "config", args)
    if cfg is None:
        return
    try:
        run_cfg = to_run_config(cfg)
    except OmegaConfBaseException as err:
        raise ConfigError(getattr(err, "full_key", None) or "config", "(composed)", omegaconf_message(err)) from None
    check_name("scenario.name", run_cfg.scenario.name)


_NO_RUN_FLAGS = {"-c", "--cfg", "-h", "--help", "--hydra-help", "-i", "--info", "--shell-completion", "-sc",
                 "-m", "--multirun"}


def _run_dir_problem(args) -> str | None:
    """Hydra creates the run folder and writes into it before the app starts, and reports a
    failure there as a traceback; so try the folder first (`hydra.run.dir=...`, or
    results/runs/) and return one line saying what is wrong, or None."""
    import tempfile

    from .cli import check_hydra_dirs, describe_os_error

    if any(a in ("-h", "--help", "--hydra-help", "-c", "--cfg", "-i", "--info") or a.startswith("--shell-completion")
           for a in args):
        return None
    try:
        check_hydra_dirs(args)
    except ConfigError as err:
        return str(err)
    if any(a.split("=", 1)[0] in _NO_RUN_FLAGS for a in args):
        return None
    given = [a.split("=", 1)[1] for a in args if a.startswith("hydra.run.dir=")]
    target = given[-1] if given else "results/runs"
    target = target.split("${", 1)[0]  # the fixed part of an interpolated folder
    folder = Path(target) if target.endswith("/") or not given or target == given[-1] else Path(target).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write_test_"):
            pass
    except OSError as err:
        return describe_os_error(err) or f"{folder}: {err}"
    return None


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    quiet_logging()
    from .abm.model import NegotiationModel
    from .output import write_run

    try:
        run_cfg = to_run_config(cfg)
        check_name("scenario.name", run_cfg.scenario.name)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    except OmegaConfBaseException as err:
        print(f"config error: {omegaconf_message(err)}", file=sys.stderr)
        sys.exit(2)
    params = model_params(run_cfg)
    resolved = OmegaConf.to_yaml(cfg, resolve=True)
    if run_cfg.seed is None:  # record the entropy drawn so the run can be repeated
        resolved += f"# seed was null; fresh entropy drawn: {params.seed}\n"
    task_overrides = list(HydraConfig.get().overrides.task)
    try:
        out_dir = _run_folder(OmegaConf.to_container(cfg, resolve=True), params.seed, task_overrides)
    except ConfigError as err:
        print(f"run error: {err}", file=sys.stderr)
        sys.exit(2)
    model = NegotiationModel(params, record=True)
    model.config = run_cfg
    model.run()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_text(out_dir / "overrides.yaml", OmegaConf.to_yaml(task_overrides))
        summary = write_run(model, out_dir, resolved)
    except OSError as err:
        message = describe_os_error(err)
        if message is None:
            raise
        print(f"run error: cannot write the run's files: {message}", file=sys.stderr)
        sys.exit(2)
    log.info("outcome: %s (formal request week %s) -> %s", summary["outcome"], summary["formal_request_week"], out_dir)


def _run_folder(config: dict, seed: int, task_overrides: list[str]) -> Path:
    """The run's folder: Hydra's output folder when the command line named it
    (`hydra.run.dir=`, or `hydra.sweep.subdir=` in a multirun), else that folder (the
    scenario's, results/runs/SCENARIO) joined with `sim.run_folders.run_name`; in both
    cases claimed with `sim.run_folders.claim` (ConfigError if named and taken)."""
    from hydra.types import RunMode

    from .run_folders import claim, run_name

    hc = HydraConfig.get()
    option = "hydra.sweep.subdir" if hc.mode == RunMode.MULTIRUN else "hydra.run.dir"
    named = any(o.split("=", 1)[0].lstrip("+") == option for o in hc.overrides.hydra)
    base = Path(hc.runtime.output_dir)
    folder = base if named else base / run_name(seed, task_overrides)
    from .files import check_destination

    check_destination(folder, option)
    folder, moved = claim(folder, config, named_by_user=named, option=option)
    if moved:
        log.warning("%s; this run goes to %s", moved, folder)
    return folder
