"""Choosing the next token from logits: temperature, top-k and nucleus (top-p) sampling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SamplingConfig:
    temperature: float = 0.7  # 0 always takes the most likely token
    top_k: int = 0  # keep only the k most likely tokens; 0 keeps all
    top_p: float = 0.95  # keep the smallest set of tokens whose probability reaches p; 1 keeps all
    max_chars: int = 300  # the longest reply
    seed: int | None = None  # the same seed and prompt give the same reply

    def __post_init__(self) -> None:
        _check("temperature", self.temperature, 0.0, 5.0)
        _check("top_k", self.top_k, 0, 10_000)
        _check("top_p", self.top_p, 0.01, 1.0)
        _check("max_chars", self.max_chars, 1, 2_000)
        if self.seed is not None and not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be between 0 and {2**32 - 1}, got {self.seed}")


def _check(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")


def next_token_probs(logits: np.ndarray, temperature: float, top_k: int = 0, top_p: float = 1.0) -> np.ndarray:
    """The distribution the next token is drawn from; temperature 0 puts all the mass on the argmax."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        probs = np.zeros_like(logits)
        probs[np.argmax(logits)] = 1.0
        return probs
    scaled = logits / temperature
    if 0 < top_k < scaled.size:
        dropped = np.argpartition(scaled, -top_k)[:-top_k]  # exactly k survive, even with ties
        scaled[dropped] = -np.inf
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    if top_p < 1.0:
        order = np.argsort(-probs)
        # keep tokens while the mass before them is below top_p: the most likely token always stays
        keep = order[np.cumsum(probs[order]) - probs[order] < top_p]
        mask = np.zeros_like(probs, dtype=bool)
        mask[keep] = True
        probs = np.where(mask, probs, 0.0)
        probs /= probs.sum()
    return probs


def sample_token(logits: np.ndarray, cfg: SamplingConfig, rng: np.random.Generator) -> int:
    """Draw one token index with `cfg`'s temperature, top-k and top-p."""
    probs = next_token_probs(logits, cfg.temperature, cfg.top_k, cfg.top_p)
    return int(rng.choice(probs.size, p=probs))
