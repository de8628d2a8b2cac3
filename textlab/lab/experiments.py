"""The Lab's experiments: small recurrent networks trained live, each yielding its curves as it goes.

- `cell_race`: SimpleRNN vs LSTM vs GRU (single or stacked) on the same data and budget: the adding problem, a
  long-range task a SimpleRNN fails, or a slice of real movie-review sentiment.
- `gradient_race`: the gradient norm at every step without clipping, with clip-by-value (the study notes' 3.0) and
  with clip-by-norm, with SGD + momentum or Adam (how much gradient reaches each time step is in `vanishing`).
- `dropout_race`: dropout and recurrent dropout against over-fitting on a small sentiment slice.
- `embedding_race`: random vs word2vec embeddings, frozen vs fine-tuned, on the same slice.

Every experiment is a generator of `Update`s (fraction done, every curve point so far, a message), so the app can
draw the curves while training runs; closing the generator (the app's Stop button) ends it early. Each run is the
shared training loop (`training.train_steps`); the runs take turns, one epoch each, on the same batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from textlab.lab.data import Data, ExperimentError, adding_data, sentiment_data
from textlab.networks.sequence_model import CELL_TYPES, SequenceModel
from textlab.text.words import WordVocab
from textlab.training import EpochRecord, Event, History, Step, TrainConfig, train_steps


@dataclass
class Point:
    series: str  # which run: "LSTM", "SGD, clip by norm", ...
    x: float  # epoch (or step, or time step)
    split: str  # "train" or "validation"
    metric: str  # "loss", "accuracy", "gradient norm", ...
    value: float


@dataclass
class Update:
    fraction: float
    points: list[Point]
    message: str
    done: bool = False
    summary: list[list] = field(default_factory=list)  # one row per series, for a results table


@dataclass
class Run:
    """One series of an experiment: a model, how it is optimised, and what is recorded."""

    name: str
    model: nn.Module
    optimizer: str = "adam"  # or "sgd" (momentum 0.9)
    lr: float = 3e-3
    clip: str = "none"  # "value" (each gradient element to [-3, 3], as the study notes) or "norm" (to 1.0)


@dataclass
class _Lane:
    """A run on its way: its training's events, and what it has done so far."""

    run: Run
    events: Generator[Event, None, History]
    steps: int = 0
    last: EpochRecord | None = None
    history: History | None = None  # set when the training has ended


def _loss(kind: str, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(pred, y) if kind == "regression" else F.binary_cross_entropy_with_logits(pred, y)


def _accuracy(kind: str, pred: torch.Tensor, y: torch.Tensor) -> float:
    if kind == "regression":
        return ((pred - y).abs() < 0.04).float().mean().item()  # the adding problem's usual "solved" threshold
    return ((pred > 0).float() == y).float().mean().item()


def _training(run: Run, data: Data, epochs: int, batch_size: int, budget_s: float, seed: int):
    """The run as `train_steps`: fixed epochs (no early stopping, no decay), the same batches for every run."""
    cfg = TrainConfig(
        lr=run.lr,
        max_epochs=epochs,
        optimizer=run.optimizer,
        patience=0,
        lr_decay=1.0,
        clip_norm=1.0 if run.clip == "norm" else 0.0,
        clip_value=3.0 if run.clip == "value" else 0.0,
        time_budget_s=budget_s,
        seed=seed,
    )
    model, epoch = run.model, 0

    def batches() -> Iterator[torch.Tensor]:
        nonlocal epoch
        epoch += 1
        order = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed + epoch))
        return iter(order.split(batch_size))

    def evaluate() -> dict[str, float]:
        pred, train_pred = model(data.x_valid), model(data.x_train[:1000])
        return {
            "loss": _loss(data.kind, pred, data.y_valid).item(),
            "accuracy": _accuracy(data.kind, pred, data.y_valid),
            "train_accuracy": _accuracy(data.kind, train_pred, data.y_train[:1000]),
        }

    return train_steps(
        model, cfg, batches, lambda rows: _loss(data.kind, model(data.x_train[rows]), data.y_train[rows]), evaluate
    )


