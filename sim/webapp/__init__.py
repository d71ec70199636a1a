"""The classroom browser app (Mesa's SolaraViz): `python -m sim.webapp`.

- `session`: the model a browser session runs (`ClassroomModel`) and its sliders.
- `components`: the charts (troops, Iranian influence, faction positions, the one-year
  clock of F4), the situation card and the event log.
- `app`: the Solara page; every session builds its own model.
- `__main__`: starts the Solara server on 127.0.0.1.
"""
