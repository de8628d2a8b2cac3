"""SentencePiece subwords: one trainer and one tokenizer, for the classifiers, the translators and the Lab.

The tokenizer tells which word of the user's text each piece came from: that is what lets the app show word
importance on the text as typed. SentencePiece never joins pieces across a space, so the words can be encoded as one
text and its pieces split back into words where a piece begins with "▁". Where two segmentations of a run such as
"!!!!!!" score the same, their order may differ from that of the word encoded alone. SentencePiece also reads "▁"
and "\ufffd" as spaces: words holding either are encoded one word at a time, as are the other words with them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import ClassVar

import numpy as np
import sentencepiece as spm

from textlab.text import BOS, EOS, PAD, UNK
from textlab.text.words import flatten_by_word

WORD_START = "\u2581"  # SentencePiece's mark for the space before a piece
READ_AS_SPACE = ("\u2581", "\ufffd")  # characters SentencePiece's normaliser turns into spaces, which words may hold


def train_sentencepiece(
    texts: Iterable[str],
    vocab_size: int,
    seed: int = 0,
    character_coverage: float = 0.9995,
    sequence_marks: bool = False,
) -> bytes:
    """A SentencePiece unigram model (its serialized bytes) learnt from `texts`, with the reserved ids of
    `textlab.text`: padding and unknown, and with `sequence_marks` the start and end of a sequence that a decoder
    needs. A small training set may give fewer pieces than `vocab_size`."""
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        pad_id=PAD,
        unk_id=UNK,
        bos_id=BOS if sequence_marks else -1,
        eos_id=EOS if sequence_marks else -1,
        character_coverage=character_coverage,
        input_sentence_size=200_000,
        shuffle_input_sentence=True,
        max_sentence_length=1 << 16,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


class SentencePieceTokenizer:
    kind: ClassVar[str] = "sentencepiece"

    def __init__(self, model: bytes):
        self.model = model
        self.processor = spm.SentencePieceProcessor(model_proto=model)
        if (self.processor.pad_id(), self.processor.unk_id()) != (PAD, UNK):
            raise ValueError("the SentencePiece model does not reserve ids 0 and 1 for padding and unknown")
        pieces = [self.processor.id_to_piece(i) for i in range(self.processor.get_piece_size())]
        self.starts_part = np.array([piece.startswith(WORD_START) for piece in pieces])

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    @property
    def marks_sequences(self) -> bool:
        """Whether ids 2 and 3 are the start and end of a sequence, as a decoder needs."""
        return (self.processor.bos_id(), self.processor.eos_id()) == (BOS, EOS)

    def encode(self, text: str) -> list[int]:
        return self.processor.encode(text)

    def decode(self, ids: Sequence[int]) -> str:
        """The text of `ids`; padding, unknown and sequence marks are left out."""
        return self.processor.decode([int(i) for i in ids if not self._reserved(int(i))])

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.processor.id_to_piece(int(i)) for i in ids]

    def unknown(self, text: str) -> list[str]:
        """The distinct parts of `text` read as unknown, in order of appearance."""
        pieces = self.processor.encode(text, out_type=str)
        ids = self.processor.encode(text)
        return list(dict.fromkeys(p.lstrip(WORD_START) for p, i in zip(pieces, ids, strict=True) if i == UNK))

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        """The pieces of each word, one word at a time."""
        return self.processor.encode(list(words)) if words else []

    def encode_text(self, words: Sequence[str]) -> tuple[list[int], list[int]]:
        """The pieces of the words read as one text, and for each piece the index of its word. One call instead of
        one per word: three times faster. A word may hold spaces ("don t"); each part begins with a "▁" piece."""
        text = " ".join(words)
        if any(c in text for c in READ_AS_SPACE):
            return flatten_by_word(self.encode_words(words))
        ids = self.processor.encode(text)
        part = np.cumsum(self.starts_part[ids]) - 1
        parts = [word.count(" ") + 1 for word in words]
        if not ids or part[0] != 0 or part[-1] != sum(parts) - 1:  # pieces that do not line up with the words
            return flatten_by_word(self.encode_words(words))
        return ids, np.repeat(np.arange(len(words)), parts)[part].tolist()

    def _reserved(self, i: int) -> bool:
        return self.processor.is_control(i) or self.processor.is_unknown(i)
