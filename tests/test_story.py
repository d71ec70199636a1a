"""events.md as a story (issue 14): the terms behind a "because" add up to the values the
actors decide by, and the baseline's story opens with the outcome, its turning points and
the final numbers, tells only posture changes that stood, and closes with the final situation."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import params_for

from sim.abm import story
from sim.abm.model import NegotiationModel
from sim.model import draws, reasons, views
from sim.model.state import initial_state
from sim.output import OUTCOME_MEANING


@pytest.fixture(scope="module")
def states():
    """States of 3 runs of anti_american_pm at weeks 0 and 8 (a request stands in some)."""
    out = []
    for week in (0, 8):
        m = NegotiationModel.from_scenario("anti_american_pm", 2, record=False)
        for _ in range(week):
            m.step()
        out.append((m.state, m.params, m.steps))
    p = params_for("scenario=baseline")
    out.append((initial_state(p, 3), p, 0))
    return out


def test_terms_add_up_to_the_values_actors_decide_by(states):
    """Each value an actor decides by is the sum of its named terms, first to last, exactly
    (the terms are the parts its `weigh` adds up); the values the views show are the ones a
    decision records in the same state."""
    from sim.model.actors import ACTORS
    from sim.model.stages import STAGE_BY_NAME, run_stage

    for s, p, step in states:
        for actor in sorted(reasons.EXPLAINED):
            values, _ = views.view(actor, s, p, step)
            table = views.terms(actor, s, p, step)
            assert table.shape == (s.runs, len(ACTORS[actor].actions), len(ACTORS[actor].terms))
            total = table[:, :, 0].copy()
            for t in range(1, table.shape[2]):
                total = total + table[:, :, t]
            np.testing.assert_array_equal(total, values, err_msg=actor)
            state = s.take(np.arange(s.runs))
            state.__setattr__(f"trigger_{actor}", True)  # every run revises
            shown, _ = views.view(actor, state, p, step)
            events = []
            run_stage(STAGE_BY_NAME[actor], state, p, step, draws.run_key(p.seed, np.arange(s.runs)), events)
            decided = next(d for kind, _, d in events if kind == "decision" and d["actor"] == actor)
            revised = next(m for kind, m, d in events if kind == "decision" and d["actor"] == actor)
            np.testing.assert_array_equal(decided["values"][revised], shown[revised], err_msg=actor)


def test_because_names_the_largest_terms_with_their_sign():
    text = story.because({"a": 3.0, "b": -1.0, "c": 0.5, "keeping its course": -9.0})
    assert text == "for it: a (+3.00); against it: b (-1.00)"
    assert "logit" in story.because({"a": -0.5})
    assert "logit" not in story.because({"a": -0.5}, made=False)


def test_baseline_story_opens_with_the_outcome_and_closes_with_the_end():
    m = NegotiationModel.from_scenario("baseline", 0)
    m.run()
    text = story.story_markdown(m, OUTCOME_MEANING)
    lines = text.splitlines()
    assert lines[2].startswith("**Outcome: no_request**")
    assert lines[4].startswith("Turning points")
    assert [line[:17] for line in lines[5:8]] == ["1. **2020-04-20**", "2. **2020-04-20**", "3. **2020-07-13**"]
    assert any(line.startswith("Final numbers (2023-01-02, week 156): US troops 5,000") for line in lines[:10])
    assert "## Caretaker government (from 2020-01-06)" in text and "## A new government (from 2020-04-20)" in text
    assert lines[-2] == "## How it ends" and lines[-1].startswith("The run ends on 2023-01-02")
    assert "The PM reconsidered its course and weighed the formal request" in text  # a declined move, with why
    assert len(lines) <= 40
    # repeated resolutions are counted on one line, not told again (the first is also a turning point)
    body = text[text.index("## Before the model starts"):]
    assert body.count("Parliament passes another non-binding resolution") == 1
    assert "(and 2 more times in this phase" in text


def test_only_sustained_posture_changes_are_told():
    m = NegotiationModel.from_scenario("baseline", 1)
    m.run()
    told = {(e["kind"], e["day"]) for e in story.chronicle(m) if e["kind"] in story.POSTURE_KINDS}
    by_actor: dict[str, list[int]] = {"washington": [], "tehran": []}
    for e in m.event_log:
        if e["kind"] in story.POSTURE_KINDS:
            by_actor[story.POSTURE_KINDS[e["kind"]][0]].append(e["day"])
    every = sum(len(v) for v in by_actor.values())
    assert every > len(told), "precondition: some posture changes are brief"
    for e in m.event_log:
        if e["kind"] in story.POSTURE_KINDS:
            days = sorted(set(by_actor[story.POSTURE_KINDS[e["kind"]][0]]))
            later = [d for d in days if d > e["day"]]
            stood = (later[0] - e["day"]) if later else None
            assert ((e["kind"], e["day"]) in told) == (stood is None or stood >= story.SUSTAINED_DAYS)
