"""Calibration against the article's statements (issue 12): the patterns and their bands
(`patterns`), the per-run features they need (`features`), the priors over the coefficients
the article does not fix (`priors`), sets of parameters through the batch engine
(`runner`), rejection ABC (`abc`), Morris and Sobol screening (`screening`), the report
(`report`) and the command (`app`, `python -m sim.calibrate`)."""
