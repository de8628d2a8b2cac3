"""Candidate replies: several drawn from the character model in one batched pass, and how likely the model finds a
given line after a prompt. The listener (`textlab.listener`) then says which candidate answers the conversation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from textlab.chat.model import ChatModel
from textlab.sampling import SamplingConfig, sample_rows


@dataclass
class Draft:
    text: str
    logprob: float  # of the line and its end under the model (untempered), in nats
    chars: int  # characters scored: the line's and its end

    @property
    def fluency(self) -> float:
        """Mean log-probability per character: how natural the model finds its own line."""
        return self.logprob / max(self.chars, 1)


def read_prompt(chat: ChatModel, prompt: str) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The logits after `prompt` (V,) and the LSTM state (num_layers, H) twice, from one nn.LSTM call."""
    with torch.no_grad():
        logits, (h, c) = chat.network(torch.tensor([chat.vocab.encode(prompt)]))
    return logits[0, -1].cpu().numpy(), (h[:, 0].cpu().numpy(), c[:, 0].cpu().numpy())


def draw_replies(chat: ChatModel, prompt: str, sampling: SamplingConfig, n: int) -> list[Draft]:
    """`n` replies to `prompt`, drawn side by side: one pass over the prompt, then `n` rows stepped together.

    Each row ends at the end of its line or after `sampling.max_chars` characters, and is stepped no further: the
    long tail of one rambling row costs one row's steps, not `n`. A row says something before it may end. One
    random generator serves every row, so a seed gives the same `n` replies.
    """
    rng = np.random.default_rng(sampling.seed)
    logits, (h, c) = read_prompt(chat, prompt)
    logits = np.repeat(logits[None], n, 0)
    state = (np.repeat(h[:, None], n, 1), np.repeat(c[:, None], n, 1))
    texts, logprob = [""] * n, np.zeros(n)
    rows = np.arange(n)  # the rows still being drawn, in the order of `logits` and `state`
    for _ in range(sampling.max_chars):
        allowed = logits.copy()
        allowed[[not texts[row].strip() for row in rows], chat.newline] = -np.inf  # say something first
        chars = sample_rows(allowed, sampling, rng)
        log_probs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        logprob[rows] += log_probs[np.arange(len(rows)), chars]
        going = chars != chat.newline
        for row, char in zip(rows[going], chars[going], strict=True):
            texts[row] += chat.vocab.chars[char]
        if not going.any():
            break
        rows, chars = rows[going], chars[going]
        logits, state = chat.stepper.feed_rows(chars, (state[0][:, going], state[1][:, going]))
    return [Draft(t.strip(), float(lp), len(t) + 1) for t, lp in zip(texts, logprob, strict=True)]


def line_logprobs(chat: ChatModel, prompt: str, lines: list[str]) -> list[Draft]:
    """How likely the model finds each of `lines` (and its end) after `prompt` (which ends with the answering
    speaker's tag, as `build_prompt` writes it; the space after the tag is given): one batched nn.LSTM pass."""
    prompt += " "
    ids = [chat.vocab.encode(prompt + line + "\n") for line in lines]
    start = len(prompt)
    batch = torch.zeros(len(ids), max(map(len, ids)), dtype=torch.long)
    for row, seq in enumerate(ids):
        batch[row, : len(seq)] = torch.tensor(seq)
    with torch.no_grad():
        logp = torch.log_softmax(chat.network(batch)[0], dim=-1).cpu()
    drafts = []
    for row, (line, seq) in enumerate(zip(lines, ids, strict=True)):
        targets = torch.tensor(seq[start:])  # the line's characters and its newline, each after all before it
        scores = logp[row, start - 1 : len(seq) - 1].gather(1, targets[:, None])
        drafts.append(Draft(line, float(scores.sum()), len(targets)))
    return drafts
