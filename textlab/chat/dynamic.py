"""Dynamic evaluation (Krause et al. 2018, "Dynamic Evaluation of Neural Sequence Models"): the model keeps
learning from the text as it reads it. Each segment is scored first, then the model takes one gradient step on
it, so a character is always predicted by weights that have seen only the characters before it.

A compressor such as PPMd adapts to the text it compresses in the same way; this is the fair comparison with it.
The step is RMSprop with bias correction (Adam without momentum), whose running gradient scale comes from the
segments already read, so no training text is needed to evaluate.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from textlab.networks.char_lm import CharLM


@dataclass(frozen=True)
class DynamicConfig:
    lr: float = 3e-4  # step size in units of the gradient's running RMS (chosen on validation: BENCHMARKS.md)
    beta: float = 0.999  # decay of the gradient's running mean square
    segment: int = 64  # characters scored before each step

    def __post_init__(self) -> None:
        if not 0 < self.lr <= 1:
            raise ValueError(f"the dynamic evaluation step must be in (0, 1], got {self.lr}")
        if not 0 <= self.beta < 1:
            raise ValueError(f"beta must be in [0, 1), got {self.beta}")
        if self.segment < 1:
            raise ValueError(f"a segment needs at least one character, got {self.segment}")


def dynamic_char_nll(network: CharLM, ids: torch.Tensor, cfg: DynamicConfig = DynamicConfig()) -> torch.Tensor:
    """Negative log-likelihood (nats) of `ids[1:]` under dynamic evaluation: the same quantity `char_nll` computes,
    read in one pass, with the weights updated after every segment. `network` itself is left unchanged."""
    model = copy.deepcopy(network).train()  # train mode, as cuDNN's backward needs; but no dropout: the updates are
    model.lstm.dropout = 0.0  # the only change
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.0, cfg.beta))
    nll, state = torch.empty(ids.numel() - 1), None
    for start in range(0, ids.numel() - 1, cfg.segment):
        targets = ids[start + 1 : start + cfg.segment + 1]
        x = ids[start : start + targets.numel()]
        logits, state = model(x[None].to(device), state)
        losses = F.cross_entropy(logits[0].float(), targets.to(device), reduction="none")
        nll[start : start + targets.numel()] = losses.detach().cpu()
        optimizer.zero_grad()
        losses.mean().backward()
        optimizer.step()
        state = tuple(s.detach() for s in state)  # truncated back-propagation: the state carries on
    return nll
