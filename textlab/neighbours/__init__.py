"""Neighbours: word vectors learnt from the project's own text; nearest neighbours, analogies, maps."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textlab.capabilities import Capability, Task
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.evaluation import evaluate_vectors
from textlab.neighbours.training import summary, train
from textlab.neighbours.vectors import WordVectors, load_word_vectors, model_card, save_word_vectors


@dataclass(frozen=True)
class VectorsTask(Task):
    summary: str = ""  # what the vectors were learnt from, for a person
    settings: dict[str, Any] = field(default_factory=dict)  # NeighboursConfig fields that differ from the defaults

    def config(self) -> NeighboursConfig:
        return NeighboursConfig(**copy.deepcopy(self.settings))

    def quick(self) -> NeighboursConfig:
        return self.config().quick()


# The show's lines are 0.4 M tokens, not 10 M: rarer words are kept, frequent ones down-sampled less, and more passes
# made; no phrases or fastText part (too few collocations and word forms to learn them from).
SHOW_SETTINGS = {
    "datasets": ("show",),
    "vector_size": 100,
    "subword_dims": 0,
    "phrases": False,
    "min_count": 3,
    "sample": 1e-3,
    "epochs": 20,
}
TASKS = {
    task.name: task
    for task in (
        VectorsTask("neighbours", "word vectors", "neighbours", "from all the project's text (about 10 M tokens)"),
        VectorsTask(
            "show-vectors",
            "show's word vectors",
            "show-vectors",
            "from the show's own lines alone, as the study notes trained them",
            SHOW_SETTINGS,
        ),
    )
}


@dataclass
class EvalOptions:
    restrict_vocab: int = 30_000  # analogies: only answers among this many most frequent words


def evaluate(wv: WordVectors, options: EvalOptions) -> dict:
    return evaluate_vectors(wv, options.restrict_vocab)


CAPABILITY = Capability(
    name="neighbours",
    tasks=TASKS,
    load=lambda task, folder=None: load_word_vectors(Path(folder or task.path())),
    save=save_word_vectors,
    train=train,
    summary=summary,
    evaluate=evaluate,
    eval_options=EvalOptions,
    card=model_card,
    one_process="gensim trains on its own worker threads (--workers), on the CPU",
)