def train_runs(
    runs: list[Run],
    data: Data,
    epochs: int,
    batch_size: int = 64,
    time_cap_s: float = 60.0,
    step_points: bool = False,
    seed: int = 0,
) -> Iterator[Update]:
    """Train the runs side by side, one epoch each in turn on the same batches; yield every curve after each round.

    Every run gets an equal share of the time cap; one that spends it stops there, the others go on.
    """
    if not 1 <= epochs <= 100:
        raise ExperimentError(f"Epochs must be from 1 to 100; got {epochs}.")
    share = time_cap_s / len(runs)
    lanes = [_Lane(run, _training(run, data, epochs, batch_size, share, seed)) for run in runs]
    points: list[Point] = []
    for epoch in range(1, epochs + 1):
        for lane in (lane for lane in lanes if lane.history is None):
            for _ in _next_epoch(lane, step_points, points):  # a word every second, even inside a long epoch:
                yield Update((epoch - 1) / epochs, list(points), f"epoch {epoch} of {epochs}: {lane.run.name}")
        latest = ", ".join(f"{lane.run.name} {lane.last.valid_loss:.3f}" for lane in lanes if lane.last)
        yield Update(epoch / epochs, list(points), f"epoch {epoch} of {epochs}; validation loss: {latest}")
        if all(lane.history is not None for lane in lanes):
            break
    for lane in lanes:  # a run still going finishes its last epoch's bookkeeping (best weights, history)
        while lane.history is None:
            for _ in _next_epoch(lane, False, []):
                pass
    yield Update(
        1.0,
        points,
        "The table below has each run's last validation figures.",
        True,
        [_summary_row(lane, share) for lane in lanes],
    )


def _next_epoch(lane: _Lane, step_points: bool, points: list[Point], every_s: float = 1.0) -> Iterator[None]:
    """Advance a run to the end of its next epoch (or of its training), adding the curve points it makes to
    `points`; yield every `every_s` seconds on the way. A closed experiment (the Stop button, a client gone) stops at
    one of these yields: within a second, not at the end of an epoch."""
    name, beat = lane.run.name, time.monotonic()
    while True:
        try:
            event = next(lane.events)
        except StopIteration as done:
            lane.history = done.value
            return
        if isinstance(event, Step):
            lane.steps += 1
            if time.monotonic() - beat >= every_s:
                yield
                beat = time.monotonic()
            if step_points:
                points += [
                    Point(name, lane.steps, "train", "gradient norm", event.grad_norm),
                    Point(name, lane.steps, "train", "loss", event.loss),
                ]
            continue
        lane.last = event
        if not step_points:
            points += [
                Point(name, event.epoch, "train", "loss", event.train_loss),
                Point(name, event.epoch, "validation", "loss", event.valid_loss),
                Point(name, event.epoch, "train", "accuracy", event.metrics["train_accuracy"]),
                Point(name, event.epoch, "validation", "accuracy", event.metrics["accuracy"]),
            ]
        return


def _summary_row(lane: _Lane, share: float) -> list:
    history, last = lane.history, lane.last
    note = f"time cap ({share:.0f} s) reached" if history.stopped.startswith("time budget") else ""
    return [
        lane.run.name,
        len(history.epochs),
        round(last.valid_loss, 4),
        round(last.metrics["accuracy"], 4),
        sum(p.numel() for p in lane.run.model.parameters()),
        round(history.seconds, 1),
        note,
    ]


# The experiments ------------------------------------------------------------------------------------------------


ADDING_ACCURACY = (
    "Accuracy on the adding problem is the share of validation sequences whose predicted sum is within 0.04 of the "
    'true one (the problem\'s usual "solved" threshold); always answering 1.0 scores about 8%.'
)


def cell_model(cell: str, data: Data, units: int, layers: int = 1, seed: int = 0) -> SequenceModel:
    """A model for the race's data (numbers per step, or word indices), its weights drawn from `seed`."""
    torch.manual_seed(seed)
    if data.vocab_size:
        return SequenceModel(cell, 32, units, layers, data.vocab_size)
    return SequenceModel(cell, data.x_train.size(2), units, layers)


def cell_race(
    task: str = "adding",
    cells: tuple[str, ...] = ("SimpleRNN", "LSTM", "GRU"),
    units: int = 32,
    layers: int = 1,
    epochs: int = 8,
    length: int = 30,
    time_cap_s: float = 60.0,
    data: Data | None = None,
) -> Iterator[Update]:
    """The cells side by side on the same data, budget and seed. With the defaults (30 steps, 8 epochs) the LSTM and
    GRU solve most adding problems and the SimpleRNN stays near the 0.167 of always answering 1.0."""
    check_size(units, layers)
    if not cells or any(c not in CELL_TYPES for c in cells):
        raise ExperimentError(f"Pick one or more cells of {', '.join(CELL_TYPES)}.")
    if data is None:
        data = adding_data(length) if task == "adding" else sentiment_data()
    lr = 3e-3 if data.vocab_size else 1e-2
    runs = [
        Run(cell if layers == 1 else f"{layers} x {cell}", cell_model(cell, data, units, layers), lr=lr)
        for cell in cells
    ]
    batch_size = 64 if data.vocab_size else 32
    for update in train_runs(runs, data, epochs, batch_size, time_cap_s=time_cap_s):
        if update.done and data.kind == "regression":
            update.message += " " + ADDING_ACCURACY
        yield update


