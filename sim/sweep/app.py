"""`python -m sim.sweep experiment=NAME [runs=N] [engine=batch|mesa] [executor=local|ray] [workers=K] [out=DIR]`

A Hydra app: one job runs a whole experiment (never one replication). Results go to
`out` (default results/sweeps/NAME): runs.parquet and metadata.json.

Exit codes: 0 done (or already complete); 2 refused before any run (a bad setting,
override or declaration, a refused config file, a folder holding something else or in use
by another sweep, not enough memory or disk) or a full or read-only disk, with one line
`sweep error: ...`; 130 Ctrl-C and 143 SIGTERM, 1 a worker or Ray node died: in these three
the finished chunks are kept and running the same command again resumes. Anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..cli import (
    check_hydra_dirs,
    describe_os_error,
    exit_now,
    omegaconf_message,
    progress_bar,
    quiet_logging,
    run_hydra_app,
)
from ..config import CONFIG_DIR, ConfigError, register_configs
from ..config.overrides import check_command_overrides
from ..config.safety import check_command_line
from .schema import SweepConfig, register_sweep_schema

log = logging.getLogger(__name__)
register_configs()
register_sweep_schema()


def main() -> None:
    """The command: check the experiment (and scenario) files the command line selects, then
    let Hydra compose and run the job (`_app`). SIGTERM is handled like Ctrl-C throughout."""
    from .runner import Terminated, sigterm_raises

    args = sys.argv[1:]
    with sigterm_raises():
        try:
            check_command_line(args, "sweep")
            check_hydra_dirs(args)
            check_command_overrides(args, SweepConfig, "sweep", CONFIG_DIR, "python -m sim.sweep")
            if any(a in ("-h", "--help") for a in args):
                from ..config.help import register_help
                from .help import sweep_help

                register_help("sim_sweep", "python -m sim.sweep", sweep_help(CONFIG_DIR))
            run_hydra_app(_app, "sweep", args)
        except ConfigError as err:
            _fail(f"sweep error: {err}")
        except Terminated:
            _fail("terminated (SIGTERM) before the sweep started; nothing was computed", 143)
        except KeyboardInterrupt:
            _fail("interrupted before the sweep started; nothing was computed", 130)


def _fail(message: str, code: int = 2):
    print(message, file=sys.stderr)
    sys.exit(code)


@hydra.main(config_path=str(CONFIG_DIR), config_name="sweep", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    quiet_logging()
    from .job import run_job
    from .runner import SweepFailed, SweepInterrupted

    try:
        sweep: SweepConfig = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        _fail(f"sweep error: {omegaconf_message(err)}")
    exp = sweep.experiment
    out = Path(sweep.out) if sweep.out else None
    try:
        meta, out = run_job(sweep, progress=progress_bar(sweep.progress),
                            resolved_config=OmegaConf.to_container(cfg, resolve=True))
    except ConfigError as err:
        _fail(f"sweep error: {err}")
    except SweepInterrupted as err:
        _fail(str(err), err.exit_code)
    except SweepFailed as err:
        if err.worker_lost:
            exit_now(str(err), err.exit_code)
        _fail(str(err), err.exit_code)
    except OSError as err:
        message = describe_os_error(err)
        if message is None:
            raise
        where = "" if err.filename is not None or out is None else f"cannot write to {out}: "
        _fail(f"sweep error: {where}{message}; finished chunks (if any) are kept, and running the same command "
              "again resumes once the problem is fixed")
    log.info("%s: %d runs in %s (%.1f s, %s runs/s, engine=%s, executor=%s, workers=%d)", exp.name,
             meta["run_count"], out, meta["wall_time_s"], meta["runs_per_second"], meta["engine"],
             meta["executor"], meta["workers"])
