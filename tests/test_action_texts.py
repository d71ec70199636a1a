"""Every action of every playable actor has its plain words (issue 27): a label, one line on
what it does, the facts it comes from (ids of docs/facts.md), when it is open and its kind;
and the table holds no entry for an action that does not exist. Read through one function
by the role play, the class game and the app."""

from __future__ import annotations

import re

import pytest

from sim.model.action_texts import KINDS, TEXTS, action_text
from sim.model.actors import ACTORS, ROLES

PLAYABLE = [a for a in ACTORS.values() if a.role is not None]


@pytest.mark.parametrize("actor", PLAYABLE, ids=lambda a: a.name)
def test_every_action_of_a_playable_actor_is_described(actor):
    for name in actor.action_names:
        t = action_text(actor.name, name)
        assert t.name == name
        assert t.label and t.label[0].isupper() and "_" not in t.label, (name, t.label)
        assert t.does.endswith(".") and "\n" not in t.does and len(t.does) <= 200, (name, t.does)
        ids = [int(i) for i in re.findall(r"F(\d+)", t.facts)]
        assert ids and all(1 <= i <= 24 for i in ids) and re.fullmatch(r"F\d+(, F\d+)*", t.facts), (name, t.facts)
        assert t.open_when and t.kind in KINDS
        assert action_text(actor.role, name) == t  # by role name too


def test_the_table_names_only_real_actions_and_labels_are_distinct():
    for actor_name, table in TEXTS.items():
        actor = ACTORS[actor_name]
        assert actor.role is not None
        assert set(table) == set(actor.action_names), actor_name
        labels = [v["label"] for v in table.values()]
        assert len(labels) == len(set(labels)), actor_name
    assert set(TEXTS) == {a.name for a in ROLES.values()}


def test_a_missing_text_is_named():
    with pytest.raises(KeyError, match="no text for action 'fly' of tehran"):
        action_text("tehran", "fly")
    with pytest.raises(KeyError, match="no action texts for actor 'factions'"):
        action_text("factions", "lean_stay")


def test_the_kinds_follow_the_model_s_postures():
    from sim.model.actors.washington import POSTURES as WASHINGTON_POSTURES

    postures = {a.name.lower() for a in WASHINGTON_POSTURES}
    for name, t in TEXTS["washington"].items():
        assert (t["kind"] == "posture") == (name in postures), name
    assert {t["kind"] for t in TEXTS["tehran"].values()} == {"posture"}
    assert TEXTS["government"]["wait"]["kind"] == "wait"
