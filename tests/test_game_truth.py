"""What the game tells students about their own moves (issue 27): every move is told and
kept, as the player's choice and never as the model's noise, however briefly it stood; the
story's phase texts follow who played; hidden payoffs are hidden everywhere; a menu offers
each course once, only what can be taken now, with a proposal shown where one can be
accepted; a move that closed before its turn in the step is said to be void; the model's
own choice is recorded at each decision; a fork replays the same world."""

from __future__ import annotations

import re

import pytest

from sim.config import run_params
from sim.engines.batch import summaries
from sim.play.game import Game
from sim.play.screen import choosable, options_text, record_markdown

NUMBER = re.compile(r"\([+-]\d+\.\d\d\)|weeks of payoff|chance of \d+ %")


def _code(game, role, name):
    return game.spec(role).action_names.index(name)


def test_a_brief_escalation_is_told_as_the_player_s_choice_and_kept():
    """Tehran escalates for one month, then restrains: the model's story tells only postures
    that stood eight weeks, but a player's stays, as the player's, in every view."""
    g = Game("tehran", "baseline", seed=0, days_per_turn=28)
    g.play_turn({"tehran": _code(g, "tehran", "escalate")})
    g.play_turn({"tehran": _code(g, "tehran", "restrain")})
    for _ in range(3):
        g.play_turn({})
    for numbers in (True, False):
        texts = [e["text"] for e in g.story(numbers=numbers)]
        escalation = [t for t in texts if t.startswith("Iran-aligned groups escalate")]
        assert len(escalation) == 1 and "the choice of the player of Tehran" in escalation[0]
        assert not any("logit" in t for t in texts)
        assert "Turn 1: Tehran (a player) chose: Escalate through proxies." in texts
        assert "Turn 2: Tehran (a player) chose: Restrain your allies." in texts
    record = record_markdown(g, "(debrief)")
    assert "| 1 | 2020-01-06 | escalate |" in record and "| 2 | 2020-02-03 | restrain |" in record
    assert "Turn 1: Tehran (a player) chose: Escalate through proxies." in record


def test_a_player_pm_is_never_told_as_a_caretaker_that_let_its_chances_pass():
    g = Game("pm", "anti_american_pm", seed=1, days_per_turn=28)
    g.play_on()
    for _ in range(12):
        g.play_turn({})
    texts = [e["text"] for e in g.story()]
    assert any(e["kind"] == "pm_confirmed" for e in g.story()), "precondition: a new PM"
    assert not any("caretaker lets" in t for t in texts)
    assert any(t.startswith("The PM, played by a student, made no move") for t in texts)


def test_the_model_s_pm_idle_text_follows_the_phase():
    """Without a player: a caretaker phase is told as a caretaker's; a confirmed PM's as its own."""
    g = Game("tehran", "anti_american_pm", seed=1, days_per_turn=28)
    g.play_on()
    while g.model.running and len(g.turns) < 40:
        g.play_turn({})
    idle = [e for e in g.story() if e["kind"] == "pm_idle"]
    confirmed = [e["day"] for e in g.story() if e["kind"] == "pm_confirmed"]
    for e in idle:
        after = any(d <= e["day"] for d in confirmed)
        assert ("caretaker lets" in e["text"]) != after, e


def test_hidden_payoffs_are_hidden_in_the_story_and_the_record():
    g = Game("tehran", "baseline", seed=3, days_per_turn=28)
    g.play_turn({"tehran": _code(g, "tehran", "escalate")}, {"tehran": "now"})
    g.play_on()
    for _ in range(20):
        g.play_turn({})
    shown = " ".join(e["text"] for e in g.story(numbers=True))
    hidden = " ".join(e["text"] for e in g.story(numbers=False))
    assert NUMBER.search(shown), "precondition: the story shows numbers when payoffs are shown"
    assert not NUMBER.search(hidden)
    record = record_markdown(g, "(debrief)", numbers=False)
    assert not re.search(r"\([+-]\d+\.\d\d\)", record)
    assert "What the model's own actor would have done" in record


def test_a_menu_offers_each_course_once_and_only_what_is_open():
    g = Game("pm,washington,tehran", "baseline", seed=0, days_per_turn=28)
    for role in g.roles:
        menu = g.menu(role)
        values = [i.value for i in menu]
        assert values.count("keep") == 1 and values[0] == "keep" and len(values) == len(set(values))
        assert "wait" not in values
        open_names = {o.name for o in g.options(role)}
        assert set(values) - {"keep"} <= open_names
        assert all(i.label and i.does and i.facts for i in menu)
        assert not {t.name for t in g.not_open(role)} & open_names
    text = options_text(g, choosable(g, "washington"), "washington", show_payoffs=False)
    assert "payoff" not in text and "0. Keep your course" in text and "Not open now:" in text
    # after the PM's formal request Washington's standing posture closes: no "keep" to preselect
    g.play_turn({"pm": _code(g, "pm", "formal_request")})
    assert g.standing_closed("washington")
    assert "keep" not in [i.value for i in g.menu("washington")]
    assert g.needs_choice("washington")


