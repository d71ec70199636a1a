"""`python -m sim.play --as washington|tehran|pm scenario=NAME [seed=S] [run=I] [runs=N]`

Play one actor against the model, a month per turn, reading choices from standard input
(a number or a name; 0 lets the model decide; q quits). Works in a plain terminal and from
a script: at the end of input (EOF) the game stops with a message. At the end of the run it
prints the event log, the outcome, and where it sits in the model's own distribution for
the same scenario and the same random world (`run` is the run index, default 0; `runs` is
the size of the comparison ensemble, default 1000).

Exit codes: 0 when the run ends, the player quits or input ends; 2, with one line
`python -m sim.play: error: ...`, for a wrong command line (an unknown setting or
scenario, `seed` or `run` outside [0, 2**63), `runs` outside [1, MAX_RUNS]) or a scenario
file the config edge refuses.
"""

from __future__ import annotations

import sys

from ..cli import OneLineParser
from ..config import ConfigError, check_scenario
from ..config.validate import SEED_LIMIT
from . import screen
from .compare import comparison
from .game import ROLES, Game

KEYS = {"scenario": str, "seed": int, "run": int, "runs": int}
#: the comparison ensemble's runs at most (the batch engine holds them all in memory)
MAX_RUNS = 200_000
#: allowed values of the integer settings
LIMITS = {"seed": (0, SEED_LIMIT - 1), "run": (0, SEED_LIMIT - 1), "runs": (1, MAX_RUNS)}


def parse_args(argv):
    p = OneLineParser(
        prog="python -m sim.play", description="Play an actor of the 2020 negotiation against the model.",
        epilog="Example: python -m sim.play --as pm scenario=anti_american_pm seed=3",
    )
    p.add_argument("--as", dest="role", required=True, choices=sorted(ROLES), help="the actor you play")
    p.add_argument("settings", nargs="*", metavar="key=value",
                   help="scenario=NAME (default baseline), seed=S (default 0), run=I (default 0), runs=N (default 1000)")
    args = p.parse_args(argv)
    values = {"scenario": "baseline", "seed": 0, "run": 0, "runs": 1000}
    for item in args.settings:
        key, eq, raw = item.partition("=")
        if not eq or key not in KEYS:
            p.error(f"'{item}' is not a setting; use key=value with key one of {', '.join(KEYS)}")
        try:
            values[key] = KEYS[key](raw)
        except ValueError:
            p.error(f"{key} must be {'an integer' if KEYS[key] is int else 'a name'}, not {raw!r}")
    for key, (low, high) in LIMITS.items():
        if not low <= values[key] <= high:
            p.error(f"{key} = {values[key]} is not allowed: an integer in [{low}, {high}]")
    try:
        check_scenario(values["scenario"])
    except ConfigError as err:
        p.error(str(err))
    return args.role, values


def ask(options):
    """The player's choice: an Option, "model" or "quit"; None at the end of input."""
    while True:
        print("Your choice: ", end="", flush=True)
        line = sys.stdin.readline()
        if line == "":
            return None
        choice = screen.parse_choice(line, options)
        if choice is not None:
            return choice
        print(screen.hint(line, options), flush=True)


def main(argv=None) -> int:
    role, v = parse_args(argv)
    try:
        game = Game(role, v["scenario"], v["seed"], v["run"])
    except ConfigError as err:  # a scenario file the config edge refuses
        print(f"python -m sim.play: error: {err}", file=sys.stderr)
        return 2
    print(screen.intro(game), flush=True)
    recent: list[dict] = []
    while not game.over:
        print("\n" + screen.situation(game, recent), flush=True)
        if not game.can_decide():
            only = game.options()
            what = f"only '{only[0].name}' is open" if len(only) == 1 else "you have no decision to take"
            print(f"This month {what}; the month passes.", flush=True)
            recent = game.play_month(None)
            continue
        options = game.options()
        print(screen.options_text(game, options), flush=True)
        choice = ask(options)
        if choice is None:
            print("\nNo more input (end of file): the game stops here, before the run's end.", flush=True)
            return 0
        if choice == "quit":
            print("You quit the game before the run's end.", flush=True)
            return 0
        print(f"You chose: {'to keep your course' if choice == 'model' else choice.name}", flush=True)
        recent = game.play_month(None if choice == "model" else choice.index)
    print(screen.closing(game, comparison(v["scenario"], v["seed"], v["run"], game.model.summary(), v["runs"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
