"""A pretrained sentence encoder (BERT's architecture, in the small all-MiniLM-L6-v2 shape): the listener's part
that has read far more conversation than one sitcom holds. Token, position and segment embeddings, then layers of
self-attention and a feed-forward block, each wrapped in a residual connection and a layer norm; the sentence is
the mean of its tokens' outputs, as a unit vector. Inference only: the weights are read, never trained here."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class SentenceEncoderConfig:
    vocab_size: int = 30_522
    hidden_size: int = 384
    layers: int = 6
    heads: int = 12
    ff_size: int = 1536
    max_positions: int = 512
    segments: int = 2
    norm_eps: float = 1e-12

    @classmethod
    def from_bert(cls, config: dict) -> SentenceEncoderConfig:
        """From a Hugging Face BERT `config.json` (absolute positions and GELU are the only kinds built here)."""
        kinds = config.get("hidden_act", "gelu"), config.get("position_embedding_type", "absolute")
        if kinds != ("gelu", "absolute"):
            raise ValueError("only BERT with GELU and absolute positions is supported")
        return cls(
            config["vocab_size"],
            config["hidden_size"],
            config["num_hidden_layers"],
            config["num_attention_heads"],
            config["intermediate_size"],
            config["max_position_embeddings"],
            config["type_vocab_size"],
            config["layer_norm_eps"],
        )


class Layer(nn.Module):
    def __init__(self, cfg: SentenceEncoderConfig):
        super().__init__()
        h = cfg.hidden_size
        self.heads = cfg.heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=cfg.norm_eps)
        self.ff_in, self.ff_out = nn.Linear(h, cfg.ff_size), nn.Linear(cfg.ff_size, h)
        self.ff_norm = nn.LayerNorm(h, eps=cfg.norm_eps)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """x (B, T, H), keep (B, 1, 1, T) True where a token may be attended to -> (B, T, H)."""
        B, T, H = x.shape
        q, k, v = (
            f(x).view(B, T, self.heads, H // self.heads).transpose(1, 2) for f in (self.query, self.key, self.value)
        )
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keep).transpose(1, 2).reshape(B, T, H)
        x = self.attn_norm(x + self.attn_out(attended))
        return self.ff_norm(x + self.ff_out(F.gelu(self.ff_in(x))))


class SentenceEncoder(nn.Module):
    def __init__(self, cfg: SentenceEncoderConfig):
        super().__init__()
        self.config = cfg
        self.words = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.positions = nn.Embedding(cfg.max_positions, cfg.hidden_size)
        self.segments = nn.Embedding(cfg.segments, cfg.hidden_size)
        self.embed_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.norm_eps)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T) of one segment, padded after `lengths` (B,) -> (B, H) unit vectors: the mean of the tokens."""
        positions = torch.arange(ids.size(1), device=ids.device)
        x = self.embed_norm(self.words(ids) + self.positions(positions) + self.segments.weight[0])
        mask = positions < lengths.to(ids.device).unsqueeze(1)  # (B, T)
        for layer in self.layers:
            x = layer(x, mask[:, None, None, :])
        mean = (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(mean, dim=-1)
