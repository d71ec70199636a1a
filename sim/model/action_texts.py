"""What each action of a playable actor does, in plain words: one table, read by the role
play (`sim.play`), the class game (`sim.play.classroom`) and the browser app through
`action_text`.

`TEXTS[actor][name]` is plain data keyed by the action's printed name (`actions.names`):

- `label`: what a student reads on the option ("Make the formal request");
- `does`: one line on what the action does in the model;
- `facts`: the fact ids it comes from (docs/facts.md);
- `open_when`: when it can be taken (the options a player sees are only the open ones);
- `kind`: "posture" (stands until changed), "move" (made at once) or "wait" (no move).

To add an action, add its entry to its actor's dict; tests/test_action_texts.py fails while
an action of a playable actor has none. Nothing here changes what the model computes.
"""

from __future__ import annotations

from dataclasses import dataclass

GOVERNMENT: dict[str, dict[str, str]] = {
    "wait": {
        "label": "Wait: make no move this turn",
        "does": "Keep your course: nothing is asked or agreed, and what you started stands.",
        "facts": "F11, F13", "open_when": "always", "kind": "wait"},
    "ask_negotiations": {
        "label": "Ask Washington for talks on a drawdown",
        "does": "Ask Washington to negotiate a partial drawdown: a proposal, not a formal request, so no clock "
                "starts; Washington accepts or turns it down.",
        "facts": "F5, F19",
        "open_when": "no formal request stands, no proposal waits for an answer, and a drawdown both sides could "
                     "accept exists", "kind": "move"},
    "formal_request": {
        "label": "Make the formal request that US forces leave",
        "does": "Ask US forces to leave under the 2014 notes: the one-year clock starts; Washington may impose "
                "sanctions or put its other support at risk.",
        "facts": "F4, F10, F17, F22", "open_when": "no formal request has been made and US troops are in Iraq",
        "kind": "move"},
    "withdraw_request": {
        "label": "Take the formal request back",
        "does": "Withdraw the formal request and stop the clock; with Washington's package on the table, its "
                "drawdown comes in exchange.",
        "facts": "F19", "open_when": "your formal request stands", "kind": "move"},
    "accept_offer": {
        "label": "Accept Washington's drawdown offer",
        "does": "Agree to the drawdown Washington offered: troops go down to the offered level and no clock starts.",
        "facts": "F5, F19", "open_when": "Washington has offered a drawdown and no formal request stands",
        "kind": "move"},
}

WASHINGTON: dict[str, dict[str, str]] = {
    "reassure": {
        "label": "Reassure Baghdad",
        "does": "Lower your voice: no threats and no linkage, at no public cost; a request then costs Baghdad less.",
        "facts": "F6, F19", "open_when": "before a formal request (or after one is taken back)", "kind": "posture"},
    "threaten_sanctions": {
        "label": "Threaten sanctions",
        "does": "Say 'very big sanctions' will follow if your forces are made to leave: Baghdad expects a formal "
                "request to cost it more; the threat has a public cost to you.",
        "facts": "F22", "open_when": "before a formal request, while no drawdown has been agreed", "kind": "posture"},
    "link_issues": {
        "label": "Link everything to the whole relationship",
        "does": "Insist talks cover 'the entire gamut' of the relationship: a request puts other US support at risk.",
        "facts": "F17", "open_when": "before a formal request (or after one is taken back)", "kind": "posture"},
    "offer_drawdown": {
        "label": "Offer a drawdown",
        "does": "Offer to take part of your troops out (the size both sides could agree now) to head off a formal "
                "request; Baghdad accepts or turns it down.",
        "facts": "F19, F20",
        "open_when": "no request has been made, no proposal waits, and a drawdown both sides could accept exists",
        "kind": "move"},
    "withdraw_on_schedule": {
        "label": "Withdraw on schedule",
        "does": "Start taking every soldier out: a full withdrawal takes months, so the last troops leave before "
                "the one-year deadline only if you start in time.",
        "facts": "F4, F21", "open_when": "a formal request stands", "kind": "posture"},
    "negotiate_retraction": {
        "label": "Offer a package for taking the request back",
        "does": "Offer Baghdad a partial drawdown if it takes the formal request back; your troops stay meanwhile.",
        "facts": "F17, F19", "open_when": "a formal request stands", "kind": "posture"},
    "stay": {
        "label": "Stay despite the request",
        "does": "Keep the troops in Iraq; if they are still there when the year runs out, the article calls it "
                "an occupation.",
        "facts": "F4, F11, F20, F21", "open_when": "a formal request stands", "kind": "posture"},
    "accept_proposal": {
        "label": "Accept Baghdad's drawdown proposal",
        "does": "Agree to the partial drawdown Baghdad asked for in its request for talks; no clock starts.",
        "facts": "F5, F19", "open_when": "Baghdad's proposal for a drawdown waits for your answer", "kind": "move"},
    "impose_sanctions": {
        "label": "Impose sanctions",
        "does": "Carry out the threat: sanctions hurt Iraq and you, and raise Iranian influence.",
        "facts": "F22, F23", "open_when": "a formal request stands and no sanctions are in force", "kind": "move"},
    "lift_sanctions": {
        "label": "Lift the sanctions",
        "does": "End the sanctions now that no formal request stands.",
        "facts": "F23", "open_when": "sanctions are in force and no formal request stands", "kind": "move"},
}

TEHRAN: dict[str, dict[str, str]] = {
    "restrain": {
        "label": "Restrain your allies",
        "does": "Hold your proxies back and ease the pressure: tension falls, and so does the push on US forces.",
        "facts": "F12", "open_when": "always", "kind": "posture"},
    "press_factions": {
        "label": "Press your allies in parliament",
        "does": "Push Shia parties and PMU leaders to demand the US exit: they lean harder towards withdrawal and "
                "your influence grows, at a cost.",
        "facts": "F16, F24", "open_when": "always", "kind": "posture"},
    "escalate": {
        "label": "Escalate through proxies",
        "does": "Iran-aligned groups strike at US forces: the US presence costs more and tension rises, with the "
                "risk of a US response.",
        "facts": "F12", "open_when": "always", "kind": "posture"},
}

#: actor (registry name) -> action's printed name -> its texts
TEXTS: dict[str, dict[str, dict[str, str]]] = {"government": GOVERNMENT, "washington": WASHINGTON, "tehran": TEHRAN}
#: role names (`sim.play --as pm`) of the actors above
ROLE_ACTORS = {"pm": "government", "washington": "washington", "tehran": "tehran"}
KINDS = ("posture", "move", "wait")


@dataclass(frozen=True)
class ActionText:
    name: str
    label: str
    does: str
    facts: str
    open_when: str
    kind: str

    def when(self) -> str:
        """'Always open' or 'Open when ...'."""
        return "Always open" if self.open_when == "always" else f"Open when {self.open_when}"

    def line(self) -> str:
        """'Label: what it does [fact ids]' in one line."""
        return f"{self.label}: {self.does} [{self.facts}]"


def action_text(actor: str, name: str) -> ActionText:
    """The texts of action `name` (its printed name) of `actor` (a registry name such as
    "government", or a role such as "pm"). Raises KeyError naming what is missing."""
    table = TEXTS.get(ROLE_ACTORS.get(actor, actor))
    if table is None:
        raise KeyError(f"no action texts for actor {actor!r} (have: {', '.join(TEXTS)})")
    if name not in table:
        raise KeyError(f"no text for action {name!r} of {actor} (have: {', '.join(table)})")
    return ActionText(name=name, **table[name])
