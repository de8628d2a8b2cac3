"""A dual encoder (Lowe et al. 2015): one recurrent encoder reads the recent turns of a conversation, another a
candidate reply; how well the reply answers is the cosine of the two vectors. Trained with the other replies of the
batch as negatives, it scores any number of candidates against one context at the cost of encoding them."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from textlab.text import PAD


@dataclass(frozen=True)
class DualEncoderConfig:
    vocab_size: int
    embed_dim: int = 200
    hidden_size: int = 128  # GRU units per direction
    out_dim: int = 256  # the space contexts and replies are compared in
    dropout: float = 0.1
    temperature: float = 0.05  # cosine similarities are divided by this before the softmax over the batch

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_dim", "hidden_size", "out_dim"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 < self.temperature <= 1:
            raise ValueError(f"temperature must be in (0, 1], got {self.temperature}")


class TurnEncoder(nn.Module):
    """Embedded tokens -> bidirectional GRU -> max over time -> a unit vector."""

    def __init__(self, cfg: DualEncoderConfig):
        super().__init__()
        self.drop = nn.Dropout(cfg.dropout)
        self.gru = nn.GRU(cfg.embed_dim, cfg.hidden_size, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * cfg.hidden_size, cfg.out_dim)

    def forward(self, embedded: torch.Tensor, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """embedded (B, T, E) of ids (B, T), lengths (B,) -> (B, out_dim), each row of length 1."""
        packed = nn.utils.rnn.pack_padded_sequence(
            self.drop(embedded), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, _ = self.gru(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.size(1))  # (B, T, 2H)
        pooled = out.masked_fill((ids == PAD).unsqueeze(-1), -1e4).max(1).values
        return F.normalize(self.proj(self.drop(pooled)), dim=-1)


class DualEncoder(nn.Module):
    def __init__(self, cfg: DualEncoderConfig):
        super().__init__()
        self.config = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim, padding_idx=PAD)  # shared by both encoders
        self.context_encoder = TurnEncoder(cfg)
        self.reply_encoder = TurnEncoder(cfg)

    def encode_contexts(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        ids = ids.to(self.embed.weight.device)
        return self.context_encoder(self.embed(ids), ids, lengths)

    def encode_replies(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        ids = ids.to(self.embed.weight.device)
        return self.reply_encoder(self.embed(ids), ids, lengths)

    def forward(
        self, context: torch.Tensor, context_lengths: torch.Tensor, reply: torch.Tensor, reply_lengths: torch.Tensor
    ) -> torch.Tensor:
        """(B, B) logits: row i scores every reply of the batch against context i; the diagonal holds the truth."""
        c, r = self.encode_contexts(context, context_lengths), self.encode_replies(reply, reply_lengths)
        return c @ r.T / self.config.temperature
