"""A classifier: its tokens, probabilities for texts, its checkpoint and its card.

A text is read word by word (`text_words`), each word becomes one or more tokens, and the first `max_tokens` tokens
go through the network. Keeping the word of every token lets the app show importance on the text as it was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.data.labelled import DATASETS, Example
from textlab.metrics import classification_report
from textlab.networks.lm_classifier import LMClassifier, LMClassifierConfig
from textlab.networks.text_classifier import ClassifierConfig, TextClassifier
from textlab.text import UNK
from textlab.text.batches import pad_batch
from textlab.text.subwords import SentencePieceTokenizer
from textlab.text.words import WordTokenizer, WordVocab, text_words

KIND = "classifier"
TOKENIZER_FILE = "tokenizer.model"
MAX_CHARS = 100_000  # characters of one text looked at; a classifier reads at most max_tokens of them anyway
Tokenizer = SentencePieceTokenizer | WordTokenizer
Network = TextClassifier | LMClassifier  # a GRU trained from scratch, or ULMFiT's LSTM from the language model
NETWORKS = {"gru": (TextClassifier, ClassifierConfig), "lm": (LMClassifier, LMClassifierConfig)}


class ClassifyError(ValueError):
    """Input the classifier cannot use; the message says what to change."""


@dataclass
class Classifier:
    task: str
    network: Network
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


def predict_token_lists(clf: Classifier, sequences: list[list[int]], batch_size: int = 64) -> np.ndarray:
    """(N, num_classes) probabilities; texts of similar length are batched together to save padding."""
    probs = np.zeros((len(sequences), len(clf.labels)), dtype=np.float32)
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, lengths = pad_batch([sequences[i] or [UNK] for i in rows])
            probs[rows] = clf.network.probabilities(clf.network(ids, lengths)).cpu().numpy()
    return probs


def predict(clf: Classifier, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """(N, num_classes) probabilities for `texts`. A text with no words reads as one unknown token."""
    return predict_token_lists(clf, [encode(clf, t).ids for t in texts], batch_size)


def evaluate(clf: Classifier, examples: list[Example]) -> dict:
    probs = predict(clf, [ex.text for ex in examples])
    return classification_report([ex.label for ex in examples], probs.argmax(axis=1).tolist(), clf.labels)


def save_classifier(folder: Path, clf: Classifier) -> None:
    tokenizer = clf.tokenizer
    if isinstance(tokenizer, SentencePieceTokenizer):
        blobs, vocab = {TOKENIZER_FILE: tokenizer.model}, None
    else:
        blobs, vocab = {}, list(tokenizer.vocab.index_to_word)
    save_checkpoint(
        folder,
        KIND,
        clf.network.state_dict(),
        vars(clf.network.config),
        blobs=blobs,
        classes={
            "task": clf.task,
            "labels": clf.labels,
            "letters_only": clf.letters_only,
            "max_tokens": clf.max_tokens,
            "tokenizer": tokenizer.kind,
            "words": vocab,
            "network": "lm" if isinstance(clf.network, LMClassifier) else "gru",
        },
        card=clf.card,
    )


def load_classifier(task: str, folder: Path) -> Classifier:
    """The `task` classifier saved in `folder`; raises CheckpointError if it cannot be used."""
    return load_model(folder, KIND, lambda ckpt: _build(task, ckpt))


def _build(task: str, ckpt: Checkpoint) -> Classifier:
    classes = ckpt.extras["classes"]
    if classes["task"] != task:
        raise ValueError(f"it holds the {classes['task']!r} classifier, not {task!r}")
    if classes["tokenizer"] == "sentencepiece":
        tokenizer: Tokenizer = SentencePieceTokenizer(ckpt.blobs[TOKENIZER_FILE])
    else:
        tokenizer = WordTokenizer(WordVocab(tuple(classes["words"])))
    network_class, config_class = NETWORKS[classes.get("network", "gru")]
    network = network_class(config_class(**ckpt.config))
    if network.config.vocab_size != tokenizer.vocab_size:
        raise ValueError(f"{tokenizer.vocab_size} tokens do not fit an embedding of {network.config.vocab_size}")
    if network.config.num_classes != len(classes["labels"]):
        raise ValueError("the labels do not fit the network's outputs")
    network.load_state_dict(ckpt.tensors)
    return Classifier(
        classes["task"],
        network,
        tokenizer,
        list(classes["labels"]),
        bool(classes["letters_only"]),
        int(classes["max_tokens"]),
        ckpt.extras.get("card", {}),
    )


def model_card(clf: Classifier) -> str:
    card = clf.card
    lines = [f"**{card.get('title', clf.task)}** - {card.get('summary', '')}"]
    for name, figures in card.get("test", {}).items():
        lines.append(
            f"- {DATASETS[name].title if name in DATASETS else name} test split: "
            f"accuracy **{figures['accuracy']:.1%}**, "
            f"macro-F1 {figures['macro_f1']:.3f} "
            f"({figures['n']:,} texts never used in training)"
        )
    if isinstance(clf.network, LMClassifier):
        n = clf.network.config
        tuned = card.get("lm", {}).get("finetune_s", 0)
        lines.append(
            f"- ULMFiT: the pretrained language model's {clf.tokenizer.vocab_size:,} subwords -> {n.embed_dim}-d "
            f"embedding -> {n.num_layers} x {n.hidden_size} LSTM"
            + (f" (fine-tuned on the training texts for {tuned:.0f} s first)" if tuned else "")
            + f" -> last, max and mean pooling; the first {clf.max_tokens} tokens of a text are read."
        )
    elif "config" in card:
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
