"""python -m sim.play driven through standard input, as a script or a class would drive it:
each role plays to the end (after an invalid choice and a hint), the end of input stops
cleanly, the month's rule imposes the player's choice through the role-play hook, and the
model never moves the player's actor (option 0 keeps its course)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

from sim.config import run_params
from sim.engines.batch import summaries
from sim.model import actions
from sim.model.outcomes import OUTCOMES
from sim.model.state import initial_state, summary_columns, summary_row
from sim.model.week import finish, trace
from sim.play.__main__ import main as play_main
from sim.play.game import Game


def _play(args, stdin, timeout=180):
    return subprocess.run([sys.executable, "-m", "sim.play", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("role,scenario", [("pm", "anti_american_pm"), ("washington", "baseline"),
                                           ("tehran", "tehran_escalates")])
def test_each_role_plays_to_the_end_through_stdin(role, scenario):
    r = _play(["--as", role, f"scenario={scenario}", "seed=1"], "nonsense\n99\n" + "1\n" * 60)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "'nonsense' is not one of the options" in out and "'99' is not one of the options" in out
    assert "Type a number from 1 to" in out  # the hint
    assert "model's chance" in out and "payoff" in out  # the options with the model's payoffs
    assert "Positions (0 = US forces stay, 1 = leave now)" in out
    assert "=== The run is over ===" in out and "Event log:" in out
    outcome = next(line.split(":")[1].strip() for line in out.splitlines() if line.startswith("Outcome: "))
    assert outcome in OUTCOMES
    assert "The model in this same world" in out and "seed 1, run 0" in out
    assert "<- your outcome" in out
    assert "Traceback" not in r.stderr


def test_end_of_input_stops_cleanly():
    r = _play(["--as", "washington"], "")
    assert r.returncode == 0
    assert "No more input (end of file)" in r.stdout
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [["--as", "pm", "scenario=atlantis"], ["--as", "king"], ["--as", "pm", "colour=red"],
                                  ["--as", "pm", "seed=x"], ["scenario=baseline"]])
def test_wrong_command_line_exits_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        play_main(args)
    assert exc.value.code == 2
    if "scenario=atlantis" in args:
        err = capsys.readouterr().err
        assert "unknown scenario 'atlantis'" in err and "baseline" in err and "permanent_caretaker" in err


def test_keeping_the_course_plays_the_model_s_world_with_the_actor_held():
    """Option 0 keeps the player's course: the model never moves an actor a player has taken
    on (`State.human_*`), and everything else is the model's own. A game in which the player
    keeps Washington's course every month is run `run_index` of the model with Washington
    marked a player's: the same summary as the stage functions give for that run among
    others (`week.trace`, three runs at once, the human flag set), and not one change of
    Washington's posture, which the model's own Washington does change in this world."""
    scenario, seed, run_index = "sanctions_bluff", 3, 7
    game = Game("washington", scenario, seed=seed, run_index=run_index)
    while not game.over:
        game.play_month(None)
    played = game.model.summary()

    p = run_params(scenario, seed)
    ids = [0, run_index, 12]
    s = initial_state(p, len(ids))
    s.human_washington[:] = True
    steps = game.model.step_index
    for _ in trace(p, ids, steps, state=s):
        pass
    finish(s)
    cols = summary_columns(s, np.full(len(ids), p.day(steps)))
    assert played == summary_row(cols, 1, seed=seed, scenario=p.scenario_name, run_index=run_index)
    assert played["washington_posture_changes"] == 0
    assert int(game.model.state.washington_posture[0]) == actions.WashingtonAction[
        p.washington.initial_posture.upper()]
    assert summaries(p, [run_index])[0]["washington_posture_changes"] > 0, "precondition: the model moves"


def test_one_shot_formal_request_then_the_pm_waits():
    """The formal request is a move made once, in the month's first step (F4: the clock
    starts then); the PM makes no other move, and the model makes none for it."""
    game = Game("pm", "baseline", seed=0)
    game.play_month(None)  # a month keeping its course: the PM waits
    assert game.model.summary()["government_posture_changes"] == 0
    options = {o.name: o for o in game.options()}
    first_week = game.model.week + 1
    game.play_month(options["formal_request"].index)
    game.play_month(None)
    summary = game.model.summary()
    assert summary["formal_request_week"] == first_week  # F4: the clock starts then
    assert summary["government_posture_changes"] == 1  # one move in two months: the request
    requests = [e["week"] for e in game.model.event_log if e["kind"] == "formal_request"]
    assert requests == [first_week]
    df = game.model.trajectory()
    month = df[df["week"].between(first_week, first_week + 3)]
    assert list(month["request_state"]) == ["active"] * 4
    assert list(month["government_action"]) == ["formal_request"] * 4  # the column holds its last move


def test_lasting_choice_holds_all_month():
    """A posture chosen stands for the month and after it, until the player changes it."""
    game = Game("tehran", "baseline", seed=0)
    game.play_month(actions.TehranAction.ESCALATE)
    game.play_month(None)
    df = game.model.trajectory()
    assert list(df[df["week"].between(1, 8)]["tehran_action"]) == ["escalate"] * 8
    assert game.model.summary()["tehran_posture_changes"] == 1
    assert all(int(a) == -1 for a in (game.model.state.forced_tehran_action[0],))  # the hook is reset
