"""The Lab's data: the adding problem, generated, and a slice of the movie reviews as the study notes prepare it."""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from textlab.text.words import WordVocab, normalise, pad_sequences


class ExperimentError(ValueError):
    """Settings an experiment cannot run with; the message says what to change."""


@dataclass
class Data:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_valid: torch.Tensor
    y_valid: torch.Tensor
    kind: str  # "regression" (adding problem) or "binary"
    vocab_size: int = 0  # > 0: x holds word indices for an embedding
    vocab: WordVocab | None = None


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


def sentiment_data(
    n_train: int = 2000,
    n_valid: int = 500,
    maxlen: int = 100,
    vocab_size: int = 5000,
    seed: int = 0,
    examples: list | None = None,
) -> Data:
    """A slice of the movie reviews (the sentiment task's own training and validation splits), as the study notes
    prepare it: word indices, the first `maxlen` words, pre-padded. `examples` (for tests) replaces the movie
    reviews."""
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
