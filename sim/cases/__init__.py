"""Cases: the engine on other host-nation withdrawal negotiations, calibrated across them
and scored out of sample (`python -m sim.cases`; README, "Other cases").

- `library`: which scenarios are cases, what each observed, which coefficients a case sets itself;
- `scores`: probabilities that are never zero, log and Brier scores, the base rate (pure);
- `pooled`: the prior sweep over every case at once, the weights of a subset of cases, the
  posterior predictive runs of a case;
- `report`: results/cases/report.md, scores.csv and the figure.
"""
