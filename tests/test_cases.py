"""Cases as data (issue 29, items 1, 2, 5, 6): a case is a scenario file with a `case:` section
and its sheet (docs/cases/README.md).

- every case runs, and its story and briefs name the case's actors, never Iraq 2020's;
- a case without a rival never records a move of the rival actor (and the same case with a
  rival does: the test can fail);
- the vote rules, exact answers on seats;
- the calibration's year ends derive from the start date (Iraq 2020: days 360 and 725);
- Iraq 2020 unchanged: the baseline's texts are today's, and its run of seed 3 is pinned to the
  numbers the engine gave before cases existed (`python -m sim seed=3` on main);
- a bad case file is refused in one line naming the key, exit code 2, through the CLI, in a
  copy of the project; and a fifth case, added in the copy as a case file and its sheet only,
  runs and tells its own story.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from clitools import assert_one_line_failure

from sim.abm import story
from sim.abm.model import NegotiationModel
from sim.briefs import card_text, student_markdown
from sim.calibrate.features import END_2020, END_2021, year_ends
from sim.config import available_scenarios, model_params, run_config, run_params
from sim.engines.batch import simulate
from sim.model.case import VOTE_RULES, CaseConfig, render
from sim.model.parliament import vote_of

REPO = Path(__file__).resolve().parents[1]
CASES = ("philippines_1991", "uzbekistan_2005", "kyrgyzstan_2009", "niger_2024")
#: words each case's story must hold: its host's leader or capital, its legislature, its rival
NAMES = {
    "philippines_1991": ("Aquino", "Manila", "Senate", "1947 bases agreement"),
    "uzbekistan_2005": ("Karimov", "Tashkent", "Moscow and Beijing", "Andijan"),
    "kyrgyzstan_2009": ("Bakiyev", "Bishkek", "Moscow", "Manas"),
    "niger_2024": ("CNSP", "Niamey", "Russia", "Tiani"),
}
#: Iraq 2020's names, which no case's story may print
IRAQ = ("Iraq", "Baghdad", "Abdul Mahdi", "Soleimani", "Trump", "2014 notes", "ISIS", "Kurdish", "[F")


def test_the_cases_are_scenarios_with_their_sheets():
    assert set(CASES) <= set(available_scenarios())
    assert not (REPO / "docs" / "cases" / "drafts").exists()
    for name in CASES:
        case = run_config(name).scenario.case
        assert case.sheet == f"docs/cases/{name}.md" and (REPO / case.sheet).is_file()
        assert case.outcome is not None and case.outcome.source
        assert f"configs/scenario/{name}.yaml" in (REPO / case.sheet).read_text()


@pytest.mark.parametrize("name", CASES)
def test_a_case_runs_and_its_story_names_its_actors(name):
    cfg = run_config(name)
    p = model_params(cfg)
    assert p.start_date.isoformat() == cfg.scenario.case.start_date
    assert cfg.horizon_weeks == cfg.scenario.case.horizon_weeks
    m = NegotiationModel(p, run_index=0, record=True)
    m.run()
    text = story.story_markdown(m, {})
    for word in NAMES[name]:
        assert word in text, (name, word)
    for word in IRAQ:
        assert word not in text, (name, word)
    handout = student_markdown(name)
    assert NAMES[name][0] in handout and "Baghdad" not in handout and "Soleimani" not in handout
    assert cfg.scenario.title in card_text(name)


def test_without_a_rival_the_rival_never_moves():
    """Philippines 1991: no rival. Its actor never revises, however often it is triggered
    and however fast its clock; the same case given a rival does move."""
    p = run_params("philippines_1991", seed=5)
    fast = dataclasses.replace(p.tehran, revision_rate=1.0)
    off = p.with_section("tehran", fast)
    cols = simulate(off, np.arange(200))
    assert (cols["tehran_posture_changes"] == 0).all()
    on = dataclasses.replace(off, case=dataclasses.replace(p.case, rival="a rival"))
    assert (simulate(on, np.arange(200))["tehran_posture_changes"] > 0).any()
    m = NegotiationModel(off, run_index=0, record=True)
    m.run()
    assert not [e for e in m.event_log if e["kind"].startswith("tehran_")]
    assert not [r for r in m.reasons if r["actor"] == "tehran"]


def _vote(rule: str, yes: int, no: int, away: int = 0, total: int | None = None) -> bool:
    share, strict, of_all = VOTE_RULES[rule]
    seats = np.array([yes, no, away], dtype=float)
    position = np.array([0.9, 0.1, 0.1])
    boycott = np.array([0.0, 0.0, 1.0])
    total = yes + no + away if total is None else total
    passed, y, present = vote_of(seats, position, boycott, 0.5, 0.4, 0.0, np.empty(3), share, strict,
                                 float(total) if of_all else -1.0)
    assert y == yes and present == yes + no
    return bool(passed)


def test_vote_rules_exact():
    assert _vote("majority_present", 11, 10) and not _vote("majority_present", 10, 10)
    assert not _vote("majority_all", 11, 10, away=3) and _vote("majority_all", 13, 8, away=3)
    assert _vote("two_thirds_all", 16, 8) and not _vote("two_thirds_all", 15, 9)      # 16 of 24 (PH2)
    assert _vote("two_thirds_present", 14, 7, away=3) and not _vote("two_thirds_present", 13, 8, away=3)
    assert _vote("blocking_third_all", 9, 15) and not _vote("blocking_third_all", 8, 16)  # 9 of 24 block
    assert VOTE_RULES["none"][0] > 1.0


def test_no_legislature_no_resolution():
    cols = simulate(run_params("niger_2024", seed=1, overrides=["scenario.parliament.propose_rate=1.0"]),
                    np.arange(100))
    assert (cols["resolutions_passed"] == 0).all()


def test_calibration_year_ends_come_from_the_start_date():
    assert (END_2020, END_2021) == (360, 725) == year_ends(run_params("baseline").start_date)
    assert year_ends(run_params("philippines_1991").start_date) == (105, 471)


def test_iraq_2020_texts_are_todays():
    iraq = CaseConfig()
    assert story.opening(iraq) == story.OPENING and "Soleimani" in story.OPENING[1][1]
    for text in story.TEMPLATES.values():
        assert render(text, iraq) == text
    assert run_config("baseline").scenario.case == iraq


def test_baseline_seed_3_is_pinned():
    """`python -m sim seed=3`: the summary the engine gave before cases were data (main at
    1d1e8f6); a change here is a change of Iraq 2020's numbers."""
    m = NegotiationModel(run_params("baseline", seed=3), run_index=0, record=False)
    s = m.run()
    assert (s["outcome"], s["drawdowns_agreed"], s["resolutions_passed"], s["tehran_posture_changes"],
            s["washington_posture_changes"], s["government_posture_changes"], s["factions_posture_changes"]) == \
        ("negotiated_drawdown", 1, 5, 2, 3, 1, 36)
    assert s["final_troops"] == 3700.04229 and s["final_iran_influence"] == 0.6003


