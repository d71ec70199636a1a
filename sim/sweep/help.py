"""`python -m sim.sweep --help`, from the schema (`sim.config.help` builds the parts)."""

from __future__ import annotations

from pathlib import Path

from ..config.experiment import ExperimentConfig, UncertaintyConfig
from ..config.help import experiment_lines, option_lines, scenario_lines, template
from .schema import SweepConfig


def sweep_help(config_dir: Path) -> str:
    intro = [
        "python -m sim.sweep: run a declared experiment (configs/experiment/NAME.yaml) as a sweep of",
        "many runs, written to results/sweeps/NAME/ (runs.parquet, metadata.json; runs.csv with",
        "format=csv; series.parquet with record.weeks). One Hydra job runs a whole experiment; a",
        "folder holding another sweep is refused, and an interrupted sweep resumes when run again.",
        "",
        "Usage: python -m sim.sweep experiment=NAME [runs=N] [workers=K] [out=DIR] [KEY=VALUE ...]",
        "  python -m sim.sweep experiment=baseline runs=1000000",
        "  python -m sim.sweep experiment=conditions format=csv 'record.weeks=[52,104]'",
        "  python -m sim.sweep experiment=conditions experiment.seed=3 out=/tmp/conditions_seed3",
    ]
    sections = [
        ("Experiments (experiment=NAME)", experiment_lines(config_dir)),
        ("Scenarios an experiment can start from (experiment.scenario=NAME)", scenario_lines(config_dir)),
        ("Options (KEY=VALUE): default, allowed values; then the meaning",
         option_lines(SweepConfig, skip=("experiment",))),
        ("Experiment keys (experiment.KEY=VALUE); each experiment file sets its own values",
         [*option_lines(ExperimentConfig, "experiment.", missing="(set by the experiment file)"),
          *option_lines(UncertaintyConfig, "experiment.uncertainties.N."),
          "  A lever or an uncertainty names scenario coefficients: python -m sim --help lists them with",
          "  their ranges and sources."]),
    ]
    return template(sections, intro, 'Read next: README.md, section "Sweeps"; then "Which conditions produce a '
                                     'formal request: the analysis" for python -m sim.analyze.')
