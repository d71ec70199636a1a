"""The model math: payoffs, the choice rule, bargaining rules, transitions, institutions,
outcome rules and keyed random draws, as pure functions over NumPy arrays with a leading
runs axis. Imports nothing of Mesa, Hydra, pandas, matplotlib or the file system."""
