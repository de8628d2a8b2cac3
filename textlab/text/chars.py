"""Characters: cleaning, the character vocabulary (the tokenizer of the character models), and the study notes'
next-character windows."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textlab.text import UNK

# Typographic punctuation in the transcripts (and in what people paste) mapped to the plain ASCII forms, so that
# "don’t" and "don't" are one spelling to the model.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\t": " ",
    }
)


def clean_text(text: str) -> str:
    """Plain printable ASCII: typographic quotes straightened, accents dropped, anything else removed.

    Newlines are kept; every other control character, emoji and non-Latin script is dropped.
    """
    text = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    return "".join(ch for ch in text if ch == "\n" or " " <= ch <= "~")


@dataclass(frozen=True)
class CharVocab:
    """Sorted unique characters of a corpus, after the reserved ids in `specials` (none for the character language
    model, `text.SPECIALS` for the translators): `chars[i]` has id `len(specials) + i`."""

    chars: tuple[str, ...]
    specials: tuple[str, ...] = ()
    kind: ClassVar[str] = "chars"

    @classmethod
    def build(cls, texts: str | Iterable[str], specials: tuple[str, ...] = (), min_count: int = 1) -> CharVocab:
        """The characters of `texts` (one text, or many) seen at least `min_count` times."""
        counts = Counter(texts) if isinstance(texts, str) else Counter(ch for text in texts for ch in text)
        return cls(tuple(sorted(ch for ch, n in counts.items() if n >= min_count)), specials)

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or any(len(c) != 1 for c in self.chars):
            raise ValueError("a character vocabulary needs distinct single characters")
        offset = len(self.specials)
        object.__setattr__(self, "char_to_index", {c: i + offset for i, c in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.specials) + len(self.chars)

    @property
    def vocab_size(self) -> int:
        return len(self)

    def __contains__(self, ch: str) -> bool:
        return ch in self.char_to_index

    def encode(self, text: str) -> list[int]:
        """Ids of `text`. A character outside the vocabulary is UNK where `specials` reserve it, else a KeyError
        naming it."""
        if UNK < len(self.specials):
            return [self.char_to_index.get(c, UNK) for c in text]
        try:
            return [self.char_to_index[c] for c in text]
        except KeyError as e:
            raise KeyError(f"character {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Sequence[int]) -> str:
        """The characters of `ids`; reserved ids are left out."""
        offset = len(self.specials)
        return "".join(self.chars[i - offset] for i in ids if i >= offset)

    def pieces(self, ids: Sequence[int]) -> list[str]:
        """Each id as text, the reserved ones by name (`<s>`, `</s>`)."""
        offset = len(self.specials)
        return [self.specials[i] if i < offset else self.chars[i - offset] for i in ids]

    def keep_known(self, text: str) -> str:
        """`text` without the characters this vocabulary cannot encode."""
        return "".join(c for c in text if c in self.char_to_index)

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of `text` this vocabulary does not hold, in order of appearance."""
        return list(dict.fromkeys(ch for ch in text if ch not in self.char_to_index))


def char_windows(text: str, window: int = 10, step: int = 2) -> list[tuple[str, str]]:
    """(sentence, next_char) pairs: every `step` characters, `window` characters and the one after them.

    The study notes' preparation for next-character prediction (`chars_window = 10`, `step = 2`).
    """
    if window < 1 or step < 1:
        raise ValueError(f"window and step must be at least 1, got window={window}, step={step}")
    return [(text[i : i + window], text[i + window]) for i in range(0, len(text) - window, step)]
