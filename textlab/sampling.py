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
    """The distribution the next token is drawn from, over the last axis (one row of logits, or several side by
    side); temperature 0 puts all the mass on the argmax."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        probs = np.zeros_like(logits)
        np.put_along_axis(probs, np.argmax(logits, axis=-1)[..., None], 1.0, axis=-1)
        return probs
    scaled = logits / temperature
    if 0 < top_k < scaled.shape[-1]:
        dropped = np.argpartition(scaled, -top_k, axis=-1)[..., :-top_k]  # exactly k survive, even with ties
        np.put_along_axis(scaled, dropped, -np.inf, axis=-1)
    probs = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    if top_p < 1.0:
        order = np.argsort(-probs, axis=-1)
        ranked = np.take_along_axis(probs, order, axis=-1)
        # keep tokens while the mass before them is below top_p: the most likely token always stays
        mask = np.zeros_like(probs, dtype=bool)
        np.put_along_axis(mask, order, np.cumsum(ranked, axis=-1) - ranked < top_p, axis=-1)
        probs = np.where(mask, probs, 0.0)
        probs /= probs.sum(axis=-1, keepdims=True)
    return probs


def sample_token(logits: np.ndarray, cfg: SamplingConfig, rng: np.random.Generator) -> int:
    """Draw one token index with `cfg`'s temperature, top-k and top-p."""
    probs = next_token_probs(logits, cfg.temperature, cfg.top_k, cfg.top_p)
    return int(rng.choice(probs.size, p=probs))


def sample_rows(logits: np.ndarray, cfg: SamplingConfig, rng: np.random.Generator) -> np.ndarray:
    """One token index per row of `logits` (B, V), drawn as `sample_token` draws, with one uniform number per row."""
    cdf = np.cumsum(next_token_probs(logits, cfg.temperature, cfg.top_k, cfg.top_p), axis=-1)
    u = (1.0 - rng.random(len(cdf))) * cdf[:, -1]  # in (0, total]: never a token of probability 0
    return np.minimum((cdf < u[:, None]).sum(axis=-1), cdf.shape[-1] - 1)