# ---------------------------------------------------------------- through the command line
@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's code, configs and compiled kernels, to drop case files into."""
    root = tmp_path_factory.mktemp("cases")
    shutil.copytree(REPO / "sim", root / "sim", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copytree(REPO / "configs", root / "configs", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / "docs" / "cases").mkdir(parents=True)
    for name in CASES:
        shutil.copyfile(REPO / "docs" / "cases" / f"{name}.md", root / "docs" / "cases" / f"{name}.md")
    return root


def run(project: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="1", PYTHONPATH=str(project))
    return subprocess.run([sys.executable, "-m", *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _case_file(name: str, **replace: str) -> str:
    text = (REPO / "configs" / "scenario" / "philippines_1991.yaml").read_text()
    text = text.replace("name: philippines_1991", f"name: {name}")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


BAD = {
    "outcome_without_source": ({'    source: "PH17, PH19: LAT-1991-12-27; LAT-1991-12-28; Ferrer; SunSentinel-1992-11-25"\n': ""},
                               "config error: scenario.case.outcome.source = '' is not allowed"),
    "notice_zero": ({"  notice_days: 365 ": "  notice_days: 0 "}, "config error: scenario.legal.notice_days = 0"),
    "notice_too_long": ({"  notice_days: 365 ": "  notice_days: 5000 "}, "config error: scenario.legal.notice_days = 5000"),
    "vote_rule_unknown": ({"  vote_rule: blocking_third_all": "  vote_rule: unanimity"},
                          "config error: scenario.legal.vote_rule = 'unanimity' is not allowed: one of"),
    "notice_by_unknown": ({"  notice_by: executive ": "  notice_by: the_people "},
                          "config error: scenario.legal.notice_by = 'the_people' is not allowed: one of"),
    "seats_over_total": ({"    seats: 11                         # PH6": "    seats: 13                         # PH6"},
                         "config error: scenario.factions.*.seats = 25 is not allowed"),
    "observed_unknown": ({"    observed: withdrawal_completed": "    observed: victory"},
                         "config error: scenario.case.outcome.observed = 'victory' is not allowed"),
    "sheet_outside": ({"  sheet: docs/cases/philippines_1991.md": "  sheet: /etc/passwd"},
                      "config error: scenario.case.sheet = '/etc/passwd' is not allowed"),
    "rival_off_but_pressing": ({"  initial_posture: restrain": "  initial_posture: escalate"},
                               "config error: scenario.tehran.initial_posture = 'escalate' is not allowed"),
}


@pytest.mark.parametrize("bad", sorted(BAD))
def test_a_bad_case_is_refused_in_one_line(project, tmp_path, bad):
    replace, message = BAD[bad]
    name = f"bad_{bad}"
    path = project / "configs" / "scenario" / f"{name}.yaml"
    path.write_text(_case_file(name, **replace))
    try:
        proc = run(project, "sim", f"scenario={name}", f"hydra.run.dir={tmp_path / 'run'}")
    finally:
        path.unlink()
    assert_one_line_failure(proc, message)
    assert not (tmp_path / "run" / "summary.json").exists()


#: the throwaway fifth case (named through a variable: its files exist only in the copy)
NEW = "testland_2030"


def test_a_new_case_is_a_case_file_and_its_sheet(project, tmp_path):
    """The recipe of docs/cases/README.md: a fifth case touches two files, nothing else."""
    sheet = project / "docs" / "cases" / f"{NEW}.md"
    sheet.write_text("# Case sheet: Testland, 2030\n\n| id | fact | source |\n|---|---|---|\n| TL1 | A test. | none |\n")
    text = _case_file("testland_2030", **{
        "  country: Philippines": "  country: Testland",
        "  rival: null                         # no outside power offered Manila an alternative (sheet, header)":
            "  rival: Ruritania",
        "  sheet: docs/cases/philippines_1991.md": f"  sheet: docs/cases/{NEW}.md",
        '    "Baghdad": "Manila"': '    "Baghdad": "Testville"\n    "Tehran": "Strelsau"',
        "President Aquino": "President Tester",
        "  initial_posture: restrain": "  initial_posture: press_factions",
        "  initial_pressure: 0.0": "  initial_pressure: 0.5",
        'title: "': 'title: "Testland 2030 - ',
    })
    (project / "configs" / "scenario" / "testland_2030.yaml").write_text(text)
    proc = run(project, "sim", "scenario=testland_2030", f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = (tmp_path / "run" / "events.md").read_text()
    assert "President Tester" in events and "Testville" in events and "Baghdad" not in events
    assert f"docs/cases/{NEW}.md" in events
    listed = run(project, "sim.teach", "list")
    assert listed.returncode == 0 and "testland_2030" in listed.stdout and "Testland 2030" in listed.stdout


def test_the_game_offers_no_rival_role_in_a_case_without_a_rival():
    """The Philippines 1991 has no rival (case.rival: null): the role-play refuses the rival's
    role, naming the roles there are, and plays the others."""
    from sim.play.game import Game

    with pytest.raises(ValueError, match=r"role 'tehran' is not in scenario philippines_1991: Philippines has no "
                                         r"rival .*choose from pm, washington"):
        Game("tehran", "philippines_1991")
    assert Game("pm,washington", "philippines_1991").roles == ("pm", "washington")


#: words of Iraq 2020 that no text of another case may print
IRAQ_WORDS = re.compile(r"\b(Iraq\w*|Baghdad|Shia|PMU|Sadr\w*|Kurd\w*|Sunni\w*|Iran\w*|Tehran|Soleimani|Muhandis|"
                        r"ISIS|Abdul Mahdi|Trump|2014 notes|Hashd)\b")


def _model_texts() -> dict[str, str]:
    """Every text of the model's modules (module-level names ending in TEXTS), by where it is."""
    import importlib
    import pkgutil

    import sim.model as model

    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(model.__path__, "sim.model."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if not (name.endswith("TEXTS") and isinstance(value, dict)):
                continue
            for key, entry in value.items():
                items = entry.items() if isinstance(entry, dict) else enumerate(entry) if isinstance(entry, (list, tuple)) \
                    else [("", entry)]
                for sub, text in items:
                    if isinstance(text, str):
                        found[f"{info.name}.{name}.{key}.{sub}"] = text
    return found


@pytest.mark.parametrize("case", ["philippines_1991", "uzbekistan_2005", "kyrgyzstan_2009", "niger_2024"])
def test_every_model_text_speaks_the_case_s_words(case):
    """Every event and action text of the model (124 of them), put into a case's words by its
    `terms`, names none of Iraq 2020's actors or places; a case without a rival is excused
    only the rival's own texts, which it never prints (its rival never moves)."""
    from sim.model.case import has_rival, render

    c = run_config(case).scenario.case
    texts = _model_texts()
    assert len(texts) > 100
    leaks = {where: IRAQ_WORDS.findall(render(text, c)) for where, text in texts.items()}
    leaks = {w: found for w, found in leaks.items() if found and (has_rival(c) or ".tehran" not in w)}
    assert not leaks, leaks
