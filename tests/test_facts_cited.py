"""Traceability (docs/facts.md): every fact of the article is used somewhere, every coefficient
has a source, a doc and a default inside its range, and the baseline parliament is the
2018 Council of Representatives (329 seats)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import REPO
from omegaconf import MISSING, OmegaConf

from sim.config import schema
from sim.model.params import sections

FACT_IDS = [f"F{i}" for i in range(1, 25)]
FACT_RE = re.compile(r"\bF([1-9]|1\d|2[0-4])\b")


def _code_and_config_text() -> str:
    files = [p for d in ("sim", "configs") for p in (REPO / d).rglob("*") if p.suffix in (".py", ".yaml", ".md")]
    assert files
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


TEXT = _code_and_config_text()


@pytest.mark.parametrize("fact", FACT_IDS)
def test_every_fact_is_cited(fact):
    """Each fact id F1..F24 appears as a whole word in sim/ or configs/."""
    cited = re.search(rf"\b{fact}\b", TEXT) is not None
    assert cited, f"{fact} is cited nowhere in sim/ or configs/"


def test_no_unknown_fact_ids_are_cited():
    """No citation of a fact id beyond F24 (a typo or a fact that does not exist)."""
    cited = {int(n) for n in re.findall(r"\bF(\d+)\b", TEXT)}
    assert cited <= set(range(1, 25)), sorted(cited - set(range(1, 25)))


def _ranged_fields():
    # every section the model declares (an actor added later included), the factions' and the run's
    classes = [cls for _, cls in sections()] + [schema.FactionConfig, schema.RunConfig]
    out = []
    for cls in classes:
        for f in dataclasses.fields(cls):
            if "range" in f.metadata:
                out.append(pytest.param(cls, f, id=f"{cls.__name__}.{f.name}"))
    assert len(out) > 50
    return out


def _is_sourced(source: str) -> bool:
    """A fact id, the word 'assumption', a named source (a year, e.g. "2018 election",
    "McKelvey & Palfrey (1995)", or a proper name, e.g. "Iraqi constitution") or a document
    of this repository that exists (e.g. "docs/model_brief.md")."""
    docs = re.findall(r"\b((?:docs|data)/[\w/.-]+\.(?:md|csv))\b", source)
    return bool(FACT_RE.search(source) or "assumption" in source.lower()
                or re.search(r"\b(19|20)\d\d\b", source) or re.search(r"\b[A-Z][A-Za-z]+", source)
                or (docs and all((REPO / d).is_file() for d in docs)))


@pytest.mark.parametrize("cls, f", _ranged_fields())
def test_ranged_field_has_source_doc_and_default_in_range(cls, f):
    """Every coefficient with a 'range' has a non-empty 'source' (fact id, named source or
    'assumption'), a non-empty 'doc', a range lo <= hi, and a default inside the range
    (MISSING defaults, which a scenario must set, are skipped). Only a field marked
    optional (`schema.optional_param`: null means another value stands for it) may have a
    null default; it still has a source, a doc and a range for the values it may take."""
    source, doc = f.metadata.get("source", ""), f.metadata.get("doc", "")
    assert isinstance(source, str) and source.strip() and _is_sourced(source), source
    assert isinstance(doc, str) and doc.strip()
    lo, hi = f.metadata["range"]
    assert lo <= hi
    if f.default == MISSING or f.default is dataclasses.MISSING:
        return
    if f.default is None:
        assert f.metadata.get("optional") is True, "a null default on a field not marked optional"
        return
    assert lo <= f.default <= hi, (f.default, (lo, hi))


def test_baseline_factions_have_seats_within_parliament():
    """Every faction of the baseline scenario has seats (2018 election) and together they
    hold at most the 329 seats of the Council of Representatives."""
    cfg = OmegaConf.load(REPO / "configs" / "scenario" / "baseline.yaml")
    factions = cfg.factions
    assert len(factions) >= 5
    for name, f in factions.items():
        assert "seats" in f and isinstance(f.seats, int) and f.seats > 0, name
    assert sum(f.seats for f in factions.values()) <= 329
