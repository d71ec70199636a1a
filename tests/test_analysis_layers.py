"""Analysis reads tables and never imports the engines or the model (docs/architecture.md),
apart from the outcome names; the one way it runs the model is the sweep runner's public
re-run function, sim.sweep.rerun."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("sim.engines", "sim.abm", "sim.model", "sim.config", "mesa", "hydra")
#: the one name of the model analysis may read: the outcome vocabulary, defined once; and the
#: error type every command's one-line refusal shares (the analyze command refuses a report folder
#: inside the project's install with it), which runs nothing
ALLOWED = {"sim.model.outcomes", "sim.model.outcomes.OUTCOMES", "sim.config.validate", "sim.config.validate.ConfigError"}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            mod = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def test_analysis_imports_no_engine_and_reruns_only_through_the_sweep_runner():
    files = sorted((REPO / "sim" / "analysis").glob("*.py")) + sorted((REPO / "sim" / "analyze").glob("*.py"))
    assert len(files) > 5
    offenders = {f.name: sorted(m for m in imported_modules(f) if m.startswith(FORBIDDEN) and m not in ALLOWED) for f in files}
    assert not any(offenders.values()), offenders
    sweep_imports = {m for f in files for m in imported_modules(f) if m.startswith("sim.sweep")}
    # re-running goes through the runner's public function; reading a table checks its checksum
    # (sim.sweep.verify, which runs nothing)
    assert sweep_imports <= {"sim.sweep.rerun", "sim.sweep.rerun.trajectories", "sim.sweep.verify",
                             "sim.sweep.verify.ChecksumMismatch", "sim.sweep.verify.verify_sweep"}, sweep_imports
