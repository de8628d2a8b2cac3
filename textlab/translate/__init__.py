"""Translate: an attention encoder-decoder for human dates -> ISO dates and English -> Spanish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, network_to
from textlab.data.pairs import read_eval_file
from textlab.translate.model import MAX_BEAM, Translator, evaluate, load_translator, model_card, save_translator
from textlab.translate.tasks import TASKS, TranslateTask
from textlab.translate.training import summary, train


@dataclass
class EvalOptions:
    data: Path  # a tab-separated file whose header names `source` and `target` columns
    beam: int = 1  # beam width (1: greedy)


def evaluate_file(tr: Translator, options: EvalOptions) -> dict:
    """The model's metrics on a file of pairs."""
    if not 1 <= options.beam <= MAX_BEAM:
        raise ValueError(f"--beam must be from 1 to {MAX_BEAM}")
    return {"task": tr.task, "beam": options.beam, **evaluate(tr, read_eval_file(options.data), options.beam)}


def _load(task: TranslateTask, folder: Path | None = None) -> Translator:
    return load_translator(task.name, folder or task.path())


CAPABILITY = Capability(
    name="translate",
    tasks=TASKS,
    load=_load,
    save=save_translator,
    train=train,
    summary=summary,
    evaluate=evaluate_file,
    eval_options=EvalOptions,
    card=model_card,
    to_device=network_to,
    one_command=True,
)
