"""The translator's forced-token what-if: make the decoder start its output with tokens you choose, see how likely it
found each of them, and what it writes after them (greedy), beside what it writes left alone; and where it looked in
the source at each step (the attention map of the forced output)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from textlab.networks.seq2seq import start_tokens
from textlab.text import EOS
from textlab.text.batches import pad_batch
from textlab.translate.model import MAX_SOURCE_TOKENS, Translator

ALTERNATIVES = 3  # the likeliest tokens shown at each step


@dataclass(frozen=True)
class Step:
    piece: str  # the token written, as the target tokenizer shows it
    probability: float  # the model's probability of it at this step
    forced: bool  # chosen by you, not by the model
    alternatives: list[tuple[str, float]]  # the model's likeliest tokens at this step


@dataclass(frozen=True)
class WhatIf:
    output: str  # the whole output, the forced start included, without </s>
    steps: list[Step]  # the closing </s> included where the decoder wrote one
    log_prob: float  # of the output and its </s> (nats)
    finished: bool  # the decoder closed the output before the length limit
    source_pieces: list[str]  # the source tokens the decoder attended to
    attention: list[list[float]] | None  # one row per step, one weight per source token; None without attention


def forced_decode(tr: Translator, text: str, forced: str = "") -> WhatIf:
    """Greedy decoding of `text` with the output forced to begin with `forced` (tokenized as the model writes);
    with `forced` empty, the model's own greedy output. Raises ValueError naming what to change."""
    if not text.strip():
        raise ValueError("type something to translate first")
    if len(text) > tr.rules.max_chars or len(forced) > tr.rules.max_chars:
        raise ValueError(f"the {tr.task} model reads at most {tr.rules.max_chars:,} characters, and writes as many")
    if unknown := tr.target.unknown(forced):
        shown = ", ".join(repr(c) for c in unknown[:10])
        raise ValueError(f"the model never writes {shown}: force only what it could write")
    source = tr.encode(text)[:MAX_SOURCE_TOKENS]
    chosen = tr.target.encode(forced) if forced else []
    max_len = max(tr.max_output(len(source)), len(chosen) + 1)
    steps, tokens, attention = _decode(tr, source, chosen, max_len)
    finished = bool(tokens) and tokens[-1] == EOS
    log_prob = sum(math.log(max(s.probability, 1e-300)) for s in steps)
    output = tr.target.decode(tokens[:-1] if finished else tokens)
    return WhatIf(output, steps, log_prob, finished, tr.source.pieces(source), attention)


@torch.no_grad()
def _decode(
    tr: Translator, source: list[int], chosen: list[int], max_len: int
) -> tuple[list[Step], list[int], list[list[float]] | None]:
    batch, lengths = pad_batch([source])
    memory, state = tr.network.encode(batch, lengths)
    previous, steps, tokens, attention = start_tokens(1), [], [], []
    for t in range(max_len):
        logits, state, weights = tr.network.step(previous, state, memory)
        if weights is not None:
            attention.append(weights[0, : len(source)].float().tolist())  # (source_len,) for this step
        probs = torch.softmax(logits[0].float(), dim=0)
        token = chosen[t] if t < len(chosen) else int(probs.argmax())
        top = probs.topk(min(ALTERNATIVES, probs.numel()))
        alternatives = [(_piece(tr, int(i)), float(p)) for p, i in zip(top.values, top.indices, strict=True)]
        steps.append(Step(_piece(tr, token), float(probs[token]), t < len(chosen), alternatives))
        tokens.append(token)
        if token == EOS and t >= len(chosen) - 1:
            break
        previous = torch.tensor([token])
    return steps, tokens, attention or None


def _piece(tr: Translator, token: int) -> str:
    return tr.target.pieces([token])[0]
