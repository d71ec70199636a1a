"""What every actor is, and the one revision rule they all decide by.

An actor module (`factions`, `government`, `washington`, `tehran`) declares one `Actor`:
its actions (an `IntEnum`), its config section, the state fields it owns, the stage in
which it decides, what it sees and which actions are open (`weigh`), what a move does
(`act`), when it may act (`occasion`), the named terms its values are the sum of, the
events it reports and their texts, and, if a player can take it on, its role and brief.
`sim.model.assemble` writes each deciding actor's stage from these pieces around the one
revision loop (`DECISION_LOOP`), and the state, the parameters, the Mesa agents, role play,
stories and sweeps read the registry (`sim.model.actors.ACTORS`).

Revision opportunities (docs/odd.md, "Decisions"): an actor reconsiders its posture when
a Poisson clock at its own rate per day rings within the step, or when a trigger event
addressed to it is waiting; between revisions its posture stands. At an opportunity it picks
an action by logit choice over its values (`choice.revision_one`); a player's forced action
is an opportunity too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Callable

import numpy as np

from .. import draws
from ..choice import revision_one
from ..compiled import kernel
from ..declare import Events, Field


@dataclass(frozen=True)
class Actor:
    """One actor of the negotiation, declared in its module (module docstring).

    `occasion(...) -> (triggered, rate, ring, status_quo, can_act)`, `weigh(...)` (fills the
    values `u`, the open actions `avail`, its `look` scratch and its `terms`, the value of
    each action being the sum of its terms) and `act(...)` (what the chosen action `a` does)
    are kernels whose parameters are bound by name: to the loop's own values
    (`DECISION_LOOP`) or to state fields, a field annotated as a number (`troops: float`)
    meaning the run's value and any other its whole array (to write `field[i]`). The
    assembler copies each piece's body into the loop (`assemble._spliced`), so a piece
    returns once, at its end, and assigns no parameter; called on its own it is an ordinary
    kernel. An actor with members that decide apart (the factions) gives its own `rows`
    kernel instead."""

    name: str                                   # registry key and the stage it decides in
    after: str                                  # the stage its own stage follows in the default step order
    title: str                                  # how texts name it
    actions: type[IntEnum]                      # what it can do; codes index its values
    facts: str                                  # the facts its behaviour comes from
    fields: tuple[Field, ...]                   # the state fields it owns
    sections: tuple[tuple[str, type], ...] = () # its sections of a scenario: (name, dataclass)
    occasion: Callable[..., Any] | None = None
    weigh: Callable[..., Any] | None = None
    act: Callable[..., Any] | None = None
    rows: Callable[..., Any] | None = None      # an actor with members: its own stage kernel
    then: Callable[..., Any] | None = None      # ... and what follows once every member decided
    look: int = 1                               # width of its outlook scratch
    terms: tuple[str, ...] = ()                 # the named parts of its values
    events: Events = field(default_factory=lambda: Events(()))
    texts: dict[str, str] = field(default_factory=dict)   # event kind -> its text (fact ids in brackets)
    action_texts: dict[str, dict[str, str]] = field(default_factory=dict)  # each action in plain words
    posture_field: str | None = None            # the field holding its standing posture (None: no posture)
    clock: str | None = None                    # "section.field" of its revision rate per day, if a constant:
                                                # packing derives `<NAME>_RING` (the chance it rings in a step)
                                                # and `<NAME>_WEEKS` (a posture's discounted weeks) from it
    role: str | None = None                     # the name a player picks it by (None: not playable)
    brief: str = ""                             # what a player of this actor reads first

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(member.name.lower() for member in self.actions)

    def action_name(self, code: int) -> str | None:
        """The printed name of an action code, None for -1 (no action)."""
        return self.action_names[code] if code >= 0 else None

    @property
    def action_field(self) -> str:
        return f"{self.name}_action"

    @property
    def forced_field(self) -> str | None:
        return f"forced_{self.name}_action" if self.role else None

    @property
    def human_field(self) -> str | None:
        return f"human_{self.name}" if self.role else None

    @property
    def trigger_field(self) -> str:
        return f"trigger_{self.name}"

    @property
    def decides_alone(self) -> bool:
        """Whether its stage is the one revision loop (else its own `rows`)."""
        return self.weigh is not None


def purpose_ids(actor: str) -> tuple[np.uint64, np.uint64, np.uint64]:
    """The purpose ids of an actor's revision clock, change and choice draws."""
    return tuple(draws.purpose_key(f"{actor}.{x}") for x in ("revise", "change", "choice"))  # type: ignore[return-value]


@kernel(inline=True)
def rang(clock: float, ring: float) -> bool:
    """Whether an actor's revision clock rang within the step: its clock's uniform draw
    (`draws.uniform_of` of its purpose "revise") below `ring`, the chance it rings in a step."""
    return clock < ring


