"""Word vectors (gensim KeyedVectors): finding the entry for what a person typed, the checkpoint and the card.

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

from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.data.labelled import DATASETS as LABELLED
from textlab.text.words import word_tokens

KIND = "word-vectors"
MAX_LIST_WORDS = 200  # words read from a list (odd one out, maps); each unknown one costs a lookup


class NeighboursError(ValueError):
    """A query the vectors cannot answer; the message says what to change."""


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
        tokens = word_tokens(str(text or "")[:1000])
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


def save_word_vectors(folder: Path, wv: WordVectors) -> None:
    """Each vector as int8 codes times its own scale: a quarter of float32, so 40,000 words x 200 dimensions fit in
    8 MB; cosine similarities move by about 0.001."""
    vectors = np.asarray(wv.vectors.vectors, dtype=np.float32)
    scales = np.abs(vectors).max(axis=1) / 127
    scales[scales == 0] = 1.0
    codes = np.round(vectors / scales[:, None]).astype(np.int8)
    counts = [int(wv.vectors.get_vecattr(w, "count")) if wv.vectors.has_index_for(w) else 0 for w in wv.words]
    save_checkpoint(
        folder,
        KIND,
        {"codes": torch.from_numpy(codes), "scales": torch.from_numpy(scales)},
        {"vector_size": wv.vectors.vector_size},
        vocab={"words": list(wv.words), "counts": counts},
        card=wv.card,
    )


def load_word_vectors(folder: Path) -> WordVectors:
    """The word vectors saved in `folder`; raises CheckpointError if they cannot be used."""
    return load_model(folder, KIND, _build)


def _build(ckpt: Checkpoint) -> WordVectors:
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


def model_card(wv: WordVectors) -> str:
    card = wv.card
    names = {
        "imdb": "IMDB reviews",
        "rotten_tomatoes": "Rotten Tomatoes",
        "20newsgroups": "20 Newsgroups",
        "reuters-r8": "Reuters",
        "sitcoms": "sitcom transcripts",
        "show": "the show's own lines",
        "wordnet": "WordNet definitions",
    }
    datasets = card.get("config", {}).get("datasets", [])
    corpus = ", ".join(names.get(d, d) for d in datasets) or "the test's text"
    splits = " (of the classifiers' data, their training splits only)" if set(datasets) & set(LABELLED) else ""
    lines = [
        f"**word2vec** ({card.get('algorithm', '?')}, {wv.vectors.vector_size} dimensions, "
        f"{len(wv.words):,} words) trained on {card.get('tokens', 0):,} tokens of {corpus}{splits}."
    ]
    e = card.get("eval")
    if e and None not in (e["wordsim353"], e["simlex999"], e["analogy_accuracy"]):
        lines.append(
            f"- WordSim353 Spearman **{e['wordsim353']:.3f}**, SimLex-999 {e['simlex999']:.3f}, "
            f"analogies {e['analogy_accuracy']:.1%} right of the {e['analogy_coverage']:.0%} covered."
        )
    return "\n".join(lines)
