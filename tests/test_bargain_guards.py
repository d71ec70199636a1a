"""`python -m sim.bargain` guards its input and output (issue 15, case 9): positions within
the declared scale (`--scale LOW HIGH`; by default the data's own range, with a warning
saying so), actor names safe for CSV and spreadsheets, and a size guard for bdm, whose
rounds cost N^3 (the old code ran 10,000 actors past 120 s and 3.9 GB, accepted positions
of 5 and -3 on a 0-1 scale, and printed `=cmd|calc` and NUL bytes into its CSV).

The refusals are checked on the command line (one line, exit 2, nothing on stdout); the
scale's effect on bdm against sim.model.bdm directly.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from clitools import assert_one_line_failure, lines

from sim import bargain
from sim.model import bdm

REPO = Path(__file__).resolve().parents[1]
HEADER = "Actor,Capability,Position,Salience\n"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.bargain", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def table_file(tmp_path: Path, rows: str, name: str = "actors.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows)
    return path


def rows_of(stdout: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(stdout)))


# ---------------------------------------------------------------- the scale
def test_positions_outside_the_declared_scale_are_refused(tmp_path):
    path = table_file(tmp_path, "A,1,0.2,0.5\nB,2,5,0.5\nC,1,-3,0.4\n")
    proc = cli("--protocol", "compromise", "--actors", str(path), "--scale", "0", "1")
    assert_one_line_failure(proc, f"{path}, row 3 (B): Position 5 is outside the declared scale [0, 1] (--scale)")
    assert proc.stdout == ""


def test_without_a_scale_the_data_range_is_used_with_a_warning(tmp_path):
    path = table_file(tmp_path, "A,1,0.2,0.5\nB,2,5,0.5\nC,1,-3,0.4\n")
    proc = cli("--protocol", "median", "--actors", str(path), "--rounds", "0")
    assert proc.returncode == 0, proc.stderr
    assert lines(proc.stderr) == ["python -m sim.bargain: warning: no --scale given: using the positions' own range "
                                  "[-3, 5] as the issue scale"]
    assert rows_of(proc.stdout)[-1] == ["0", "__outcome__", "5"]


@pytest.mark.parametrize("scale", [["1", "1"], ["2", "1"], ["0", "nan"], ["0", "x"]])
def test_a_scale_that_is_no_interval_is_refused(tmp_path, scale):
    path = table_file(tmp_path, "A,1,0.2,0.5\n")
    proc = cli("--protocol", "median", "--actors", str(path), "--scale", *scale)
    assert proc.returncode == 2 and len(lines(proc.stderr)) == 1 and proc.stdout == ""
    assert "--scale" in proc.stderr


def test_bdm_measures_distances_on_the_declared_scale(tmp_path, capsys):
    """The same actors on the declared scale [0, 10] (distances / 10) and on their own range
    [2, 6] (distances / 4): each equals sim.model.bdm with that scale, and they differ."""
    path = table_file(tmp_path, "A,3,2,0.9\nB,2,6,0.6\nC,4,5,0.3\nD,1,3,0.8\n")
    c, x, s = np.array([3.0, 2, 4, 1]), np.array([2.0, 6, 5, 3]), np.array([0.9, 0.6, 0.3, 0.8])
    got = {}
    for scale, width in ((["--scale", "0", "10"], 10.0), ([], None)):
        assert bargain.main(["--protocol", "bdm", "--actors", str(path), "--rounds", "3", *scale]) == 0
        out = rows_of(capsys.readouterr().out)[1:]
        got[width] = np.array([float(r[2]) for r in out if r[1] != "__outcome__"]).reshape(-1, 4)
        history = bdm.bdm_rounds(c, x[None], s, 3, scale=width)
        expected = np.stack([x] + [h.position[0] for h in history])
        np.testing.assert_allclose(got[width], expected, rtol=1e-9)
    assert not np.allclose(got[10.0], got[None])


# ---------------------------------------------------------------- names
def test_formula_names_are_escaped_and_quoted(tmp_path):
    """Names a spreadsheet would run as formulas get a leading ' (and a warning); a comma or
    a quote is quoted as CSV requires; the rows read back as the names."""
    path = table_file(tmp_path, '"=cmd|calc",1,0.2,0.5\n+SUM(A1),1,0.4,0.5\n"Smith, J.",2,0.9,0.5\n'
                                '"say ""hi""",1,0.1,0.5\n@x,1,0.3,0.5\n-2,1,0.6,0.5\n')
    proc = cli("--protocol", "compromise", "--actors", str(path), "--rounds", "0", "--scale", "0", "1")
    assert proc.returncode == 0, proc.stderr
    names = [r[1] for r in rows_of(proc.stdout)[1:7]]
    assert names == ["'=cmd|calc", "'+SUM(A1)", "Smith, J.", 'say "hi"', "'@x", "'-2"]
    assert all(not r[1].startswith(bargain.FORMULA_STARTS) for r in rows_of(proc.stdout)[1:])
    assert lines(proc.stderr) == ["python -m sim.bargain: warning: 4 actor name(s) start like a spreadsheet formula "
                                  "and are written with a leading ': '=cmd|calc', '+SUM(A1)', '@x', '-2'"]


@pytest.mark.parametrize("name, shown", [("A\0B", "'A\\x00B'"), ("A\x1bB", "'A\\x1bB'"), ("A\rB", "'A\\rB'")],
                         ids=["nul", "escape", "carriage_return"])
def test_names_with_control_characters_are_refused(tmp_path, name, shown):
    path = tmp_path / "actors.csv"
    path.write_bytes((HEADER + f'"{name}",1,0.2,0.5\n').encode())
    proc = cli("--protocol", "median", "--actors", str(path), "--scale", "0", "1")
    assert_one_line_failure(proc, f"row 2: the Actor name {shown} holds the control character")
    assert proc.stdout == ""


# ---------------------------------------------------------------- size
def test_bdm_on_too_many_actors_is_refused_at_once(tmp_path):
    n = bargain.MAX_BDM_ACTORS + 100
    rng = np.random.default_rng(0)
    path = table_file(tmp_path, "".join(f"a{i},{rng.uniform(1, 9):.3f},{rng.uniform():.3f},{rng.uniform():.3f}\n"
                                        for i in range(n)))
    proc = cli("--protocol", "bdm", "--actors", str(path), "--rounds", "1", "--scale", "0", "1", timeout=60)
    assert_one_line_failure(proc, f"{n} actors for bdm: at most {bargain.MAX_BDM_ACTORS}")
    # the weighted rules take the same table
    ok = cli("--protocol", "median", "--actors", str(path), "--rounds", "0", "--scale", "0", "1")
    assert ok.returncode == 0 and len(rows_of(ok.stdout)) == n + 2


def test_output_size_is_bounded(tmp_path):
    path = table_file(tmp_path, "".join(f"a{i},1,0.5,0.5\n" for i in range(2000)))
    proc = cli("--protocol", "median", "--actors", str(path), "--rounds", "9999", "--scale", "0", "1")
    assert_one_line_failure(proc, "2000 actors x 10000 rounds is 20,000,000 output rows")
    assert proc.stdout == ""
