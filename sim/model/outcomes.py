"""Outcome rules of one run (F4, F5, F11, F12, F19).

US presence is lawful under the 2014 diplomatic notes, which invited the troops and gave
them immunity (F2, F3, F8), until Baghdad formally asks them to leave. Only a formal request
starts the one-year clock; a resolution or a request for negotiators does not. A run's outcome is fixed at the first of these moments:
- the request is taken back, where a retraction is final (`legal.retraction_final`;
  otherwise a run whose request was taken back and not made again by its end)
                                                   -> `request_withdrawn`
- troops reach zero while the request stands       -> `withdrawal_completed`
- the deadline passes with troops still in Iraq    -> `occupation` (the article's term, F11)
and, at the end of a run without a formal request:
- a drawdown was negotiated (F5, F19)              -> `negotiated_drawdown`
- otherwise                                        -> `no_request`
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from .compiled import kernel
from .declare import names


class RequestState(IntEnum):
    """Where Baghdad's formal request stands (F4, F10)."""

    NONE = 0
    ACTIVE = 1
    WITHDRAWN = 2


class Outcome(IntEnum):
    """How a run ends; `UNDECIDED` (-1) while it is open."""

    NO_REQUEST = 0
    NEGOTIATED_DRAWDOWN = 1
    REQUEST_WITHDRAWN = 2
    WITHDRAWAL_COMPLETED = 3
    OCCUPATION = 4


UNDECIDED = -1
#: outcome names in code order: the values of the `outcome` column of every table
OUTCOMES: tuple[str, ...] = names(Outcome)
#: request state names in code order: the values of the trajectory's `request_state`
REQUEST_STATES: tuple[str, ...] = names(RequestState)


# the codes as plain integers, for kernels
_CODE_WITHDRAWN, _CODE_COMPLETED, _CODE_OCCUPATION = (int(Outcome.REQUEST_WITHDRAWN), int(Outcome.WITHDRAWAL_COMPLETED),
                                                      int(Outcome.OCCUPATION))


@kernel
def decided_during_run(outcome: int, request_state: int, troops: float, day: int, deadline_day: int,
                       gone_day: int, retraction_final: bool) -> int:
    """`decide_during_run` for one run."""
    code = int(outcome)
    if code == UNDECIDED and request_state == RequestState.WITHDRAWN and retraction_final:
        code = _CODE_WITHDRAWN
    elif code == UNDECIDED and request_state == RequestState.ACTIVE:
        if troops <= 0.0 and gone_day >= 0 and gone_day <= deadline_day:
            code = _CODE_COMPLETED
        elif day >= deadline_day:
            code = _CODE_OCCUPATION
    return code


def decide_during_run(outcome: np.ndarray, request_state: np.ndarray, troops: np.ndarray, day: int,
                      deadline_day: np.ndarray, gone_day: np.ndarray, retraction_final: bool) -> np.ndarray:
    """Fix the outcome of runs whose request was withdrawn, fulfilled or has run out;
    undecided stay -1. `gone_day` is the day the last troops left (-1: not yet): a
    withdrawal is complete if it ended by the deadline, an occupation if the deadline came
    first, even within the same step."""
    out = np.asarray(outcome).copy()
    undecided = out == UNDECIDED
    rs = np.asarray(request_state)
    deadline = np.asarray(deadline_day)
    withdrawn = undecided & (rs == RequestState.WITHDRAWN) & bool(retraction_final)
    active = undecided & (rs == RequestState.ACTIVE)
    gone = active & (np.asarray(troops) <= 0.0) & (np.asarray(gone_day) >= 0) & (np.asarray(gone_day) <= deadline)
    expired = active & ~gone & (day >= deadline)
    out[withdrawn] = Outcome.REQUEST_WITHDRAWN
    out[gone] = Outcome.WITHDRAWAL_COMPLETED
    out[expired] = Outcome.OCCUPATION
    return out


def decide_at_end(outcome: np.ndarray, drawdown_agreed: np.ndarray, request_state: np.ndarray) -> np.ndarray:
    """Runs still undecided at the end: a request taken back and not made again
    (`request_state` WITHDRAWN), else no formal request: a drawdown agreed (at least one) or
    nothing."""
    out = np.asarray(outcome).copy()
    out[(out == UNDECIDED) & (np.asarray(request_state) == RequestState.WITHDRAWN)] = Outcome.REQUEST_WITHDRAWN
    undecided = out == UNDECIDED
    out[undecided & np.asarray(drawdown_agreed, dtype=bool)] = Outcome.NEGOTIATED_DRAWDOWN
    out[undecided & ~np.asarray(drawdown_agreed, dtype=bool)] = Outcome.NO_REQUEST
    return out
