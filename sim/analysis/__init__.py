"""Analysis of sweep tables: which conditions produce a formal withdrawal request (F4, F10)
and what follows. Reads `runs.parquet` + `metadata.json`, writes figures and a report.

The pipeline, one small module per idea:
    table        load and check a sweep folder; derived columns (formal request, time to it)
    outcomes     outcome shares with Wilson 95% intervals
    survival     Kaplan-Meier time to a formal request (scipy), Greenwood log-log bands
    sensitivity  Sobol first-order and total indices from a Saltelli design (SALib)
    cart         a CART tree (scikit-learn) and permutation importance, as a cross-check
    scenario     PRIM scenario discovery (the `prim` package)
    heatmap      P(formal request) over two conditions
    fan          fan charts of troops and Iranian influence from re-run trajectories
    precision    how precise the estimates are (CI widths), used to judge run counts
    answer       the plain-language answer, computed from the results
    report       computes all of the above (`analyze` is the entry point)
    writer       report.md, one function per section
    figures      saving a figure as PNG and SVG (no pyplot, no global state)

Analysis never imports the engines: the only model runs it asks for go through
`sim.sweep.rerun.trajectories` (docs/architecture.md).
"""
