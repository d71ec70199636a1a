"""The Mesa engine: runs of the Mesa model one after another, recording only the summary,
in the same columns as `batch.simulate`."""

from __future__ import annotations

import numpy as np

from ..abm.model import NegotiationModel
from ..model.params import ModelParams
from ..model.state import summary_columns


def simulate(p: ModelParams, run_ids) -> dict[str, np.ndarray]:
    """Summaries of runs `run_ids`; `p` may hold per-run arrays (one value per run id)."""
    run_ids = np.asarray(run_ids)
    states, days = [], []
    for i, rid in enumerate(run_ids):
        model = NegotiationModel(p.row(i), run_index=int(rid), record=False)
        model.run()
        states.append(model.state)
        days.append(model.day)

    parts = [summary_columns(st, [d]) for st, d in zip(states, days)]
    return {key: np.concatenate([c[key] for c in parts]) for key in parts[0]}
