"""The batch engine: the stage functions of `sim.model.stages` over many runs at once.

Runs step in lockstep, week by week, in the configured stage order. After the horizon,
only the runs whose formal request's clock is still running go on (as a sub-state), so
every run ends exactly when its Mesa twin does. Random numbers are keyed by
(root seed, run index, week, purpose), so run i gives the same summary here as
`NegotiationModel(params, run_index=i)`.
"""

from __future__ import annotations

import numpy as np

from ..model import draws, outcomes, stages
from ..model.params import ModelParams
from ..model.state import State, initial_state, still_running

SUMMARY_COLUMNS = (
    "outcome", "formal_request_week", "withdrawal_complete_week", "final_troops", "final_iran_influence",
    "sanctions_imposed", "resolutions_passed", "pm_changes", "weeks_simulated",
)


def _week(s: State, p: ModelParams, week: int, keys: np.ndarray) -> None:
    for name in p.step_order:
        stages.STAGES[name](s, p, week, keys)


def simulate(p: ModelParams, run_ids) -> dict[str, np.ndarray]:
    """Summaries of runs `run_ids` (any integers >= 0), as columns of equal length.

    Week columns hold -1 where the event did not happen (None in a Mesa summary).
    """
    run_ids = np.asarray(run_ids, dtype=np.uint64)
    keys = draws.run_key(p.seed, run_ids)
    s = initial_state(p, run_ids.size)
    weeks_simulated = np.zeros(run_ids.size, dtype=np.int64)
    active = np.arange(run_ids.size)
    p_active = p
    week = 0
    while active.size:
        week += 1
        if active.size == run_ids.size:
            _week(s, p, week, keys)
            sub = s
        else:
            sub = s.take(active)
            _week(sub, p_active, week, keys[active])
        going = still_running(sub, week, p.horizon_weeks)
        stopped = ~going
        if stopped.any():
            stages.finish_rows(sub, stopped)
        weeks_simulated[active[stopped]] = week
        if sub is not s:
            s.put(active, sub)
        if not going.all():
            active = active[going]
            p_active = p.take(active)
    return {
        "outcome": s.outcome.astype(np.int8),
        "formal_request_week": s.request_week,
        "withdrawal_complete_week": s.withdrawal_complete_week,
        "final_troops": np.round(s.troops, 6),
        "final_iran_influence": np.round(s.iran_influence, 6),
        "sanctions_imposed": s.sanctions_imposed,
        "resolutions_passed": s.resolutions_passed,
        "pm_changes": s.pm_changes,
        "weeks_simulated": weeks_simulated,
    }


def summaries(p: ModelParams, run_ids, scenario: str) -> list[dict]:
    """The same numbers as `NegotiationModel.summary()` dicts, one per run (for comparisons)."""
    cols = simulate(p, run_ids)
    rows = []
    for i, rid in enumerate(np.asarray(run_ids)):
        rows.append({
            "outcome": outcomes.OUTCOMES[int(cols["outcome"][i])],
            "formal_request_week": int(cols["formal_request_week"][i]) if cols["formal_request_week"][i] >= 0 else None,
            "withdrawal_complete_week": (
                int(cols["withdrawal_complete_week"][i]) if cols["withdrawal_complete_week"][i] >= 0 else None
            ),
            "final_troops": float(cols["final_troops"][i]),
            "final_iran_influence": float(cols["final_iran_influence"][i]),
            "sanctions_imposed": bool(cols["sanctions_imposed"][i]),
            "resolutions_passed": int(cols["resolutions_passed"][i]),
            "pm_changes": int(cols["pm_changes"][i]),
            "seed": int(p.seed),
            "scenario": scenario,
            "run_index": int(rid),
            "weeks_simulated": int(cols["weeks_simulated"][i]),
        })
    return rows
