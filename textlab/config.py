"""Every setting in one place, one dataclass per task, with its default and why.

The CLI and the app fill the same dataclasses; a checkpoint stores the one it was trained with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def env_number(name: str, default: float, minimum: float) -> float:
    """A number from the environment variable `name`, or `default`; a clear error when it is not one or too small."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ValueError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def models_dir() -> Path:
    """Where checkpoints live: `models/` in the repository, or `$TEXTLAB_MODELS`."""
    return Path(os.environ.get("TEXTLAB_MODELS", REPO_ROOT / "models"))


@dataclass
class TrainConfig:
    lr: float = 2e-3
    max_epochs: int = 30
    clip_norm: float = 1.0  # gradients rescaled to at most this global norm; 0 turns clipping off
    patience: int = 3  # stop after this many epochs without a better validation loss
    lr_decay: float = 0.5  # learning rate multiplied by this after an epoch without improvement
    time_budget_s: float | None = None  # stop (keeping the best weights so far) after this many seconds
    weight_decay: float = 0.0
    seed: int = 0


@dataclass
class ChatConfig:
    """The Sheldon chat model: a character LSTM over `Speaker: line` dialogue."""

    embed_dim: int = 64
    hidden_size: int = 384  # 2 x 384 keeps 1 MB of transcript scorable in under a minute on 2 cores
    num_layers: int = 2
    dropout: float = 0.25  # 2.3 M training characters over-fit a 2 M-parameter LSTM without it
    seq_len: int = 128  # characters per truncated-backpropagation window
    batch_size: int = 64  # parallel rows of the character stream
    n_valid_episodes: int = 8  # whole episodes held out for early stopping
    n_test_episodes: int = 8  # whole episodes held out for the benchmark, never used to choose anything
    split_seed: int = 0
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=40, patience=3))

    @classmethod
    def quick(cls) -> ChatConfig:
        """A small model that trains in a few minutes: what the app trains when no checkpoint is there.

        `$TEXTLAB_TRAIN_BUDGET` (seconds, default 240) caps its training time.
        """
        budget = env_number("TEXTLAB_TRAIN_BUDGET", 240, 1)
        return cls(
            hidden_size=256, num_layers=1, dropout=0.1, seq_len=96,
            train=TrainConfig(lr=3e-3, max_epochs=3, patience=1, time_budget_s=budget),
        )


CLASSIFY_TASKS = ("sentiment", "news", "reuters")


