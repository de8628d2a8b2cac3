"""The Lab's experiments: small recurrent networks trained live, each yielding its curves as it goes.

- `cell_race`: SimpleRNN vs LSTM vs GRU (single or stacked) on the same data and budget: the adding problem, a
  long-range task a SimpleRNN fails, or a slice of real movie-review sentiment.
- `gradient_race`: the gradient norm at every step without clipping, with clip-by-value (the seed's 3.0) and with
  clip-by-norm, with SGD + momentum or Adam; and how much gradient reaches each time step (vanishing).
- `dropout_race`: dropout and recurrent dropout against over-fitting on a small sentiment slice.
- `embedding_race`: random vs word2vec embeddings, frozen vs fine-tuned, on the same slice.

Every experiment is a generator of `Update`s (fraction done, every curve point so far, a message), so the app can
draw the curves while training runs; closing the generator (the app's Stop button) ends it early.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from textlab.text.words import WordVocab, normalise, pad_sequences

CELL_TYPES = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
CELL_STEPS = {"SimpleRNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}


class ExperimentError(ValueError):
    """Settings an experiment cannot run with; the message says what to change."""


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
class Data:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_valid: torch.Tensor
    y_valid: torch.Tensor
    kind: str  # "regression" (adding problem) or "binary"
    vocab_size: int = 0  # > 0: x holds word indices for an embedding
    vocab: WordVocab | None = None


class SequenceModel(nn.Module):
    """Input (features, or word indices through an embedding) -> recurrent layers -> the last step -> linear.

    Inputs are pre-padded, as Keras pads, so the last step is always a real one. Recurrent dropout (one mask on the
    state for the whole sequence, as Keras does) needs the cells stepped one at a time; without it the fused layers
    run.
    """

    def __init__(self, cell: str, input_size: int, units: int, layers: int = 1, vocab_size: int = 0,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0):
        super().__init__()
        self.cell, self.recurrent_dropout, self.units = cell, recurrent_dropout, units
        self.embed = nn.Embedding(vocab_size, input_size, padding_idx=0) if vocab_size else None
        self.drop = nn.Dropout(dropout)
        if recurrent_dropout > 0:
            self.cells = nn.ModuleList(CELL_STEPS[cell](input_size if i == 0 else units, units) for i in range(layers))
        else:
            self.rnn = CELL_TYPES[cell](input_size, units, layers, batch_first=True,
                                        dropout=dropout if layers > 1 else 0.0)
        self.out = nn.Linear(units, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.embed(x) if self.embed is not None else x)
        if self.recurrent_dropout > 0:
            last = self._stepped(x)
        else:
            last = self.rnn(x)[0][:, -1]
        return self.out(self.drop(last)).squeeze(1)

    def _stepped(self, x: torch.Tensor) -> torch.Tensor:
        for i, cell in enumerate(self.cells):
            h = x.new_zeros(x.size(0), self.units)
            c = h.clone()
            keep = 1 - self.recurrent_dropout
            mask = torch.bernoulli(h.new_full(h.shape, keep)) / keep if self.training else None
            outputs = []
            for t in range(x.size(1)):
                state = h * mask if mask is not None else h
                if self.cell == "LSTM":
                    h, c = cell(x[:, t], (state, c))
                else:
                    h = cell(x[:, t], state)
                outputs.append(h)
            x = self.drop(torch.stack(outputs, 1)) if i < len(self.cells) - 1 else torch.stack(outputs, 1)
        return x[:, -1]


# Data -----------------------------------------------------------------------------------------------------------


def adding_problem(n: int, length: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Hochreiter & Schmidhuber's adding problem: `length` steps of (random number, marker); the target is the sum
    of the two marked numbers, one in each half. Predicting 1.0 always gives a mean squared error of about 0.167."""
    g = torch.Generator().manual_seed(seed)
    values = torch.rand(n, length, generator=g)
    markers = torch.zeros(n, length)
    half = max(length // 2, 1)
    first = torch.randint(0, half, (n,), generator=g)
    second = torch.randint(half, length, (n,), generator=g) if length > 1 else first
    markers[torch.arange(n), first] = 1.0
    markers[torch.arange(n), second] = 1.0
    return torch.stack([values, markers], 2), (values * markers).sum(1)


def adding_data(length: int, n_train: int = 4000, n_valid: int = 500, seed: int = 0) -> Data:
    if not 2 <= length <= 500:
        raise ExperimentError(f"The sequence length must be from 2 to 500; got {length}.")
    x_train, y_train = adding_problem(n_train, length, seed)
    x_valid, y_valid = adding_problem(n_valid, length, seed + 1)
    return Data(x_train, y_train, x_valid, y_valid, "regression")


def sentiment_data(n_train: int = 2000, n_valid: int = 500, maxlen: int = 100, vocab_size: int = 5000,
                   seed: int = 0, examples: list | None = None) -> Data:
    """A slice of the movie reviews (the sentiment task's own training and validation splits), as the seed prepares
    it: word indices, the first `maxlen` words, pre-padded. `examples` (for tests) replaces the movie reviews."""
    if examples is None:
        from textlab.data.labelled import load_labelled

        splits = load_labelled("imdb")
        train, valid = splits.train, splits.valid
    else:
        train, valid = examples[: len(examples) * 4 // 5], examples[len(examples) * 4 // 5 :]
    rng = random.Random(seed)
    train, valid = rng.sample(train, min(n_train, len(train))), rng.sample(valid, min(n_valid, len(valid)))
    texts = [normalise(ex.text).split()[:maxlen] for ex in train]
    vocab = WordVocab.build([" ".join(t) for t in texts], max_size=vocab_size)

    def tensor(examples: list) -> tuple[torch.Tensor, torch.Tensor]:
        ids = [vocab.encode(normalise(ex.text).split()[:maxlen]) for ex in examples]
        return torch.tensor(pad_sequences(ids, maxlen)), torch.tensor([float(ex.label) for ex in examples])

    x_train, y_train = tensor(train)
    x_valid, y_valid = tensor(valid)
    return Data(x_train, y_train, x_valid, y_valid, "binary", len(vocab), vocab)


# Training -------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One series of an experiment: a model, how it is optimised, and what is recorded."""

    name: str
    model: nn.Module
    optimizer: str = "adam"  # or "sgd" (momentum 0.9)
    lr: float = 3e-3
    clip: str = "none"  # "value" (each gradient element to [-clip_value, clip_value]) or "norm"
    clip_value: float = 3.0
    clip_norm: float = 1.0


def _loss(kind: str, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(pred, y) if kind == "regression" else F.binary_cross_entropy_with_logits(pred, y)


def _accuracy(kind: str, pred: torch.Tensor, y: torch.Tensor) -> float:
    if kind == "regression":
        return ((pred - y).abs() < 0.04).float().mean().item()  # the adding problem's usual "solved" threshold
    return ((pred > 0).float() == y).float().mean().item()


@dataclass
class _Trainee:
    run: Run
    optimizer: torch.optim.Optimizer
    params: list[torch.nn.Parameter]
    seconds: float = 0.0
    steps: int = 0
    epochs: int = 0
    valid_loss: float = math.nan
    valid_accuracy: float = math.nan
    note: str = ""


def train_runs(runs: list[Run], data: Data, epochs: int, batch_size: int = 64, time_cap_s: float = 60.0,
               step_points: bool = False, seed: int = 0) -> Iterator[Update]:
    """Train the runs side by side, one epoch each in turn on the same batches; yield every curve after each round.

    Every run gets an equal share of the time cap; one that spends it stops there, the others go on.
    """
    if not 1 <= epochs <= 100:
        raise ExperimentError(f"Epochs must be from 1 to 100; got {epochs}.")
    trainees = []
    for run in runs:
        params = [p for p in run.model.parameters() if p.requires_grad]
        optimizer = (torch.optim.SGD(params, lr=run.lr, momentum=0.9) if run.optimizer == "sgd"
                     else torch.optim.Adam(params, lr=run.lr))
        trainees.append(_Trainee(run, optimizer, params))
    points: list[Point] = []
    share = time_cap_s / len(runs)
    for epoch in range(1, epochs + 1):
        for t in (t for t in trainees if not t.note):
            points += _train_epoch(t, data, epoch, batch_size, seed, step_points)
            if t.seconds > share and epoch < epochs:
                t.note = f"time cap ({share:.0f} s) reached"
        latest = ", ".join(f"{t.run.name} {t.valid_loss:.3f}" for t in trainees)
        yield Update(epoch / epochs, list(points), f"epoch {epoch} of {epochs}; validation loss: {latest}")
        if all(t.note for t in trainees):
            break
    summary = [[t.run.name, t.epochs, round(t.valid_loss, 4), round(t.valid_accuracy, 4),
                sum(p.numel() for p in t.run.model.parameters()), round(t.seconds, 1),
                t.note] for t in trainees]
    yield Update(1.0, points, "the table below has each run's last validation figures", True, summary)


def _train_epoch(t: _Trainee, data: Data, epoch: int, batch_size: int, seed: int, step_points: bool) -> list[Point]:
    start, points = time.monotonic(), []
    model, name = t.run.model, t.run.name
    model.train()
    order = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed + epoch))
    total = count = 0.0
    for first in range(0, len(order), batch_size):
        rows = order[first : first + batch_size]
        loss = _loss(data.kind, model(data.x_train[rows]), data.y_train[rows])
        t.optimizer.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(t.params, math.inf).item()  # the norm before any clipping
        if t.run.clip == "value":
            torch.nn.utils.clip_grad_value_(t.params, t.run.clip_value)
        elif t.run.clip == "norm":
            torch.nn.utils.clip_grad_norm_(t.params, t.run.clip_norm)
        t.optimizer.step()
        t.steps += 1
        if math.isfinite(loss.item()):
            total, count = total + loss.item() * len(rows), count + len(rows)
        if step_points:
            points.append(Point(name, t.steps, "train", "gradient norm", norm))
            points.append(Point(name, t.steps, "train", "loss", loss.item()))
    model.eval()
    with torch.no_grad():
        pred = model(data.x_valid)
        train_pred = model(data.x_train[:1000])
    t.epochs, t.valid_loss = epoch, _loss(data.kind, pred, data.y_valid).item()
    t.valid_accuracy = _accuracy(data.kind, pred, data.y_valid)
    t.seconds += time.monotonic() - start
    if not step_points:
        points += [
            Point(name, epoch, "train", "loss", total / max(count, 1)),
            Point(name, epoch, "validation", "loss", t.valid_loss),
            Point(name, epoch, "train", "accuracy", _accuracy(data.kind, train_pred, data.y_train[:1000])),
            Point(name, epoch, "validation", "accuracy", t.valid_accuracy),
        ]
    return points


# The experiments ------------------------------------------------------------------------------------------------


def cell_race(task: str = "adding", cells: tuple[str, ...] = ("SimpleRNN", "LSTM", "GRU"), units: int = 32,
              layers: int = 1, epochs: int = 8, length: int = 30, time_cap_s: float = 60.0,
              data: Data | None = None) -> Iterator[Update]:
    """The cells side by side on the same data, budget and seed. With the defaults (30 steps, 8 epochs) the LSTM and
    GRU solve most adding problems and the SimpleRNN stays near the 0.167 of always answering 1.0."""
    _check_size(units, layers)
    if not cells or any(c not in CELL_TYPES for c in cells):
        raise ExperimentError(f"Pick one or more cells of {', '.join(CELL_TYPES)}.")
    if data is None:
        data = adding_data(length) if task == "adding" else sentiment_data()
    runs = []
    for cell in cells:
        torch.manual_seed(0)
        if data.vocab_size:
            model = SequenceModel(cell, 32, units, layers, data.vocab_size)
        else:
            model = SequenceModel(cell, data.x_train.size(2), units, layers)
        lr = 3e-3 if data.vocab_size else 1e-2
        runs.append(Run(cell if layers == 1 else f"{layers} x {cell}", model, lr=lr))
    batch_size = 64 if data.vocab_size else 32
    yield from train_runs(runs, data, epochs, batch_size, time_cap_s=time_cap_s)


def gradient_race(optimizer: str = "sgd", length: int = 50, units: int = 32, epochs: int = 2, lr: float = 0.05,
                  time_cap_s: float = 60.0) -> Iterator[Update]:
    """A SimpleRNN on the adding problem with its recurrent weights scaled up (the exploding regime): the gradient
    norm at every step without clipping, clipped by value (3.0, as the seed) and clipped by norm (1.0)."""
    _check_size(units, 1)
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
    yield from train_runs(runs, data, epochs, batch_size=32, time_cap_s=time_cap_s,
                          step_points=True)


def gradient_by_time_step(length: int = 100, units: int = 32, seed: int = 0) -> list[Point]:
    """How much of the loss's gradient reaches each input step, for freshly initialised cells: the vanishing
    gradient, read straight off autograd (norm of d loss / d input_t, averaged over a batch)."""
    _check_size(units, 1)
    x, y = adding_problem(64, length, seed)
    points = []
    for cell in CELL_TYPES:
        torch.manual_seed(seed)
        model = SequenceModel(cell, 2, units)
        inputs = x.clone().requires_grad_(True)
        F.mse_loss(model(inputs), y).backward()
        norms = inputs.grad.norm(dim=2).mean(0)
        points += [Point(cell, t + 1, "train", "gradient reaching the step", float(v)) for t, v in enumerate(norms)]
    return points


def dropout_race(settings: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.5, 0.0), (0.3, 0.3)), units: int = 32,
                 epochs: int = 8, time_cap_s: float = 60.0,
                 data: Data | None = None) -> Iterator[Update]:
    """An LSTM on 500 reviews (easy to over-fit) with (dropout, recurrent dropout) settings side by side."""
    _check_size(units, 1)
    data = data or sentiment_data(n_train=500, n_valid=500)
    runs = []
    for dropout, recurrent in settings:
        if not (0 <= dropout < 1 and 0 <= recurrent < 1):
            raise ExperimentError("Dropout rates must be at least 0 and below 1.")
        torch.manual_seed(0)
        model = SequenceModel("LSTM", 32, units, 1, data.vocab_size, dropout, recurrent)
        runs.append(Run(f"dropout {dropout}, recurrent {recurrent}", model))
    yield from train_runs(runs, data, epochs, time_cap_s=time_cap_s)


def embedding_race(vectors: Callable[[WordVocab], tuple[torch.Tensor, float]], units: int = 32,
                   epochs: int = 5, time_cap_s: float = 60.0,
                   data: Data | None = None) -> Iterator[Update]:
    """A GRU on a sentiment slice with its embedding random, word2vec frozen, and word2vec fine-tuned.

    `vectors(vocab)` returns the pre-trained rows for the vocabulary (zeros where a word is missing) and the share
    of words found (see `word2vec_rows`).
    """
    _check_size(units, 1)
    data = data or sentiment_data(n_train=1000, n_valid=500)
    table, coverage = vectors(data.vocab)
    runs = []
    for name, pretrained, frozen in (("random", False, False), ("word2vec, frozen", True, True),
                                     ("word2vec, fine-tuned", True, False)):
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


def _check_size(units: int, layers: int) -> None:
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
