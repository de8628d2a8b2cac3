"""Classify: embedding + bidirectional GRU classifiers (movie-review sentiment, news topics), word importance, and
batch files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, network_to
from textlab.classify.files import read_labelled_file
from textlab.classify.model import Classifier, evaluate, load_classifier, model_card, save_classifier
from textlab.classify.tasks import TASKS, ClassifyTask
from textlab.classify.training import summary, train


@dataclass
class EvalOptions:
    data: Path  # a CSV whose header names a `text` and a `label` column (labels by name or index)


def evaluate_file(clf: Classifier, options: EvalOptions) -> dict:
    """Accuracy, macro-F1 and per-class figures on a labelled CSV."""
    return {"task": clf.task, **evaluate(clf, read_labelled_file(options.data, clf.labels))}


def _load(task: ClassifyTask, folder: Path | None = None) -> Classifier:
    return load_classifier(task.name, folder or task.path())


CAPABILITY = Capability(
    name="classify",
    tasks=TASKS,
    load=_load,
    save=save_classifier,
    train=train,
    summary=summary,
    evaluate=evaluate_file,
    eval_options=EvalOptions,
    card=model_card,
    to_device=network_to,
)
