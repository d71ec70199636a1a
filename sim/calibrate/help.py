"""`python -m sim.calibrate --help`, from the schema (`sim.config.help` builds the parts)."""

from __future__ import annotations

from pathlib import Path

from ..config.experiment import ExperimentConfig
from ..config.help import experiment_lines, option_lines, template
from .schema import CalibrateConfig


def calibrate_help(config_dir: Path) -> str:
    intro = [
        "python -m sim.calibrate: calibrate the model's behavioural coefficients against the article's",
        "statements (configs/calibration/patterns.yaml) by rejection ABC: a prior sweep of parameter",
        "sets (configs/calibration/priors.yaml), each run under the patterns' levers, then Morris",
        "screening and Sobol indices. Writes OUT/posterior.parquet, prior_sets.parquet, report.md and",
        "figures (default OUT: results/calibration). The sets are saved in verified chunks under",
        "OUT/chunks as they finish: an interrupted calibration (Ctrl-C, SIGTERM, kill -9, a lost worker",
        "or Ray node) resumes when the same command is run again and gives the same posterior; a",
        "chunk that is not this calibration's, intact, is computed again; a second calibration into a",
        "folder in use is refused.",
        "",
        "Usage: python -m sim.calibrate [sets=N] [replications=R] [executor=local|threads|ray] [workers=K]",
        "                               [out=DIR] [scenario_out=FILE.yaml] [screening.enabled=false] ...",
        "  python -m sim.calibrate sets=200000 scenario_out=configs/scenario/calibrated.yaml",
        "  python -m sim.calibrate sets=20000 screening.enabled=false out=/tmp/cal_quick",
        "  python -m sim.calibrate executor=ray ray_address=10.0.0.1:6379 workers=64",
    ]
    sections = [
        ("Experiments (experiment=NAME): the prior sweep's scenario, seed, horizon and levers",
         experiment_lines(config_dir)),
        ("Options (KEY=VALUE): default, allowed values; then the meaning",
         option_lines(CalibrateConfig, skip=("experiment",))),
        ("Experiment keys (experiment.KEY=VALUE); configs/experiment/calibration.yaml sets them",
         option_lines(ExperimentConfig, "experiment.", missing="(set by the experiment file)",
                      skip=("experiment.uncertainties",))),
    ]
    return template(sections, intro, 'Read next: README.md, section "Calibration: what January 2020 told us"; '
                                     "results/calibration/report.md for the last run.")
