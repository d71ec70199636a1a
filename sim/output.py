"""Writing one run's results: summary.json, events.md, trajectory.parquet, trajectory.png
and the resolved config. Files are written under temporary names and renamed when
complete; summary.json comes last, so a folder with a summary.json is a finished run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .abm import story
from .abm.model import NegotiationModel
from .files import atomic_write, write_text

OUTCOME_MEANING = {
    "no_request": "Baghdad never made a formal request and no drawdown was agreed.",
    "negotiated_drawdown": "no formal request, but Washington and Baghdad agreed a partial drawdown.",
    "request_withdrawn": "Baghdad made a formal request and later took it back.",
    "withdrawal_completed": "the last US troops left within the year after the formal request.",
    "occupation": "US troops were still in Iraq when the year after the formal request ran out.",
}


def summary_json(summary: dict) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def events_markdown(model: NegotiationModel) -> str:
    """events.md: the run as a story (`sim.abm.story.story_markdown`)."""
    return story.story_markdown(model, OUTCOME_MEANING)


def trajectory_frame(model: NegotiationModel) -> pd.DataFrame:
    df = model.trajectory()
    df["days_left"] = df["days_left"].astype("Int64")
    return df


def write_run(model: NegotiationModel, out_dir: Path, resolved_config_yaml: str | None = None) -> dict:
    """Write every result file of a finished run into out_dir; return the summary."""
    from .plots import trajectory_figure
    from .style import save_figure_as

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = model.summary()
    (out_dir / "summary.json").unlink(missing_ok=True)  # a stale summary must not outlive a new run
    if resolved_config_yaml is not None:
        write_text(out_dir / "config.yaml", resolved_config_yaml)
    df = trajectory_frame(model)
    atomic_write(out_dir / "trajectory.parquet", lambda t: df.to_parquet(t, index=False, engine="pyarrow"))
    write_text(out_dir / "events.md", events_markdown(model))
    fig = trajectory_figure(df, model)  # drawn once, saved for screens (PNG) and for papers (vector)
    for fmt in ("png", "svg", "pdf"):
        atomic_write(out_dir / f"trajectory.{fmt}", lambda t, fmt=fmt: save_figure_as(fig, t, fmt))
    write_text(out_dir / "summary.json", summary_json(summary))
    return summary
