"""A subword language model (ULMFiT's shape, smaller): embedding -> stacked LSTM -> projection back to the
embedding size -> logits through the embedding itself (tied input and output embeddings, Press & Wolf 2017).

Tying halves the parameters the vocabulary costs and is what lets a CPU afford a vocabulary of thousands: the
checkpoint holds one (V, E) matrix, and the softmax is one (E, V) product per token.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, hidden_size)


@dataclass(frozen=True)
class WordLMConfig:
    vocab_size: int
    embed_dim: int = 256
    hidden_size: int = 512
    num_layers: int = 2
    dropout: float = 0.1  # on the embedding output, between LSTM layers and before the projection

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_dim", "hidden_size", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


class WordLM(nn.Module):
    def __init__(self, config: WordLMConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
        nn.init.normal_(self.embed.weight, std=config.embed_dim**-0.5)  # logits of unit scale through the tie
        self.drop = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.project = nn.Linear(config.hidden_size, config.embed_dim)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def features(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """x: (B, T) token ids (on any device) -> the top LSTM layer's outputs (B, T, H) and the last state: what a
        classifier on top of the language model reads."""
        return self.lstm(self.drop(self.embed(x.to(self.embed.weight.device))), state)

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """x: (B, T) token ids -> logits (B, T, V) for the next token, and the state after the last step."""
        h, state = self.features(x, state)
        return self.project(self.drop(h)) @ self.embed.weight.T + self.bias, state
