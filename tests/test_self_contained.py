"""The repository stands on its own: everything it reads or cites is inside it.

- No tracked file refers to a path outside the repository (a `shared/` folder beside it,
  `../` paths) or to the outside design notes by their bare names.
- The facts (docs/facts.md), the model brief (docs/model_brief.md) and the reference data
  (data/) are present, and every `docs/...` or `data/...` path a tracked file names exists.
- docs/facts.md states F1..F24, each once, and gives the article's full citation.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import REPO

#: paths that lead outside the repository, as they were written before it stood on its own
OUTSIDE = re.compile(r"\.\./shared|shared/design|shared/seed|shared/data")
#: the outside design notes, which this repository replaces with docs/facts.md, docs/model_brief.md
#: and docs/architecture.md; a bare mention would send a reader to a file they do not have
OUTSIDE_NOTES = re.compile(r"(?<![\w/])(FACTS|MODEL|LAYERS|STYLE)\.md\b")
#: a path into docs/ or data/ named in a file (placeholders such as NAME are skipped below)
IN_REPO_PATH = re.compile(r"\b(?:docs|data)/[A-Za-z0-9_./-]+\.(?:md|csv|png|svg)\b")
BINARY_SUFFIXES = {".png", ".svg", ".parquet", ".pdf", ".jpg", ".gif", ".ico", ".woff", ".woff2"}


def tracked_files() -> list:
    """The files git tracks (plus files added but not yet committed); without git, every
    file under the repository outside .venv, .git and results/runs."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout
        files = [REPO / line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        skip = {".venv", ".git", "node_modules", "__pycache__"}
        files = [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.relative_to(REPO).parts)]
    return [p for p in files if p.is_file() and p.suffix not in BINARY_SUFFIXES]


def _text(path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


TEXTS = {p.relative_to(REPO).as_posix(): t for p in tracked_files() if (t := _text(p)) is not None}
THIS_FILE = "tests/test_self_contained.py"


def test_the_file_list_is_the_repository():
    """The scan covers the code, configs, docs and tests (a guard against scanning nothing)."""
    for expected in ("README.md", "sim/abm/story.py", "configs/config.yaml", "docs/exercises/baseline.md",
                     "tests/conftest.py", "experiments/validation.py"):
        assert expected in TEXTS


def test_no_file_refers_to_a_path_outside_the_repository():
    """No tracked file names ../shared, shared/design, shared/seed or shared/data."""
    hits = [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
            for name, text in TEXTS.items() if name != THIS_FILE for m in OUTSIDE.finditer(text)]
    assert hits == [], "files that point outside the repository:\n" + "\n".join(hits)


def test_no_file_cites_the_outside_design_notes_by_name():
    """FACTS.md, MODEL.md, LAYERS.md and STYLE.md are not in the repository: cite
    docs/facts.md, docs/model_brief.md or docs/architecture.md instead."""
    hits = [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
            for name, text in TEXTS.items() if name != THIS_FILE for m in OUTSIDE_NOTES.finditer(text)]
    assert hits == [], "files that cite design notes the repository does not have:\n" + "\n".join(hits)


def test_every_docs_or_data_path_named_exists():
    """Every docs/... or data/... file a tracked file names is in the repository
    (placeholders such as docs/exercises/NAME.md are skipped)."""
    missing = set()
    for name, text in TEXTS.items():
        for m in IN_REPO_PATH.finditer(text):
            path = m.group(0).rstrip(".")
            if re.search(r"[A-Z]{3,}", path.rsplit("/", 1)[-1].split(".")[0]) and path.split("/")[-1] != "README.md":
                continue  # NAME, SCENARIO: a placeholder
            if not (REPO / path).exists():
                missing.add(f"{name}: {path}")
    assert not missing, sorted(missing)


@pytest.mark.parametrize("path", ["docs/facts.md", "docs/model_brief.md", "data/README.md",
                                  "data/bdm_ec_car_emissions.csv"])
def test_the_project_inputs_are_in_the_repository(path):
    assert (REPO / path).is_file() and (REPO / path).stat().st_size > 0


def test_facts_lists_f1_to_f24_once_each_with_the_article_citation():
    text = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (F\d+) \|", text, re.M)
    assert rows == [f"F{i}" for i in range(1, 25)]
    for part in ("Ali Harb", "At what point do US troops in Iraq become an occupation force?", "Middle East Eye",
                 "January 2020"):
        assert part in text, part


def test_data_readme_names_the_table_and_its_sources():
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for part in ("bdm_ec_car_emissions.csv", "Bueno de Mesquita", "1994", "Scholz, Calbert & Smith", "2011",
                 "Journal of Theoretical Politics", "23(4)"):
        assert part in text, part
