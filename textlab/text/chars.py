"""Characters: cleaning, a character vocabulary, and the seed's next-character windows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Typographic punctuation in the transcripts (and in what people paste) mapped to the plain ASCII forms, so that
# "don’t" and "don't" are one spelling to the model.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ", "\t": " ",
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
    """Sorted unique characters of a corpus: `index_to_char` and its inverse `char_to_index`."""

    chars: tuple[str, ...]

    @classmethod
    def build(cls, text: str) -> CharVocab:
        return cls(tuple(sorted(set(text))))

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or any(len(c) != 1 for c in self.chars):
            raise ValueError("a character vocabulary needs distinct single characters")
        object.__setattr__(self, "char_to_index", {c: i for i, c in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: str) -> bool:
        return ch in self.char_to_index

    def encode(self, text: str) -> list[int]:
        """Indices of `text`; raises KeyError naming the first character outside the vocabulary."""
        try:
            return [self.char_to_index[c] for c in text]
        except KeyError as e:
            raise KeyError(f"character {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, indices: list[int]) -> str:
        return "".join(self.chars[i] for i in indices)

    def keep_known(self, text: str) -> str:
        """`text` without the characters this vocabulary cannot encode."""
        return "".join(c for c in text if c in self.char_to_index)


def char_windows(text: str, window: int = 10, step: int = 2) -> list[tuple[str, str]]:
    """(sentence, next_char) pairs: every `step` characters, `window` characters and the one after them.

    The seed's preparation for next-character prediction (`chars_window = 10`, `step = 2`).
    """
    if window < 1 or step < 1:
        raise ValueError(f"window and step must be at least 1, got window={window}, step={step}")
    return [(text[i : i + window], text[i + window]) for i in range(0, len(text) - window, step)]
