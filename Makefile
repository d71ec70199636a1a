# Quick start: `make baseline` (set up, run the January 2020 baseline) and `make test`.
PY := .venv/bin/python

.PHONY: setup baseline test test-slow lint app
setup: .venv/.installed
.venv/.installed: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

baseline: setup
	$(PY) -m sim

test: setup
	$(PY) -m pytest

lint: setup
	.venv/bin/ruff check sim experiments benchmarks tests
	.venv/bin/mypy sim/model sim/config --disallow-untyped-defs --disallow-incomplete-defs

test-slow: setup
	$(PY) -m pytest -m slow

app: setup
	$(PY) -m sim.webapp
