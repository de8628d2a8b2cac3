"""The translation tasks: one registry entry each, with the data it learns from, how its input is read and checked
(`Rules`, saved in the checkpoint), and the settings that differ from `TranslateConfig`'s defaults.

`--pairs FILE` trains on a person's own pairs with the tokens of the task named: `own_pairs` turns the entry into
one without that task's data and checks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from textlab.capabilities import Task
from textlab.training import TrainConfig
from textlab.translate.config import TranslateConfig
from textlab.translate.data import PairData, bible_pairs, date_pairs, file_pairs


@dataclass(frozen=True)
class Rules:
    """How a translator reads its input and checks its output; saved with the model, so that inference never asks
    which task it was trained for."""

    tokens: Literal["chars", "sentencepiece"]
    lowercase: bool = False  # input lower-cased first (dates: case never matters)
    dates: bool = False  # input must hold a day and a year (1900-2099); the output is checked as a calendar date
    max_chars: int = 1_000  # the longest input the app takes
    max_output_tokens: int | None = None  # the longest output (an ISO date: 10 characters); None: twice the input
    metrics: tuple[str, ...] = ("bleu", "chrf")  # what `evaluate` reports besides n


@dataclass(frozen=True)
class TranslateTask(Task):
    summary: str = ""
    rules: Rules = Rules("sentencepiece")
    data: Callable[[TranslateConfig], PairData] = file_pairs
    settings: dict[str, Any] = field(default_factory=dict)  # TranslateConfig fields that differ from the defaults

    def config(self) -> TranslateConfig:
        return TranslateConfig(self.name, **copy.deepcopy(self.settings))

    def quick(self) -> TranslateConfig:
        return self.config().quick()


TASKS = {
    task.name: task
    for task in (
        TranslateTask(
            "dates",
            "Dates -> ISO (YYYY-MM-DD)",
            "translate-dates",
            "Reads a date written by a person, in one of several languages and many formats, and writes it as "
            "YYYY-MM-DD. Character-level encoder-decoder with attention.",
            Rules("chars", lowercase=True, dates=True, max_chars=100, max_output_tokens=12, metrics=("exact_match",)),
            date_pairs,
        ),
        TranslateTask(
            "en-es",
            "English -> Spanish",
            "translate-en-es",
            "Translates short English sentences into Spanish, learnt from the King James and Reina-Valera 1909 "
            "Bibles verse by verse: expect biblical Spanish. Subword encoder-decoder with attention.",
            Rules("sentencepiece", max_chars=300),  # a verse of 20 words is about 120 characters
            bible_pairs,
            {
                "embed_dim": 96,
                "hidden_size": 192,
                "dropout": 0.2,
                "n_valid": 400,
                "n_test": 600,
                "train": TrainConfig(lr=2e-3, max_epochs=30, patience=3),
            },
        ),
    )
}


def translate_task(cfg: TranslateConfig) -> TranslateTask:
    """The entry `cfg` trains: its task's, or with `cfg.pairs_file` that of the person's own pairs."""
    if cfg.task not in TASKS:
        raise ValueError(f"unknown translation task {cfg.task!r}; choose one of {', '.join(TASKS)}")
    task = TASKS[cfg.task]
    return own_pairs(task, Path(cfg.pairs_file).name) if cfg.pairs_file else task


def own_pairs(task: TranslateTask, name: str) -> TranslateTask:
    """`task`'s tokens on a person's own pairs: none of its data's checks, every metric."""
    return replace(
        task,
        title=f"{task.title} (your pairs)",
        summary=f"Trained on your own pairs ({name}); {task.rules.tokens}.",
        rules=Rules(task.rules.tokens, metrics=("exact_match", "bleu", "chrf")),
        data=file_pairs,
    )
