"""How well a character model predicts a speaker's lines: bits per character, each line read after every line
before it, as `eval chat` and the benchmarks report it."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from textlab.chat.dynamic import DynamicConfig, dynamic_char_nll
from textlab.chat.model import DEFAULT_BOT, one_line
from textlab.data.dialogue import Utterance, format_dialogue, iter_speaker_spans
from textlab.networks.char_lm import CharLM
from textlab.text.chars import CharVocab


def char_nll(
    network: CharLM, ids: torch.Tensor, chunk: int = 2048, context: int = 256, batch: int = 64
) -> torch.Tensor:
    """Negative log-likelihood (nats) of `ids[1:]`, each character given every character before it.

    The stream is cut into chunks of `chunk` targets scored side by side, `batch` chunks at a time; each chunk
    first reads the `context` characters before it (not scored), which is longer than the LSTM's useful memory.
    Scoring 1 MB this way takes seconds where one long batch-1 pass would take minutes.
    """
    n = ids.numel() - 1
    nll = torch.empty(n)
    device = next(network.parameters()).device
    windows = [(max(0, start - context), min(n, start + chunk), start) for start in range(0, n, chunk)]
    with torch.inference_mode():
        for i in range(0, len(windows), batch):
            group = windows[i : i + batch]
            x = torch.zeros(len(group), max(end - a for a, end, _ in group), dtype=torch.long)
            for row, (a, end, _) in enumerate(group):
                x[row, : end - a] = ids[a:end]  # input j predicts target a + j, i.e. ids[a + j + 1]
            logp = torch.log_softmax(network(x.to(device))[0].float(), dim=-1).cpu()  # (B, T, V)
            for row, (a, end, start) in enumerate(group):
                targets = ids[start + 1 : end + 1, None]
                nll[start:end] = -logp[row, start - a : end - a].gather(1, targets)[:, 0]
    return nll


def normalise_lines(utterances: Iterable[Utterance], vocab: CharVocab) -> list[Utterance]:
    """Utterances as the model reads them: known characters, one line each; empty ones dropped."""
    lines = [Utterance(u.episode, one_line(u.speaker, vocab), one_line(u.text, vocab)) for u in utterances]
    return [u for u in lines if u.speaker and u.text]


def speaker_bits_per_char(
    network: CharLM,
    vocab: CharVocab,
    utterances: Iterable[Utterance],
    speaker: str = DEFAULT_BOT,
    dynamic: DynamicConfig | None = None,
) -> dict[str, float]:
    """How well the model predicts `speaker`'s lines, each read after every line before it.

    Returns bits per character over the text of that speaker's lines (the `Speaker:` tag is given, not scored),
    the number of characters and lines scored, and bits per character over the whole dialogue. With `dynamic`, the
    model learns from the dialogue as it reads it (`textlab.chat.dynamic`); `network` is left unchanged.
    """
    lines = normalise_lines(utterances, vocab)
    text = format_dialogue(lines)
    spans = list(iter_speaker_spans(lines, speaker))
    if not spans:
        found = sorted({u.speaker for u in lines})[:20]
        raise ValueError(f"no lines by {speaker!r} in the transcript; speakers there include: {', '.join(found)}")
    network.eval()
    ids = torch.tensor(vocab.encode("\n" + text))
    nll = char_nll(network, ids) if dynamic is None else dynamic_char_nll(network, ids, dynamic)
    mask = torch.zeros(len(text), dtype=torch.bool)
    for start, end in spans:
        mask[start:end] = True
    return {
        "bits_per_char": nll[mask].mean().item() / math.log(2),
        "chars": int(mask.sum()),
        "lines": len(spans),
        "all_bits_per_char": nll.mean().item() / math.log(2),
    }
