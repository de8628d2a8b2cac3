"""Classify: sentiment and news-topic classifiers, their probabilities, word importance, and batch files.

A text is read word by word (`text_words`), each word becomes one or more tokens, and the first `max_tokens` tokens
go through the network. Keeping the word of every token lets the app show importance on the text as it was typed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlab.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from textlab.config import CLASSIFY_TASKS, models_dir
from textlab.data.labelled import DATASET_NAMES, Example
from textlab.metrics import classification_report
from textlab.networks.text_classifier import ClassifierConfig, TextClassifier
from textlab.text.subwords import PAD_ID, SubwordTokenizer, WordTokenizer
from textlab.text.words import WordVocab, text_words

KIND = "classifier"
TOKENIZER_FILE = "tokenizer.model"
MAX_CHARS = 100_000  # characters of one text looked at; a classifier reads at most max_tokens of them anyway
MAX_ROWS = 10_000  # texts per batch file
UNKNOWN_ID = 1
Tokenizer = SubwordTokenizer | WordTokenizer


class ClassifyError(ValueError):
    """Input the classifier cannot use; the message says what to change."""


def classifier_dir(task: str) -> Path:
    """`models/TASK` (or `$TEXTLAB_MODELS/TASK`)."""
    if task not in CLASSIFY_TASKS:
        raise ValueError(f"unknown classifier task {task!r}; choose one of {', '.join(CLASSIFY_TASKS)}")
    return models_dir() / task


@dataclass
class Classifier:
    task: str
    network: TextClassifier
    tokenizer: Tokenizer
    labels: list[str]
    letters_only: bool
    max_tokens: int
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network.eval()


@dataclass
class Encoded:
    ids: list[int]  # at most max_tokens
    token_word: list[int]  # for each id, the index of its word in `spans`
    spans: list[tuple[int, int]]  # every word looked at, as (start, end) in the text
    chars_cut: bool  # the text was longer than MAX_CHARS
    tokens_cut: bool  # the words gave more than max_tokens tokens

    @property
    def words_read(self) -> int:
        return self.token_word[-1] + 1 if self.token_word else 0


def encode(clf: Classifier, text: str) -> Encoded:
    words = text_words(text[:MAX_CHARS], clf.letters_only)
    forms = [form for _, _, form in words]
    # A word gives at least one token (but for a word of SentencePiece's own "▁" or "\ufffd", which gives none): one
    # word more than the tokens kept tells whether any were cut.
    ids, owner = clf.tokenizer.encode_text(forms[: clf.max_tokens + 1])
    if len(ids) <= clf.max_tokens < len(forms) - 1:
        ids, owner = clf.tokenizer.encode_text(forms)
    cut = len(ids) > clf.max_tokens
    return Encoded(
        ids[: clf.max_tokens], owner[: clf.max_tokens], [(s, e) for s, e, _ in words], len(text) > MAX_CHARS, cut
    )


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token lists (each non-empty) -> (B, T) ids padded at the end, and (B,) lengths."""
    lengths = torch.tensor([len(s) for s in sequences])
    ids = torch.full((len(sequences), int(lengths.max())), PAD_ID, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
    return ids, lengths


def predict_token_lists(clf: Classifier, sequences: list[list[int]], batch_size: int = 64) -> np.ndarray:
    """(N, num_classes) probabilities; texts of similar length are batched together to save padding."""
    probs = np.zeros((len(sequences), len(clf.labels)), dtype=np.float32)
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, lengths = pad_batch([sequences[i] or [UNKNOWN_ID] for i in rows])
            probs[rows] = clf.network.probabilities(clf.network(ids, lengths)).numpy()
    return probs


def predict(clf: Classifier, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """(N, num_classes) probabilities for `texts`. A text with no words reads as one unknown token."""
    return predict_token_lists(clf, [encode(clf, t).ids for t in texts], batch_size)


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
    if not enc.ids or all(i == UNKNOWN_ID for i in enc.ids):
        what = "English words in Latin letters" if clf.letters_only else "words the model has seen"
        raise ClassifyError(f"The text has no {what}; the {clf.task} model cannot read it.")
    ids, lengths = pad_batch([enc.ids])
    network = clf.network
    with torch.enable_grad():
        embedded = network.embed(ids).detach().requires_grad_(True)
        logits = network.forward_embedded(embedded, lengths)
        probs = network.probabilities(logits)[0].detach()
        best = int(probs.argmax())
        if network.config.outputs == 1:
            target = logits[0, 0] if best == 1 else -logits[0, 0]
        else:
            target = torch.log_softmax(logits, dim=1)[0, best]
        (grad,) = torch.autograd.grad(target, embedded)
    token_scores = (grad * embedded).sum(-1)[0].detach().numpy()
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
    unknown = sum(i == UNKNOWN_ID for i in enc.ids)
    if unknown:
        notes.append(f"{unknown} token(s) were not in the model's vocabulary (other scripts, emoji, rare symbols).")
    return notes


# Batch files ---------------------------------------------------------------------------------------------------


def read_texts_file(name: str, data: bytes, max_rows: int = MAX_ROWS) -> tuple[list[str], list[str]]:
    """The texts of an upload: a CSV with a `text` column, or a TXT file with one text per line.

    Returns (texts, notes); raises ClassifyError saying what is wrong with the file.
    """
    text = _decode(data)
    if Path(name).suffix.lower() == ".csv":
        rows = _csv_rows(text)
        column = _column(rows[0] if rows else [], "text")
        texts = [row[column] if column < len(row) else "" for row in rows[1:]]
    else:
        texts = [line.rstrip("\r") for line in text.split("\n")]  # not splitlines(): \x0c, \u2028 stay inside
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise ClassifyError("The file holds no texts.")
    notes = []
    if len(texts) > max_rows:
        notes.append(f"The file holds {len(texts):,} texts; only the first {max_rows:,} were classified.")
        texts = texts[:max_rows]
    return texts, notes


def predictions_csv(clf: Classifier, texts: list[str], probs: np.ndarray) -> bytes:
    """A CSV of `text, prediction, p(label)...`, one row per text, readable by spreadsheets (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "prediction", *(f"p({label})" for label in clf.labels)])
    for text, row in zip(texts, probs, strict=True):
        writer.writerow([_spreadsheet_safe(text), clf.labels[int(row.argmax())], *(f"{p:.4f}" for p in row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_labelled_file(path: Path, labels: list[str]) -> list[Example]:
    """A CSV with a header naming `text` and `label` columns; labels are names (any case) or indices."""
    rows = _csv_rows(_decode(Path(path).read_bytes()))
    header = rows[0] if rows else []
    text_col, label_col = _column(header, "text"), _column(header, "label")
    index = {label.lower(): i for i, label in enumerate(labels)}
    index.update({str(i): i for i in range(len(labels))})
    examples, unknown = [], set()
    for row in rows[1:]:
        if max(text_col, label_col) >= len(row):
            continue
        label = row[label_col].strip().lower()
        if label in index:
            examples.append(Example(row[text_col], index[label]))
        else:
            unknown.add(row[label_col])
    if unknown:
        known = ", ".join(labels) if len(labels) <= 8 else ", ".join(labels[:8]) + ", ..."
        shown = ", ".join(sorted(map(repr, unknown))[:5])
        raise ClassifyError(f"unknown label(s) {shown}; this model's labels are {known} (or 0-{len(labels) - 1})")
    if not examples:
        raise ClassifyError(f"{path} holds no rows with both a text and a label")
    return examples


def evaluate(clf: Classifier, examples: list[Example]) -> dict:
    probs = predict(clf, [ex.text for ex in examples])
    return classification_report([ex.label for ex in examples], probs.argmax(axis=1).tolist(), clf.labels)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ClassifyError("This looks like a binary file; upload a CSV or a plain-text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ClassifyError(f"The file is not UTF-8 text (byte {e.start} cannot be read); save it as UTF-8.") from None


def _csv_rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text), strict=True))  # lenient parsing would merge rows silently
    except csv.Error as e:
        raise ClassifyError(f"The CSV cannot be read ({e}); is a quote left open, or text after a closing "
                            "quote?") from None


def _column(header: list[str], name: str) -> int:
    names = [h.strip().lower() for h in header]
    if name not in names:
        found = ", ".join(repr(h) for h in header[:10]) or "none"
        raise ClassifyError(f"The CSV needs a header row with a '{name}' column (columns found: {found}).")
    return names.index(name)


def _spreadsheet_safe(text: str) -> str:
    """Texts starting with = + - @ are formulas to a spreadsheet; a leading apostrophe keeps them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# Checkpoints ---------------------------------------------------------------------------------------------------


def save_classifier(folder: Path, clf: Classifier) -> None:
    tokenizer = clf.tokenizer
    if isinstance(tokenizer, SubwordTokenizer):
        blobs, vocab = {TOKENIZER_FILE: tokenizer.model}, None
    else:
        blobs, vocab = {}, list(tokenizer.vocab.index_to_word)
    save_checkpoint(
        folder, KIND, clf.network.state_dict(), vars(clf.network.config), blobs=blobs,
        classes={"task": clf.task, "labels": clf.labels, "letters_only": clf.letters_only,
                 "max_tokens": clf.max_tokens, "tokenizer": tokenizer.kind, "words": vocab},
        card=clf.card,
    )


def load_classifier(task: str, folder: Path | None = None) -> Classifier:
    """The classifier saved in `folder` (default models/TASK); raises CheckpointError if it cannot be used."""
    folder = Path(folder or classifier_dir(task))
    ckpt = load_checkpoint(folder, KIND)
    try:
        classes = ckpt.extras["classes"]
        if classes["task"] != task:
            raise ValueError(f"it holds the {classes['task']!r} classifier, not {task!r}")
        if classes["tokenizer"] == "sentencepiece":
            tokenizer: Tokenizer = SubwordTokenizer(ckpt.blobs[TOKENIZER_FILE])
        else:
            tokenizer = WordTokenizer(WordVocab(tuple(classes["words"])))
        network = TextClassifier(ClassifierConfig(**ckpt.config))
        if network.config.vocab_size != tokenizer.vocab_size:
            raise ValueError(f"{tokenizer.vocab_size} tokens do not fit an embedding of {network.config.vocab_size}")
        if network.config.num_classes != len(classes["labels"]):
            raise ValueError("the labels do not fit the network's outputs")
        network.load_state_dict(ckpt.tensors)
        return Classifier(
            classes["task"], network, tokenizer, list(classes["labels"]), bool(classes["letters_only"]),
            int(classes["max_tokens"]), ckpt.extras.get("card", {}),
        )
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{folder} does not fit this version of the classifier: {e}") from e


def model_card(clf: Classifier) -> str:
    card = clf.card
    lines = [f"**{card.get('title', clf.task)}** - {card.get('summary', '')}"]
    for name, figures in card.get("test", {}).items():
        lines.append(
            f"- {DATASET_NAMES.get(name, name)} test split: accuracy **{figures['accuracy']:.1%}**, "
            f"macro-F1 {figures['macro_f1']:.3f} "
            f"({figures['n']:,} texts never used in training)"
        )
    if "config" in card:
        c = card["config"]
        directions = "bidirectional " if c["bidirectional"] else ""
        start = {"word2vec": "word2vec vectors learnt on the training texts", "random": "random vectors"}
        frozen = ", kept frozen" if c.get("freeze_embeddings") else ""
        lines.append(
            f"- {card['tokenizer']['vocab_size']:,} {card['tokenizer']['kind']} tokens -> {c['embed_dim']}-d "
            f"embeddings (from {start.get(c.get('embeddings', 'random'), 'random vectors')}{frozen}) -> "
            f"{c['num_layers']} x {c['hidden_size']} {directions}GRU -> {c['pooling']} pooling; the first "
            f"{c['max_tokens']} tokens of a text are read."
        )
    if "trained" in card:
        lines.append(f"- Trained {card['trained']}; {card.get('parameters', 0):,} parameters.")
    return "\n".join(lines)
