"""The actors' action sets, as `IntEnum`s.

An action's value is its code in the model's arrays (the `State` fields `*_action` and
`forced_*_action` hold these codes, -1 for none); its lower-case name is the word printed
in logs, trajectories, role play and tests. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class FactionStance(IntEnum):
    """Stances a Baghdad faction can state, on the axis 0 = US forces stay
    indefinitely, 1 = full withdrawal now (F14, F16, F18); `POSITION_GRID` gives each its value."""

    STAY_INDEFINITELY = 0
    LEAN_STAY = 1
    UNDECIDED = 2
    LEAN_WITHDRAWAL = 3
    WITHDRAWAL_NOW = 4


class GovernmentAction(IntEnum):
    """The prime minister's moves (F4, F5, F10, F19). `WAIT` keeps its course; the others are
    one-off moves: ask Washington for talks on a drawdown (a proposal, F5), make the formal
    request that starts the one-year clock (F4, F10), take it back (with Washington's
    package if one is on the table, F19), or accept a drawdown Washington has offered."""

    WAIT = 0
    ASK_NEGOTIATIONS = 1
    FORMAL_REQUEST = 2
    WITHDRAW_REQUEST = 3
    ACCEPT_OFFER = 4


class WashingtonAction(IntEnum):
    """Washington's options. Postures, which stand until its next revision: reassure,
    threaten sanctions, link issues (before a formal request: F6, F17, F19, F22); withdraw on
    schedule, negotiate a retraction, stay (after it: F4, F21). One-off moves, after which
    its posture stands: offer a drawdown (F19), accept Baghdad's drawdown proposal (F5),
    impose sanctions after a request or lift them (F22, F23)."""

    REASSURE = 0
    THREATEN_SANCTIONS = 1
    LINK_ISSUES = 2
    OFFER_DRAWDOWN = 3
    WITHDRAW_ON_SCHEDULE = 4
    NEGOTIATE_RETRACTION = 5
    STAY = 6
    ACCEPT_PROPOSAL = 7
    IMPOSE_SANCTIONS = 8
    LIFT_SANCTIONS = 9


#: Washington's actions that are postures (the rest are one-off moves)
WASHINGTON_POSTURES = frozenset({
    WashingtonAction.REASSURE, WashingtonAction.THREATEN_SANCTIONS, WashingtonAction.LINK_ISSUES,
    WashingtonAction.WITHDRAW_ON_SCHEDULE, WashingtonAction.NEGOTIATE_RETRACTION, WashingtonAction.STAY,
})


class TehranAction(IntEnum):
    """Tehran's postures (F12, F16)."""

    RESTRAIN = 0
    PRESS_FACTIONS = 1
    ESCALATE = 2


class Proposal(IntEnum):
    """A proposal waiting for its addressee's answer (F5, F17, F19): a drawdown Washington
    offers, a drawdown Baghdad asks for, or Washington's package for taking a formal
    request back."""

    NONE = 0
    WASHINGTON_DRAWDOWN = 1
    BAGHDAD_DRAWDOWN = 2
    RETRACTION_PACKAGE = 3


def names(actions: type[IntEnum]) -> tuple[str, ...]:
    """The printed names of an action set, in code order: `names(TehranAction)[1] == "press_factions"`."""
    return tuple(member.name.lower() for member in actions)


#: the value on the issue axis of each `FactionStance`
POSITION_GRID: np.ndarray = np.linspace(0.0, 1.0, len(FactionStance))
