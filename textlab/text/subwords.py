"""Subwords: a SentencePiece model trained on the training split, and a word vocabulary behind the same interface.

Both tokenisers encode word by word, so that each token knows the word of the user's text it came from: that is
what lets the app show word importance on the text as typed. SentencePiece never joins pieces across a space, so
encoding word by word gives the same pieces as encoding the whole text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import sentencepiece as spm

from textlab.text.words import WordVocab

PAD_ID = 0


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

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        return self.processor.encode(list(words)) if words else []

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

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return self.vocab.decode(ids)
