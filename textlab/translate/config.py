"""A translator's settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from textlab.settings import train_budget_s
from textlab.training import TrainConfig


@dataclass
class TranslateConfig:
    """A sequence-to-sequence translator: characters for dates, SentencePiece subwords for English -> Spanish."""

    task: str  # the registry entry: dates, en-es (with pairs_file: its tokens, your data)
    cell: Literal["gru", "lstm"] = "gru"  # recurrent cell of the encoder and decoder
    attention: Literal["bahdanau", "luong", "none"] = "bahdanau"  # additive, multiplicative, or one fixed vector
    embed_dim: int = 32  # token embedding size
    hidden_size: int = 128  # units per layer (and direction, in the encoder)
    num_layers: int = field(default=1, metadata={"flag": "layers"})  # stacked layers
    dropout: float = 0.1
    batch_size: int = 64  # pairs per step
    n_train: int = 40_000  # dates: generated training pairs
    n_valid: int = 1_000  # dates: generated; sentences: pairs held out
    n_test: int = 2_000  # as n_valid; never used to choose anything
    max_words: int = 20  # en-es: verse pairs with at most this many words on each side
    vocab_size: int = 3_000  # subword tasks: SentencePiece pieces per language
    pairs_file: str | None = field(default=None, metadata={"flag": "pairs"})  # your `source<TAB>target` lines
    split_seed: int = 0  # which pairs are held out
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=3e-3, max_epochs=20, patience=2))

    def quick(self) -> TranslateConfig:
        """A small model that trains in a few minutes: what the app trains when no checkpoint is there."""
        return replace(
            self,
            hidden_size=96,
            n_train=20_000,
            max_words=14,
            vocab_size=2_000,
            train=TrainConfig(lr=3e-3, max_epochs=8, patience=1, time_budget_s=train_budget_s()),
        )
