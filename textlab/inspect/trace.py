"""One pass of the character LSTM over a text, keeping what it computes at every character: the next-character
distribution, and every layer's hidden state, cell state and input, forget and output gates.

`nn.LSTM` returns only the hidden states (and the last cell state), so the gates are recomputed from its weights:
for layer l at step t, with x_t the layer's input and h_{t-1} its previous output (PyTorch's gate order i, f, g, o),

    i, f, g, o = split(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g),    h_t = sigmoid(o) * tanh(c_t)

and tests check that these c_t and h_t are the ones `nn.LSTM` computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from textlab.inspect.reading import Reading
from textlab.networks.char_lm import CharLM

# The states a unit can be looked at in, and what each means.
STATES = {
    "hidden": "the layer's output h (what the next layer and the prediction read), -1 to 1",
    "cell": "the cell's memory c, unbounded",
    "input": "the input gate: how much of the new candidate is written into the cell, 0 to 1",
    "forget": "the forget gate: how much of the cell's memory is kept, 0 to 1",
    "output": "the output gate: how much of the cell is shown as h, 0 to 1",
}


@dataclass
class Trace:
    """What the network computed reading `reading.text` (n characters) after a new line."""

    reading: Reading
    log_probs: np.ndarray  # (n, V) log-probability of each character at position k, before it is read
    states: dict[tuple[int, str], np.ndarray]  # (layer from 1, state) -> (n, H), just after text[k] is read
    ranks: dict[tuple[int, str], np.ndarray] = field(default_factory=dict, repr=False)  # the unit finder's, cached

    @property
    def surprisal(self) -> np.ndarray:
        """(n,) bits: -log2 p(text[k] | "\\n" + text[:k])."""
        targets = np.asarray(self.reading.ids[1:])
        return -self.log_probs[np.arange(len(targets)), targets] / math.log(2)

    @property
    def bits_per_char(self) -> float:
        return float(self.surprisal.mean())

    def top(self, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """The model's `k` likeliest characters at each position, before it is read: ids (n, k), probabilities."""
        ids = np.argsort(-self.log_probs, axis=1, kind="stable")[:, :k]
        return ids, np.exp(np.take_along_axis(self.log_probs, ids, axis=1))

    @property
    def num_layers(self) -> int:
        return max(layer for layer, _ in self.states)

    @property
    def hidden_size(self) -> int:
        return next(iter(self.states.values())).shape[1]

    def unit(self, layer: int, state: str, unit: int) -> np.ndarray:
        """(n,) one unit's values over the text; raises ValueError naming what exists."""
        if (layer, state) not in self.states:
            raise ValueError(
                f"no layer {layer} state {state!r}; layers are 1-{self.num_layers}, states {', '.join(STATES)}"
            )
        if not 0 <= unit < self.hidden_size:
            raise ValueError(f"unit {unit} does not exist; layer {layer} has units 0-{self.hidden_size - 1}")
        return self.states[(layer, state)][:, unit]


def trace(network: CharLM, reading: Reading) -> Trace:
    """Run `network` (no dropout) over "\\n" + text; its predictions and every layer's states at every step."""
    device = network.embed.weight.device
    with torch.inference_mode():
        x = network.embed(torch.tensor(reading.ids, device=device)).float()  # (n + 1, E)
        layers = lstm_states(network.lstm, x)
        logits = network.head(layers[-1]["hidden"].to(network.head.weight.dtype)).float()
        log_probs = torch.log_softmax(logits[:-1], dim=-1).cpu().numpy()  # input k predicts text[k]
    states = {
        (layer, name): values[1:].cpu().numpy()  # after reading text[k] is after input k + 1
        for layer, found in enumerate(layers, start=1)
        for name, values in found.items()
    }
    return Trace(reading, log_probs, states)


def lstm_states(lstm: nn.LSTM, x: torch.Tensor) -> list[dict[str, torch.Tensor]]:
    """Every layer's states over a sequence x (T, input_size), from a zero state, without dropout.

    Returns, per layer, {"hidden", "cell", "input", "forget", "output"} -> (T, H) (gates after their sigmoid).
    The hidden states come from torch's LSTM kernel, the gates and cell from the weights (see the module docstring).
    """
    layers = []
    for layer in range(lstm.num_layers):
        weights = [getattr(lstm, f"{name}_l{layer}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        w_ih, w_hh, b_ih, b_hh = (w.to(x.dtype) for w in weights)
        zero = x.new_zeros(1, 1, lstm.hidden_size)
        h = torch.lstm(x[None], (zero, zero), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False, False, True)[0][0]
        before = torch.cat([x.new_zeros(1, lstm.hidden_size), h[:-1]])  # h_{t-1}, (T, H)
        gates = x @ w_ih.T + b_ih + before @ w_hh.T + b_hh  # (T, 4H)
        i, f, g, o = gates.chunk(4, dim=-1)
        i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
        layers.append({"hidden": h, "cell": _cells(i, f, g), "input": i, "forget": f, "output": o})
        x = h
    return layers


def _cells(i: torch.Tensor, f: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """c_t = f_t * c_{t-1} + i_t * g_t from c_0 = 0, one step at a time: (T, H) each -> (T, H).

    In NumPy: thousands of tiny torch ops, each handed to a team of OpenMP threads, took 30 s instead of 0.01 s on
    two busy cores."""
    written, kept = (i * g).cpu().numpy(), f.cpu().numpy()
    cells = np.empty_like(written)
    c = np.zeros_like(written[0])
    for t in range(written.shape[0]):
        c = kept[t] * c + written[t]
        cells[t] = c
    return torch.from_numpy(cells).to(i.device)
