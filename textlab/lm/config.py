"""The pretrained language model's settings, with their defaults and why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from textlab.settings import train_budget_s
from textlab.training import TrainConfig


@dataclass
class LMConfig:
    """SentencePiece subwords -> tied embedding -> LSTM -> projection -> tied softmax, on the project's English."""

    # A labelled set is read by its training split only; the other texts are lm/corpus.py's TEXTS. Measured with
    # the quick shape on 2 M tokens (bench lm_sources): the news sets cut their own held-out bits/char by 0.26-0.66
    # and cost the movie reviews 0.03-0.05; gcide and sotu helped only themselves, so they are not read by default
    sources: tuple[str, ...] = ("imdb", "rotten_tomatoes", "20newsgroups", "reuters-r8", "sitcoms", "wordnet")
    vocab_size: int = 4_000  # subwords; the softmax is most of a step's work on a CPU (V x embed_dim a token)
    embed_dim: int = 256
    hidden_size: int = 512
    num_layers: int = field(default=1, metadata={"flag": "layers"})
    dropout: float = 0.1
    batch_size: int = 32  # rows of the token stream read side by side
    seq_len: int = 64  # tokens of backpropagation through time
    held_out: int = 50  # documents in every thousand kept out: half for validation, half for test
    valid_tokens: int = 100_000  # validation tokens scored after each epoch (the first ones)
    max_tokens: int | None = None  # training tokens read at most (quick models)
    # An "epoch": validation, and the best weights kept, every so many seconds; 0: after each whole pass over the
    # stream (what torchrun needs: a time would come after a different step on each process).
    epoch_s: float = 300.0
    split_seed: int = 0  # which documents are held out, and the tokenizer's sample
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(lr=2e-3, max_epochs=100, patience=3, time_budget_s=2400)
    )

    def quick(self) -> LMConfig:
        """A small model that trains in a few minutes."""
        return replace(
            self,
            vocab_size=2_000,
            embed_dim=128,
            hidden_size=256,
            max_tokens=400_000,
            epoch_s=30.0,
            train=TrainConfig(lr=3e-3, max_epochs=100, patience=2, time_budget_s=train_budget_s()),
        )
