"""python -m sim.play driven through standard input, as a script or a class would drive it:
each role plays to the end (after an invalid choice and a hint), the end of input stops
cleanly, and the month's rule imposes the player's choice through the role-play hook."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

from sim.config import run_params
from sim.engines.batch import summaries
from sim.model import actions
from sim.model.outcomes import OUTCOMES
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


def test_letting_the_model_decide_is_the_model_s_own_run():
    """With no choice imposed the game is run `run_index` of the model: the same world."""
    game = Game("washington", "sanctions_bluff", seed=3, run_index=7)
    while not game.over:
        game.play_month(None)
    expected = summaries(run_params("sanctions_bluff", 3), [7])[0]
    assert game.model.summary() == expected


def test_one_shot_formal_request_then_the_pm_waits():
    game = Game("pm", "baseline", seed=0)
    game.play_month(None)  # the model's month
    options = {o.name: o for o in game.options()}
    first_week = game.model.week + 1
    game.play_month(options["formal_request"].index)
    df = game.model.trajectory()
    assert game.model.summary()["formal_request_week"] == first_week  # F4: the clock starts then
    month = df[df["week"].between(first_week, first_week + 3)]
    assert list(month["government_action"]) == ["formal_request", "wait", "wait", "wait"]


def test_lasting_choice_holds_all_month():
    game = Game("tehran", "baseline", seed=0)
    game.play_month(actions.TehranAction.ESCALATE)
    df = game.model.trajectory()
    assert list(df[df["week"].between(1, 4)]["tehran_action"]) == ["escalate"] * 4
    assert all(int(a) == -1 for a in (game.model.state.forced_tehran_action[0],))  # the hook is reset
