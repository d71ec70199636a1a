"""A Hydra callback that turns a multirun launching no job into an error (for example
`glob(*)` over a plain value silently yields an empty sweep).

Hydra callbacks live here, at the top of the package, because configs name them by a
`_target_` path that Hydra resolves by attribute lookup from `sim`; `sim.sweep` and
`sim.analyze` are functions of the Python interface (sim/__init__.py), so a path through
them (`sim.sweep.guard...`) would not resolve. tests/test_python_interface.py checks that
every `_target_` of configs/ resolves."""

from __future__ import annotations

import sys

from hydra.experimental.callback import Callback


class EmptySweepGuard(Callback):
    def __init__(self) -> None:
        self.jobs = 0

    def on_job_start(self, config, **kwargs) -> None:
        self.jobs += 1

    def on_multirun_end(self, config, **kwargs) -> None:
        if self.jobs == 0:
            print("sweep error: this multirun launched no job; check the sweep overrides "
                  "(e.g. glob(*) over a plain value selects nothing)", file=sys.stderr)
            sys.exit(2)
