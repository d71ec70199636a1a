"""A classification tree as a cross-check of PRIM: CART (Breiman, Friedman, Olshen & Stone
1984) with scikit-learn's DecisionTreeClassifier, its rules printed by `export_text`, and
the conditions ranked by permutation importance (Breiman 2001) on held-out runs
(`sklearn.inspection.permutation_importance`, score: ROC AUC)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CartResult:
    text: str                      # export_text of the tree
    leaves: pd.DataFrame           # rule, runs, share (P of the outcome in the leaf), on the training runs
    importance: pd.DataFrame       # feature, mean, std (drop in held-out AUC when permuted)
    holdout_auc: float
    holdout_accuracy: float
    base_rate: float
    train_runs: int
    holdout_runs: int


def features(runs: pd.DataFrame, conditions, levers: list[str]) -> pd.DataFrame:
    """The conditions, plus one indicator column per lever when there are several."""
    x = runs[list(conditions)].astype(np.float64).copy()
    if len(levers) > 1:
        lever = runs["lever"].astype(str)
        for name in levers:
            x[f"lever={name}"] = (lever == name).to_numpy(dtype=np.float64)
    return x


def fit_cart(x: pd.DataFrame, y, rng: np.random.Generator, *, max_depth: int = 3, min_leaf_share: float = 0.02,
             holdout_share: float = 0.25, max_rows: int = 200_000, names: dict | None = None) -> CartResult:
    """Fit a shallow tree to (a seeded sample of) the runs and read its rules."""
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import roc_auc_score
    from sklearn.tree import DecisionTreeClassifier, export_text

    y = np.asarray(y, dtype=bool)
    n = len(y)
    take = rng.permutation(n)[: min(n, max_rows)]
    n_hold = max(1, int(round(len(take) * holdout_share))) if len(take) > 4 else 0
    hold, train = take[:n_hold], take[n_hold:]
    if len(train) == 0 or y[train].all() or not y[train].any():
        raise ValueError("CART needs runs with and without the outcome")
    feature_names = [(names or {}).get(c, c) for c in x.columns]
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf_share * len(train))),
                                  random_state=int(rng.integers(2**31)))
    X = x.to_numpy(dtype=np.float64)
    tree.fit(X[train], y[train])
    text = export_text(tree, feature_names=feature_names, show_weights=False, decimals=3)
    indicators = {feature_names[j] for j, c in enumerate(x.columns) if str(c).startswith("lever=")}
    leaves = leaf_rules(tree, feature_names, indicators)
    auc = acc = float("nan")
    importance = pd.DataFrame({"feature": list(x.columns), "mean": np.nan, "std": np.nan})
    if n_hold and 0 < y[hold].sum() < n_hold:
        prob = tree.predict_proba(X[hold])[:, list(tree.classes_).index(True)]
        auc = float(roc_auc_score(y[hold], prob))
        acc = float(np.mean((prob >= 0.5) == y[hold]))
        pi = permutation_importance(tree, X[hold], y[hold], scoring="roc_auc", n_repeats=5,
                                    random_state=int(rng.integers(2**31)))
        importance = pd.DataFrame({"feature": list(x.columns), "mean": pi.importances_mean, "std": pi.importances_std})
    importance = importance.sort_values("mean", ascending=False, ignore_index=True)
    return CartResult(text, leaves, importance, auc, acc, float(y.mean()), len(train), len(hold))


def leaf_rules(tree, feature_names, indicators=frozenset()) -> pd.DataFrame:
    """Each leaf of a fitted tree as one rule (the splits on its path, merged per condition
    into a range), with its training runs and the share of them with the outcome. Splits on
    0/1 `indicators` read "X" / "not (X)"."""
    t = tree.tree_
    pos = list(tree.classes_).index(True) if True in tree.classes_ else None
    rows = []

    def walk(node, bounds):
        if t.children_left[node] == t.children_right[node]:  # a leaf
            counts = t.value[node][0]
            share = float(counts[pos] / counts.sum()) if pos is not None else 0.0
            rows.append({"rule": rule_text(bounds, indicators) or "all runs", "runs": int(t.n_node_samples[node]),
                         "share": share})
            return
        name, thr = feature_names[t.feature[node]], float(t.threshold[node])
        lo, hi = bounds.get(name, (-np.inf, np.inf))
        walk(t.children_left[node], {**bounds, name: (lo, min(hi, thr))})
        walk(t.children_right[node], {**bounds, name: (max(lo, thr), hi)})

    walk(0, {})
    return pd.DataFrame(rows).sort_values("share", ascending=False, ignore_index=True)


def rule_text(bounds: dict, indicators=frozenset()) -> str:
    """{"x": (lo, hi)} as "lo < x <= hi" phrases joined by "and"."""
    parts = []
    for name, (lo, hi) in bounds.items():
        if name in indicators:
            parts.append(name if lo >= 0.5 else f"not ({name})")
        elif np.isfinite(lo) and np.isfinite(hi):
            parts.append(f"{lo:.3g} < {name} <= {hi:.3g}")
        elif np.isfinite(lo):
            parts.append(f"{name} > {lo:.3g}")
        else:
            parts.append(f"{name} <= {hi:.3g}")
    return " and ".join(parts)
