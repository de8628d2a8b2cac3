"""Character-level language model: embedding -> stacked LSTM -> logits over the characters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class CharLMConfig:
    vocab_size: int
    embed_dim: int = 64
    hidden_size: int = 384
    num_layers: int = 2
    dropout: float = 0.2  # on the embedding output, between LSTM layers and before the output layer

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_dim", "hidden_size", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, hidden_size)


class CharLM(nn.Module):
    def __init__(self, config: CharLMConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
        self.drop = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """x: (B, T) character indices -> logits (B, T, V) and the state after the last step."""
        h, state = self.lstm(self.drop(self.embed(x)), state)  # (B, T, H)
        return self.head(self.drop(h)), state


class CharLMStepper:
    """One character at a time with NumPy, for generating at batch size 1 (`feed`) or a few rows at once
    (`feed_rows`: the chat's candidate replies).

    At batch 1 every step is a few matrix-vector products, and PyTorch's per-call overhead makes `nn.LSTM` about
    10x slower than the arithmetic needs (measured here: ~100 chars/s through `nn.LSTM`, ~2,400 with this).
    The first layer's input projection is folded into a per-character table, and each later layer multiplies
    [input, h] by one stacked matrix. Gate order is PyTorch's: input, forget, cell, output.
    """

    def __init__(self, model: CharLM):
        cfg = model.config
        self.hidden_size, self.num_layers = cfg.hidden_size, cfg.num_layers
        with torch.no_grad():
            lstm = model.lstm
            w_ih = [getattr(lstm, f"weight_ih_l{i}") for i in range(cfg.num_layers)]
            w_hh = [getattr(lstm, f"weight_hh_l{i}") for i in range(cfg.num_layers)]
            bias = [getattr(lstm, f"bias_ih_l{i}") + getattr(lstm, f"bias_hh_l{i}") for i in range(cfg.num_layers)]
            self.table = (model.embed.weight @ w_ih[0].T + bias[0]).numpy()  # (V, 4H)
            self.w_hh0 = w_hh[0].T.contiguous().numpy()  # (H, 4H)
            self.stacked = [torch.cat([w_ih[i], w_hh[i]], 1).T.contiguous().numpy() for i in range(1, cfg.num_layers)]
            self.bias = [b.numpy() for b in bias[1:]]
            self.head_w = model.head.weight.T.contiguous().numpy()  # (H, V)
            self.head_b = model.head.bias.numpy()

    def zero_state(self) -> tuple[np.ndarray, np.ndarray]:
        shape = (self.num_layers, self.hidden_size)
        return np.zeros(shape, np.float32), np.zeros(shape, np.float32)

    def feed(self, chars: list[int], state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, tuple]:
        """Feed character indices in order; returns the logits for the next character (V,) and the new state."""
        if not chars:
            raise ValueError("feed needs at least one character")
        h, c = state[0].copy(), state[1].copy()
        for char in chars:
            gates = self.table[char] + h[0] @ self.w_hh0
            h[0], c[0] = _lstm_gates(gates, c[0])
            for i, (w, b) in enumerate(zip(self.stacked, self.bias, strict=True), start=1):
                gates = np.concatenate([h[i - 1], h[i]]) @ w + b
                h[i], c[i] = _lstm_gates(gates, c[i])
        return h[-1] @ self.head_w + self.head_b, (h, c)

    def feed_rows(self, chars: np.ndarray, state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, tuple]:
        """One character per row: `chars` (B,), state (num_layers, B, H) twice -> logits (B, V) and the new state."""
        h, c = state[0].copy(), state[1].copy()
        gates = self.table[chars] + h[0] @ self.w_hh0  # (B, 4H)
        h[0], c[0] = _lstm_gates(gates, c[0])
        for i, (w, b) in enumerate(zip(self.stacked, self.bias, strict=True), start=1):
            gates = np.concatenate([h[i - 1], h[i]], axis=-1) @ w + b
            h[i], c[i] = _lstm_gates(gates, c[i])
        return h[-1] @ self.head_w + self.head_b, (h, c)


def _lstm_gates(gates: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, f, g, o = np.split(gates, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)
