"""Outcome rules of one run (F4, F5, F11, F12, F19).

US presence is lawful under the 2014 diplomatic notes, which invited the troops and gave
them immunity (F2, F3, F8), until Baghdad formally asks them to leave. Only a formal request
starts the one-year clock; a resolution or a request for negotiators does not. A run's outcome is fixed at the first of these moments:
- the request is taken back                       -> `request_withdrawn`
- troops reach zero while the request stands       -> `withdrawal_completed`
- the deadline passes with troops still in Iraq    -> `occupation` (the article's term, F11)
and, at the end of a run without a formal request:
- a drawdown was negotiated (F5, F19)              -> `negotiated_drawdown`
- otherwise                                        -> `no_request`
"""

from __future__ import annotations

import numpy as np

OUTCOMES = ("no_request", "negotiated_drawdown", "request_withdrawn", "withdrawal_completed", "occupation")
NO_REQUEST, NEGOTIATED_DRAWDOWN, REQUEST_WITHDRAWN, WITHDRAWAL_COMPLETED, OCCUPATION = range(5)
UNDECIDED = -1

# request states
NONE, ACTIVE, WITHDRAWN = 0, 1, 2
REQUEST_STATES = ("none", "active", "withdrawn")

DEADLINE_WEEKS = 52  # F4: one year to withdraw after a formal request


def decide_during_run(outcome, request_state, troops, week, deadline_week):
    """Fix the outcome of runs whose request was withdrawn, fulfilled or has run out; undecided stay -1."""
    out = np.asarray(outcome).copy()
    undecided = out == UNDECIDED
    rs = np.asarray(request_state)
    withdrawn = undecided & (rs == WITHDRAWN)
    active = undecided & (rs == ACTIVE)
    gone = active & (np.asarray(troops) <= 0.0)
    expired = active & ~gone & (week >= np.asarray(deadline_week))
    out[withdrawn] = REQUEST_WITHDRAWN
    out[gone] = WITHDRAWAL_COMPLETED
    out[expired] = OCCUPATION
    return out


def decide_at_end(outcome, drawdown_agreed):
    """Runs still undecided at the end had no formal request: drawdown or nothing."""
    out = np.asarray(outcome).copy()
    undecided = out == UNDECIDED
    out[undecided & np.asarray(drawdown_agreed, dtype=bool)] = NEGOTIATED_DRAWDOWN
    out[undecided & ~np.asarray(drawdown_agreed, dtype=bool)] = NO_REQUEST
    return out
