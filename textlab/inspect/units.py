"""The unit finder: which units of which layer and state track a property of the text.

A unit tracks a yes-or-no property well when its values rank the characters that have it above (or below) the rest:
its ROC AUC, the chance that a character with the property has a higher value than one without, is far from 0.5.
A count (the position in the line) is ranked by the correlation with it instead. A span of the text you mark is a
property too (the LSTMVis way in): the units on there and off elsewhere, or the other way round, have the AUC
furthest from 0.5 for "inside the span".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from textlab.inspect.properties import COUNTS, property_values, regex_property, span_values
from textlab.inspect.trace import Trace


@dataclass(frozen=True)
class UnitScore:
    layer: int  # from 1
    state: str  # a key of trace.STATES
    unit: int  # from 0
    score: float  # ROC AUC, or the correlation for a count
    measure: str  # "auc" or "correlation"

    @property
    def strength(self) -> float:
        """How far from chance: |AUC - 0.5| (0 to 0.5) or |correlation| (0 to 1)."""
        return abs(self.score - 0.5) if self.measure == "auc" else abs(self.score)


def find_units(tr: Trace, name: str | None = None, pattern: str | None = None, top: int = 10) -> list[UnitScore]:
    """The `top` units of every layer and state that best track the property `name` (properties.PROPERTIES), or,
    with `pattern`, being inside a match of that regular expression. Raises ValueError where the property does not
    vary over the text (every character has it, or none)."""
    text = tr.reading.text
    values = regex_property(pattern, text) if pattern is not None else property_values(name, text)
    return rank_units(tr, values, "correlation" if name in COUNTS and pattern is None else "auc")[:top]


def span_units(tr: Trace, start: int, end: int, top: int = 10) -> list[UnitScore]:
    """The `top` units that best tell characters start to end - 1 (from 0) of the text as read from the rest: the
    finder's AUC with "inside the span" as the property. Raises ValueError for an empty span or one outside the
    text, naming the text's length."""
    return rank_units(tr, span_values(tr.reading.text, start, end), "auc")[:top]


def rank_units(tr: Trace, values: np.ndarray, measure: str = "auc") -> list[UnitScore]:
    """Every unit, strongest first: AUC of each unit's values for the boolean `values`, or their correlation."""
    if np.unique(values).size < 2:
        what = "no character" if not np.any(values) else "every character"
        raise ValueError(
            f"{what} of the text has this property, so no unit can be told apart by it; paste text with both"
        )
    scores = []
    for (layer, state), units in tr.states.items():
        if measure == "auc":
            if (layer, state) not in tr.ranks:  # one ranking serves every property asked of this trace
                tr.ranks[(layer, state)] = rankdata(units, axis=0).astype(np.float32)  # average ranks for ties
            measured = _auc(tr.ranks[(layer, state)], values)
        else:
            measured = _correlation(units, values)
        scores += [UnitScore(layer, state, unit, float(s), measure) for unit, s in enumerate(measured)]
    return sorted(scores, key=lambda s: -s.strength)  # stable: ties keep layer, state, unit order


def _auc(ranks: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(n, U) ranks of the values over the text, (n,) booleans -> (U,) ROC AUC by the rank-sum (Mann-Whitney)
    formula; tied values share their average rank, so a tie counts half."""
    labels = labels.astype(bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    rank_sum = ranks[labels].sum(axis=0, dtype=np.float64)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _correlation(units: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(n, U), (n,) -> (U,) Pearson correlation; 0 for a unit that does not change."""
    x = units - units.mean(axis=0)
    y = (values - values.mean()) / values.std()
    spread = x.std(axis=0)
    return np.divide((x * y[:, None]).mean(axis=0), spread, out=np.zeros(units.shape[1]), where=spread > 1e-12)
