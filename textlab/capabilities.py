"""The shape every capability shares, and the registry of them.

A capability (chat, classify, neighbours, translate) is a package whose `CAPABILITY` says how its models are
loaded, saved, trained and evaluated; its tasks are registry entries (`Task`), each with the configuration it trains
with. The command line builds its commands and flags from these, and the app its model slots: adding a task is
adding an entry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textlab.settings import models_dir
from textlab.training import EpochRecord, Step, progress_reporter

PACKAGES = ("chat", "listener", "classify", "neighbours", "translate", "lm")


@dataclass(frozen=True)
class Task:
    """A registry entry: one model a capability trains and serves. Each capability's entries add what its models
    need to know (their data, tokenizer kind, limits) and say how their configuration is made."""

    name: str  # the command (`train NAME`) and the value the app and its API take
    title: str  # what a person reads
    folder: str  # its checkpoint folder under models/

    def config(self) -> Any:
        """The configuration `train` uses by default."""
        raise NotImplementedError

    def quick(self) -> Any:
        """The small configuration the app trains when the checkpoint is missing (for `$TEXTLAB_TRAIN_BUDGET` s)."""
        raise NotImplementedError

    def path(self) -> Path:
        return models_dir() / self.folder


@dataclass
class Report:
    """What training tells as it goes: the command line's progress bars and lines, or the app's status."""

    on_step: Callable[[Step], None] | None = None
    on_epoch: Callable[[EpochRecord], None] | None = None
    should_stop: Callable[[], bool] | None = None
    note: Callable[[str], None] = lambda message: None  # a line about the data or the run
    progress: Callable[[float, str], None] | None = None  # fraction done and what is happening

    def steps(self, max_epochs: int) -> Callable[[Step], None] | None:
        """The `on_step` for `fit`: the step callback where there is one (the command line's bar), else `progress`
        as a fraction of the time budget or of the epochs (the app)."""
        if self.on_step or not self.progress:
            return self.on_step
        return progress_reporter(self.progress, max_epochs)


@dataclass(frozen=True)
class Capability:
    name: str
    tasks: Mapping[str, Task]
    load: Callable[[Task, Path | None], Any]  # the model in a folder (default: the task's); raises CheckpointError
    save: Callable[[Path, Any], None]
    train: Callable[[Any, Report], Any]  # a configuration -> a trained model (it reads its own data)
    summary: Callable[[Any], dict]  # what `train` prints as JSON when done
    evaluate: Callable[[Any, Any], dict]  # a model and an `eval_options` -> figures
    eval_options: type  # a dataclass: the flags of `eval`
    card: Callable[[Any], str]  # the model card, Markdown
    one_command: bool = False  # `train NAME --task TASK` (translate) rather than one command per task
    # Moves a model's networks to a device (a torch.device): its models then train, are scored and are served on
    # `--device` too. None: the CPU only (gensim's vectors).
    to_device: Callable[[Any, Any], None] | None = None
    one_process: str = ""  # why it does not train under torchrun (empty: it does, each process a share of a batch)
    in_app: bool = True  # the app loads (or trains) its models; False: the command line's alone


def network_to(model: Any, device: Any) -> None:
    """`to_device` for a model that holds its one network as `.network`."""
    model.network.to(device)


def capabilities() -> list[Capability]:
    return [importlib.import_module(f"textlab.{name}").CAPABILITY for name in PACKAGES]


def find_task(name: str) -> tuple[Capability, Task]:
    """The capability and task named `name`; a ValueError naming the known ones when there is none."""
    for capability in capabilities():
        if name in capability.tasks:
            return capability, capability.tasks[name]
    known = [task for capability in capabilities() for task in capability.tasks]
    raise ValueError(f"unknown task {name!r}; choose one of {', '.join(known)}")
