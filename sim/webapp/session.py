"""The model a browser session runs, and the settings its controls set.

`ClassroomModel` is the Mesa `NegotiationModel` built from a scenario of configs/scenario/
with Washington's strategy (a lever of the `conditions` experiment: the status quo, quiet
diplomacy F19, maximum pressure F17, F22) and a few coefficients set by sliders: the ISIS
threat (F1, F20), the sanctions threat's credibility and magnitude (F22), the chance that a
new PM is very anti-American with a majority (F15), the daily hazard that a new government
forms (F13, F15) and the logit rationality of every actor. `settings_overrides` turns the
controls into the config overrides of `python -m sim`, so the same run can be repeated on
the command line.

A Solara server serves sessions from several threads; `sim.config.run_config` composes
configs under a lock and hands each caller its own copy. Nothing here is shared between
sessions: each builds its own model.
"""

from __future__ import annotations

from ..abm.model import NegotiationModel
from ..config import experiment_config, model_params, run_config

#: slider name -> (config key under scenario., label, min, max, step, format)
SLIDERS = {
    "isis_mean": ("world.isis_mean", "ISIS threat in the long run (F1, F20)", 0.0, 1.0, 0.05, "{:.2f}"),
    "sanctions_credibility": ("sanctions.credibility", "How believable the sanctions threat is (F22)", 0.0, 1.0, 0.05,
                              "{:.2f}"),
    "sanctions_magnitude": ("sanctions.magnitude", "How much sanctions would hurt (F22)", 0.0, 1.0, 0.05, "{:.2f}"),
    "p_anti_american_pm": ("government.p_anti_american_pm", "Chance a new PM is anti-American (F15)", 0.0, 1.0,
                           0.05, "{:.2f}"),
    "formation_rate": ("government.formation_rate", "Daily chance a new government forms (F13)", 0.0, 0.05, 0.0001,
                       "{:.4f}"),
    "rationality": ("behaviour.rationality", "How strictly actors follow their interests (rationality)", 0.5, 30.0,
                    0.5, "{:.1f}"),
}
#: the experiment whose levers are Washington's strategies
STRATEGY_EXPERIMENT = "conditions"
STRATEGY_WORDS = {
    "status_quo": "as in the scenario",
    "quiet_diplomacy": "quiet diplomacy: no public threats or linkage (F19)",
    "maximum_pressure": "maximum pressure: threats and linkage that stay live (F17, F22)",
}
#: what the strategy menu shows for each lever
STRATEGY_LABELS = {"status_quo": "As in the scenario", "quiet_diplomacy": "Quiet diplomacy",
                   "maximum_pressure": "Maximum pressure"}


def strategy_label(name: str) -> str:
    return STRATEGY_LABELS.get(name, name.replace("_", " ").capitalize())


def strategy_of(label: str) -> str:
    """The lever named by a menu label (or by its own name)."""
    for name in strategies():
        if strategy_label(name) == label or name == label:
            return name
    raise ValueError(f"strategy {label!r} is not one of {', '.join(strategy_label(n) for n in strategies())}")


def strategies() -> dict[str, dict]:
    """Washington's strategies: the levers of configs/experiment/conditions.yaml, name ->
    {dotted key under scenario.: value}."""
    return dict(experiment_config(STRATEGY_EXPERIMENT).levers)


def pending(settings: dict, applied: dict) -> bool:
    """Whether the controls differ from the applied settings by more than a slider's
    rounding (half its step)."""
    if any(settings[k] != applied[k] for k in ("scenario", "strategy", "seed")):
        return True
    return any(abs(settings["values"][n] - applied["values"][n]) > SLIDERS[n][4] / 2 for n in SLIDERS)


def scenario_text(scenario: str) -> tuple[str, str]:
    """The scenario's title and description."""
    sc = run_config(scenario, 0).scenario
    return sc.title, sc.description


def scenario_values(scenario: str) -> dict[str, float]:
    """The scenario's own value of each slider (the sliders start there)."""
    cfg = run_config(scenario, 0)
    out = {}
    for name, (key, *_rest) in SLIDERS.items():
        section, fieldname = key.split(".")
        out[name] = float(getattr(getattr(cfg.scenario, section), fieldname))
    return out


def settings_overrides(strategy: str = "status_quo", **values: float | None) -> tuple[str, ...]:
    """The config overrides of a strategy and slider values (None: the scenario's own);
    a slider's value comes after the strategy's, so it wins where both set a key."""
    levers = strategies()
    if strategy not in levers:
        raise ValueError(f"strategy {strategy!r} is not one of {', '.join(levers)}")
    out = [f"scenario.{k}={v!r}" if not isinstance(v, str) else f"scenario.{k}={v}" for k, v in levers[strategy].items()]
    for name, v in values.items():
        if name not in SLIDERS:
            raise ValueError(f"{name!r} is not a slider ({', '.join(SLIDERS)})")
        if v is not None:
            out.append(f"scenario.{SLIDERS[name][0]}={float(v)!r}")
    return tuple(out)


class History:
    """The series the charts draw, appended after every step (cheaper than rebuilding the
    trajectory's DataFrame on every redraw)."""

    def __init__(self, model):
        self.day: list[int] = []
        self.troops: list[float] = []
        self.influence: list[float] = []
        self.tension: list[float] = []
        self.isis: list[float] = []
        self.positions: list[list[float]] = []
        self.collective: list[float] = []
        self.pm: list[float] = []
        self.days_left: list[float | None] = []
        self.pm_change_days: list[int] = []
        self._pm_changes = int(model.state.pm_changes[0])
        self.record(model)

    def record(self, model) -> None:
        s = model.state
        self.day.append(model.day)
        self.troops.append(float(s.troops[0]))
        self.influence.append(float(s.iran_influence[0]))
        self.tension.append(float(s.tension[0]))
        self.isis.append(float(s.isis_threat[0]))
        self.positions.append([float(x) for x in s.position[0]])
        self.collective.append(float(s.collective_stance[0]))
        self.pm.append(float(s.pm_position[0]))
        self.days_left.append(model.days_left)
        if int(s.pm_changes[0]) > self._pm_changes:
            self.pm_change_days.append(model.day)
            self._pm_changes = int(s.pm_changes[0])


class ClassroomModel(NegotiationModel):
    """A NegotiationModel of one scenario with Washington's strategy and the sliders' values
    (None: the scenario's). The scenario's keyword is `exercise` (Mesa's Model has a
    `scenario` attribute of its own)."""

    def __init__(self, exercise: str = "baseline", seed: int = 0, strategy: str = "status_quo",
                 **values: float | None):
        overrides = settings_overrides(strategy, **values)
        cfg = run_config(exercise, int(seed), overrides)
        super().__init__(model_params(cfg), record=True)
        self.config = cfg
        self.overrides = overrides
        self.settings = {"exercise": exercise, "seed": int(seed), "strategy": strategy, **values}
        self.history = History(self)

    def step(self) -> None:
        if not self.running:
            return
        super().step()
        self.history.record(self)
