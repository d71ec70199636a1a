"""`python -m sim.play --as ROLE[,ROLE...] [scenario=NAME] [seed=S] [run=I] [runs=N] [scenario.KEY=VALUE ...]`

Play one or more actors (pm, washington, tehran) against the model, a month per turn,
reading choices from standard input (a number or a name; 0 keeps your course; q quits).
With several roles (`--as pm,washington`, or `--as` given twice) the players take turns at
one keyboard (hot-seat): each turn asks every player in order, then the month passes. The
model plays every other actor, never a player's. Works in a plain terminal and from a
script: at the end of input the game stops with a message.

When the outcome is decided, the game asks whether to play on to the run's end (y/N). At
the end it prints the story of the game, the outcome, and each player's debrief: where the
outcome and that player's own moves sit in the model's own distribution for the same
scenario, overrides and random world (`run` is the run index, default 0; `runs` the size of
the comparison ensemble, default 1000). `--hide-payoffs` hides the model's values of the
options; `--memos` asks each player for a one-line decision memo every turn; `--record
FILE` writes the game's record (moves, memos, story, debrief) as Markdown; `--turn-days 7|14|28`
sets a turn's length (a month by default).

Scenario overrides are the keys of `python -m sim` (`scenario.sanctions.credibility=0.9`),
checked the same way. Exit codes: 0 when the game ends, the players quit or input ends; 2,
with one line `python -m sim.play: error: ...`, for a wrong command line (an unknown role, or
the rival's in a case without a rival; an unknown setting, scenario or key, `seed` or `run`
outside [0, 2**63), `runs` outside [1, MAX_RUNS], a value out of range) or a scenario file
the config edge refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..cli import OneLineParser
from ..config import CONFIG_DIR, ConfigError, check_scenario, run_config
from ..config.overrides import check_command_overrides
from ..config.safety import check_command_line
from ..config.schema import RunConfig
from ..config.validate import SEED_LIMIT
from ..files import check_destination, write_text
from . import screen
from .compare import comparison
from .game import ROLES, Game, case_roles, parse_roles

KEYS = {"scenario": str, "seed": int, "run": int, "runs": int}
#: the comparison ensemble's runs at most (the batch engine holds them all in memory)
MAX_RUNS = 200_000
#: allowed values of the integer settings
LIMITS = {"seed": (0, SEED_LIMIT - 1), "run": (0, SEED_LIMIT - 1), "runs": (1, MAX_RUNS)}


def parse_args(argv):
    p = OneLineParser(
        prog="python -m sim.play", description="Play actors of the 2020 negotiation against the model.",
        epilog="Example: python -m sim.play --as pm,washington scenario=anti_american_pm seed=3",
    )
    p.add_argument("--as", dest="roles", required=True, action="append", metavar="ROLE[,ROLE]",
                   help=f"the actors you play: {', '.join(ROLES)} (comma-separated, or --as again)")
    p.add_argument("--hide-payoffs", action="store_true", help="do not show the model's values of the options")
    p.add_argument("--memos", action="store_true", help="ask each player for a one-line decision memo every turn")
    p.add_argument("--record", type=Path, default=None, help="write the game's record as Markdown to this file")
    p.add_argument("--turn-days", type=int, choices=(7, 14, 28), default=28,
                   help="days in a turn: 28 (a month, default), 14 or 7")
    p.add_argument("settings", nargs="*", metavar="key=value",
                   help="scenario=NAME (default baseline), seed=S (default 0), run=I (default 0), runs=N "
                        "(default 1000), and scenario.KEY=VALUE overrides as in python -m sim")
    args = p.parse_args(argv)
    try:
        roles = parse_roles(args.roles)
    except ValueError as err:
        p.error(f"--as: {err}")
    values = {"scenario": "baseline", "seed": 0, "run": 0, "runs": 1000}
    overrides = []
    for item in args.settings:
        key, eq, raw = item.partition("=")
        if eq and key.startswith("scenario."):
            overrides.append(item)
            continue
        if not eq or key not in KEYS:
            p.error(f"'{item}' is not a setting; use key=value with key one of {', '.join(KEYS)}, "
                    "or a scenario.KEY=VALUE override")
        try:
            values[key] = KEYS[key](raw)
        except ValueError:
            p.error(f"{key} must be {'an integer' if KEYS[key] is int else 'a name'}, not {raw!r}")
    for key, (low, high) in LIMITS.items():
        if not low <= values[key] <= high:
            p.error(f"{key} = {values[key]} is not allowed: an integer in [{low}, {high}]")
    try:
        check_scenario(values["scenario"])
        args_line = [f"scenario={values['scenario']}", *overrides]
        check_command_line(args_line, "config")  # the config edge, as python -m sim
        check_command_overrides(args_line, RunConfig, "config", CONFIG_DIR, "python -m sim.play")
        config = run_config(values["scenario"], values["seed"], overrides)  # every override's type and range
    except ConfigError as err:
        p.error(str(err))
    case = config.scenario.case
    missing = [r for r in roles if r not in case_roles(case)]
    if missing:  # the rival's role, in a case without a rival
        p.error(f"--as: role {missing[0]!r} is not in scenario {values['scenario']}: {case.country} has no rival; "
                f"choose from {', '.join(case_roles(case))}")
    return roles, values, tuple(overrides), args


def ask(prompt: str, options):
    """A player's choice: an Option, "model" or "quit"; None at the end of input."""
    while True:
        print(prompt, end="", flush=True)
        line = sys.stdin.readline()
        if line == "":
            return None
        choice = screen.parse_choice(line, options)
        if choice is not None:
            return choice
        print(screen.hint(line, options), flush=True)


