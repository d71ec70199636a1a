"""Where a played outcome sits in the model's own distribution, compared fairly: the same
scenario, the same root seed and the same random world (run index) for the model's own
play of that world, and runs 0..N-1 under the same seed for the distribution. Uses the
batch engine (`sim.ensembles`), which reproduces a Mesa run of the same index exactly."""

from __future__ import annotations

from ..ensembles import ensemble_of, run_ensemble
from ..model.outcomes import OUTCOMES


def comparison(scenario: str, seed: int, run_index: int, played: dict, runs: int = 1000) -> str:
    """A report comparing the played summary `played` with the model."""
    own = ensemble_of(scenario, [run_index], seed)
    own_outcome = OUTCOMES[int(own.outcome[0])]
    own_week = int(own.formal_request_week[0])
    dist = run_ensemble(scenario, runs, seed)
    shares = dist.outcome_shares()
    outcome = played["outcome"]
    lines = [
        f"The model in this same world (scenario {scenario}, seed {seed}, run {run_index}), with no player: "
        f"{own_outcome}" + (f", formal request in week {own_week}" if own_week >= 0 else ", no formal request") + ".",
        ("You reached the same outcome as the model." if own_outcome == outcome
         else f"You reached {outcome}; the model reached {own_outcome}."),
        f"The model's distribution over runs 0 to {runs - 1} (seed {seed}):",
    ]
    for name in OUTCOMES:
        mark = "   <- your outcome" if name == outcome else ""
        lines.append(f"  {name:22s} {100 * shares[name]:5.1f} %{mark}")
    rare = shares[outcome]
    lines.append(f"Your outcome happens in {100 * rare:.1f} % of the model's runs"
                 + (": a rare result." if rare < 0.05 else "."))
    req = played["formal_request_week"]
    w = dist.formal_request_week
    if req is not None:
        earlier = float(((w >= 0) & (w < req)).mean())
        lines.append(f"Your formal request came in week {req}; {100 * earlier:.1f} % of the model's runs made one earlier, "
                     f"{100 * float((w >= 0).mean()):.1f} % made one at all.")
    else:
        lines.append(f"You made no formal request; {100 * float((w < 0).mean()):.1f} % of the model's runs made none either.")
    return "\n".join(lines)

