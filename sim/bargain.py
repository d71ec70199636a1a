"""python -m sim.bargain: run one collective-decision protocol on a table of actors.

    python -m sim.bargain --protocol compromise|median|bdm --actors FILE.csv [--rounds N] [--scale LOW HIGH]

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
round's positions.

The issue scale. `--scale LOW HIGH` declares the scale positions are measured on (for
example `--scale 0 10`); a position outside it is refused, and bdm measures distances
as shares of HIGH - LOW. Without it the scale is the data's own range (the lowest and the
highest position), which bdm has always used, and a warning on stderr says so.

Names. An actor name must not hold control characters (NUL, line breaks, ...). A name
that starts with `=`, `+`, `-` or `@` is written with a leading `'`, so that a spreadsheet
opening the output does not run it as a formula (a warning says which); names are quoted
as CSV requires.

Refused, with one line naming the problem and exit code 2: a bad option, a file that is
missing or unreadable, missing columns, an empty table, a number that does not parse or
is not finite, a negative capability or salience, a salience above 1 for bdm, a repeated
or reserved actor name, a name with control characters, a position outside the declared
scale, more than MAX_BDM_ACTORS actors for bdm (its rounds cost N^3), or an output of more
than MAX_OUTPUT_ROWS rows. A failure to write stdout (a full disk) is one line too.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cli import OneLineParser, describe_os_error, whole_number_in
from .model import bargaining, bdm

PROTOCOLS = ("compromise", "median", "bdm")
COLUMNS = ("Actor", "Capability", "Position", "Salience")
OUTCOME_ACTOR = "__outcome__"
PROG = "python -m sim.bargain"
DEFAULT_ROUNDS = 10
#: bdm's round costs about N^3 operations (every actor weighs every pair) and holds several
#: (N, N) arrays; measured on this project's 2-core machine, one round takes 1.4 s at 400
#: actors, 2.4 s at 500 and 7.7 s at 800, so 500 actors and 10 rounds stay under half a
#: minute. 10,000 actors ran past 120 s and 3.9 GB before this guard.
MAX_BDM_ACTORS = 500
#: rows of output (actors x rounds) printed at most
MAX_OUTPUT_ROWS = 10_000_000
MAX_ROUNDS = 10_000
#: first characters a spreadsheet reads as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@")


class ActorTableError(ValueError):
    """A table of actors the protocols cannot use; the message names the problem."""


@dataclass(frozen=True)
class ActorTable:
    names: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray

    def data_range(self) -> tuple[float, float]:
        """The lowest and the highest position: the scale when none is declared."""
        return float(self.position.min()), float(self.position.max())


def check_name(path: Path, line: int, name: str) -> None:
    """Refuse an actor name holding control characters (NUL, line breaks, escapes): they
    would break or hide rows of the CSV output."""
    bad = [ch for ch in name if unicodedata.category(ch) == "Cc"]
    if bad:
        raise ActorTableError(f"{path}, row {line}: the Actor name {name!r} holds the control character {bad[0]!r}; "
                              "names must be printable text")


def check_scale(table: ActorTable, scale: tuple[float, float], path) -> None:
    """Every position lies within the declared scale [LOW, HIGH]."""
    low, high = scale
    outside = np.flatnonzero((table.position < low) | (table.position > high))
    if outside.size:
        i = int(outside[0])
        raise ActorTableError(f"{path}, row {i + 2} ({table.names[i]}): Position {table.position[i]:g} is outside the "
                              f"declared scale [{low:g}, {high:g}] (--scale)")


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
        check_name(path, line, name)
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


def run_protocol(protocol: str, table: ActorTable, rounds: int = DEFAULT_ROUNDS,
                 scale: tuple[float, float] | None = None):
    """Positions per round, shape (rounds run + 1, N) (row 0 the input), and the collective
    outcome of each round, shape (rounds run + 1,). `scale` (LOW, HIGH): the declared issue
    scale bdm measures distances on; None: the spread of the positions."""
    c, x, s = table.capability, table.position, table.salience
    if protocol == "bdm":
        width = None if scale is None or scale[1] <= scale[0] else scale[1] - scale[0]
        history = bdm.bdm_rounds(c, x[None, :], s, rounds, scale=width)
        positions = np.stack([x] + [h.position[0] for h in history])
        outcome = np.array([float(bdm.weighted_mean(c, p[None, :], s)[0]) for p in positions])
        return positions, outcome
    if protocol not in ("compromise", "median"):
        raise ValueError(f"protocol {protocol!r} is not one of {PROTOCOLS}")
    positions = np.repeat(x[None, :], rounds + 1, axis=0)
    value = float(bargaining.collective_position(protocol, c, x, s))
    return positions, np.full(rounds + 1, value)


def format_table(names, positions, outcome) -> str:
    """The CSV text: round,actor,position rows, then the __outcome__ rows; names made safe
    for spreadsheets (`safe_name`) and quoted as CSV requires."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["round", "actor", "position"])
    safe = [safe_name(n) for n in names]
    for k, row in enumerate(positions):
        out.writerows([k, n, f"{v:.10g}"] for n, v in zip(safe, row))
    out.writerows([k, OUTCOME_ACTOR, f"{v:.10g}"] for k, v in enumerate(outcome))
    return buf.getvalue()


