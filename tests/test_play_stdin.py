"""python -m sim.play driven through standard input, as a script or a class would drive it:
each role plays to the end (after an invalid choice and a hint), two roles play hot-seat to
an outcome, the end of input stops cleanly, the players' choices are imposed through the
role-play hook, and the model never moves a player's actor (issue 14)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

from sim.config import run_params
from sim.engines.batch import summaries
from sim.model.actors.government import GovernmentAction
from sim.model.actors.tehran import TehranAction
from sim.model.outcomes import OUTCOMES
from sim.model.state import initial_state, summary_columns, summary_row
from sim.model.week import finish, trace
from sim.play.__main__ import main as play_main
from sim.play.game import Game


def _play(args, stdin, timeout=180):
    return subprocess.run([sys.executable, "-m", "sim.play", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def _outcome(out: str) -> str:
    return next(line.split(":")[1].strip() for line in out.splitlines() if line.startswith("Outcome: "))


@pytest.mark.parametrize("role,scenario", [("pm", "anti_american_pm"), ("washington", "baseline"),
                                           ("tehran", "tehran_escalates")])
def test_each_role_plays_to_the_end_through_stdin(role, scenario):
    r = _play(["--as", role, f"scenario={scenario}", "seed=1", "runs=300"], "nonsense\n99\n" + "1\n" * 60)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "'nonsense' is not one of the options" in out and "'99' is not one of the options" in out
    assert "Type a number from 1 to" in out  # the hint
    assert "model's chance" in out and "payoff" in out  # the options with the model's payoffs
    assert "Positions (0 = US forces stay, 1 = leave now)" in out
    assert "The story of your game:" in out
    assert _outcome(out) in OUTCOMES
    assert "The model in this same world" in out and "seed 1, run 0" in out
    assert "<- your outcome" in out
    title = {"pm": "As the prime minister", "washington": "As Washington", "tehran": "As Tehran"}[role]
    assert title in out  # the debrief speaks of this role's own moves
    others = {"As the prime minister", "As Washington", "As Tehran"} - {title}
    assert not any(o in out for o in others)
    assert "Your formal request" not in out or role == "pm"
    assert "Traceback" not in r.stderr
    assert " -" not in "".join(line for line in out.splitlines() if "days left" in line)  # never a negative clock


def test_two_roles_hot_seat_to_the_outcome_then_stop():
    """The PM and Washington at one keyboard: the PM makes the formal request in the first
    turn, Washington withdraws on schedule as soon as it can; the game stops when the outcome
    is decided (withdrawal_completed) and, offered to play on, the players decline."""
    lines = []
    # turn 1: PM option 3 (formal_request), Washington keeps its course (0)
    lines += ["formal_request", "0"]
    # later turns: the PM keeps its course; Washington withdraws on schedule when open
    lines += ["0", "withdraw_on_schedule"] * 3 + ["0", "0"] * 30
    r = _play(["--as", "pm,washington", "scenario=baseline", "seed=0", "runs=300",
               "scenario.sanctions.credibility=0.2"], "\n".join(lines) + "\nn\n")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "You play the Iraqi prime minister and Washington" in out
    assert "the Iraqi prime minister, your choice:" in out and "Washington, your choice:" in out
    assert "The outcome is decided: withdrawal_completed. Play on to the run's end? [y/N]" in out
    assert _outcome(out) == "withdrawal_completed"
    # the debrief tells the moves in plain words (their labels), with their turn and date
    assert "As the prime minister, your moves: make the formal request that US forces leave (turn 1, 2020-01-06)" in out
    assert "As Washington, your moves: withdraw on schedule (turn 2, 2020-02-03)" in out
    assert "=== The game is over ===" in out  # stopped at the outcome, before the run's end
    assert "past the 156-week horizon" not in out


def test_the_model_never_moves_for_a_player():
    """Two human roles keeping their course every turn: not one decision of theirs is the
    model's. Every revision the Mesa model records for the PM and Washington is in a turn's
    first step, where a player's choice was imposed; and with both keeping their course the
    run is the stage functions' run with both actors held (`week.trace` with the human
    flags), in which neither ever changes, while the model's own actors do move in this world."""
    scenario, seed, run_index = "anti_american_pm", 3, 2
    game = Game("pm,washington", scenario, seed=seed, run_index=run_index)
    game.play_on()
    while not game.over:
        game.play_turn({})
    played = game.model.summary()
    assert played["government_posture_changes"] == 0 and played["washington_posture_changes"] == 0
    assert not [d for d in game.model.decisions if d["actor"] in ("government", "washington")]
    p = run_params(scenario, seed)
    ids = [0, run_index, 5]
    s = initial_state(p, len(ids))
    s.human_washington[:] = True
    s.human_government[:] = True
    steps = game.model.step_index
    for _ in trace(p, ids, steps, state=s):
        pass
    finish(s)
    cols = summary_columns(s, np.full(len(ids), p.day(steps)))
    assert played == summary_row(cols, 1, seed=seed, scenario=p.scenario_name, run_index=run_index)
    own = summaries(p, [run_index])[0]
    assert own["government_posture_changes"] > 0 and own["washington_posture_changes"] > 0, "precondition"


