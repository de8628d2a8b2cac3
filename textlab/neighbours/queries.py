"""Questions to the word vectors: nearest neighbours, analogies, similarity, odd one out, and 2-D maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from textlab.neighbours.vectors import NeighboursError, WordVectors

MAX_K = 50
MAX_MAP_WORDS = 60


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
    groups: list[str]  # "query" or "neighbour" around one word; for a list of words, "group 1", "group 2", ...
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
    if "neighbour" not in groups:
        groups = [f"group {g + 1}" for g in clusters(points, min(6, max(2, len(words) // 3)))]
    if method == "pca":
        centred = points - points.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(2, perplexity=min(10.0, len(words) - 1.0), init="pca", random_state=seed).fit_transform(points)
    return WordMap(words, xy[:, 0].tolist(), xy[:, 1].tolist(), groups, method, notes)


def clusters(points: np.ndarray, k: int, iterations: int = 20) -> list[int]:
    """k-means on unit vectors (spherical: cosine similarity), started from the first point and then each time the
    point farthest from every centre, so that the same words always give the same groups. Groups are numbered in the
    order their first word comes."""
    centres = [points[0]]
    for _ in range(1, k):
        centres.append(points[int(np.argmin(np.max(points @ np.array(centres).T, axis=1)))])
    centres = np.array(centres)
    for _ in range(iterations):
        assigned = np.argmax(points @ centres.T, axis=1)
        for c in range(k):
            if (assigned == c).any():
                mean = points[assigned == c].sum(axis=0)
                centres[c] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    order = {c: i for i, c in enumerate(dict.fromkeys(assigned.tolist()))}
    return [order[c] for c in assigned.tolist()]
