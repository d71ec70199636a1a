"""python -m sim.bargain: run one collective-decision protocol on a table of actors.

    python -m sim.bargain --protocol compromise|median|bdm --actors FILE.csv [--rounds N]

The table has the columns Actor, Capability, Position, Salience (more columns are
ignored), one row per actor. The output is one CSV table on stdout with the columns
`round,actor,position`:

- one row per actor and round, round 0 being the input; the rows of a round follow the
  order of the input table;
- after them, one row per round with actor `__outcome__` whose position is the protocol's
  collective outcome of that round's positions.

`compromise` and `median` are static rules: positions stay as given in every round and the
outcome is the same each round. `bdm` (Bueno de Mesquita's expected-utility model as
specified by Scholz, Calbert & Smith 2011, `sim/model/bdm.py`) moves the actors; its
rounds run until no actor moves (convergence) or `--rounds` is reached, and the table
stops at that round; its outcome is the capability-and-salience-weighted mean of the
round's positions. A bad file (missing, unreadable, missing columns, an empty table,
a number that does not parse or is not finite, a negative capability or salience, a
salience above 1 for bdm, a repeated or reserved actor name) is refused with a message
naming the problem, exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .model import bargaining, bdm

PROTOCOLS = ("compromise", "median", "bdm")
COLUMNS = ("Actor", "Capability", "Position", "Salience")
OUTCOME_ACTOR = "__outcome__"
DEFAULT_ROUNDS = 10


class ActorTableError(ValueError):
    """A table of actors the protocols cannot use; the message names the problem."""


@dataclass(frozen=True)
class ActorTable:
    names: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray


def read_actors(path, protocol: str = "compromise") -> ActorTable:
    """Read and check a table of actors (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise ActorTableError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in COLUMNS if c not in header]
            if not header:
                raise ActorTableError(f"{path}: the file is empty; expected the columns {','.join(COLUMNS)}")
            if missing:
                raise ActorTableError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}, found {','.join(header)}"
                )
            reader.fieldnames = header
            rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    except UnicodeDecodeError as e:
        raise ActorTableError(f"{path}: not a text CSV file ({e.reason})") from None
    except csv.Error as e:
        raise ActorTableError(f"{path}: not a readable CSV file ({e})") from None
    if not rows:
        raise ActorTableError(f"{path}: the table has no actors (a header and no rows)")
    names, values = [], {c: [] for c in COLUMNS[1:]}
    for line, row in enumerate(rows, start=2):
        name = (row.get("Actor") or "").strip()
        if not name:
            raise ActorTableError(f"{path}, row {line}: the Actor name is empty")
        if name == OUTCOME_ACTOR:
            raise ActorTableError(f"{path}, row {line}: the actor name {OUTCOME_ACTOR} is reserved for the outcome rows")
        if name in names:
            raise ActorTableError(f"{path}, row {line}: actor {name!r} appears twice")
        names.append(name)
        for col in COLUMNS[1:]:
            text = (row.get(col) or "").strip()
            try:
                v = float(text)
            except ValueError:
                raise ActorTableError(f"{path}, row {line} ({name}): {col} {text!r} is not a number") from None
            if not math.isfinite(v):
                raise ActorTableError(f"{path}, row {line} ({name}): {col} {text!r} is not a finite number")
            values[col].append(v)
    c, x, s = (np.array(values[k]) for k in ("Capability", "Position", "Salience"))
    for col, arr in (("Capability", c), ("Salience", s)):
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            i = int(bad[0])
            raise ActorTableError(f"{path}, row {i + 2} ({names[i]}): {col} {arr[i]:g} is negative; it must be >= 0")
    if protocol == "bdm":
        bad = np.flatnonzero(s > 1)
        if bad.size:
            i = int(bad[0])
            raise ActorTableError(
                f"{path}, row {i + 2} ({names[i]}): Salience {s[i]:g} is above 1; bdm reads salience as the "
                "probability that an actor resists a challenge, so it must lie in [0, 1]"
            )
    if not (c * s).sum() > 0:
        raise ActorTableError(f"{path}: every actor has capability x salience 0; no protocol can weigh the positions")
    return ActorTable(tuple(names), c, x, s)


def run_protocol(protocol: str, table: ActorTable, rounds: int = DEFAULT_ROUNDS):
    """Positions per round, shape (rounds run + 1, N) (row 0 the input), and the collective
    outcome of each round, shape (rounds run + 1,)."""
    c, x, s = table.capability, table.position, table.salience
    if protocol == "bdm":
        history = bdm.bdm_rounds(c, x[None, :], s, rounds)
        positions = np.stack([x] + [h.position[0] for h in history])
        outcome = np.array([float(bdm.weighted_mean(c, p[None, :], s)[0]) for p in positions])
        return positions, outcome
    if protocol not in ("compromise", "median"):
        raise ValueError(f"protocol {protocol!r} is not one of {PROTOCOLS}")
    positions = np.repeat(x[None, :], rounds + 1, axis=0)
    value = float(bargaining.collective_position(protocol, c, x, s))
    return positions, np.full(rounds + 1, value)


def format_table(names, positions, outcome) -> str:
    """The CSV text: round,actor,position rows, then the __outcome__ rows."""
    lines = ["round,actor,position"]
    for k, row in enumerate(positions):
        lines += [f"{k},{_csv_name(n)},{v:.10g}" for n, v in zip(names, row)]
    lines += [f"{k},{OUTCOME_ACTOR},{v:.10g}" for k, v in enumerate(outcome)]
    return "\n".join(lines) + "\n"


def _csv_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(ch in name for ch in ',"\n') else name


def _rounds(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{n} is negative; give 0 or more rounds")
    return n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.bargain",
        description="Collective decision of a table of actors (Actor,Capability,Position,Salience) by one protocol; "
                    "prints round,actor,position for every round, then the outcome rows (actor __outcome__).",
    )
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS,
                        help="compromise (weighted mean), median (weighted median) or bdm (Bueno de Mesquita's "
                             "expected-utility model, Scholz, Calbert & Smith 2011)")
    parser.add_argument("--actors", required=True, metavar="FILE.csv", help="table with the columns " + ",".join(COLUMNS))
    parser.add_argument("--rounds", type=_rounds, default=DEFAULT_ROUNDS,
                        help=f"round limit (default {DEFAULT_ROUNDS}); bdm stops earlier when no actor moves")
    args = parser.parse_args(argv)
    try:
        table = read_actors(args.actors, args.protocol)
    except ActorTableError as e:
        print(f"python -m sim.bargain: error: {e}", file=sys.stderr)
        return 2
    positions, outcome = run_protocol(args.protocol, table, args.rounds)
    sys.stdout.write(format_table(table.names, positions, outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
