"""python -m sim.bargain (issue 6): the output format, the three protocols on the EC
car-emissions data, and the refusal of bad tables (exit code 2, a message naming the
problem)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from sim import bargain
from sim.model import bdm

EC_DATA = Path(REPO) / "data" / "bdm_ec_car_emissions.csv"


def run_cli(capsys, *args):
    code = bargain.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def table_of(out: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(out))


@pytest.mark.parametrize("protocol, outcome", [("compromise", 7.39), ("median", 7.0)])
def test_static_protocols_on_the_ec_data(capsys, protocol, outcome):
    """Rounds 0..N keep the input positions (in input order) and every outcome row is the
    rule's value: compromise 7.39, median 7."""
    code, out, _ = run_cli(capsys, "--protocol", protocol, "--actors", str(EC_DATA), "--rounds", "3")
    assert code == 0
    t = table_of(out)
    assert list(t.columns) == ["round", "actor", "position"]
    data = pd.read_csv(EC_DATA)
    actors = t[t.actor != bargain.OUTCOME_ACTOR]
    assert sorted(actors["round"].unique()) == [0, 1, 2, 3]
    for k in range(4):
        rows = actors[actors["round"] == k]
        assert list(rows.actor) == list(data.Actor)
        assert np.array_equal(rows.position.to_numpy(), data.Position.to_numpy(float))
    res = t[t.actor == bargain.OUTCOME_ACTOR]
    assert list(res["round"]) == [0, 1, 2, 3]
    assert np.allclose(res.position.round(2), outcome)


def test_bdm_protocol_prints_every_round_of_the_model(capsys):
    """bdm: round 0 is the input, then the positions of each round of bdm_rounds (to 10
    significant digits), the outcome the weighted mean of each round's positions; the table
    stops where the rounds stop (here the limit, 4)."""
    code, out, _ = run_cli(capsys, "--protocol", "bdm", "--actors", str(EC_DATA), "--rounds", "4")
    assert code == 0
    t = table_of(out)
    data = pd.read_csv(EC_DATA)
    c, x, s = (data[k].to_numpy(float) for k in ("Capability", "Position", "Salience"))
    history = bdm.bdm_rounds(c, x[None], s, 4)
    expected = [x] + [h.position[0] for h in history]
    actors = t[t.actor != bargain.OUTCOME_ACTOR]
    res = t[t.actor == bargain.OUTCOME_ACTOR]
    assert sorted(actors["round"].unique()) == list(range(len(expected)))
    for k, pos in enumerate(expected):
        assert np.allclose(actors[actors["round"] == k].position.to_numpy(), pos, rtol=1e-9)
        assert res[res["round"] == k].position.iloc[0] == pytest.approx(float(bdm.weighted_mean(c, pos[None], s)[0]), rel=1e-9)
    assert res.position.iloc[0] == pytest.approx(7.39, abs=0.005)


def test_bdm_table_stops_at_convergence(tmp_path, capsys):
    """Two actors who settle in one round (the hand-worked case of test_validation_bdm):
    round 1 moves B to A, round 2 moves nobody, and the table ends at round 2 although 10
    rounds were allowed."""
    f = tmp_path / "two.csv"
    f.write_text("Actor,Capability,Position,Salience\nA,1,0,1\nB,1,1,0.5\n")
    code, out, _ = run_cli(capsys, "--protocol", "bdm", "--actors", str(f), "--rounds", "10")
    assert code == 0
    t = table_of(out)
    assert t["round"].max() == 2
    assert t[(t["round"] == 1) & (t.actor == "B")].position.iloc[0] == 0.0


BAD_TABLES = {
    "missing_column": ("Actor,Capability,Position\nA,1,2\n", "missing column(s) Salience"),
    "negative_capability": ("Actor,Capability,Position,Salience\nA,-1,2,0.5\nB,1,3,0.5\n", "Capability -1 is negative"),
    "negative_salience": ("Actor,Capability,Position,Salience\nA,1,2,-0.5\n", "Salience -0.5 is negative"),
    "empty_table": ("Actor,Capability,Position,Salience\n", "no actors"),
    "empty_file": ("", "the file is empty"),
    "unparsable_number": ("Actor,Capability,Position,Salience\nA,1,two,0.5\n", "Position 'two' is not a number"),
    "not_finite": ("Actor,Capability,Position,Salience\nA,1,nan,0.5\n", "not a finite number"),
    "duplicate_actor": ("Actor,Capability,Position,Salience\nA,1,2,0.5\nA,1,3,0.5\n", "appears twice"),
    "no_weight": ("Actor,Capability,Position,Salience\nA,0,2,0.5\nB,1,3,0\n", "capability x salience 0"),
    "salience_above_one_for_bdm": ("Actor,Capability,Position,Salience\nA,1,2,1.5\n", "Salience 1.5 is above 1"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_bad_tables_are_refused_with_exit_code_2(tmp_path, capsys, case):
    text, message = BAD_TABLES[case]
    f = tmp_path / f"{case}.csv"
    f.write_text(text)
    code, out, err = run_cli(capsys, "--protocol", "bdm", "--actors", str(f))
    assert code == 2 and out == ""
    assert message in err and str(f) in err


def test_missing_file_and_bad_arguments(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code, out, err = run_cli(capsys, "--protocol", "median", "--actors", str(missing))
    assert code == 2 and "no such file" in err and str(missing) in err
    for args in (["--protocol", "vote", "--actors", str(EC_DATA)], ["--protocol", "bdm", "--actors", str(EC_DATA), "--rounds", "-1"]):
        with pytest.raises(SystemExit) as e:
            bargain.main(args)
        assert e.value.code == 2


def test_salience_above_one_is_allowed_for_static_rules(tmp_path, capsys):
    """Only bdm reads salience as a probability; the weighted rules take any weight >= 0."""
    f = tmp_path / "t.csv"
    f.write_text("Actor,Capability,Position,Salience\nA,1,2,1.5\nB,1,4,0.5\n")
    code, out, _ = run_cli(capsys, "--protocol", "compromise", "--actors", str(f), "--rounds", "0")
    assert code == 0 and table_of(out).position.iloc[-1] == pytest.approx(2.5)


def test_module_entry_point(tmp_path):
    """`python -m sim.bargain` end to end: output on stdout, errors on stderr with exit 2."""
    ok = subprocess.run([sys.executable, "-m", "sim.bargain", "--protocol", "median", "--actors", str(EC_DATA),
                         "--rounds", "1"], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0 and ok.stdout.splitlines()[-1] == "1,__outcome__,7"
    bad = tmp_path / "bad.csv"
    bad.write_text("Actor,Position,Salience\nA,1,0.5\n")
    fail = subprocess.run([sys.executable, "-m", "sim.bargain", "--protocol", "bdm", "--actors", str(bad)],
                          capture_output=True, text=True, cwd=REPO)
    assert fail.returncode == 2 and "missing column(s) Capability" in fail.stderr and fail.stdout == ""
