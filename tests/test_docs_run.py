"""Docs that are executed: every command block of the README and every block of
docs/tutorial.md runs, in order, and a failing command fails the test.

Blocks run in a fresh folder per document that links the repository's `.venv`, `data/`,
`docs/`, `configs/`, `Makefile`, `pyproject.toml` and `scripts/`, so their results go there
and not into the repository. A block may be preceded by one HTML comment of directives,
which the reader sees in the Markdown source:

    <!-- doc-test: replace "runs=1000000 " "runs=2000 "; skip "make app" (starts a server) -->

`replace "OLD" "NEW"` runs the block with OLD replaced (OLD must occur: a directive cannot
outlive its text) and the prose says so; `skip "TEXT" (why)` leaves out the lines holding
TEXT. Bash blocks run line by line with bash (stdin empty), Python blocks with exec in one
namespace per document.

Running every block takes minutes, so those tests are slow (`make test-slow`, CI). The
default suite runs the tutorial's ensemble (a DataFrame of at least 1,000 runs in a few
seconds), checks every documented `python -m sim` and `python -m sim.sweep` command line
against the config edge, and checks that the README's file table lists every field of
summary.json.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass

import pytest
from conftest import REPO

DOCS = ("README.md", "docs/tutorial.md")
FENCE = re.compile(r"(?:<!-- doc-test: (?P<directives>.*?) -->\n)?^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```", re.S | re.M)
LINKED = (".venv", "data", "docs", "configs", "Makefile", "pyproject.toml", "scripts", ".python-version")


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    body: str               # with the replacements applied
    skip: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}:{self.lang}"


def _directives(text: str | None, where: str) -> tuple[list[tuple[str, str]], list[str]]:
    replacements, skips = [], []
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        if m := re.fullmatch(r'replace "(.+?)" "(.*?)"', part):
            replacements.append((m.group(1), m.group(2)))
        elif m := re.fullmatch(r'skip "(.+?)"(?: \(.+\))?', part):
            skips.append(m.group(1))
        else:
            raise ValueError(f"{where}: unknown doc-test directive {part!r}")
    return replacements, skips


def blocks(doc: str) -> list[Block]:
    """The runnable blocks of a document (bash and python), directives applied."""
    text = (REPO / doc).read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start("lang")) + 1
        if m.group("lang") not in ("bash", "python"):
            continue
        replacements, skips = _directives(m.group("directives"), f"{doc}:{line}")
        body = m.group("body")
        for old, new in replacements:
            assert old in body, f"{doc}:{line}: the directive replaces {old!r}, which the block does not hold"
            body = body.replace(old, new)
        found.append(Block(doc, line, m.group("lang"), body, tuple(skips)))
    return found


def commands(block: Block) -> list[str]:
    """A bash block's commands: continued lines joined, comments and skipped lines left out."""
    joined, current = [], ""
    for raw in block.body.splitlines():
        current += raw.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip() and not current.lstrip().startswith("#"):
            joined.append(current.strip())
        current = ""
    return [c for c in joined if not any(s in c for s in block.skip)]


ALL_BLOCKS = [b for doc in DOCS for b in blocks(doc)]


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory):
    dirs = {}
    for doc in DOCS:
        d = tmp_path_factory.mktemp(doc.replace("/", "_").replace(".", "_"))
        for name in LINKED:
            if (REPO / name).exists():
                (d / name).symlink_to(REPO / name)
        dirs[doc] = d
    return dirs


def test_every_document_has_runnable_blocks():
    for doc in DOCS:
        assert len([b for b in ALL_BLOCKS if b.doc == doc]) >= 4, doc


# ---------------------------------------------------------------- the default suite
def test_readme_file_table_lists_every_summary_field():
    """The README's row for summary.json names exactly the fields a run's summary has."""
    from sim.abm.model import NegotiationModel
    from sim.config import run_params

    text = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `summary.json` |"))
    listed = re.findall(r"`([a-z_]+)`", row.split("|")[2])
    summary = NegotiationModel(run_params("baseline", seed=0, overrides=["horizon_weeks=4"]), record=False).run()
    assert sorted(listed) == sorted(summary), (sorted(set(summary) - set(listed)), sorted(set(listed) - set(summary)))
    assert len(listed) == len(set(listed))


