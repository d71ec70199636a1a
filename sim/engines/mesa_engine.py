"""The Mesa engine: runs of the Mesa model one after another, recording only the summary,
in the same columns as `batch.simulate`."""

from __future__ import annotations

import numpy as np

from ..abm.model import NegotiationModel
from ..model.params import ModelParams


def simulate(p: ModelParams, run_ids) -> dict[str, np.ndarray]:
    """Summaries of runs `run_ids`; `p` may hold per-run arrays (one value per run id)."""
    run_ids = np.asarray(run_ids)
    states, weeks = [], []
    for i, rid in enumerate(run_ids):
        model = NegotiationModel(p.row(i), run_index=int(rid), record=False)
        model.run()
        states.append(model.state)
        weeks.append(model.week)

    def col(name):
        return np.concatenate([getattr(s, name) for s in states])

    return {
        "outcome": col("outcome").astype(np.int8),
        "formal_request_week": col("request_week"),
        "withdrawal_complete_week": col("withdrawal_complete_week"),
        "final_troops": np.round(col("troops"), 6),
        "final_iran_influence": np.round(col("iran_influence"), 6),
        "sanctions_imposed": col("sanctions_imposed"),
        "resolutions_passed": col("resolutions_passed"),
        "pm_changes": col("pm_changes"),
        "weeks_simulated": np.array(weeks, dtype=np.int64),
    }