def gradient_race(
    optimizer: str = "sgd",
    length: int = 50,
    units: int = 32,
    epochs: int = 2,
    lr: float = 0.05,
    time_cap_s: float = 60.0,
) -> Iterator[Update]:
    """A SimpleRNN on the adding problem with its recurrent weights scaled up (the exploding regime): the gradient
    norm at every step without clipping, clipped by value (3.0, as the study notes) and clipped by norm (1.0)."""
    check_size(units, 1)
    if optimizer not in ("sgd", "adam"):
        raise ExperimentError(f"The optimizer must be 'sgd' or 'adam'; got {optimizer!r}.")
    data = adding_data(length)
    runs = []
    for clip, label in (("none", "no clipping"), ("value", "clip by value 3.0"), ("norm", "clip by norm 1.0")):
        torch.manual_seed(0)
        model = SequenceModel("SimpleRNN", 2, units)
        with torch.no_grad():
            model.rnn.weight_hh_l0.mul_(2.5)  # spectral radius well above 1: gradients grow backwards in time
        runs.append(Run(f"{optimizer.upper()}, {label}", model, optimizer, lr, clip))
    yield from train_runs(runs, data, epochs, batch_size=32, time_cap_s=time_cap_s, step_points=True)


def dropout_race(
    settings: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.5, 0.0), (0.3, 0.3)),
    units: int = 32,
    epochs: int = 8,
    time_cap_s: float = 60.0,
    data: Data | None = None,
) -> Iterator[Update]:
    """An LSTM on 500 reviews (easy to over-fit) with (dropout, recurrent dropout) settings side by side."""
    check_size(units, 1)
    data = data or sentiment_data(n_train=500, n_valid=500)
    runs = []
    for dropout, recurrent in settings:
        if not (0 <= dropout < 1 and 0 <= recurrent < 1):
            raise ExperimentError("Dropout rates must be at least 0 and below 1.")
        torch.manual_seed(0)
        model = SequenceModel("LSTM", 32, units, 1, data.vocab_size, dropout, recurrent)
        runs.append(Run(f"dropout {dropout}, recurrent {recurrent}", model))
    yield from train_runs(runs, data, epochs, time_cap_s=time_cap_s)


def embedding_race(
    vectors: Callable[[WordVocab], tuple[torch.Tensor, float]],
    units: int = 32,
    epochs: int = 5,
    time_cap_s: float = 60.0,
    data: Data | None = None,
) -> Iterator[Update]:
    """A GRU on a sentiment slice with its embedding random, word2vec frozen, and word2vec fine-tuned.

    `vectors(vocab)` returns the pre-trained rows for the vocabulary (zeros where a word is missing) and the share
    of words found (see `word2vec_rows`).
    """
    check_size(units, 1)
    data = data or sentiment_data(n_train=1000, n_valid=500)
    table, coverage = vectors(data.vocab)
    runs = []
    for name, pretrained, frozen in (
        ("random", False, False),
        ("word2vec, frozen", True, True),
        ("word2vec, fine-tuned", True, False),
    ):
        torch.manual_seed(0)
        model = SequenceModel("GRU", table.size(1), units, 1, data.vocab_size)
        if pretrained:
            model.embed.weight.data.copy_(table)
            model.embed.weight.requires_grad_(not frozen)
        runs.append(Run(name, model))
    for update in train_runs(runs, data, epochs, time_cap_s=time_cap_s):
        if update.done:
            update.message += f"; word2vec covered {coverage:.0%} of the slice's vocabulary"
        yield update


def check_size(units: int, layers: int) -> None:
    if not isinstance(units, int) or not 1 <= units <= 256:
        raise ExperimentError(f"Units must be a whole number from 1 to 256 in the Lab; got {units!r}.")
    if not isinstance(layers, int) or not 1 <= layers <= 4:
        raise ExperimentError(f"Layers must be from 1 to 4 in the Lab; got {layers!r}.")


def word2vec_rows(vocab: WordVocab, vectors) -> tuple[torch.Tensor, float]:
    """The rows of `vectors` (gensim KeyedVectors, e.g. the Neighbours tab's) for every word of `vocab`: zeros for
    padding and for words the vectors lack, and the share of the vocabulary found."""
    table = torch.zeros(len(vocab), vectors.vector_size)
    found = 0
    for index, word in enumerate(vocab.index_to_word[2:], start=2):
        if word in vectors.key_to_index:
            table[index] = torch.from_numpy(vectors[word].astype("float32"))
            found += 1
    return table, found / max(len(vocab) - 2, 1)
