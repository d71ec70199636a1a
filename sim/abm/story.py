"""Event texts: each event kind the stages emit, as a dated line a student can read.
Fact ids in brackets point to docs/facts.md."""

from __future__ import annotations

import datetime as dt
from typing import Callable

#: context of week 0, from the article
OPENING = (
    ("2019-11-29", "Prime Minister Adel Abdul Mahdi has resigned; he governs as caretaker with full constitutional powers [F11, F13]."),
    ("2020-01-03", "A US strike in Baghdad kills Qassem Soleimani and the PMU commander Abu Mahdi al-Muhandis [F12]."),
    ("2020-01-05", "Parliament passes a non-binding resolution calling on the government to expel US troops; Kurdish and Sunni parties are wary [F12, F14]."),
    ("2020-01-06", "About 5,000 US troops are in Iraq in an advisory role against IS, invited with immunity by the 2014 diplomatic notes, which give them one year to leave after a formal request [F2, F3, F4, F8]. Trump threatens 'very big sanctions' [F22]; Washington links any talks to the whole relationship [F17]."),
)

TEMPLATES = {
    "tehran_press": "Tehran presses its allies in parliament to push the Americans out [F16].",
    "tehran_escalate": "Iran-aligned groups escalate against US forces; tension rises [F12].",
    "tehran_restrain": "Tehran restrains its proxies and eases the pressure [F12].",
    "resolution_passed": "Parliament passes another non-binding resolution to expel US troops ({yes:.0f} of {present:.0f} members present vote yes); it does not start the clock [F12].",
    "resolution_failed": "A resolution to expel US troops is tabled but fails ({yes:.0f} yes of {present:.0f} present) [F12, F14].",
    "pm_confirmed": "Parliament confirms a new prime minister: {kind} (stance {position:.2f}) [F13, F15].",
    "government_fell": "The government falls amid anti-corruption protests; the prime minister now governs as caretaker [F14].",
    "ask_negotiations": "The prime minister asks Washington for talks on a drawdown of about {troops:,.0f} troops: a proposal, not a formal request [F5].",
    "proposal_rejected": "Washington turns down Baghdad's proposal for a drawdown [F20].",
    "drawdown_offered": "Washington offers to draw down about {troops:,.0f} troops [F19].",
    "offer_rejected": "Baghdad turns down Washington's offer to draw down about {troops:,.0f} troops [F5].",
    "drawdown_agreed": "Washington and Baghdad agree a drawdown to about {troops:,.0f} US troops [F5, F19].",
    "formal_request": "Baghdad formally asks US forces to leave under the 2014 notes; the one-year clock starts, deadline {deadline} [F4, F10].",
    "sanctions_imposed": "Washington carries out its threat and imposes sanctions on Iraq [F22, F23].",
    "sanctions_lifted": "The US sanctions on Iraq are lifted [F22, F23].",
    "request_withdrawn": "Baghdad takes the formal request back{package} [F19].",
    "retraction_offered": "Washington offers to take about {troops:,.0f} troops out if Baghdad takes the request back [F17, F19].",
    "package_rejected": "Baghdad turns down Washington's package for taking the request back [F19].",
    "washington_threaten": "Washington threatens 'very big sanctions' if its forces are made to leave [F22].",
    "washington_link": "Washington insists talks cover 'the entire gamut of our relationship' [F17].",
    "washington_reassure": "Washington lowers its voice and reassures Baghdad it remains an ally [F6, F19].",
    "withdrawal_decided": "Washington decides to withdraw its forces on schedule [F4, F22].",
    "washington_stays": "Washington keeps its forces in Iraq despite the request [F20, F21].",
    "troops_gone": "The last US troops leave Iraq [F4, F9].",
    "deadline_passed": "The year after the formal request runs out with about {troops:,.0f} US troops still in Iraq: in the article's terms, an occupation [F4, F11].",
}


def describe(kind: str, data: dict, row: int, date_of_day: Callable[[int], dt.date]) -> str:
    """The text of one event in run `row`; `date_of_day(day)` gives a day's date."""
    values = {k: (v[row] if hasattr(v, "__len__") and not isinstance(v, str) else v) for k, v in data.items()}
    if kind == "pm_confirmed":
        values["kind"] = (
            "a very anti-American PM with a parliamentary majority"
            if values.pop("anti_american") else "a consensus PM chosen by the coalition"
        )
    if kind == "formal_request":
        values["deadline"] = date_of_day(int(values.pop("deadline_day"))).isoformat()
    if kind == "request_withdrawn":
        package = float(values.pop("package"))
        values["package"] = (f" in exchange for Washington's package (about {package:,.0f} troops out)"
                             if package > 0 else "")
    return TEMPLATES[kind].format(**values)
