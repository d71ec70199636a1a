"""`python -m sim.teach`: scenario exercises for a class.

    python -m sim.teach list                       # the exercises, one line each
    python -m sim.teach brief NAME [--role R] [--facilitator]
                                                   # print the card for the class (no answers,
                                                   # no markers); --facilitator: the whole card
    python -m sim.teach run NAME [--runs N] [--seed S] [--out DIR]
                                                   # the scenario's ensemble: outcome shares,
                                                   # time to the formal request (F4), plots, in
                                                   # results/teach/NAME/seed_S__runs=N by default
    python -m sim.teach facilitator [NAME ...] [--check]
                                                   # rewrite the cards' generated blocks
    python -m sim.teach handout NAME [--role pm|washington|tehran|all] [--format md|html|pdf]
                                [--facilitator] [--paper a4|letter] [--out FILE]
                                                   # a student's handout (no answers) or the
                                                   # facilitator's whole card, in
                                                   # results/handouts/ by default

`run` also runs the baseline with the same seed and runs (the same random worlds) and
draws the scenario beside it (compare_outcomes, compare_time_to_request), the comparison
the cards ask for.

An expected failure is one line `python -m sim.teach: error: ...` and exit code 2: an
unknown NAME (the line names the allowed ones), a bad option (`--seed` outside [0, 2**63),
`--runs` outside [1, MAX_RUNS]), a scenario file the config edge refuses, an output
folder that cannot be written (full, read-only), or a folder given with --out that holds
an ensemble with other settings. `run` never writes into a folder holding an ensemble with
other settings (`sim.run_folders`): the default folder then takes the next free name.
`summary.json` is written last, so a run that fails leaves none.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import yaml

from ..cli import OneLineParser, describe_os_error, whole_number_in
from ..config import ConfigError, available_scenarios, check_scenario, run_config
from ..config.validate import SEED_LIMIT
from ..ensembles import run_ensemble, statistics
from ..files import check_destination, write_text
from ..run_folders import CONFIG_FILE, claim, run_name
from . import cards, handouts
from .figures import write_figures

PROG = "python -m sim.teach"
#: runs of one exercise at most: a class discussion needs thousands; the batch engine holds
#: every run in memory at once (python -m sim.sweep handles millions, in chunks)
MAX_RUNS = 200_000



def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="Scenario exercises for a class.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    sub.add_parser("list", help="list the exercises")
    b = sub.add_parser("brief", help="print an exercise's card for the class (no answers; --facilitator: all)")
    b.add_argument("name")
    b.add_argument("--role", choices=handouts.ROLE_CHOICES, default="all", help="the students' role (default all)")
    b.add_argument("--facilitator", action="store_true", help="the whole card, with the facilitator's note")
    r = sub.add_parser("run", help="run an exercise's ensemble and write its plots")
    r.add_argument("name")
    r.add_argument("--runs", type=whole_number_in(1, MAX_RUNS), default=5000,
                   help=f"number of runs (default 5000, at most {MAX_RUNS:,})")
    r.add_argument("--seed", type=whole_number_in(0, SEED_LIMIT - 1), default=0, help="root seed (default 0; 0 to 2**63 - 1)")
    r.add_argument("--out", type=Path, default=None, help="output folder (default results/teach/NAME/seed_S__runs=N)")
    f = sub.add_parser("facilitator", help="rewrite the generated blocks of the briefing cards")
    f.add_argument("names", nargs="*", help="exercises (default: all)")
    f.add_argument("--check", action="store_true", help="write nothing; exit 1 if a card is stale")
    h = sub.add_parser("handout", help="write a student's handout (no answers) or the facilitator's card")
    h.add_argument("name")
    h.add_argument("--role", choices=handouts.ROLE_CHOICES, default="all", help="the student's role (default all)")
    h.add_argument("--format", choices=handouts.FORMATS, default="md", help="md, html or pdf (default md)")
    h.add_argument("--facilitator", action="store_true", help="the whole card, with the facilitator's note")
    h.add_argument("--paper", choices=tuple(handouts.PAPERS), default="a4", help="a4 or letter (default a4; html, pdf)")
    h.add_argument("--out", type=Path, default=None, help="output file (default results/handouts/NAME__ROLE.FORMAT)")
    return p


def _list() -> None:
    for name in available_scenarios():
        cfg = run_config(name)
        card = "" if cards.card_path(name).exists() else "  (no briefing card yet)"
        print(f"{name:22s} {cfg.scenario.title}{card}")


def _run(args) -> None:
    """Run the ensemble, write its plots and summary.json, then print the shares (so that a
    run whose files cannot be written prints no results)."""
    check_scenario(args.name)
    settings = {"scenario": args.name, "seed": args.seed, "runs": args.runs,
                "config": dataclasses.asdict(run_config(args.name, args.seed))}
    default = Path("results") / "teach" / args.name / run_name(args.seed, [f"runs={args.runs}"])
    check_destination(args.out or default, "--out")
    out, moved = claim(args.out or default, settings, named_by_user=args.out is not None, option="--out")
    if moved:
        print(f"note: {moved}; writing to {out}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)  # written last: a folder with one is finished
    write_text(out / CONFIG_FILE, yaml.safe_dump(settings, sort_keys=False))
    e = run_ensemble(args.name, args.runs, args.seed)
    s = statistics(e)
    reference = None if args.name == cards.REFERENCE else run_ensemble(cards.REFERENCE, args.runs, args.seed)
    paths = write_figures(e, out, reference)
    write_text(out / "summary.json", json.dumps(s, indent=2, sort_keys=True) + "\n")
    print(f"Scenario {args.name}: {e.runs:,} runs, root seed {e.seed}, batch engine")
    for name, share in s["outcome_shares"].items():
        print(f"  {name:22s} {100 * share:5.1f} %  {cards.OUTCOME_WORDS[name]}")
    print(f"  formal request: {100 * s['share_with_request']:.1f} % of runs "
          f"(by end 2020 {100 * s['share_request_by_end_2020']:.1f} %, by end 2021 {100 * s['share_request_by_end_2021']:.1f} %)")
    if s["median_request_week"] is not None:
        print(f"  median week of the request, among runs with one: {s['median_request_week']:g} "
              f"(about {s['median_request_date']})")
    if reference is not None:
        r = statistics(reference)
        print(f"  against the baseline (same seed, same runs): formal request {100 * s['share_with_request']:.1f} % vs "
              f"{100 * r['share_with_request']:.1f} %, occupation {100 * s['outcome_shares']['occupation']:.1f} % vs "
              f"{100 * r['outcome_shares']['occupation']:.1f} %")
    print("wrote " + ", ".join(str(p) for p in [*paths, out / CONFIG_FILE, out / "summary.json"]))


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            _list()
        elif args.command == "brief":
            check_scenario(args.name)
            print(handouts.handout_markdown(args.name, args.role, args.facilitator), end="")
        elif args.command == "run":
            _run(args)
        elif args.command == "handout":
            check_scenario(args.name)
            who = "facilitator" if args.facilitator else args.role
            path = args.out or Path("results") / "handouts" / f"{args.name}__{who}.{args.format}"
            check_destination(path, "--out")
            handouts.write_handout(args.name, args.role, args.format, path, facilitator=args.facilitator,
                                   paper=args.paper)
            print(f"wrote {path}")
        elif args.command == "facilitator":
            names = args.names or [n for n in available_scenarios() if cards.card_path(n).exists()]
            for n in names:
                check_scenario(n)
            changed = cards.refresh(names, check=args.check)
            if args.check:
                print("stale cards: " + ", ".join(changed) if changed else "all cards are current")
                return 1 if changed else 0
            print("updated: " + ", ".join(changed) if changed else "all cards were current")
    except (ConfigError, cards.CardError, handouts.HandoutError) as err:  # an unknown scenario is a ConfigError too
        parser.error(str(err))  # one line, exit code 2
    except OSError as err:
        message = describe_os_error(err)
        if message is None:
            raise
        print(f"{PROG}: error: cannot write the exercise's files: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
