"""The chat model's settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from textlab.settings import train_budget_s
from textlab.training import TrainConfig


@dataclass
class ChatConfig:
    """The Sheldon chat model: a character LSTM over `Speaker: line` dialogue."""

    embed_dim: int = 64  # character embedding size
    hidden_size: int = 384  # LSTM units per layer; 2 x 384 keeps 1 MB of transcript scorable in under a minute
    num_layers: int = field(default=2, metadata={"flag": "layers"})  # stacked LSTM layers
    dropout: float = 0.25  # on embeddings, between layers and before the output: 2.3 M characters over-fit
    seq_len: int = 128  # characters per truncated-backpropagation window
    batch_size: int = 64  # parallel rows of the character stream
    corpus: str | None = None  # folder of `Speaker: line` transcripts (*.txt); default The Big Bang Theory
    init_from: str | None = None  # continue training the chat checkpoint in this folder
    n_valid_episodes: int = 8  # whole episodes held out for early stopping
    n_test_episodes: int = 8  # whole episodes held out for the benchmark, never used to choose anything
    split_seed: int = 0  # which episodes are held out
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=40, patience=3))

    @classmethod
    def quick(cls) -> ChatConfig:
        """A small model that trains in a few minutes: what the app trains when no checkpoint is there."""
        return cls(
            hidden_size=256,
            num_layers=1,
            dropout=0.1,
            seq_len=96,
            train=TrainConfig(lr=3e-3, max_epochs=3, patience=1, time_budget_s=train_budget_s()),
        )
