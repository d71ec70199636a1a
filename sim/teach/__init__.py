"""Teaching: scenario exercises for a class (python -m sim.teach).

- `ensemble`: a scenario's ensemble of runs with the batch engine, and the numbers a
  class looks at (outcome shares, time to the formal request, F4).
- `cards`: the briefing cards `docs/exercises/NAME.md` and the blocks of them the model
  writes (what differs from the baseline, the questions, the facilitator's numbers).
- `questions`: the cards' questions for students and the measures each asks about, with
  the scenario against the baseline on each (paired by run, with a 95 % interval).
- `figures`: the outcome bar chart and the time-to-request survival curve.
- `__main__`: the command line (list, brief, run, facilitator).

Role play is `sim.play`; the browser app is `sim.webapp`.
"""
