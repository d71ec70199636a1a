"""`python -m sim`: one simulated negotiation as a Hydra app.

    python -m sim                                   # the January 2020 baseline, seed 0
    python -m sim scenario=anti_american_pm seed=7
    python -m sim scenario.sanctions.credibility=0.9 hydra.run.dir=/tmp/run

Writes summary.json, events.md, trajectory.parquet, trajectory.png and config.yaml (the
resolved config) into the run folder (default results/runs/SCENARIO/seed_SEED).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from .config.build import model_params, to_run_config
from .config.store import CONFIG_DIR, register_configs
from .config.validate import ConfigError

logging.getLogger("MESA").setLevel(logging.WARNING)
log = logging.getLogger(__name__)
register_configs()


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    from .abm.model import NegotiationModel
    from .output import write_run

    try:
        run_cfg = to_run_config(cfg)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    params = model_params(run_cfg)
    model = NegotiationModel(params, record=True, scenario_name=run_cfg.scenario.name,
                             start_date=run_cfg.start_date, step_days=run_cfg.step_days)
    model.config = run_cfg
    model.run()
    resolved = OmegaConf.to_yaml(cfg, resolve=True)
    if run_cfg.seed is None:  # record the entropy drawn so the run can be repeated
        resolved += f"# seed was null; fresh entropy drawn: {params.seed}\n"
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    summary = write_run(model, out_dir, resolved)
    log.info("outcome: %s (formal request week %s) -> %s", summary["outcome"], summary["formal_request_week"], out_dir)
