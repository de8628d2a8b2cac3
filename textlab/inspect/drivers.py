"""What drives the next character: how strongly each earlier character's input embedding moves the log-probability
of one prediction, as the norm of its gradient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from textlab.devices import device_of, gradients_through_rnns
from textlab.inspect.reading import Reading
from textlab.networks.char_lm import CharLM


@dataclass(frozen=True)
class Drivers:
    position: int  # the predicted character, text[position]
    log_prob: float  # its log-probability (nats) given every character before it
    norms: np.ndarray  # (position,) |d log_prob / d embedding| of text[0], ..., text[position - 1]
    newline_norm: float  # the same for the new line read before the text


def drivers(network: CharLM, reading: Reading, position: int) -> Drivers:
    """The gradient norms behind the prediction of `reading.text[position]` (0-based); ValueError outside the text."""
    n = len(reading.text)
    if not 0 <= position < n:
        raise ValueError(f"position {position} is outside the text; choose 0 to {n - 1}")
    ids = torch.tensor(reading.ids[: position + 2], device=network.embed.weight.device)
    log_prob, grad = embedding_gradient(network, ids)
    norms = grad.norm(dim=1).cpu().numpy()
    return Drivers(position, log_prob, norms[1:], float(norms[0]))


def embedding_gradient(network: CharLM, ids: torch.Tensor) -> tuple[float, torch.Tensor]:
    """log p(ids[-1] | ids[:-1]) and its gradient with respect to the embeddings of ids[:-1], (T - 1, E).

    Only the embeddings' gradient is computed (`torch.autograd.grad`), so the shared model's own gradients are left
    alone; the network should be in eval mode (no dropout)."""
    with torch.enable_grad(), gradients_through_rnns(device_of(network)):
        x = network.embed(ids[:-1]).detach().requires_grad_(True)  # (T - 1, E)
        log_prob = log_prob_of(network, x, ids[-1])
        (grad,) = torch.autograd.grad(log_prob, x)
    return float(log_prob.detach()), grad


def log_prob_of(network: CharLM, embedded: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """log p(target | the inputs embedded as (T, E)), through the network's LSTM and output layer."""
    h, _ = network.lstm(embedded[None])  # (1, T, H)
    return torch.log_softmax(network.head(h[0, -1]), dim=-1)[target]