def _documented_command_lines(module: str) -> list[tuple[str, list[str]]]:
    found = []
    for b in ALL_BLOCKS:
        if b.lang != "bash":
            continue
        for c in commands(b):
            words = shlex.split(c, comments=True)
            if len(words) >= 3 and words[0].endswith("python") and words[1] == "-m" and words[2] == module:
                found.append((f"{b.id}: {c}", words[3:]))
    return found


@pytest.mark.parametrize("module, config_name, schema", [("sim", "config", "run"), ("sim.sweep", "sweep", "sweep")])
def test_every_documented_command_line_is_accepted(module, config_name, schema):
    """Every `python -m sim ...` and `python -m sim.sweep ...` of the README and the tutorial
    passes the config edge's checks (names, files, keys), as the command would check it."""
    from sim.config import CONFIG_DIR
    from sim.config.overrides import check_command_overrides
    from sim.config.safety import check_command_line
    from sim.config.schema import RunConfig
    from sim.sweep.schema import SweepConfig

    root = RunConfig if schema == "run" else SweepConfig
    lines = _documented_command_lines(module)
    assert len(lines) >= 4, lines
    for where, args in lines:
        try:
            check_command_line(args, config_name)
            check_command_overrides(args, root, config_name, CONFIG_DIR, f"python -m {module}")
        except ValueError as err:
            pytest.fail(f"{where}: {err}")


def _tutorial_section(heading: str) -> list[Block]:
    text = (REPO / "docs/tutorial.md").read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    first, last = text.count("\n", 0, start) + 1, text.count("\n", 0, end if end > 0 else len(text)) + 1
    return [b for b in ALL_BLOCKS if b.doc == "docs/tutorial.md" and b.lang == "python" and first <= b.line <= last]


def test_tutorial_ensemble_gives_a_table_of_at_least_1000_runs_in_seconds(tmp_path, monkeypatch):
    """The tutorial's first ensemble block, run as written: a DataFrame of >= 1,000 runs,
    one row per run with the sweep table's columns, in a few seconds."""
    import pandas as pd

    import sim

    monkeypatch.chdir(tmp_path)
    block = _tutorial_section("## 3. An ensemble")[0]
    assert "sim.ensemble(" in block.body and "df = " in block.body
    sim.run("baseline", seed=0, horizon_weeks=1)  # compose once: the timing is the ensemble's own
    namespace: dict = {"sim": sim}
    t0 = time.perf_counter()
    exec(compile(block.body, block.id, "exec"), namespace)
    elapsed = time.perf_counter() - t0
    df = namespace["df"]
    assert isinstance(df, pd.DataFrame) and len(df) >= 1000
    assert list(df["run_id"]) == list(range(len(df))) and df["outcome"].notna().all()
    assert elapsed < 20, f"the ensemble block took {elapsed:.1f} s"
    print(f"tutorial ensemble: {len(df)} runs in {elapsed:.2f} s")


# ---------------------------------------------------------------- every block (slow)
def _run_bash(block: Block, cwd) -> None:
    cmds = commands(block)
    if any(c.startswith("make ") for c in cmds):
        fresh = subprocess.run(["make", "-q", "setup"], cwd=cwd, capture_output=True, text=True)
        assert fresh.returncode == 0, "the virtualenv is older than pyproject.toml: run `make setup` first"
    env = {**os.environ, "CI": "true"}
    for c in cmds:
        done = subprocess.run(["bash", "-c", c], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=1800, env=env)
        assert done.returncode == 0, f"{block.id}: `{c}` exited {done.returncode}:\n{done.stderr[-3000:]}"


_NAMESPACES: dict[str, dict] = {}


@pytest.mark.slow
@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[b.id for b in ALL_BLOCKS])
def test_doc_block_runs(block, workdirs, monkeypatch):
    """Each block of the document, in order, in the document's own folder."""
    cwd = workdirs[block.doc]
    if block.lang == "bash":
        _run_bash(block, cwd)
        return
    monkeypatch.chdir(cwd)
    namespace = _NAMESPACES.setdefault(block.doc, {"__name__": "__doc_test__"})
    exec(compile(block.body, block.id, "exec"), namespace)
