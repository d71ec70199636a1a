"""`python -m sim.analyze DIR`: the analysis of a finished sweep (the command is in `cli.py`).

This package is kept light on purpose: `import sim` imports it before binding the Python
interface's `sim.analyze` function (see `sim/__init__.py`), so it must not import the
analysis (pandas, matplotlib, SciPy) when loaded; `main` imports it when called.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The command `python -m sim.analyze` (`sim.analyze.cli.main`); returns its exit code."""
    from .cli import main as cli_main

    return cli_main(argv)
