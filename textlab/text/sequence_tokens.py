"""Tokenisers for sequence-to-sequence models: characters (dates) or SentencePiece subwords (sentences).

Both reserve the same four ids, so the network and the decoder never need to know which one is in use:
0 padding, 1 unknown, 2 start of sequence, 3 end of sequence.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence

import sentencepiece as spm

PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIALS = ("<pad>", "<unk>", "<s>", "</s>")


class CharTokenizer:
    """One id per character seen in training at least `min_count` times; anything else is unknown."""

    kind = "chars"

    def __init__(self, chars: Sequence[str]):
        if len(set(chars)) != len(chars) or any(len(c) != 1 for c in chars):
            raise ValueError("a character vocabulary needs distinct single characters")
        self.chars = tuple(chars)
        self.index = {c: i + len(SPECIALS) for i, c in enumerate(self.chars)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> CharTokenizer:
        counts = Counter(ch for text in texts for ch in text)
        return cls(sorted(ch for ch, n in counts.items() if n >= min_count))

    @property
    def vocab_size(self) -> int:
        return len(SPECIALS) + len(self.chars)

    def encode(self, text: str) -> list[int]:
        return [self.index.get(ch, UNK) for ch in text]

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of `text` this vocabulary does not hold, in order of appearance."""
        return list(dict.fromkeys(ch for ch in text if ch not in self.index))

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i - len(SPECIALS)] for i in ids if i >= len(SPECIALS))

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [SPECIALS[i] if i < len(SPECIALS) else self.chars[i - len(SPECIALS)] for i in ids]


def train_pieces(texts: Iterable[str], vocab_size: int, seed: int = 0) -> bytes:
    """A SentencePiece unigram model (its bytes) with the four reserved ids."""
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=model, vocab_size=vocab_size, model_type="unigram",
        pad_id=PAD, unk_id=UNK, bos_id=BOS, eos_id=EOS, character_coverage=1.0,
        hard_vocab_limit=False, minloglevel=2,
    )
    return model.getvalue()


class PieceTokenizer:
    kind = "sentencepiece"

    def __init__(self, model: bytes):
        self.model = model
        self.processor = spm.SentencePieceProcessor(model_proto=model)
        if [self.processor.pad_id(), self.processor.unk_id(), self.processor.bos_id(), self.processor.eos_id()] \
                != [PAD, UNK, BOS, EOS]:
            raise ValueError("the SentencePiece model does not reserve ids 0-3 for pad, unknown, start and end")

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    def encode(self, text: str) -> list[int]:
        return self.processor.encode(text)

    def unknown(self, text: str) -> list[str]:
        pieces = self.processor.encode(text, out_type=str)
        ids = self.processor.encode(text)
        return list(dict.fromkeys(p.lstrip("\u2581") for p, i in zip(pieces, ids, strict=True) if i == UNK))

    def decode(self, ids: Sequence[int]) -> str:
        return self.processor.decode([int(i) for i in ids if i >= len(SPECIALS)])

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.processor.id_to_piece(int(i)) for i in ids]


SequenceTokenizer = CharTokenizer | PieceTokenizer