def main(argv=None) -> int:
    roles, v, overrides, args = parse_args(argv)
    try:
        if args.record is not None:
            check_destination(args.record, "--record")
        game = Game(roles, v["scenario"], v["seed"], v["run"], overrides, days_per_turn=args.turn_days)
    except ConfigError as err:  # a scenario file the config edge refuses
        print(f"python -m sim.play: error: {err}", file=sys.stderr)
        return 2
    print(screen.intro(game), flush=True)
    recent: list[dict] = []
    several = len(game.roles) > 1
    while not game.over:
        print("\n" + screen.situation(game, recent), flush=True)
        choices: dict[str, int | None] = {}
        memos: dict[str, str] = {}
        for role in game.roles:
            title = game.title(role)
            if not game.needs_choice(role):
                only = game.options(role)
                what = f"only '{game.words(only[0].label)}' is open" if len(only) == 1 else "there is no decision to take"
                print(f"{title}: {what} this month.", flush=True)
                continue
            options = screen.choosable(game, role)
            print(screen.options_text(game, options, role, show_payoffs=not args.hide_payoffs), flush=True)
            choice = ask(f"{title}, your choice: " if several else "Your choice: ", options)
            if choice is None or choice == "quit":
                print("\nNo more input (end of file): the game stops here, before the run's end." if choice is None
                      else "You quit the game before the run's end.", flush=True)
                if args.record is not None:
                    write_text(args.record, screen.record_markdown(game, "(the game stopped before its end)"))
                    print(f"wrote {args.record}")
                return 0
            print(f"{title if several else 'You'} chose: "
                  f"{'to keep the course' if choice == 'model' else game.words(choice.label)}", flush=True)
            choices[role] = None if choice == "model" else choice.index
            if args.memos:
                print(f"{title}, a one-line memo on why (Enter for none): ", end="", flush=True)
                memos[role] = sys.stdin.readline().strip()
        recent = game.play_turn(choices, memos)
        if game.over and game.model.running:  # the outcome is decided before the run's end
            print("\n" + screen.situation(game, recent), flush=True)
            print(f"\nThe outcome is decided: {game.outcome}. Play on to the run's end? [y/N] ", end="", flush=True)
            answer = sys.stdin.readline().strip().lower()
            if answer in ("y", "yes"):
                game.play_on()
                recent = []
    played = game.model.summary()
    moves = {r: screen.moves_of(game, r) for r in game.roles}
    report = comparison(v["scenario"], v["seed"], v["run"], played, v["runs"], game.roles, moves, overrides)
    print(screen.closing(game, report))
    if args.record is not None:
        write_text(args.record, screen.record_markdown(game, report, numbers=not args.hide_payoffs))
        print(f"wrote {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
