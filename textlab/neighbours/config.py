"""The word vectors' settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from textlab.settings import train_budget_s


@dataclass
class NeighboursConfig:
    """word2vec on the project's own text (about 10 M tokens), optionally joined with fastText vectors.

    The stored vector of a word is its skip-gram (or CBOW) vector and its fastText vector (CBOW over the word and its
    character 3- to 6-grams), each normalised, scaled so that a cosine similarity is
    (1 - subword_weight) x the word2vec one + subword_weight x the fastText one. word2vec alone knows what words mean
    (WordSim353, SimLex-999) but little of their form; fastText alone solves most "quick : quickly" analogies but
    its neighbours are words spelt alike ("universe": universes, universal, universally). A fifth of fastText keeps
    most of both (BENCHMARKS.md, "neighbours").
    """

    datasets: tuple[str, ...] = ("imdb", "rotten_tomatoes", "20newsgroups", "reuters-r8", "sitcoms", "wordnet")
    algorithm: Literal["skipgram", "cbow"] = "skipgram"  # word2vec's training algorithm
    vector_size: int = 150  # the word2vec part; with the fastText part, 40,000 words x 200 in int8 are 8 MB
    subword_dims: int = 50  # the fastText part joined to the word2vec one; 0 for plain word2vec
    subword_weight: float = 0.2  # the fastText part's share of a similarity
    window: int = 5  # wider windows favour relatedness (WordSim353) over strict similarity (SimLex-999)
    min_count: int = 5  # rarer words get no vector
    negative: int = 5  # negative samples per word
    sample: float = 1e-4  # down-sampling of frequent words
    epochs: int = 10  # passes over the corpus; 10 M tokens is little text: more passes help
    time_budget_s: float | None = None  # stop after the epoch that passes this many seconds (per part)
    phrases: bool = True  # join frequent collocations ("star_trek") before training
    phrase_min_count: int = 20
    phrase_scoring: Literal["npmi", "default"] = "npmi"  # normalised PMI in [-1, 1]: "darth vader", not "i am"
    phrase_threshold: float = 0.6
    max_words: int = 40_000  # the most frequent words kept in the checkpoint
    workers: int = 2  # gensim's own threads
    seed: int = 0

    def __post_init__(self) -> None:
        if self.algorithm not in ("skipgram", "cbow"):
            raise ValueError(f"algorithm must be 'skipgram' or 'cbow', got {self.algorithm!r}")
        if self.subword_dims < 0 or not 0 <= self.subword_weight < 1:
            raise ValueError("subword_dims must be at least 0 and subword_weight in [0, 1)")

    @property
    def dims(self) -> int:
        """Dimensions of a stored vector."""
        return self.vector_size + self.subword_dims

    def quick(self) -> NeighboursConfig:
        """Vectors that train in a few minutes: CBOW alone, fewer epochs (what the app trains when none are there)."""
        return replace(
            self, algorithm="cbow", vector_size=100, subword_dims=0, epochs=4, time_budget_s=train_budget_s()
        )