def test_a_player_s_move_is_made_once_and_only_by_the_player():
    """The formal request is made in the turn's first step (F4: the clock starts then); the
    PM makes no other move and the model none for it, even when Washington then offers a package."""
    game = Game("pm", "baseline", seed=0)
    game.play_month(None)
    assert game.model.summary()["government_posture_changes"] == 0
    options = {o.name: o for o in game.options()}
    first_week = game.model.week + 1
    game.play_month(options["formal_request"].index)
    for _ in range(5):
        game.play_month(None)
    summary = game.model.summary()
    assert summary["formal_request_week"] == first_week
    assert summary["government_posture_changes"] == 1
    requests = [e["week"] for e in game.model.event_log if e["kind"] == "formal_request"]
    assert requests == [first_week]
    moves = [d for d in game.model.decisions if d["actor"] == "government"]
    assert [d["date"] for d in moves] == [game.model.date_of_day(7 * first_week).isoformat()]


def test_the_clock_reads_right_before_during_and_after_the_year():
    game = Game("pm", "baseline", seed=0, overrides=("scenario.washington.legitimacy_weight=0",))
    assert game.clock() == "no formal request; the one-year clock is not running"
    game.play_month(GovernmentAction.FORMAL_REQUEST)
    assert "days left on the one-year clock (deadline 2021-01-12)" in game.clock()
    left = [int(game.clock().split("; ")[1].split(" days")[0])]
    game.play_on()
    while not game.over:
        game.play_month(None)
        if "days left" in game.clock():
            left.append(int(game.clock().split("; ")[1].split(" days")[0]))
    assert left == sorted(left, reverse=True) and min(left) >= 0
    assert game.outcome in ("occupation", "withdrawal_completed", "request_withdrawn")
    assert "days left" not in game.clock()


def test_lasting_choice_holds_all_month():
    """A posture chosen stands for the month and after it, until the player changes it."""
    game = Game("tehran", "baseline", seed=0)
    game.play_month(TehranAction.ESCALATE)
    game.play_month(None)
    df = game.model.trajectory()
    assert list(df[df["week"].between(1, 8)]["tehran_action"]) == ["escalate"] * 8
    assert game.model.summary()["tehran_posture_changes"] == 1
    assert int(game.model.state.forced_tehran_action[0]) == -1  # the hook is reset


def test_end_of_input_stops_cleanly():
    r = _play(["--as", "washington"], "")
    assert r.returncode == 0
    assert "No more input (end of file)" in r.stdout
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args,words", [
    (["--as", "pm", "scenario=atlantis"], "unknown scenario 'atlantis'"), (["--as", "king"], "'king'"),
    (["--as", "pm", "colour=red"], "colour=red"), (["--as", "pm", "seed=x"], "seed"),
    (["scenario=baseline"], "--as"), (["--as", "pm", "scenario.sanctions.credibilty=0.9"], "credibility"),
    (["--as", "pm", "scenario.sanctions.credibility=7"], "credibility")])
def test_wrong_command_line_exits_2(args, words, capsys):
    with pytest.raises(SystemExit) as exc:
        play_main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_memos_and_the_record(tmp_path):
    """--memos asks each player for a line; --record writes the moves and memos as Markdown,
    also when the game stops early (end of input)."""
    record = tmp_path / "game.md"
    r = _play(["--as", "pm,washington", "--memos", "--record", str(record), "runs=100"],
              "formal_request\nParliament asked | now\n0\nLet them ask\n")
    assert r.returncode == 0, r.stderr
    text = record.read_text()
    assert text.startswith("# Game record: scenario `baseline`, seed 0, run 0")
    assert "**Outcome: not decided yet**" in text
    assert '| 1 | 2020-01-06 | formal_request: "Parliament asked / now" | keep: "Let them ask" |' in text