@pytest.mark.parametrize("scenario,seed", [("baseline", 0), ("amicable_dialogue", 2), ("calibrated", 1)])
def test_a_proposal_is_shown_where_it_can_be_accepted(scenario, seed):
    g = Game("washington", scenario, seed=seed, days_per_turn=28)
    for _ in range(8):
        names = {o.name for o in g.options("washington")}
        table = g.on_the_table("washington")
        if "accept_proposal" in names:
            assert table and "accepting agrees to take about" in table[0]
            assert int(table[0].split("about ")[1].split(" troops")[0].replace(",", "")) > 0
        if int(g.model.state.proposal[0]) == 0:
            assert not table
        g.play_turn({})


def test_a_move_closed_before_its_turn_in_the_step_is_said_to_be_void():
    """The PM's request and Washington's 'reassure' in one turn: the government decides
    first in the step, and once a request stands Washington's pre-request postures close."""
    g = Game("pm,washington", "baseline", seed=0, days_per_turn=28)
    assert "reassure" in {o.name for o in g.options("washington")}
    g.play_turn({"pm": _code(g, "pm", "formal_request"), "washington": _code(g, "washington", "reassure")})
    assert "washington" in g.turns[0].void and "pm" not in g.turns[0].void
    line = next(e["text"] for e in g.story() if e["kind"] == "player_choice" and e["role"] == "washington")
    assert "Reassure Baghdad could not be carried out" in line


def test_each_decision_records_the_model_s_most_likely_choice():
    g = Game("pm,tehran", "baseline", seed=0, days_per_turn=28)
    best = max(g.options("tehran"), key=lambda o: o.model_chance)
    g.play_turn({"tehran": best.index, "pm": _code(g, "pm", "formal_request")})
    tehran, pm = g.turns[0].advice["tehran"], g.turns[0].advice["pm"]
    assert tehran.agrees and tehran.why == "the same choice"
    assert pm.model == "keep" and not pm.agrees and pm.why and not NUMBER.search(pm.why)
    assert 0 < pm.chance <= 1


def test_a_fork_replays_the_same_world():
    """Forking after the last turn replays the game exactly; forking at turn 1 is the
    model's own play of the world, as the batch engine computes it."""
    g = Game("pm,washington", "anti_american_pm", seed=1, run_index=2, days_per_turn=28)
    g.play_turn({"pm": _code(g, "pm", "formal_request")}, {"pm": "now"})
    while not g.over:
        g.play_turn({})
    replay = g.fork(len(g.turns) + 1)
    # the replay plays on to the run's end with the model; up to the game's last step it is the same run
    assert [t.choices for t in replay.turns] == [t.choices for t in g.turns]
    assert replay.turns[-1].steps == g.turns[-1].steps
    assert g.model.summary()["formal_request_week"] == replay.model.summary()["formal_request_week"]
    own = g.fork(1).model.summary()
    assert own == summaries(run_params("anti_american_pm", 1), [2])[0]
    with pytest.raises(ValueError, match="turn = 0 is not allowed"):
        g.fork(0)


def test_a_posture_that_goes_on_is_kept_not_closed():
    """While its troops leave, Washington's only open option is to impose sanctions: its
    course (withdrawing on schedule) goes on and is offered as keeping it, not as a closed
    posture that forces the one move open."""
    g = Game("pm,washington", "baseline", seed=0, days_per_turn=28)
    g.play_turn({"pm": _code(g, "pm", "formal_request")})
    g.play_turn({"washington": _code(g, "washington", "withdraw_on_schedule")})
    assert {o.name for o in g.options("washington")} <= {"impose_sanctions"}, "precondition: troops leaving"
    assert not g.standing_closed("washington")
    menu = g.menu("washington")
    assert menu[0].value == "keep" and menu[0].label == "Keep your course: withdraw on schedule"
    assert "no other course is open now" in menu[0].does
    assert g.needs_choice("washington") == (len(menu) > 1)
    text = options_text(g, choosable(g, "washington"), "washington")
    assert "0. Keep your course: withdraw on schedule" in text and "nan" not in text


def test_the_request_for_talks_leaves_the_table_once_a_formal_request_is_made():
    """anti_american_pm, seed 1: Baghdad's opening request for talks (F5) waits for
    Washington at the start; once the PM has made the formal request Washington can no longer
    accept it (the model keeps it waiting until Washington's next answer), so "On the table"
    no longer shows it, in the terminal or on the class game's page."""
    from sim.model.legal import Proposal
    from sim.model.outcomes import RequestState

    g = Game("pm,washington", "anti_american_pm", seed=1, days_per_turn=91)
    assert "Baghdad has asked for talks" in g.on_the_table("washington")[0]
    g.play_turn({"pm": _code(g, "pm", "formal_request")})
    assert int(g.model.state.request_state[0]) == RequestState.ACTIVE
    assert int(g.model.state.proposal[0]) == Proposal.BAGHDAD_DRAWDOWN, "precondition: the talks still wait"
    assert "accept_proposal" not in g.open_names("washington")
    assert g.on_the_table("washington") == []
    assert "asked for talks" not in options_text(g, choosable(g, "washington"), "washington", show_payoffs=False)
