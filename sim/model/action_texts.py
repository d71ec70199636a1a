"""What each action of a playable actor does, in plain words: one table, read by the role
play (`sim.play`), the class game (`sim.play.classroom`) and the browser app through
`action_text`.

Each playable actor's module declares its table (`ACTION_TEXTS`, plain data keyed by the
action's printed name); `TEXTS[actor][name]` collects them:

- `label`: what a student reads on the option ("Make the formal request");
- `does`: one line on what the action does in the model;
- `facts`: the fact ids it comes from (docs/facts.md);
- `open_when`: when it can be taken (the options a player sees are only the open ones);
- `kind`: "posture" (stands until changed), "move" (made at once) or "wait" (no move);
- `standing` (a posture's): the posture as a story's closing line says it ("reassuring
  Baghdad").

To add an action, add its entry to its actor's `ACTION_TEXTS`; tests/test_action_texts.py
fails while an action of a playable actor has none. Nothing here changes what the model
computes (the compiled cache does not read these texts: `compiled.code_digest`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .actors import ACTORS

#: actor (registry name) -> action's printed name -> its texts (each actor module's `ACTION_TEXTS`)
TEXTS: dict[str, dict[str, dict[str, str]]] = {name: a.action_texts for name, a in ACTORS.items() if a.role is not None}
#: role names (`sim.play --as pm`) of the actors above
ROLE_ACTORS = {a.role: name for name, a in ACTORS.items() if a.role is not None}
KINDS = ("posture", "move", "wait")


@dataclass(frozen=True)
class ActionText:
    name: str
    label: str
    does: str
    facts: str
    open_when: str
    kind: str
    standing: str = ""

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
