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
        """x: (B, T) character indices (on any device) -> logits (B, T, V) and the state after the last step."""
        h, state = self.lstm(self.drop(self.embed(x.to(self.embed.weight.device))), state)  # (B, T, H)
        return self.head(self.drop(h)), state


class CharLMStepper:
    """One character at a time, for generating at batch size 1 (`feed`) or a few rows at once (`feed_rows`: the
    chat's candidate replies). States and logits are NumPy arrays; the arithmetic is a few plain torch ops.

    At batch 1 every step is a few matrix-vector products, and `nn.LSTM`'s per-call overhead makes it about 10x
    slower than the arithmetic needs (measured here: ~100 chars/s through `nn.LSTM`, ~2,400 with this). The first
    layer's input projection is folded into a per-character table, and each later layer multiplies [input, h] by one
    stacked matrix. Gate order is PyTorch's: input, forget, cell, output. On this 2-core machine torch's small
    matrix products were about 1.8x faster than NumPy's while the other core was busy, as it is when the app serves
    a crowd, and about 2x slower on an idle machine.
    """

    def __init__(self, model: CharLM):
        cfg = model.config
        self.hidden_size, self.num_layers = cfg.hidden_size, cfg.num_layers
        with torch.no_grad():
            lstm = model.lstm
            w_ih = [getattr(lstm, f"weight_ih_l{i}") for i in range(cfg.num_layers)]
            w_hh = [getattr(lstm, f"weight_hh_l{i}") for i in range(cfg.num_layers)]
            bias = [getattr(lstm, f"bias_ih_l{i}") + getattr(lstm, f"bias_hh_l{i}") for i in range(cfg.num_layers)]
            self.table = (model.embed.weight @ w_ih[0].T + bias[0]).float().cpu()  # (V, 4H)
            self.w_hh0 = w_hh[0].T.contiguous().float().cpu()  # (H, 4H)
            self.stacked = [
                torch.cat([w_ih[i], w_hh[i]], 1).T.contiguous().float().cpu() for i in range(1, cfg.num_layers)
            ]
            self.bias = [b.float().cpu() for b in bias[1:]]
            self.head_w = model.head.weight.T.contiguous().float().cpu()  # (H, V)
            self.head_b = model.head.bias.float().cpu()

    def zero_state(self) -> tuple[np.ndarray, np.ndarray]:
        shape = (self.num_layers, self.hidden_size)
        return np.zeros(shape, np.float32), np.zeros(shape, np.float32)

    def feed(self, chars: list[int], state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, tuple]:
        """Feed character indices in order; returns the logits for the next character (V,) and the new state."""
        if not chars:
            raise ValueError("feed needs at least one character")
        h, c = state[0][:, None], state[1][:, None]
        for char in chars:
            logits, (h, c) = self.feed_rows(np.array([char]), (h, c))
        return logits[0], (h[:, 0], c[:, 0])

    @torch.inference_mode()
    def feed_rows(self, chars: np.ndarray, state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, tuple]:
        """One character per row: `chars` (B,), state (num_layers, B, H) twice -> logits (B, V) and the new state."""
        h_in, c_in = torch.from_numpy(np.asarray(state[0])), torch.from_numpy(np.asarray(state[1]))
        h, c = [], []
        gates = torch.addmm(self.table[torch.from_numpy(np.asarray(chars))], h_in[0], self.w_hh0)  # (B, 4H)
        for i in range(self.num_layers):
            if i:
                gates = torch.addmm(self.bias[i - 1], torch.cat([h[-1], h_in[i]], -1), self.stacked[i - 1])
            hi, ci = _lstm_gates(gates, c_in[i])
            h.append(hi)
            c.append(ci)
        logits = torch.addmm(self.head_b, h[-1], self.head_w)
        return logits.numpy(), (torch.stack(h).numpy(), torch.stack(c).numpy())


def _lstm_gates(gates: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    i, f, g, o = gates.chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c
