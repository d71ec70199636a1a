"""The numbers the model math runs on: plain attributes and arrays, never config nodes.

`ModelParams` is built once at the edge (`sim.config.model_params`) from a validated
config. Its sections (world, sanctions, government, washington, tehran, parliament,
behaviour) expose the coefficients as attributes; in sweeps a coefficient may be an array
with one value per run, and every function broadcasts over it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FactionTable:
    """Baghdad's factions as arrays over a factions axis F (in config order)."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    seats: np.ndarray  # (F,) or (R, F) in sweeps over seat shares
    ideal_position: np.ndarray
    salience: np.ndarray
    tension_sensitivity: np.ndarray
    security_weight: np.ndarray
    sanctions_exposure: np.ndarray
    linkage_weight: np.ndarray
    iran_alignment: np.ndarray
    street_responsiveness: np.ndarray
    mobilising_power: np.ndarray
    can_boycott: np.ndarray
    rationality: np.ndarray  # NaN: behaviour.rationality

    @property
    def size(self) -> int:
        return len(self.names)

    def take(self, rows: np.ndarray) -> "FactionTable":
        """Rows of per-run (R, F) attributes; (F,) attributes are shared and kept."""
        changes = {
            f.name: getattr(self, f.name)[rows]
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), np.ndarray) and getattr(self, f.name).ndim == 2
        }
        return dataclasses.replace(self, **changes) if changes else self

    def column(self, attr: str, j: int) -> np.ndarray:
        """Attribute `attr` of faction j, as a scalar or a per-run (R,) array."""
        a = getattr(self, attr)
        return a[..., j]


@dataclass(frozen=True)
class ModelParams:
    seed: int
    horizon_days: int                   # calendar days from the start date in which a request can be made
    step_order: tuple[str, ...]
    world: Any
    sanctions: Any
    government: Any
    washington: Any
    tehran: Any
    parliament: Any
    behaviour: Any
    factions: FactionTable
    scenario_name: str = "custom"
    start_date: dt.date = dt.date(2020, 1, 6)   # the date of day 0
    step_days: int = 7                          # calendar days one step stands for (the resolution)

    @property
    def horizon_steps(self) -> int:
        """Steps that cover the horizon: the last one contains day `horizon_days`."""
        return -(-self.horizon_days // self.step_days)

    def day(self, step: int) -> int:
        """The day (since the start date) at the end of step `step` (step 0 = day 0)."""
        return int(step) * self.step_days

    def date_of_day(self, day: int) -> dt.date:
        """The calendar date of a day since the start date."""
        return self.start_date + dt.timedelta(days=int(day))

    def step_date(self, step: int) -> dt.date:
        """The calendar date at the end of a step."""
        return self.date_of_day(self.day(step))

    def take(self, rows: np.ndarray) -> "ModelParams":
        """The parameters of a subset of runs: per-run (R,) arrays are indexed, scalars kept."""
        changes = {}
        for name in SECTIONS:
            section = getattr(self, name)
            per_run = {
                f.name: getattr(section, f.name)[rows]
                for f in dataclasses.fields(section)
                if isinstance(getattr(section, f.name), np.ndarray)
            }
            if per_run:
                changes[name] = dataclasses.replace(section, **per_run)
        return dataclasses.replace(self, factions=self.factions.take(rows), **changes)

    def row(self, i: int) -> "ModelParams":
        """The scalar parameters of run i (per-run arrays indexed; shared values kept)."""
        changes = {}
        for name in SECTIONS:
            section = getattr(self, name)
            per_run = {
                f.name: getattr(section, f.name)[i].item()
                for f in dataclasses.fields(section)
                if isinstance(getattr(section, f.name), np.ndarray)
            }
            if per_run:
                changes[name] = dataclasses.replace(section, **per_run)
        fa = self.factions
        per_run_f = {
            f.name: getattr(fa, f.name)[i]
            for f in dataclasses.fields(fa)
            if isinstance(getattr(fa, f.name), np.ndarray) and getattr(fa, f.name).ndim == 2
        }
        if per_run_f:
            changes["factions"] = dataclasses.replace(fa, **per_run_f)
        return dataclasses.replace(self, **changes) if changes else self


SECTIONS = ("world", "sanctions", "government", "washington", "tehran", "parliament", "behaviour")
