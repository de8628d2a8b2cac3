"""Subwords: a SentencePiece model trained on the training split, and a word vocabulary behind the same interface.

Both tokenisers tell which word of the user's text each token came from: that is what lets the app show word
importance on the text as typed. SentencePiece never joins pieces across a space, so the words can be encoded as one
text and its pieces split back into words where a piece begins with "▁". Where two segmentations of a run such as
"!!!!!!" score the same, their order may differ from that of the word encoded alone. SentencePiece also reads "▁"
and "\ufffd" as spaces: words holding either are encoded one word at a time, as are the other words with them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np
import sentencepiece as spm

from textlab.text.words import WordVocab

PAD_ID = 0
WORD_START = "\u2581"  # SentencePiece's mark for the space before a piece
READ_AS_SPACE = ("\u2581", "\ufffd")  # characters SentencePiece's normaliser turns into spaces, which words may hold


def train_sentencepiece(texts: Iterable[str], vocab_size: int, model_type: str = "unigram", seed: int = 0) -> bytes:
    """A SentencePiece model (its serialized bytes) learnt from already-normalised `texts`.

    Id 0 is padding and id 1 unknown, matching the word vocabulary; no BOS/EOS pieces.
    """
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        vocab_size=vocab_size,
        model_type=model_type,
        pad_id=PAD_ID, unk_id=1, bos_id=-1, eos_id=-1,
        character_coverage=0.9995,
        input_sentence_size=200_000,
        shuffle_input_sentence=True,
        max_sentence_length=1 << 16,
        hard_vocab_limit=False,  # a small training set may hold fewer pieces than asked for
        minloglevel=2,
    )
    return model.getvalue()


class SubwordTokenizer:
    kind = "sentencepiece"

    def __init__(self, model: bytes):
        self.model = model
        self.processor = spm.SentencePieceProcessor(model_proto=model)
        pieces = (self.processor.id_to_piece(i) for i in range(self.processor.get_piece_size()))
        self.starts_part = np.array([piece.startswith(WORD_START) for piece in pieces])

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        """The pieces of each word, one word at a time."""
        return self.processor.encode(list(words)) if words else []

    def encode_text(self, words: Sequence[str]) -> tuple[list[int], list[int]]:
        """The pieces of the words read as one text, and for each piece the index of its word. One call instead of
        one per word: three times faster. A word may hold spaces ("don t"); each part begins with a "▁" piece."""
        text = " ".join(words)
        if any(c in text for c in READ_AS_SPACE):
            return _flatten(self.encode_words(words))
        ids = self.processor.encode(text)
        part = np.cumsum(self.starts_part[ids]) - 1
        parts = [word.count(" ") + 1 for word in words]
        if not ids or part[0] != 0 or part[-1] != sum(parts) - 1:  # pieces that do not line up with the words
            return _flatten(self.encode_words(words))
        return ids, np.repeat(np.arange(len(words)), parts)[part].tolist()

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.processor.id_to_piece(int(i)) for i in ids]


class WordTokenizer:
    """The seed's `word_to_index` with `<UKN/>`: one id per word."""

    kind = "words"

    def __init__(self, vocab: WordVocab):
        self.vocab = vocab

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        """One id per word; a normalised form may hold several ("don t")."""
        return [self.vocab.encode(word.split()) for word in words]

    def encode_text(self, words: Sequence[str]) -> tuple[list[int], list[int]]:
        """The ids of the words, and for each id the index of its word."""
        return _flatten(self.encode_words(words))

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return self.vocab.decode(ids)


def _flatten(by_word: list[list[int]]) -> tuple[list[int], list[int]]:
    return [i for ids in by_word for i in ids], [word for word, ids in enumerate(by_word) for _ in ids]
