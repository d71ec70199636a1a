"""An agent-based simulation of the 2020 negotiations over US troops in Iraq.

The Python interface (docs/tutorial.md):

    import sim
    sim.run(scenario="baseline", seed=0, **overrides)          -> sim.Run
    sim.ensemble(scenario, runs, seed=0, **overrides)          -> pandas.DataFrame
    sim.sweep(experiment, runs=None, **options)                -> sim.Sweep
    sim.analyze(sweep_or_folder, ...)                          -> sim.Analysis

The commands: python -m sim (one run), python -m sim.sweep, python -m sim.analyze,
python -m sim.teach, python -m sim.play, python -m sim.bargain, python -m sim.webapp.

`sim.sweep` and `sim.analyze` are also the names of the command packages sim/sweep/ and
sim/analyze/. Python binds a package's attribute to a submodule when it first imports
that submodule, so both packages are imported here first (they are light: their
`__init__` imports nothing heavy), and only then are the names bound to the functions.
Any later import (`import sim.sweep.runner`, `python -m sim.analyze`) finds the packages
already loaded and leaves the names alone. The single-run command lives in
sim/single_run.py, so no module is called `sim.run`.
"""

from . import analyze as _analyze_package  # imported first on purpose; see above
from . import sweep as _sweep_package
from .api import Analysis, Run, Sweep, analyze, ensemble, run, sweep

#: the command packages whose names the functions above take (kept here so they stay imported first)
COMMAND_PACKAGES = (_analyze_package, _sweep_package)

__all__ = ["Analysis", "Run", "Sweep", "analyze", "ensemble", "run", "sweep"]
