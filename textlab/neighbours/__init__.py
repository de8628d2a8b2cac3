"""Neighbours: word vectors learnt from the project's own text; nearest neighbours, analogies, maps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, Task
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.evaluation import evaluate_vectors
from textlab.neighbours.training import summary, train
from textlab.neighbours.vectors import WordVectors, load_word_vectors, model_card, save_word_vectors


@dataclass(frozen=True)
class VectorsTask(Task):
    def config(self) -> NeighboursConfig:
        return NeighboursConfig()

    def quick(self) -> NeighboursConfig:
        return self.config().quick()


TASKS = {"neighbours": VectorsTask("neighbours", "word vectors", "neighbours")}


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
)
