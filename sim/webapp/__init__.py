"""The classroom browser app (Solara): `python -m sim.webapp`, made for a projector.

- `session`: the model a browser session runs (`ClassroomModel`, with the history its
  charts draw) and the settings its controls set (Washington's strategy, the sliders).
- `charts`: line and bar charts as inline SVG (fast and sharp, nothing from the internet).
- `components`: the situation, the charts with the request, deadline and PM changes
  marked, the story so far, the compare view and the briefing card, as HTML.
- `app`: the Solara page; every session builds its own model.
- `__main__`: starts the Solara server on 127.0.0.1.
"""
