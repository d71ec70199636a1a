"""The actors' action sets, as `IntEnum`s.

An action's value is its code in the model's arrays (the `State` fields `*_action` and
`forced_*_action` hold these codes, -1 for none); its lower-case name is the word printed
in logs, trajectories, role play and tests. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class FactionStance(IntEnum):
    """Positions a Baghdad faction can state in a week, on the axis 0 = US forces stay
    indefinitely, 1 = full withdrawal now (F14, F16, F18); `POSITION_GRID` gives each its value."""

    STAY_INDEFINITELY = 0
    LEAN_STAY = 1
    UNDECIDED = 2
    LEAN_WITHDRAWAL = 3
    WITHDRAWAL_NOW = 4


class GovernmentAction(IntEnum):
    """The prime minister's options (F4, F5, F10)."""

    WAIT = 0
    ASK_NEGOTIATIONS = 1
    FORMAL_REQUEST = 2
    WITHDRAW_REQUEST = 3


class WashingtonAction(IntEnum):
    """Washington's options: the first four before a formal request (F17, F19, F20, F22), the
    last three after it (F4, F21, F22)."""

    REASSURE = 0
    THREATEN_SANCTIONS = 1
    LINK_ISSUES = 2
    OFFER_DRAWDOWN = 3
    WITHDRAW_ON_SCHEDULE = 4
    NEGOTIATE_RETRACTION = 5
    STAY = 6


class TehranAction(IntEnum):
    """Tehran's options (F12, F16)."""

    RESTRAIN = 0
    PRESS_FACTIONS = 1
    ESCALATE = 2


def names(actions: type[IntEnum]) -> tuple[str, ...]:
    """The printed names of an action set, in code order: `names(TehranAction)[1] == "press_factions"`."""
    return tuple(member.name.lower() for member in actions)


#: the value on the issue axis of each `FactionStance`
POSITION_GRID: np.ndarray = np.linspace(0.0, 1.0, len(FactionStance))
