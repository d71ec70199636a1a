"""The Mesa model shaped for `mesa.batch_run` (a module-level class, so spawned processes
can import it): `rng` picks the run index of the baseline scenario with root seed 0, and a
DataCollector records the summary when the run ends."""

from __future__ import annotations

import functools

import mesa

from sim.abm.model import NegotiationModel


@functools.cache
def baseline_params():
    from sim.config import run_params

    return run_params("baseline", seed=0)


class BatchRunModel(NegotiationModel):
    def __init__(self, rng=None):
        super().__init__(baseline_params(), run_index=int(rng), record=False)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.summary()[k]) for k in ("run_index", "outcome")}
        )

    def step(self):
        super().step()
        if not self.running:  # batch_run reads what the DataCollector recorded last
            self.datacollector.collect(self)
