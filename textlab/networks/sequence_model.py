"""The Lab's small recurrent networks: SimpleRNN, LSTM or GRU layers over numbers or word embeddings, read at their
last step."""

from __future__ import annotations

import torch
from torch import nn

CELL_TYPES = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
CELL_STEPS = {"SimpleRNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}


class SequenceModel(nn.Module):
    """Input (features, or word indices through an embedding) -> recurrent layers -> the last step -> linear.

    Inputs are pre-padded, as Keras pads, so the last step is always a real one. Recurrent dropout (one mask on the
    state for the whole sequence, as Keras does) needs the cells stepped one at a time; without it the fused layers
    run.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        units: int,
        layers: int = 1,
        vocab_size: int = 0,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
    ):
        super().__init__()
        self.cell, self.recurrent_dropout, self.units = cell, recurrent_dropout, units
        self.embed = nn.Embedding(vocab_size, input_size, padding_idx=0) if vocab_size else None
        self.drop = nn.Dropout(dropout)
        if recurrent_dropout > 0:
            self.cells = nn.ModuleList(CELL_STEPS[cell](input_size if i == 0 else units, units) for i in range(layers))
        else:
            self.rnn = CELL_TYPES[cell](
                input_size, units, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0
            )
        self.out = nn.Linear(units, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.embed(x) if self.embed is not None else x)
        if self.recurrent_dropout > 0:
            last = self._stepped(x)
        else:
            last = self.rnn(x)[0][:, -1]
        return self.out(self.drop(last)).squeeze(1)

    def _stepped(self, x: torch.Tensor) -> torch.Tensor:
        for i, cell in enumerate(self.cells):
            h = x.new_zeros(x.size(0), self.units)
            c = h.clone()
            keep = 1 - self.recurrent_dropout
            mask = torch.bernoulli(h.new_full(h.shape, keep)) / keep if self.training else None
            outputs = []
            for t in range(x.size(1)):
                state = h * mask if mask is not None else h
                if self.cell == "LSTM":
                    h, c = cell(x[:, t], (state, c))
                else:
                    h = cell(x[:, t], state)
                outputs.append(h)
            x = self.drop(torch.stack(outputs, 1)) if i < len(self.cells) - 1 else torch.stack(outputs, 1)
        return x[:, -1]
