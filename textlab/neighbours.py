"""Neighbours: word2vec vectors (gensim KeyedVectors) for nearest neighbours, analogies, similarity, odd one out,
2-D maps, and the standard word-similarity and analogy benchmarks that ship with gensim.

Vectors are stored as a checkpoint (int8 safetensors with one scale per word + the word list as JSON), never as a
gensim pickle.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from gensim.models import KeyedVectors

from textlab.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from textlab.config import models_dir

KIND = "word-vectors"
MAX_K = 50
MAX_MAP_WORDS = 60
MAX_LIST_WORDS = 200  # words read from a list (odd one out, maps); each unknown one costs a lookup
_TOKEN = re.compile(r"[a-z0-9]+(?:['_][a-z0-9]+)*")


class NeighboursError(ValueError):
    """A query the vectors cannot answer; the message says what to change."""


def neighbours_dir() -> Path:
    return models_dir() / "neighbours"


@dataclass
class WordVectors:
    vectors: KeyedVectors
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vectors.fill_norms()
        self._by_initial: dict[str, list[str]] = {}
        for word in self.vectors.index_to_key:
            self._by_initial.setdefault(word[0], []).append(word)

    @property
    def words(self) -> list[str]:
        return self.vectors.index_to_key

    def word(self, text: str, suggest: bool = True) -> str:
        """The vocabulary entry for what a person typed: one word, any case, punctuation around it ignored;
        a multi-word name joined with underscores when the vectors have it as a phrase ("star trek")."""
        tokens = _TOKEN.findall(str(text or "")[:1000].lower().replace("\u2019", "'"))
        if not tokens:
            raise NeighboursError("Type a word (letters or digits).")
        joined = "_".join(tokens)
        if joined in self.vectors.key_to_index:
            return joined
        if len(tokens) > 1:
            raise NeighboursError(
                f"Type one word here, not {len(tokens)} ({' '.join(tokens[:5])}); "
                f"'{'_'.join(tokens[:5])}' is not a known phrase."
            )
        if len(joined) > 40:
            raise NeighboursError(f"'{joined[:40]}...' is not in the vocabulary.")
        suggestions = self.close_spellings(joined) if suggest else []
        hint = f" Close spellings: {', '.join(suggestions)}." if suggestions else ""
        raise NeighboursError(f"'{joined}' is not in the vocabulary of {len(self.words):,} words.{hint}")

    def close_spellings(self, word: str, n: int = 5) -> list[str]:
        pool = self._by_initial.get(word[:1], [])[:20_000] or self.words[:20_000]
        return difflib.get_close_matches(word, pool, n=n, cutoff=0.75)

    def word_list(self, text: str, minimum: int) -> tuple[list[str], list[str]]:
        """Known words of a comma- or space-separated list, and the unknown ones (at most MAX_LIST_WORDS read)."""
        parts = [p for p in re.split(r"[,;\n]+", str(text or "")) if p.strip()]
        if len(parts) == 1 and not self._known(parts[0]):  # "star trek" is one phrase; "a b c" three words
            parts = parts[0].split()
        known, unknown = [], []
        for part in parts[:MAX_LIST_WORDS]:
            try:
                word = self.word(part, suggest=False)
            except NeighboursError:
                unknown.append(part.strip())
                continue
            if word not in known:
                known.append(word)
        if len(known) < minimum:
            missing = f" Not in the vocabulary: {', '.join(unknown[:8])}." if unknown else ""
            raise NeighboursError(f"Give at least {minimum} known words, separated by commas or spaces.{missing}")
        return known, unknown


    def _known(self, text: str) -> bool:
        try:
            self.word(text, suggest=False)
            return True
        except NeighboursError:
            return False


def _check_k(k: Any) -> int:
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise NeighboursError(f"k must be a whole number from 1 to {MAX_K}.") from None
    if not 1 <= k <= MAX_K:
        raise NeighboursError(f"k must be from 1 to {MAX_K}, got {k}.")
    return k


def most_similar(wv: WordVectors, text: str, k: int = 10) -> list[tuple[str, float]]:
    word, k = wv.word(text), _check_k(k)
    return [(w, float(s)) for w, s in wv.vectors.most_similar(word, topn=k)]


def analogy(wv: WordVectors, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """a is to b as c is to ...? (b - a + c; king : queen :: man : ?). Uses 3CosMul, which gensim's own analogy
    benchmark scores better than plain vector arithmetic."""
    a, b, c, k = wv.word(a), wv.word(b), wv.word(c), _check_k(k)
    found = wv.vectors.most_similar_cosmul(positive=[b, c], negative=[a], topn=k)
    return [(w, float(s)) for w, s in found]


def similarity(wv: WordVectors, first: str, second: str) -> float:
    return float(wv.vectors.similarity(wv.word(first), wv.word(second)))


def odd_one_out(wv: WordVectors, text: str) -> tuple[str, list[str]]:
    """The word furthest from the mean of the others, and any words that were not in the vocabulary."""
    words, unknown = wv.word_list(text, minimum=3)
    return str(wv.vectors.doesnt_match(words)), unknown


@dataclass
class WordMap:
    words: list[str]
    x: list[float]
    y: list[float]
    groups: list[str]  # "query" or "neighbour"
    method: str
    notes: list[str]


def word_map(wv: WordVectors, text: str, method: str = "pca", neighbours: int = 15, seed: int = 0) -> WordMap:
    """2-D positions for one word and its neighbours, or for a list of words (PCA or t-SNE)."""
    if method not in ("pca", "tsne"):
        raise NeighboursError(f"method must be 'pca' or 'tsne', got {method!r}")
    neighbours = _check_k(neighbours)
    words, unknown = wv.word_list(text, minimum=1)
    groups = ["query"] * len(words)
    if len(words) == 1:
        found = [w for w, _ in wv.vectors.most_similar(words[0], topn=neighbours)]
        words += found
        groups += ["neighbour"] * len(found)
    if len(words) < 3:
        raise NeighboursError("A map needs one word (it brings its neighbours) or at least 3 known words.")
    notes = [f"Not in the vocabulary: {', '.join(unknown[:10])}."] if unknown else []
    if len(words) > MAX_MAP_WORDS:
        notes.append(f"Only the first {MAX_MAP_WORDS} words are mapped.")
        words, groups = words[:MAX_MAP_WORDS], groups[:MAX_MAP_WORDS]
    points = np.stack([wv.vectors.get_vector(w, norm=True) for w in words]).astype(np.float64)
    if method == "pca":
        centred = points - points.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(2, perplexity=min(10.0, len(words) - 1.0), init="pca", random_state=seed).fit_transform(points)
    return WordMap(words, xy[:, 0].tolist(), xy[:, 1].tolist(), groups, method, notes)


# Benchmarks (the files gensim ships) ---------------------------------------------------------------------------


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


# Checkpoints ---------------------------------------------------------------------------------------------------


def save_word_vectors(folder: Path, wv: WordVectors) -> None:
    """Each vector as int8 codes times its own scale: a quarter of float32, so 40,000 words x 200 dimensions fit in
    8 MB; cosine similarities move by about 0.001."""
    vectors = np.asarray(wv.vectors.vectors, dtype=np.float32)
    scales = np.abs(vectors).max(axis=1) / 127
    scales[scales == 0] = 1.0
    codes = np.round(vectors / scales[:, None]).astype(np.int8)
    counts = [int(wv.vectors.get_vecattr(w, "count")) if wv.vectors.has_index_for(w) else 0 for w in wv.words]
    save_checkpoint(folder, KIND, {"codes": torch.from_numpy(codes), "scales": torch.from_numpy(scales)},
                    {"vector_size": wv.vectors.vector_size},
                    vocab={"words": list(wv.words), "counts": counts}, card=wv.card)


def load_word_vectors(folder: Path | None = None) -> WordVectors:
    folder = Path(folder or neighbours_dir())
    ckpt = load_checkpoint(folder, KIND)
    try:
        codes, scales = ckpt.tensors["codes"], ckpt.tensors["scales"]
        if codes.dtype != torch.int8 or scales.shape != codes.shape[:1]:
            raise ValueError(f"int8 codes {tuple(codes.shape)} with {tuple(scales.shape)} scales expected")
        vectors = (codes.float() * scales.float()[:, None]).numpy()
        words = list(ckpt.extras["vocab"]["words"])
        counts = ckpt.extras["vocab"].get("counts") or [0] * len(words)
        if not all(isinstance(w, str) and w for w in words):
            raise ValueError("the word list holds an empty or non-text entry")
        if vectors.shape != (len(words), int(ckpt.config["vector_size"])) or len(counts) != len(words):
            raise ValueError(f"{vectors.shape[0]} vectors of {vectors.shape[1]} for {len(words)} words")
        kv = KeyedVectors(vectors.shape[1])
        kv.add_vectors(words, vectors)
        for word, count in zip(words, counts, strict=True):
            kv.set_vecattr(word, "count", int(count))
        return WordVectors(kv, ckpt.extras.get("card", {}))
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{folder} does not fit this version of the word vectors: {e}") from e


def model_card(wv: WordVectors) -> str:
    card = wv.card
    names = {"imdb": "IMDB reviews", "rotten_tomatoes": "Rotten Tomatoes", "20newsgroups": "20 Newsgroups",
             "reuters-r8": "Reuters", "sitcoms": "sitcom transcripts", "wordnet": "WordNet definitions"}
    datasets = card.get("config", {}).get("datasets", [])
    corpus = ", ".join(names.get(d, d) for d in datasets) or "the test's text"
    lines = [f"**word2vec** ({card.get('algorithm', '?')}, {wv.vectors.vector_size} dimensions, "
             f"{len(wv.words):,} words) trained on {card.get('tokens', 0):,} tokens of {corpus} (of the classifiers' "
             "data, their training splits only)."]
    e = card.get("eval")
    if e and None not in (e["wordsim353"], e["simlex999"], e["analogy_accuracy"]):
        lines.append(f"- WordSim353 Spearman **{e['wordsim353']:.3f}**, SimLex-999 {e['simlex999']:.3f}, "
                     f"analogies {e['analogy_accuracy']:.1%} right of the {e['analogy_coverage']:.0%} covered.")
    return "\n".join(lines)
