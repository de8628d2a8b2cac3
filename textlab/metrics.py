"""Classification figures: accuracy, macro-F1 and the confusion matrix, from label indices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion(truth: Sequence[int], predicted: Sequence[int], num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(truth, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def classification_report(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> dict:
    """accuracy, macro_f1 (the mean of per-class F1 over classes present in truth or predictions), n, per class."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    if not truth:
        raise ValueError("nothing to score: no examples")
    matrix = confusion(truth, predicted, len(labels))
    hits = np.diag(matrix).astype(float)
    support, guessed = matrix.sum(axis=1), matrix.sum(axis=0)
    precision = np.divide(hits, guessed, out=np.zeros_like(hits), where=guessed > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(hits), where=precision + recall > 0)
    present = (support + guessed) > 0
    return {
        "accuracy": float(hits.sum() / len(truth)),
        "macro_f1": float(f1[present].mean()),
        "n": len(truth),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
            if present[i]
        },
    }
