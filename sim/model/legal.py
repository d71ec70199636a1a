"""The legal basis and what the two sides agree: the formal request and its one-year clock
(F4, F10, F11), Washington's withdrawal on schedule, the outcome it leads to, and the
proposals and drawdowns Baghdad and Washington negotiate (F5, F17, F19). These fields are
read and written by the prime minister, Washington and the consequences stage; the few
kernels here are the moves they share. Fact ids refer to docs/facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np

from . import outcomes
from . import packing as K
from .compiled import kernel
from .declare import Field, Summary, param, setting
from .outcomes import UNDECIDED, RequestState


@dataclass
class LegalConfig:
    """The terms of the legal basis (F4, F10): how long US forces have to leave once Baghdad
    formally asks, and whether a request taken back may be made again."""

    PREFIX: ClassVar[str] = "L"
    notice_days: float = param(365.0, 30.0, 1095.0, "F4", "days US forces have to leave after Baghdad's formal request (the 2014 notes: one year); a case: its legal basis's notice period")
    notice_by: str = setting("executive", "who may give formal notice: executive | executive_after_law | legislature (sim/model/case.py NOTICE_BY; recorded and checked, the PM's request stands for each)", "F4 (the 2014 notes: the government's letter)")
    vote_rule: str = setting("majority_present", "the rule a resolution of the legislature passes by: majority_present | majority_all | two_thirds_present | two_thirds_all | blocking_third_all | none (no vote; sim/model/case.py VOTE_RULES)", "Iraqi constitution art. 59 (a majority of those present, with the quorum)")
    retraction_final: bool = setting(False, "a formal request taken back can never be made again (true); false: Baghdad may ask again, and a run's outcome is `request_withdrawn` only if no request stands at its end", "F10 ('as easy to revoke as they were to implement'); scenario option")


@kernel(inline=True)
def can_request(pr: np.ndarray, request_state: int, troops: float, us_withdrawing: bool, outcome: int) -> bool:
    """Whether Baghdad can make a formal request now (F4, F10): none stands, US troops are
    there and not already leaving, the run is undecided; after a retraction only where the
    scenario lets a request be made again (`legal.retraction_final` false)."""
    open_state = request_state == RequestState.NONE or (request_state == RequestState.WITHDRAWN
                                                        and pr[K.L_RETRACTION_FINAL] == 0.0)
    return open_state and troops > 0 and not us_withdrawing and outcome == UNDECIDED


class Proposal(IntEnum):
    """A proposal waiting for its addressee's answer (F5, F17, F19): a drawdown Washington
    offers, a drawdown Baghdad asks for, or Washington's package for taking a formal
    request back."""

    NONE = 0
    WASHINGTON_DRAWDOWN = 1
    BAGHDAD_DRAWDOWN = 2
    RETRACTION_PACKAGE = 3


def _talks(p: Any, runs: int, so_far: dict) -> np.ndarray:
    return np.full(runs, Proposal.BAGHDAD_DRAWDOWN if p.government.negotiations_requested else Proposal.NONE,
                   dtype=np.int8)


FIELDS: tuple[Field, ...] = (
    # the request and its clock (F4, F5, F10), in days since the start date
    Field("request_state", np.int8, int(outcomes.RequestState.NONE), "where Baghdad's formal request stands (F4, F10)"),
    Field("request_day", np.int64, -1, "the day of the formal request standing or last made (-1: none)"),
    Field("first_request_day", np.int64, -1, "the day of Baghdad's first formal request (-1: none)",
          summary=Summary("formal_request_day", kind="day", week_column="formal_request_week")),
    Field("requests_made", np.int64, 0, "formal requests made, a request made again after a retraction counted again (F4, F10)",
          summary=Summary("requests_made")),
    Field("deadline_day", np.int64, -1, "the day the request's year runs out (F4)"),
    Field("us_withdrawing", np.bool_, False, "Washington withdraws on schedule (F4)"),
    Field("withdrawal_complete_day", np.int64, -1, "the day the last US troops left while a request stood (F4)",
          summary=Summary("withdrawal_complete_day", kind="day", week_column="withdrawal_complete_week")),
    Field("outcome", np.int8, outcomes.UNDECIDED, "how the run ends (outcomes.Outcome; -1 while open)",
          summary=Summary("outcome", kind="outcome")),
    # proposals and agreements (F5, F17, F19): what waits for an answer, its size as a share of
    # the January 2020 force (-1: set by the bargaining solution when answered), and the
    # drawdowns agreed so far. F5: the caretaker's request for a delegation waits for
    # Washington's answer at the start.
    Field("proposal", np.int8, _talks, "a proposal waiting for its addressee's answer (Proposal)"),
    Field("proposal_size", np.float64, -1.0, "its size, a share of the January 2020 force (-1: not set)"),
    Field("drawdowns_agreed", np.int64, 0, "drawdowns both sides agreed (F5, F19)", summary=Summary("drawdowns_agreed"), trajectory=True),
)


@kernel(inline=True)
def agreed(troop_target: np.ndarray, drawdowns_agreed: np.ndarray, trigger_tehran: np.ndarray,
           trigger_factions: np.ndarray, i: int, troops: float) -> None:
    """A drawdown both sides agreed, in run i: the troops' target falls by `troops` (F5,
    F19); it holds unless Baghdad makes a formal request."""
    troop_target[i] = max(troop_target[i] - troops, 0.0)
    drawdowns_agreed[i] += 1
    trigger_tehran[i] = True
    trigger_factions[i] = True


@kernel(inline=True)
def imposed(sanctions_imposed: np.ndarray, sanctions_ever: np.ndarray, belief: np.ndarray,
            trigger_government: np.ndarray, trigger_factions: np.ndarray, trigger_tehran: np.ndarray,
            trigger_washington: np.ndarray, i: int) -> None:
    """Washington imposes its sanctions in run i (F22): in force from now, and Baghdad knows
    the threat was real."""
    sanctions_imposed[i] = True
    sanctions_ever[i] = True
    belief[i] = 1.0
    trigger_government[i] = True
    trigger_factions[i] = True
    trigger_tehran[i] = True
    trigger_washington[i] = True


TEXTS = {
    "drawdown_agreed": "Washington and Baghdad agree a drawdown to about {troops:,.0f} US troops [F5, F19].",
}
