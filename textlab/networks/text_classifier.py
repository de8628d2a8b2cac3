"""Text classifier: embedding -> (bidirectional, stacked) GRU -> pooling over time -> linear.

Texts are padded at the end. Padding never enters the recurrent state: the forward GRU reaches the padding only
after the last real token, and the backward GRU reads each text reversed within its own length, so it too starts on
a real token. This gives what `pack_padded_sequence` gives, at a quarter of its training cost on a CPU (measured:
1.2 s against 5 s for a 64 x 400 batch). Pooling masks the padded positions. Two classes use one logit (sigmoid);
more use one logit per class (softmax).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

POOLINGS = ("last", "max", "mean", "attention")


@dataclass(frozen=True)
class ClassifierConfig:
    vocab_size: int
    num_classes: int
    embed_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.3  # on the embeddings, between GRU layers and before the output layer
    pooling: str = "max"  # how the GRU's outputs over time become one vector: see POOLINGS

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_dim", "hidden_size", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.num_classes < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {self.num_classes}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {self.pooling!r}")

    @property
    def outputs(self) -> int:
        return 1 if self.num_classes == 2 else self.num_classes


class TextClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=0)
        self.drop = nn.Dropout(config.dropout)
        directions = 2 if config.bidirectional else 1
        width = config.hidden_size * directions
        self.layers = nn.ModuleList(
            nn.ModuleList(
                nn.GRU(config.embed_dim if layer == 0 else width, config.hidden_size, batch_first=True)
                for _ in range(directions)
            )
            for layer in range(config.num_layers)
        )
        self.attention = nn.Linear(width, 1) if config.pooling == "attention" else None
        self.head = nn.Linear(width, config.outputs)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids: (B, T) token ids padded after the text (on any device); lengths: (B,) tokens per text, each >= 1 ->
        logits."""
        return self.forward_embedded(self.embed(ids.to(self.embed.weight.device)), lengths)

    def forward_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The network after its embedding layer: what gradient x input explanations differentiate."""
        out = self.recurrent(self.drop(embedded), lengths)
        return self.head(self.drop(self.pool(out, lengths)))

    def recurrent(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, T, embed_dim) -> (B, T, width): every layer's forward and backward outputs, side by side."""
        order = reverse_within_lengths(lengths, x.shape[1])
        for index, layer in enumerate(self.layers):
            if index > 0:
                x = self.drop(x)
            outputs = [layer[0](x)[0]]
            if len(layer) == 2:
                outputs.append(_gather_time(layer[1](_gather_time(x, order))[0], order))
            x = torch.cat(outputs, dim=-1)
        return x

    def pool(self, out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        pooling = self.config.pooling
        if pooling == "last":  # forward: the state after the last token; backward: after the first
            last = _gather_time(out, (lengths - 1).clamp(min=0)[:, None].expand(-1, out.shape[1]))[:, 0]
            if not self.config.bidirectional:
                return last
            half = self.config.hidden_size
            return torch.cat([last[:, :half], out[:, 0, half:]], dim=-1)
        valid = torch.arange(out.shape[1], device=out.device)[None, :] < lengths.to(out.device)[:, None]
        if pooling == "max":
            return out.masked_fill(~valid[..., None], float("-inf")).max(dim=1).values
        if pooling == "mean":
            return (out * valid[..., None]).sum(dim=1) / lengths.to(out.device)[:, None]
        scores = self.attention(out).squeeze(-1).masked_fill(~valid, float("-inf"))  # (B, T)
        return (torch.softmax(scores, dim=1)[..., None] * out).sum(dim=1)

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        return class_probabilities(logits, self.config.outputs)


def class_probabilities(logits: torch.Tensor, outputs: int) -> torch.Tensor:
    """(B, num_classes) probabilities from (B, outputs) logits: one sigmoid logit for two classes, else softmax."""
    if outputs == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


def reverse_within_lengths(lengths: torch.Tensor, total: int) -> torch.Tensor:
    """(B, total) time indices that reverse each row's first `length` steps and leave its padding in place."""
    steps = torch.arange(total)[None, :]
    lengths = lengths.cpu()[:, None]
    return torch.where(steps < lengths, lengths - 1 - steps, steps)


def _gather_time(x: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """x[b, order[b, t]] for every b and t; x is (B, T, D)."""
    return x.gather(1, order.to(x.device)[..., None].expand(-1, -1, x.shape[-1]))