@kernel(inline=True)
def clock_mass(rate: float, step_days: float) -> float:
    """The mass m = rate x step_days of an actor's revision clock over a step."""
    return rate * step_days


@kernel(inline=True)
def opportunity(key: np.uint64, pid_revise: np.uint64, rate: float, step_days: float,
                ring: float, triggered: bool, human: bool, forced: int) -> tuple[bool, float]:
    """Whether the actor may act this step, and its clock mass m = rate x step_days: a trigger
    event waits, or its revision clock rang within the step (`ring` is that chance,
    `valuation.chance_within`). An actor a player has taken on acts only when the player
    imposes an action: the model never moves for it. `key` is the run's key for the step
    (`draws.step_key_of`)."""
    mass = clock_mass(rate, step_days)
    may = triggered or rang(draws.uniform_of(key, pid_revise), ring)
    return (forced >= 0 if human else (may or forced >= 0)), mass


@kernel(inline=True)
def revised(values: np.ndarray, available: np.ndarray, lam: float, status_quo: int, mass: float, ring: float,
            triggered: bool, key: np.uint64, pid_change: np.uint64, pid_choice: np.uint64, forced: int, human: bool,
            probs: np.ndarray) -> int:
    """The action of a run that may act: a player's forced action where one is set and open,
    else logit-response dynamics (`choice.revision_one`); an actor a player has taken on keeps
    its status quo unless the player's action is open (`probs`: scratch of the actions' length)."""
    chosen = revision_one(values, lam, available, status_quo, mass, ring, triggered, draws.uniform_of(key, pid_change),
                          draws.uniform_of(key, pid_choice), probs)
    if human:
        chosen = status_quo
    if forced >= 0 and available[min(max(forced, 0), available.shape[0] - 1)]:
        return forced
    return chosen


@kernel(inline=True)
def totals(terms: np.ndarray, u: np.ndarray) -> None:
    """Each action's value, the sum of its terms from first to last: u[a] = terms[a, 0] +
    terms[a, 1] + ... (the terms of `Actor.terms`; an action's unused terms are 0)."""
    for a in range(u.shape[0]):
        total = terms[a, 0]
        for t in range(1, terms.shape[1]):
            total = total + terms[a, t]
        u[a] = total


#: the revision loop every deciding actor's stage is written around (`sim.model.assemble`
#: fills in the actor's name, its sizes and its pieces' bodies, spliced in place): for each
#: run, whether it may act (its `occasion` and its clock), what it sees (`weigh`), its choice
#: (`revised`) and what the choice does (`act`); a trigger is used up by the decision it
#: calls for. Its scratch arrays are used through `unowned` views (no reference counting
#: when the pieces hand them on), kept alive to the end (`alive`)
DECISION_LOOP = """
@kernel
def {actor}_rows(lo, hi, par, fac, keys, day, record, revise, chosen, values, available, flags, data, {fields}):
    n = {actions}
    own_u, own_avail, own_probs = np.empty(n), np.empty(n, dtype=np.bool_), np.empty(n)
    own_look, own_terms = np.empty({look}), np.zeros((n, {terms}))
    u, avail, probs, look, terms = (unowned(own_u), unowned(own_avail), unowned(own_probs), unowned(own_look),
                                    unowned(own_terms))
    for i in range(lo, hi):
        pr, key = at(par, i), keys[i]{faction_row}
{occasion}
        may, mass = opportunity(key, {pids}[0], rate, pr[K.STEP_DAYS], ring, triggered, {human}, {forced})
        may = may and can_act
        revise[i] = may
        trigger_{actor}[i] = False
        if not may:
            continue
        for ka in range(n):
            for kt in range({terms}):
                terms[ka, kt] = 0.0
{weigh}
        a = revised(u, avail, pr[K.LAM_{ACTOR}], status_quo, mass, ring, triggered, key, {pids}[1], {pids}[2], {forced},
                    {human}, probs)
        chosen[i] = a
        if record:
            values[i, :] = u
            available[i, :] = avail
{act}
    alive(own_u), alive(own_avail), alive(own_probs), alive(own_look), alive(own_terms)
"""

#: the same view for every run, without deciding: what `sim.model.views` and the "why" of a
#: story read (the actor's values, open actions and terms in the current state)
VIEW_LOOP = """
@kernel
def {actor}_view_rows(lo, hi, par, fac, day, values, available, terms_out, {fields}):
    n = {actions}
    own_u, own_avail, own_look, own_terms = np.empty(n), np.empty(n, dtype=np.bool_), np.empty({look}), np.zeros((n, {terms}))
    u, avail, look, terms = unowned(own_u), unowned(own_avail), unowned(own_look), unowned(own_terms)
    for i in range(lo, hi):
        pr = at(par, i){faction_row}
        terms[:, :] = 0.0
{weigh}
        values[i, :] = u
        available[i, :] = avail
        terms_out[i, :, :] = terms
    alive(own_u), alive(own_avail), alive(own_look), alive(own_terms)
"""
