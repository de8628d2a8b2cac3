"""A model the app serves: loaded from its checkpoint, or trained in the background when that cannot be used.

The app starts serving at once; each tab asks its slot for the model and shows the slot's status until it is
ready. Nothing here knows about Gradio or about any one model: a slot is made from a capability's task.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import torch

from textlab.capabilities import Capability, Report, Task
from textlab.checkpoints import CheckpointError
from textlab.data.sources import SourceError
from textlab.devices import resolve_device
from textlab.settings import training_threads

log = logging.getLogger("textlab")
# One background training at a time: several at once would split the CPU inside each one's time budget, and torch's
# random seed is process-wide.
_TRAINING = threading.Lock()
Model = TypeVar("Model")
Progress = Callable[[float, str], None]  # (fraction done, what is happening)


@dataclass(frozen=True)
class SlotStatus:
    state: str  # "waiting", "loading", "training", "ready" or "failed"
    message: str
    progress: float | None = None  # fraction of the training budget used, while training

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def settled(self) -> bool:
        """Nothing more will happen without a restart: ready, or failed."""
        return self.state in ("ready", "failed")


class ModelSlot(Generic[Model]):
    """One model of the app. `load` raises CheckpointError when there is no usable checkpoint; `train` then
    builds a model (reporting progress) and `save` writes it so that the next start loads it."""

    def __init__(
        self,
        name: str,
        load: Callable[[], Model],
        train: Callable[[Progress], Model],
        save: Callable[[Model], None],
    ):
        self.name, self._load, self._train, self._save = name, load, train, save
        self._model: Model | None = None
        self._status = SlotStatus("waiting", f"The {name} model has not started loading.")
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> SlotStatus:
        return self._status

    def get(self) -> Model | None:
        """The model, or None while it is loading or training (see `status`)."""
        return self._model

    def start(self) -> ModelSlot[Model]:
        """Load (or train) once, in a daemon thread; later calls do nothing."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"load-{self.name}", daemon=True)
                self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> SlotStatus:
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
        return self._status

    def _run(self) -> None:
        self._status = SlotStatus("loading", f"Loading the {self.name} model...")
        try:
            self._model = self._load()
            self._status = SlotStatus("ready", f"The {self.name} model is ready.")
            return
        except CheckpointError as e:
            # The full reason names server paths: it goes to the log, the page gets the gist.
            log.warning("%s: %s; training a quick model instead", self.name, e)
            reason, replace = "its checkpoint is missing or damaged", True
        except Exception:  # a checkpoint must never stop the app; but keep the files for someone to look at
            log.exception("%s: loading failed; training a quick model instead", self.name)
            reason, replace = "its checkpoint could not be loaded", False

        def progress(fraction: float, what: str) -> None:
            self._status = SlotStatus(
                "training", f"The {self.name} model is not usable ({reason}). Training a quick one: {what}", fraction
            )

        self._status = SlotStatus(
            "training", f"The {self.name} model is not usable ({reason}); waiting for another model's training."
        )
        with _TRAINING:
            progress(0.0, "starting")
            try:
                model = _on_every_core(self._train, progress)
            except SourceError:  # the reason names server paths and URLs: the log gets it, the page the gist
                log.exception("%s: its training data could not be fetched", self.name)
                self._status = SlotStatus(
                    "failed",
                    f"The {self.name} model could not be trained: its training data could not be fetched "
                    "(the server needs to reach PyPI and the Debian mirrors once, or to find the data in its cache; "
                    "the server log names the source). Restart the app to try again.",
                )
                return
            except Exception:
                log.exception("%s: training failed", self.name)
                self._status = SlotStatus(
                    "failed",
                    f"The {self.name} model could not be trained (the server log says why). Restart the "
                    "app to try again.",
                )
                return
        if replace:
            try:
                self._save(model)
            except Exception:
                log.exception("%s: the trained model could not be saved; serving it from memory", self.name)
        self._model = model
        self._status = SlotStatus("ready", f"The {self.name} model is ready (trained just now: {reason}).")


def slot_for(capability: Capability, task: Task, device: str = "cpu") -> ModelSlot:
    """The slot of one task: its checkpoint folder, or its quick model trained and saved there; served on `device`
    (auto: CUDA, then MPS, then the CPU) when the capability's models can run there, else on the CPU."""
    where = resolve_device(device) if capability.to_device else None

    def placed(model: Model) -> Model:
        if where is not None:
            capability.to_device(model, where)
        return model

    def train(progress: Progress) -> Model:
        cfg = task.quick()
        if where is not None:
            cfg.train.device = where.type
        return placed(capability.train(cfg, Report(progress=progress)))

    return ModelSlot(
        task.title,
        lambda: placed(capability.load(task, None)),
        train,
        lambda model: capability.save(task.path(), model),
    )


def _on_every_core(train: Callable[[Progress], Model], progress: Progress) -> Model:
    """Train on `training_threads()` torch threads, whatever the app serves requests with (one, see `cli._serve`): a
    quick model trains to a time budget, and one thread would give it two thirds of the steps on two cores.

    torch's thread count is this thread's own, but threads that start using torch meanwhile take it up too; they are
    the app's request threads started during the minutes of training, which then use every core until they retire.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(training_threads())
    try:
        return train(progress)
    finally:
        torch.set_num_threads(threads)
