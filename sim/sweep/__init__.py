"""Sweeps: declared experiments (uncertainties, levers, sampler, replications), their
plan of runs, the per-run parameters, executors and the chunked, resumable runner that
writes runs.parquet and metadata.json."""
