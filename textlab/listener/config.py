"""The listener's settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from textlab.settings import train_budget_s
from textlab.training import TrainConfig


@dataclass
class ListenerConfig:
    """A dual encoder that scores how well a reply answers the last turns of a conversation, beside TF-IDF."""

    turns: int = 3  # recent turns the context encoder reads (and TF-IDF compares with)
    vocab_size: int = 12_000  # words; the embedding is stored in half precision to stay under 10 MB
    embed_dim: int = 200  # the Neighbours vectors' size, so that they can start the embedding
    embeddings: Literal["neighbours", "random"] = "neighbours"  # where the word embedding starts
    sentences: Literal["minilm", "none"] = "minilm"  # a pretrained sentence encoder beside them (from PyPI), or none
    hidden_size: int = 128  # GRU units per direction, in each encoder
    out_dim: int = 256  # the space contexts and replies meet in
    dropout: float = 0.1
    temperature: float = 0.05  # of the softmax over the batch's replies
    context_tokens: int = 80  # the last words of the context read
    reply_tokens: int = 40  # the first words of a reply read
    shows: tuple[str, ...] = ("tbbt",)  # replies learnt from: tbbt (its training episodes), friends, office
    mix_shows: tuple[str, ...] = ("friends", "office")  # shows whose episodes help validation choose the mix
    batch_size: int = 128  # pairs per step: each reply is a negative for the other contexts
    corpus: str | None = None  # the chat's transcripts (default The Big Bang Theory), split as the chat's are
    n_valid_episodes: int = 8  # as the chat model's: the same episodes are held out
    n_test_episodes: int = 8
    split_seed: int = 0
    train: TrainConfig = field(default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=6, patience=2))

    def quick(self) -> ListenerConfig:
        """A small listener for when none is there: fewer dimensions, a time budget."""
        return replace(
            self,
            vocab_size=6_000,
            mix_shows=(),  # no other show to fetch when a listener is trained on start-up
            hidden_size=64,
            out_dim=128,
            train=TrainConfig(lr=3e-3, max_epochs=4, patience=1, time_budget_s=train_budget_s()),
        )
