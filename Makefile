# Quick start: `make baseline` (set up, run the January 2020 baseline) and `make test`.
PY := .venv/bin/python

.PHONY: setup baseline test test-slow lint app game
setup: .venv/.installed
.venv/.installed: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

baseline: setup
	$(PY) -m sim

test: setup
	$(PY) -m pytest

# mypy's --follow-imports=silent: the strict flags apply to the listed folders, not to the modules
# they reach through sim/__init__.py (the Python interface imports the whole package for its types)
lint: setup
	.venv/bin/ruff check sim experiments benchmarks tests
	.venv/bin/mypy sim/model sim/config --disallow-untyped-defs --disallow-incomplete-defs --follow-imports=silent

test-slow: setup
	$(PY) -m pytest -m slow

# HOST=0.0.0.0 to reach them from other machines (a classroom network: README, "Teaching")
HOST ?= 127.0.0.1
APP_PORT ?= 8765
GAME_PORT ?= 8766

app: setup
	$(PY) -m sim.webapp --host $(HOST) --port $(APP_PORT)

game: setup
	$(PY) -m sim.play.classroom --host $(HOST) --port $(GAME_PORT)
