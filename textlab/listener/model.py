"""The listener: how well each candidate reply answers the conversation so far. A dual encoder's cosine, plus a
weight times the TF-IDF cosine of the candidate and the last turns (word overlap), both over one word vocabulary.
Its checkpoint, its card."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.data.dialogue import Utterance
from textlab.networks.dual_encoder import DualEncoder, DualEncoderConfig
from textlab.text import UNK
from textlab.text.batches import pad_batch
from textlab.text.words import WordVocab, hashed_ngrams, word_tokens

KIND = "listener"
TFIDF_BUCKETS = 2**18  # hashed words and word pairs of the TF-IDF part
END_OF_TURN = "<eot>"  # between the turns of a context (never a word of the text: tokens hold no "<")


@dataclass
class Reading:
    """How much of a conversation the listener reads."""

    turns: int  # the last turns the encoder reads
    context_tokens: int  # the last words of them
    reply_tokens: int  # the first words of a reply
    tfidf_turns: int = 3  # the last turns TF-IDF compares a reply with (more than the encoder: chosen on validation)


@dataclass
class Listener:
    network: DualEncoder
    vocab: WordVocab
    idf: np.ndarray  # (TFIDF_BUCKETS,) inverse document frequency of each hashed word or word pair
    reading: Reading
    tfidf_weight: float = 0.0  # chosen on validation episodes
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network.eval()
        self.end_of_turn = self.vocab.word_to_index[END_OF_TURN]

    def words(self, text: str) -> list[int]:
        """The ids of the words of `text` (question and exclamation marks are words here)."""
        return self.vocab.encode(word_tokens(text, marks=True))

    def context_ids(self, context: Sequence[Utterance]) -> list[int]:
        ids: list[int] = []
        for turn in context[-self.reading.turns :]:
            ids += self.words(turn.text) + [self.end_of_turn]
        return ids[-self.reading.context_tokens :] or [self.end_of_turn]

    def reply_ids(self, reply: str) -> list[int]:
        return self.words(reply)[: self.reading.reply_tokens] or [UNK]

    def parts(self, context: Sequence[Utterance], candidates: Sequence[str]) -> dict[str, np.ndarray]:
        """Each candidate's encoder cosine and TF-IDF cosine with the context."""
        replies = [self.reply_ids(c) for c in candidates]
        with torch.no_grad():
            c = self.network.encode_contexts(*pad_batch([self.context_ids(context)]))
            r = self.network.encode_replies(*pad_batch(replies))
        query = self.tfidf(" ".join(turn.text for turn in context[-self.reading.tfidf_turns :]))
        tfidf = [sum(w * query.get(f, 0.0) for f, w in self.tfidf(c).items()) for c in candidates]
        return {"encoder": (r @ c[0]).cpu().numpy(), "tfidf": np.array(tfidf)}

    def score(self, context: Sequence[Utterance], candidates: Sequence[str]) -> np.ndarray:
        parts = self.parts(context, candidates)
        return parts["encoder"] + self.tfidf_weight * parts["tfidf"]

    def tfidf(self, text: str) -> dict[int, float]:
        """The unit TF-IDF vector of `text` (sublinear term frequency) over hashed words and word pairs, sparse."""
        counts = Counter(tfidf_features(text))
        vector = {f: (1 + math.log(n)) * self.idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {f: v / norm for f, v in vector.items()} if norm else {}


def tfidf_features(text: str) -> list[int]:
    return hashed_ngrams(word_tokens(text, marks=True), TFIDF_BUCKETS)


def inverse_document_frequency(documents: Iterable[list[int]], vocab_size: int) -> np.ndarray:
    """scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1."""
    df, n = np.zeros(vocab_size), 0
    for ids in documents:
        df[list(set(ids))] += 1
        n += 1
    return np.log((1 + n) / (1 + df)) + 1


def save_listener(folder: Path, listener: Listener) -> None:
    """The embedding and the idf table in half precision (12,000 x 200 words: 4.8 MB; 2^18 idfs: 0.5 MB)."""
    tensors = {k: v.half() if k == "embed.weight" else v for k, v in listener.network.state_dict().items()}
    tensors["idf"] = torch.from_numpy(listener.idf.astype(np.float16))
    save_checkpoint(
        folder,
        KIND,
        tensors,
        vars(listener.network.config),
        vocab={"words": list(listener.vocab.index_to_word)},
        reading={**vars(listener.reading), "tfidf_weight": listener.tfidf_weight},
        card=listener.card,
    )


def load_listener(folder: Path) -> Listener:
    return load_model(folder, KIND, _build)


def _build(ckpt: Checkpoint) -> Listener:
    vocab = WordVocab(tuple(ckpt.extras["vocab"]["words"]))
    network = DualEncoder(DualEncoderConfig(**ckpt.config))
    tensors = {k: v.float() for k, v in ckpt.tensors.items()}
    idf = tensors.pop("idf").numpy().astype(np.float64)
    if network.config.vocab_size != len(vocab) or len(idf) != TFIDF_BUCKETS or END_OF_TURN not in vocab.word_to_index:
        raise ValueError(f"a vocabulary of {len(vocab)} words does not fit the network")
    network.load_state_dict(tensors)
    reading = dict(ckpt.extras["reading"])
    weight = float(reading.pop("tfidf_weight"))
    return Listener(network, vocab, idf, Reading(**reading), weight, ckpt.extras.get("card", {}))


def model_card(listener: Listener) -> str:
    card = listener.card
    lines = [
        f"**Listener:** a dual encoder (bidirectional GRU over words, {card.get('parameters', 0):,} parameters) "
        f"plus {listener.tfidf_weight:g} x TF-IDF, reading the last {listener.reading.turns} turns."
    ]
    for split in ("valid", "test"):
        if split in card:
            figures = card[split]
            lines.append(
                f"- {split}: recall@1 of 10 {figures['combined']:.3f} (encoder {figures['encoder']:.3f}, "
                f"TF-IDF {figures['tfidf']:.3f}, chance 0.100) on {figures['n']} replies"
            )
    return "\n".join(lines)