def safe_name(name: str) -> str:
    """`name`, with a leading `'` if it starts like a spreadsheet formula (=, +, -, @)."""
    return "'" + name if name.startswith(FORMULA_STARTS) else name



def _finite(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return v


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Collective decision of a table of actors (Actor,Capability,Position,Salience) by one protocol; "
                    "prints round,actor,position for every round, then the outcome rows (actor __outcome__).",
    )
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS,
                        help="compromise (weighted mean), median (weighted median) or bdm (Bueno de Mesquita's "
                             "expected-utility model, Scholz, Calbert & Smith 2011)")
    parser.add_argument("--actors", required=True, metavar="FILE.csv", help="table with the columns " + ",".join(COLUMNS))
    parser.add_argument("--rounds", type=whole_number_in(0, MAX_ROUNDS), default=DEFAULT_ROUNDS,
                        help=f"round limit (default {DEFAULT_ROUNDS}); bdm stops earlier when no actor moves")
    parser.add_argument("--scale", nargs=2, type=_finite, metavar=("LOW", "HIGH"), default=None,
                        help="the issue scale positions are measured on (default: the data's own range, with a "
                             "warning); positions outside it are refused")
    return parser


def check_size(protocol: str, table: ActorTable, rounds: int) -> None:
    """Refuse a run that would take far too long (bdm on many actors) or print too much."""
    n = len(table.names)
    if protocol == "bdm" and n > MAX_BDM_ACTORS:
        raise ActorTableError(f"{n} actors for bdm: at most {MAX_BDM_ACTORS} (each round costs about N^3 "
                              f"operations); use compromise or median, or fewer actors")
    if n * (rounds + 1) > MAX_OUTPUT_ROWS:
        raise ActorTableError(f"{n} actors x {rounds + 1} rounds is {n * (rounds + 1):,} output rows: at most "
                              f"{MAX_OUTPUT_ROWS:,}; use fewer --rounds")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.scale is not None and not args.scale[0] < args.scale[1]:
        _error(f"--scale {args.scale[0]:g} {args.scale[1]:g}: LOW must be below HIGH")
        return 2
    try:
        table = read_actors(args.actors, args.protocol)
        scale = tuple(args.scale) if args.scale is not None else table.data_range()
        check_scale(table, scale, args.actors)
        check_size(args.protocol, table, args.rounds)
    except ActorTableError as e:
        _error(str(e))
        return 2
    if args.scale is None:
        print(f"{PROG}: warning: no --scale given: using the positions' own range [{scale[0]:g}, {scale[1]:g}] as "
              "the issue scale", file=sys.stderr)
    escaped = [n for n in table.names if safe_name(n) != n]
    if escaped:
        print(f"{PROG}: warning: {len(escaped)} actor name(s) start like a spreadsheet formula and are written with "
              f"a leading ': {', '.join(repr(n) for n in escaped[:5])}", file=sys.stderr)
    positions, outcome = run_protocol(args.protocol, table, args.rounds, scale if args.scale is not None else None)
    return _write(format_table(table.names, positions, outcome))


def _write(text: str) -> int:
    """Write the table to stdout; a full disk or a closed pipe is one line, exit code 2."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        try:  # stdout is unusable: do not let the interpreter try to flush it again at exit
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        _error(f"cannot write the table to stdout: {describe_os_error(err) or err}")
        return 2
    return 0


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
