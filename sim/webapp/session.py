"""The model a browser session runs, and the parameters its sliders set.

`ClassroomModel` is the Mesa `NegotiationModel` built from a scenario of configs/scenario/
with a few coefficients set by sliders: the sanctions threat's credibility and magnitude
(F22), the chance that a new PM is very anti-American with a majority (F15), the daily
hazard that a new government forms (F13, F15) and the logit rationality of every actor.
SolaraViz rebuilds it with keyword arguments on Reset, so each keyword is a slider's name
(and `exercise`, the scenario's name).

A Solara server serves sessions from several threads; `sim.config.run_config` composes
configs under a lock and hands each caller its own copy.
"""

from __future__ import annotations

from ..abm.model import NegotiationModel
from ..config import model_params, run_config

#: slider name -> (config key under scenario., label, min, max, step)
SLIDERS = {
    "sanctions_credibility": ("sanctions.credibility", "Sanctions credibility (F22)", 0.0, 1.0, 0.05),
    "sanctions_magnitude": ("sanctions.magnitude", "Sanctions magnitude (F22)", 0.0, 1.0, 0.05),
    "p_anti_american_pm": ("government.p_anti_american_pm", "Chance the new PM is anti-American (F15)", 0.0, 1.0, 0.05),
    "formation_rate": ("government.formation_rate", "Daily chance a government forms (F13)", 0.0, 0.05, 0.001),
    "rationality": ("behaviour.rationality", "Rationality of every actor (logit lambda)", 0.5, 30.0, 0.5),
}

def scenario_text(scenario: str) -> tuple[str, str]:
    """The scenario's title and description, for the picker."""
    sc = run_config(scenario, 0).scenario
    return sc.title, sc.description


def scenario_values(scenario: str) -> dict[str, float]:
    """The scenario's own value of each slider (the sliders start there)."""
    cfg = run_config(scenario, 0)
    out = {}
    for name, (key, *_rest) in SLIDERS.items():
        section, field = key.split(".")
        out[name] = float(getattr(getattr(cfg.scenario, section), field))
    return out


class ClassroomModel(NegotiationModel):
    """A NegotiationModel of one scenario with the sliders' values (None: the scenario's).

    The scenario's keyword is `exercise`: Mesa's Model has a `scenario` attribute of its own
    (mesa.experimental.scenarios), which SolaraViz's Reset would pass in its place."""

    def __init__(self, exercise: str = "baseline", seed: int = 0, sanctions_credibility: float | None = None,
                 sanctions_magnitude: float | None = None, p_anti_american_pm: float | None = None,
                 formation_rate: float | None = None, rationality: float | None = None):
        values = dict(sanctions_credibility=sanctions_credibility, sanctions_magnitude=sanctions_magnitude,
                      p_anti_american_pm=p_anti_american_pm, formation_rate=formation_rate, rationality=rationality)
        overrides = tuple(
            f"scenario.{SLIDERS[name][0]}={float(v)!r}" for name, v in values.items() if v is not None
        )
        cfg = run_config(exercise, int(seed), overrides)
        super().__init__(model_params(cfg), record=True)
        self.config = cfg
        self.settings = {"exercise": exercise, "seed": int(seed), **values}


def model_params_for(scenario: str) -> dict:
    """SolaraViz's `model_params`: the scenario fixed, a seed slider and the sliders,
    each starting at the scenario's own value."""
    start = scenario_values(scenario)
    params: dict = {
        "exercise": scenario,
        "seed": {"type": "SliderInt", "label": "Random seed", "value": 0, "min": 0, "max": 99, "step": 1},
    }
    for name, (_key, label, lo, hi, step) in SLIDERS.items():
        params[name] = {"type": "SliderFloat", "label": label, "value": start[name], "min": lo, "max": hi, "step": step}
    return params
