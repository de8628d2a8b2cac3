"""The pretrained language model (ULMFiT's first stage): subword LSTM language model on the project's English, the
encoder the classifiers are to start from. The command line trains and scores it; no tab serves it yet."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textlab.capabilities import Capability, Task, network_to
from textlab.files import read_text_file
from textlab.lm.config import LMConfig
from textlab.lm.model import LanguageModel, load_language_model, model_card, perplexity, save_language_model
from textlab.lm.training import summary, train


@dataclass(frozen=True)
class LMTask(Task):
    def config(self) -> LMConfig:
        return LMConfig()

    def quick(self) -> LMConfig:
        return LMConfig().quick()


TASKS = {"lm": LMTask("lm", "language model", "lm")}


@dataclass
class EvalOptions:
    text: Path  # a UTF-8 text file to score
    documents: Literal["lines", "file"] = "lines"  # lines: each non-empty line is a document; file: the file is one


def evaluate(lm: LanguageModel, options: EvalOptions) -> dict:
    """Perplexity per subword and bits per character of a text file."""
    text = read_text_file(options.text)
    documents = [line for line in text.splitlines() if line.strip()] if options.documents == "lines" else [text]
    figures = perplexity(lm, documents)
    return {"vocab_size": lm.tokenizer.vocab_size, "loss": math.log(figures["perplexity"]), **figures}


CAPABILITY = Capability(
    name="lm",
    tasks=TASKS,
    load=lambda task, folder=None: load_language_model(Path(folder or task.path())),
    save=save_language_model,
    train=train,
    summary=summary,
    evaluate=evaluate,
    eval_options=EvalOptions,
    card=model_card,
    to_device=network_to,
    in_app=False,
)
