"""`python -m sim.calibrate [sets=N] [replications=R] [executor=local|threads|ray] [workers=K] [out=DIR] ...`

A Hydra app (configs/calibrate.yaml, `experiment=calibration` by default): the prior sweep,
approximate Bayesian computation against configs/calibration/patterns.yaml, Morris
screening and Sobol indices; writes DIR/posterior.parquet, DIR/report.md and figures
(default DIR: results/calibration). Bad input (a folder on a disk without room for the
calibration, a calibrated scenario that does not compose, ...): one line `calibrate error:
...`, exit 2; Ctrl-C exits 130 and SIGTERM 143, each with one line naming the folder where
the finished chunks are kept.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..cli import describe_os_error, exit_now, omegaconf_message, progress_bar, quiet_logging, run_hydra_app
from ..config import CONFIG_DIR, ConfigError, register_configs
from ..config.overrides import check_command_overrides
from ..config.safety import check_command_line
from ..sweep.executors import WorkerLost
from .schema import CalibrateConfig, register_calibrate_schema

log = logging.getLogger(__name__)
register_configs()
register_calibrate_schema()


def _fail(message: str, code: int = 2):
    print(message, file=sys.stderr)
    sys.exit(code)


def main() -> None:
    """The command; SIGTERM (what `timeout`, SLURM and containers send) is handled like
    Ctrl-C throughout, as by the sweep: one line, exit 143, the workers stopped."""
    from ..sweep.runner import Terminated, sigterm_raises

    args = sys.argv[1:]
    with sigterm_raises():
        try:
            check_command_line(args, "calibrate")
            check_command_overrides(args, CalibrateConfig, "calibrate", CONFIG_DIR, "python -m sim.calibrate")
            if any(a in ("-h", "--help") for a in args):
                from ..config.help import register_help
                from .help import calibrate_help

                register_help("sim_calibrate", "python -m sim.calibrate", calibrate_help(CONFIG_DIR))
            run_hydra_app(_app, "calibrate", args)
        except ConfigError as err:
            _fail(f"calibrate error: {err}")
        except Terminated:
            _fail(f"terminated (SIGTERM); {_kept()}", 143)
        except KeyboardInterrupt:
            _fail(f"interrupted; {_kept()}", 130)


#: the folder of the calibration's chunks, once its settings are read (for the line said on Ctrl-C or SIGTERM)
_chunks: list = []


def _kept() -> str:
    """What a calibration stopped by a signal keeps, naming its chunks' folder."""
    if not _chunks:
        return "it stopped before its settings were read, so nothing was computed"
    return f"finished chunks are kept in {_chunks[-1]} and the same command resumes"


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    quiet_logging()
    from .pipeline import calibrate

    try:
        settings: CalibrateConfig = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        _fail(f"calibrate error: {omegaconf_message(err)}")
    _chunks.append(Path(settings.out) / "chunks")
    try:
        r = calibrate(settings, progress=progress_bar(settings.progress))
    except ConfigError as err:
        _fail(f"calibrate error: {err}")
    except WorkerLost as err:
        exit_now(f"calibrate stopped: {err}", 1)
    except OSError as err:
        message = describe_os_error(err)
        if message is None:
            raise
        _fail(f"calibrate error: {message}")
    log.info("accepted %d of %d sets (%.2f%%); wrote %s/report.md and posterior.parquet in %.0f s",
             int(r.accepted.sum()), len(r.sets), 100 * r.acceptance_rate, r.out, r.wall_s)
