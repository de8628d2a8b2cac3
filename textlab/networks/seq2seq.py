"""An encoder-decoder translator: a bidirectional GRU or LSTM encoder and a one-layer decoder, with attention or
without it.

- "bahdanau": additive attention; the decoder's previous state asks where to look, and the context is part of the
  decoder's input (Bahdanau et al., 2015).
- "luong": multiplicative ("general") attention; the decoder's new state asks, and the context only shapes the
  output (Luong et al., 2015).
- "none": the encoder's final states, one fixed vector, are all the decoder sees of the source at every step - the
  bottleneck attention was invented to remove (Cho et al., 2014).

Padding is masked out of the attention and packed out of the encoder, so a source reads the same in any batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from textlab.text import BOS, PAD

ATTENTIONS = ("bahdanau", "luong", "none")
CELLS = ("gru", "lstm")
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


@dataclass
class Seq2SeqConfig:
    source_vocab: int
    target_vocab: int
    embed_dim: int = 64
    hidden_size: int = 128  # per encoder direction, and the decoder's
    num_layers: int = 1  # encoder layers; the decoder has one
    cell: str = "gru"
    attention: str = "bahdanau"
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
        if self.attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {', '.join(ATTENTIONS)}, got {self.attention!r}")
        if min(self.embed_dim, self.hidden_size, self.num_layers) < 1:
            raise ValueError("embed_dim, hidden_size and num_layers must be at least 1")


@dataclass
class Memory:
    """What the decoder reads of an encoded batch of sources."""

    outputs: torch.Tensor  # (batch, source_len, 2 * hidden): both directions at every source position
    keys: torch.Tensor | None  # outputs projected for the attention score, computed once
    mask: torch.Tensor  # (batch, source_len): True at real tokens
    summary: torch.Tensor  # (batch, 2 * hidden): the final forward and backward states

    def select(self, rows: torch.Tensor) -> Memory:
        """The memory of the given batch rows (repeated as often as they appear), e.g. one row per beam."""
        keys = None if self.keys is None else self.keys[rows]
        return Memory(self.outputs[rows], keys, self.mask[rows], self.summary[rows])


class Seq2Seq(nn.Module):
    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.config = cfg
        e, h = cfg.embed_dim, cfg.hidden_size
        rnn = nn.GRU if cfg.cell == "gru" else nn.LSTM
        self.source_embed = nn.Embedding(cfg.source_vocab, e, padding_idx=PAD)
        self.target_embed = nn.Embedding(cfg.target_vocab, e, padding_idx=PAD)
        self.encoder = rnn(
            e,
            h,
            cfg.num_layers,
            batch_first=True,
            bidirectional=True,
            dropout=cfg.dropout if cfg.num_layers > 1 else 0.0,
        )
        self.bridge = nn.Linear(2 * h, h)  # final encoder states -> the decoder's first state
        feeds_context = cfg.attention in ("bahdanau", "none")
        self.decoder = rnn(e + 2 * h if feeds_context else e, h, batch_first=True)
        if cfg.attention == "bahdanau":
            self.key = nn.Linear(2 * h, h)
            self.query = nn.Linear(h, h, bias=False)
            self.energy = nn.Linear(h, 1, bias=False)
        elif cfg.attention == "luong":
            self.key = nn.Linear(2 * h, h, bias=False)
        self.combine = nn.Linear(h + 2 * h + e, h)
        self.out = nn.Linear(h, cfg.target_vocab)
        self.drop = nn.Dropout(cfg.dropout)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[Memory, State]:
        """Encode a padded batch (batch, source_len) of sources with the given lengths (all at least 1); the
        batch may come from any device (the memory is on the network's)."""
        source = source.to(self.source_embed.weight.device)
        embedded = self.drop(self.source_embed(source))
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, final = self.encoder(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=source.size(1))
        h_n = final[0] if isinstance(final, tuple) else final
        summary = torch.cat([h_n[-2], h_n[-1]], dim=1)  # the top layer's forward and backward final states
        start = torch.tanh(self.bridge(summary)).unsqueeze(0)
        state: State = (start, torch.zeros_like(start)) if self.config.cell == "lstm" else start
        keys = self.key(outputs) if self.config.attention != "none" else None
        return Memory(outputs, keys, source != PAD, summary), state

    def _attend(self, scores: torch.Tensor, memory: Memory) -> tuple[torch.Tensor, torch.Tensor]:
        weights = torch.softmax(scores.masked_fill(~memory.mask, float("-inf")), dim=1)
        return torch.bmm(weights.unsqueeze(1), memory.outputs).squeeze(1), weights

    def step(
        self, previous: torch.Tensor, state: State, memory: Memory
    ) -> tuple[torch.Tensor, State, torch.Tensor | None]:
        """One decoder step: the previous target tokens (batch,) -> next-token logits (batch, target_vocab), the new
        state, and the attention weights over the source (batch, source_len), or None without attention."""
        embedded = self.drop(self.target_embed(previous.to(self.target_embed.weight.device)))
        weights = None
        if self.config.attention == "bahdanau":
            query = (state[0] if isinstance(state, tuple) else state)[-1]
            scores = self.energy(torch.tanh(memory.keys + self.query(query).unsqueeze(1))).squeeze(2)
            context, weights = self._attend(scores, memory)
            output, state = self.decoder(torch.cat([embedded, context], 1).unsqueeze(1), state)
        elif self.config.attention == "luong":
            output, state = self.decoder(embedded.unsqueeze(1), state)
            scores = torch.bmm(memory.keys, output.transpose(1, 2)).squeeze(2)
            context, weights = self._attend(scores, memory)
        else:
            context = memory.summary
            output, state = self.decoder(torch.cat([embedded, context], 1).unsqueeze(1), state)
        hidden = torch.tanh(self.combine(torch.cat([output.squeeze(1), context, embedded], 1)))
        return self.out(self.drop(hidden)), state, weights

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: logits (batch, target_len, target_vocab) for every position of `target_in`, which starts
        with BOS and holds the reference tokens before each position."""
        memory, state = self.encode(source, lengths)
        logits = []
        for t in range(target_in.size(1)):
            step_logits, state, _ = self.step(target_in[:, t], state, memory)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)


def start_tokens(batch: int) -> torch.Tensor:
    return torch.full((batch,), BOS, dtype=torch.long)


def select_state(state: State, rows: torch.Tensor) -> State:
    """The decoder state of the given batch rows."""
    if isinstance(state, tuple):
        return state[0][:, rows], state[1][:, rows]
    return state[:, rows]