@dataclass
class ClassifyConfig:
    """A text classifier: SentencePiece (or word) tokens -> embedding -> bidirectional GRU -> pooling -> linear."""

    task: str  # "sentiment" (IMDB + Rotten Tomatoes), "news" (20 Newsgroups) or "reuters" (Reuters R8)
    datasets: tuple[str, ...]
    letters_only: bool = False  # read text as a-z words only, as the news files are written
    tokenizer: str = "sentencepiece"  # or "words": the seed's word_to_index with <UKN/>
    vocab_size: int = 12_000  # x embed_dim x 4 bytes is most of the checkpoint: 12,000 x 128 is 6.1 MB
    max_tokens: int = 400  # tokens read per text (the first ones); 80% of IMDB reviews fit
    embed_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.4
    pooling: str = "max"
    embeddings: str = "random"  # "word2vec": skip-gram on the training split's tokens; "neighbours": the word vectors
    freeze_embeddings: bool = False  # keep pre-trained embeddings as they are (not with "random")
    batch_size: int = 64
    balanced: bool = False  # weight each class's loss by its inverse frequency (for skewed sets like Reuters)
    max_train_examples: int | None = None  # a random subset of the training split, for quick models
    split_seed: int = 0
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=10, patience=2))

    @classmethod
    def for_task(cls, task: str) -> ClassifyConfig:
        if task == "sentiment":
            return cls(task, ("imdb", "rotten_tomatoes"))
        if task == "news":
            return cls(task, ("20newsgroups",), letters_only=True)
        if task == "reuters":
            return cls(task, ("reuters-r8",), letters_only=True, vocab_size=8_000, balanced=True)
        raise ValueError(f"unknown classifier task {task!r}; choose one of {', '.join(CLASSIFY_TASKS)}")

    @classmethod
    def quick(cls, task: str) -> ClassifyConfig:
        """A small model that trains in a few minutes when no checkpoint is there (`$TEXTLAB_TRAIN_BUDGET` s)."""
        cfg = cls.for_task(task)
        cfg.vocab_size, cfg.max_tokens, cfg.embed_dim, cfg.hidden_size = 4_000, 200, 64, 64
        cfg.max_train_examples = 6_000
        cfg.train = TrainConfig(lr=3e-3, max_epochs=3, patience=1,
                                time_budget_s=env_number("TEXTLAB_TRAIN_BUDGET", 240, 1))
        return cfg


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
    algorithm: str = "skipgram"  # or "cbow"
    vector_size: int = 150  # the word2vec part; with the fastText part, 40,000 words x 200 in int8 are 8 MB
    subword_dims: int = 50  # the fastText part; 0 for plain word2vec
    subword_weight: float = 0.2
    window: int = 5  # wider windows favour relatedness (WordSim353) over strict similarity (SimLex-999)
    min_count: int = 5
    negative: int = 5
    sample: float = 1e-4  # down-sampling of frequent words
    epochs: int = 10  # 10 M tokens is little text: more passes help
    phrases: bool = True
    phrase_min_count: int = 20
    phrase_scoring: str = "npmi"  # normalised PMI in [-1, 1]: "darth vader", "white house"; not "i am", "very good"
    phrase_threshold: float = 0.6
    max_words: int = 40_000  # the most frequent words kept in the checkpoint
    workers: int = 2
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

    @classmethod
    def quick(cls) -> NeighboursConfig:
        """Vectors that train in a few minutes: CBOW alone, fewer epochs (what the app trains when none are there)."""
        return cls(algorithm="cbow", vector_size=100, subword_dims=0, epochs=4)


TRANSLATE_TASKS = ("dates", "en-es")


@dataclass
class TranslateConfig:
    """A sequence-to-sequence translator: characters for dates, SentencePiece subwords for English -> Spanish."""

    task: str  # "dates" or "en-es"
    cell: str = "gru"  # or "lstm"
    attention: str = "bahdanau"  # "luong", or "none" for the fixed-vector bottleneck
    embed_dim: int = 32
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.1
    batch_size: int = 64
    n_train: int = 40_000  # dates: generated training pairs
    n_valid: int = 1_000  # dates: generated; en-es: verse pairs held out
    n_test: int = 2_000  # as n_valid; never used to choose anything
    max_words: int = 20  # en-es: verse pairs with at most this many words on each side
    vocab_size: int = 3_000  # en-es: SentencePiece pieces per language
    pairs_file: str | None = None  # the user's own `source<TAB>target` pairs instead of the task's data
    split_seed: int = 0
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=3e-3, max_epochs=20, patience=2))

    def __post_init__(self) -> None:
        if self.task not in TRANSLATE_TASKS:
            raise ValueError(f"unknown translation task {self.task!r}; choose one of {', '.join(TRANSLATE_TASKS)}")

    @classmethod
    def for_task(cls, task: str) -> TranslateConfig:
        if task == "en-es":
            return cls(task, embed_dim=96, hidden_size=192, dropout=0.2, n_valid=400, n_test=600,
                       train=TrainConfig(lr=2e-3, max_epochs=30, patience=3))
        return cls(task)

    @classmethod
    def quick(cls, task: str) -> TranslateConfig:
        """A small model that trains in a few minutes when no checkpoint is there (`$TEXTLAB_TRAIN_BUDGET` s)."""
        cfg = cls.for_task(task)
        cfg.hidden_size, cfg.n_train, cfg.max_words, cfg.vocab_size = 96, 20_000, 14, 2_000
        cfg.train = TrainConfig(lr=3e-3, max_epochs=8, patience=1,
                                time_budget_s=env_number("TEXTLAB_TRAIN_BUDGET", 240, 1))
        return cfg
