"""BERT's uncased WordPiece: the tokenizer the pretrained sentence encoder was trained with, so that it reads text as
it learnt to. Lower case, accents dropped, punctuation and CJK characters split off, then each word cut greedily
into the longest pieces of the vocabulary (`##` marks a piece that continues a word)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_WORD_CHARS = 100  # a longer "word" is one unknown piece, as BERT's tokenizer does


@dataclass(frozen=True)
class WordPiece:
    pieces: tuple[str, ...]  # id -> piece, the vocabulary file's lines in order
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {p: i for i, p in enumerate(self.pieces)})
        missing = [t for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]") if t not in self.index]
        if missing:
            raise ValueError(f"the vocabulary lacks BERT's special tokens {missing}")

    @classmethod
    def from_text(cls, vocab: str) -> WordPiece:
        """From a `vocab.txt`: one piece per line, its id the line number."""
        return cls(tuple(line.rstrip("\r") for line in vocab.split("\n") if line.rstrip("\r")))

    @property
    def pad(self) -> int:
        return self.index["[PAD]"]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """`[CLS]` pieces `[SEP]`, at most `max_tokens` ids in all (the pieces past that are dropped)."""
        ids = [self.index.get(p, self.index["[UNK]"]) for w in basic_words(text) for p in self.word_pieces(w)]
        return [self.index["[CLS]"], *ids[: max_tokens - 2], self.index["[SEP]"]]

    def word_pieces(self, word: str) -> Sequence[str]:
        """The longest pieces first, left to right; a word that cannot be cut is one `[UNK]`."""
        if len(word) > MAX_WORD_CHARS:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.index:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces


def basic_words(text: str) -> list[str]:
    """BERT's basic tokenizer, uncased: control characters dropped, lower case, accents stripped (NFD), every
    punctuation mark and CJK ideograph a word of its own, whitespace a separator."""
    chars = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch == "\ufffd" or ord(ch) == 0 or (cat.startswith("C") and ch not in "\t\n\r"):
            continue
        chars.append(" " if ch.isspace() else f" {ch} " if _cjk(ch) else ch)
    words = []
    for word in "".join(chars).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _punctuation(ch):
                words += [current, ch] if current else [ch]
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def _punctuation(ch: str) -> bool:
    """ASCII symbols count as punctuation (BERT's rule: `$`, `^`, `` ` `` too), and so does Unicode's P class."""
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or unicodedata.category(ch)[0] == "P"


def _cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(
        lo <= cp <= hi
        for lo, hi in (
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0x20000, 0x2A6DF),
            (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F),
            (0x2B820, 0x2CEAF),
            (0xF900, 0xFAFF),
            (0x2F800, 0x2FA1F),
        )
    )
