"""The word-similarity and analogy benchmarks that ship with gensim, scored on a set of word vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textlab.neighbours.vectors import WordVectors


def evaluate_vectors(wv: WordVectors, restrict_vocab: int = 30_000) -> dict[str, Any]:
    """WordSim353 and SimLex-999 Spearman correlations and analogy accuracy, each with its coverage."""
    from gensim.test.utils import datapath

    figures: dict[str, Any] = {}
    for name, filename in (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")):
        try:
            _, spearman, oov_percent = wv.vectors.evaluate_word_pairs(datapath(filename))
            figures[name], figures[f"{name}_coverage"] = float(spearman.statistic), round(1 - oov_percent / 100, 4)
        except ValueError:  # gensim refuses when no pair is in the vocabulary
            figures[name], figures[f"{name}_coverage"] = None, 0.0
    questions = Path(datapath("questions-words.txt"))
    score, sections = wv.vectors.evaluate_word_analogies(questions, restrict_vocab=restrict_vocab)
    total = next(s for s in sections if s["section"] == "Total accuracy")
    answered = len(total["correct"]) + len(total["incorrect"])
    asked = sum(1 for line in questions.read_text().splitlines() if line and not line.startswith(":"))
    figures["analogy_accuracy"] = float(score) if answered else None
    figures["analogy_coverage"] = round(answered / asked, 4)
    figures["analogy_restrict_vocab"] = restrict_vocab
    return figures
