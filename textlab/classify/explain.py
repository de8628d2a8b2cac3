"""Why a classifier decided: class probabilities for one text, and how much each word pushed towards the
prediction, on the text as it was typed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from textlab.classify.model import MAX_CHARS, Classifier, ClassifyError, Encoded, encode
from textlab.devices import device_of, gradients_through_rnns
from textlab.text import UNK
from textlab.text.batches import pad_batch


@dataclass
class Explanation:
    probabilities: dict[str, float]  # label -> probability, in label order
    label: str  # the most probable
    segments: list[tuple[str, float | None]]  # the text in pieces; words read carry their importance in [-1, 1]
    notes: list[str]  # what was cut, what was not understood


def explain(clf: Classifier, text: str) -> Explanation:
    """Class probabilities for one text, and how much each word pushed towards the predicted class.

    Importance is gradient x input on the embeddings: the first-order estimate of how much the predicted class's
    log-odds would fall if the word's embedding were zeroed. Scaled so that the strongest word is +1 or -1.
    """
    if not isinstance(text, str) or not text.strip():
        raise ClassifyError("Type or paste some text to classify.")
    enc = encode(clf, text)
    if not enc.ids or all(i == UNK for i in enc.ids):
        what = "English words in Latin letters" if clf.letters_only else "words the model has seen"
        raise ClassifyError(f"The text has no {what}; the {clf.task} model cannot read it.")
    ids, lengths = pad_batch([enc.ids])
    network = clf.network
    with torch.enable_grad(), gradients_through_rnns(device_of(network)):
        embedded = network.embed(ids.to(device_of(network))).detach().requires_grad_(True)
        logits = network.forward_embedded(embedded, lengths)
        probs = network.probabilities(logits)[0].detach()
        best = int(probs.argmax())
        if network.config.outputs == 1:
            target = logits[0, 0] if best == 1 else -logits[0, 0]
        else:
            target = torch.log_softmax(logits, dim=1)[0, best]
        (grad,) = torch.autograd.grad(target, embedded)
    token_scores = (grad * embedded).sum(-1)[0].detach().cpu().numpy()
    word_scores = np.zeros(enc.words_read)
    np.add.at(word_scores, enc.token_word, token_scores)
    scale = float(np.abs(word_scores).max()) or 1.0
    return Explanation(
        {label: float(p) for label, p in zip(clf.labels, probs.tolist(), strict=True)},
        clf.labels[best],
        _segments(text, enc.spans[: enc.words_read], (word_scores / scale).tolist()),
        _notes(clf, enc, len(text)),
    )


def _segments(text: str, spans: list[tuple[int, int]], scores: list[float]) -> list[tuple[str, float | None]]:
    segments, at = [], 0
    for (start, end), score in zip(spans, scores, strict=True):
        if start > at:
            segments.append((text[at:start], None))
        segments.append((text[start:end], round(score, 3)))
        at = end
    rest = text[at:MAX_CHARS]
    if len(rest) > 2000:
        rest = rest[:2000] + " ..."
    if rest:
        segments.append((rest, None))
    return segments


def _notes(clf: Classifier, enc: Encoded, n_chars: int) -> list[str]:
    notes = []
    if enc.chars_cut:
        notes.append(f"The text has {n_chars:,} characters; only the first {MAX_CHARS:,} were looked at.")
    if enc.tokens_cut:
        notes.append(
            f"Only the first {clf.max_tokens} tokens ({enc.words_read:,} of {len(enc.spans):,} words) were read, "
            "as in training; the rest is not highlighted."
        )
    unknown = sum(i == UNK for i in enc.ids)
    if unknown:
        notes.append(f"{unknown} token(s) were not in the model's vocabulary (other scripts, emoji, rare symbols).")
    return notes
