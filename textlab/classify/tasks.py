"""The classifier tasks: one registry entry each. An entry names its labelled sets (`data.labelled.DATASETS`) and
the settings that differ from `ClassifyConfig`'s defaults; the command line, the app and the API pick it up."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from textlab.capabilities import Task
from textlab.classify.config import ClassifyConfig


@dataclass(frozen=True)
class ClassifyTask(Task):
    summary: str = ""  # one line for the model card
    datasets: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # ClassifyConfig fields that differ from the defaults

    def config(self) -> ClassifyConfig:
        return ClassifyConfig(self.name, self.datasets, **copy.deepcopy(self.settings))

    def quick(self) -> ClassifyConfig:
        return self.config().quick()


TASKS = {
    task.name: task
    for task in (
        ClassifyTask(
            "sentiment",
            "Sentiment (movie reviews)",
            "sentiment",
            "is a movie review positive or negative? Trained on IMDB reviews and Rotten Tomatoes sentences.",
            ("imdb", "rotten_tomatoes"),
        ),
        ClassifyTask(
            "news",
            "News topic (20 Newsgroups)",
            "news",
            "which of the 20 Newsgroups does a post belong to?",
            ("20newsgroups",),
            {"letters_only": True},
        ),
        ClassifyTask(
            "reuters",
            "Reuters topic (R8)",
            "reuters",
            "which of 8 Reuters newswire topics (R8) is a story about?",
            ("reuters-r8",),
            {"letters_only": True, "vocab_size": 8_000, "balanced": True},
        ),
    )
}


def classify_task(name: str) -> ClassifyTask:
    if name not in TASKS:
        raise ValueError(f"unknown classifier task {name!r}; choose one of {', '.join(TASKS)}")
    return TASKS[name]
