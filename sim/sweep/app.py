"""`python -m sim.sweep experiment=NAME [runs=N] [engine=batch|mesa] [executor=local|ray] [workers=K] [out=DIR]`

A Hydra app: one job runs a whole experiment (never one replication). Results go to
`out` (default results/sweeps/NAME): runs.parquet and metadata.json.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from ..config.store import CONFIG_DIR, register_configs
from ..config.validate import ConfigError
from .schema import SweepConfig

logging.getLogger("MESA").setLevel(logging.WARNING)
log = logging.getLogger(__name__)
register_configs()
ConfigStore.instance().store(name="sweep_schema", node=SweepConfig)


def _progress_default(flag) -> bool:
    if flag is not None:
        return bool(flag)
    return sys.stderr.isatty() and not os.environ.get("CI")


@hydra.main(config_path=CONFIG_DIR, config_name="sweep", version_base="1.3")
def main(cfg: DictConfig) -> None:
    from .plan import make_plan
    from .runner import SweepInterrupted, run_sweep

    sweep: SweepConfig = OmegaConf.to_object(cfg)
    exp = sweep.experiment
    try:
        plan = make_plan(exp, sweep.runs)
        out = Path(sweep.out or f"results/sweeps/{exp.name}")
        meta = run_sweep(
            plan, out, engine=sweep.engine, executor=sweep.executor, workers=sweep.workers,
            chunk_size=sweep.chunk_size, progress=_progress_default(sweep.progress), ray_address=sweep.ray_address,
            overwrite=sweep.overwrite, resolved_config=OmegaConf.to_container(cfg, resolve=True),
        )
    except ConfigError as err:
        print(f"sweep error: {err}", file=sys.stderr)
        sys.exit(2)
    except SweepInterrupted as err:
        print(str(err), file=sys.stderr)
        sys.exit(130)
    log.info("%s: %d runs in %s (%.1f s, %s runs/s, engine=%s, executor=%s, workers=%d)", exp.name,
             meta["run_count"], out, meta["wall_time_s"], meta["runs_per_second"], meta["engine"],
             meta["executor"], meta["workers"])
