"""Words: the normalisation every word reader applies, the word tokens the word vectors learn from and are asked
about, the study notes' word vocabulary with `<UKN/>` (and the classifiers' tokenizer built on it), and
`pad_sequences`."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

PAD_WORD, UNKNOWN_WORD = "<PAD/>", "<UKN/>"  # ids 0 and 1, as `textlab.text.PAD` and `UNK`
_MARKUP = re.compile(r"<br\s*/?>|<[a-z]+\s*/?>|</[a-z]+>", re.IGNORECASE)  # IMDB's <br /> and friends
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")  # and lone surrogates
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # "rock'n'roll" and "don't" stay one token
_MARKED = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|[?!]")
_NOT_LETTER = re.compile(r"[^a-z]+")


def normalise_word(word: str, letters_only: bool = False) -> str:
    """Lower case and Unicode NFKC. With `letters_only`, accents are dropped and everything but a-z becomes a
    space: the "all-terms" form the 20 Newsgroups and Reuters files come in, so that user text is read the way the
    training text was written. The result may be empty, or hold spaces ("don't" -> "don t")."""
    word = unicodedata.normalize("NFKC", word).lower()
    if letters_only:
        word = _NOT_LETTER.sub(" ", unicodedata.normalize("NFKD", word))
    return " ".join(word.split())


def text_words(text: str, letters_only: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, normalised form) of every word of `text`, markup and control characters read as spaces.

    The spans index the text as given, so results computed on the normalised words can be shown on it.
    """
    blanked = _CONTROL.sub(" ", _MARKUP.sub(lambda m: " " * len(m.group()), text))
    words = ((m.start(), m.end(), normalise_word(m.group(), letters_only)) for m in _WORD.finditer(blanked))
    return [word for word in words if word[2]]


def normalise(text: str, letters_only: bool = False) -> str:
    """The text as the classifiers read it: its normalised words, joined by single spaces."""
    return " ".join(form for _, _, form in text_words(text, letters_only))


def word_tokens(text: str, marks: bool = False) -> list[str]:
    """The word-vector tokens of `text`: runs of lower-case letters and digits, apostrophes inside a word kept
    ("don't", "rock'n'roll"), everything else a separator. The vectors learn from these and are asked about these.
    With `marks`, question and exclamation marks are tokens too (a listener hears a question)."""
    return (_MARKED if marks else _TOKEN).findall(normalise(text.replace("\u2019", "'")))


def hashed_ngrams(tokens: Sequence[str], buckets: int) -> list[int]:
    """Each token and each pair of neighbouring tokens as one of `buckets` feature ids (CRC-32, the hashing trick):
    a TF-IDF over words and word pairs with no vocabulary to store."""
    grams = [*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))]
    return [zlib.crc32(gram.encode("utf-8")) % buckets for gram in grams]


def sentence_tokens(text: str) -> list[list[str]]:
    """`word_tokens` of each sentence of `text` (split after . ! ?), empty sentences left out."""
    parts = _SENTENCE_END.split(normalise(text.replace("\u2019", "'")))
    return [tokens for part in parts if (tokens := _TOKEN.findall(part))]


@dataclass(frozen=True)
class WordVocab:
    """The study notes' vocabulary: `index_to_word` sorted, index 0 for padding and 1 for `<UKN/>` (unknown words)."""

    index_to_word: tuple[str, ...]

    @classmethod
    def build(cls, texts: Iterable[str], max_size: int | None = None, min_count: int = 1) -> WordVocab:
        """The `max_size` most frequent words seen at least `min_count` times (all of them when None), sorted."""
        counts = Counter(word for text in texts for word in text.split())
        frequent = [
            w
            for w, n in counts.most_common(None if max_size is None else max(max_size - 2, 0))
            if n >= min_count and w not in (PAD_WORD, UNKNOWN_WORD)
        ]
        return cls((PAD_WORD, UNKNOWN_WORD, *sorted(frequent)))

    def __post_init__(self) -> None:
        object.__setattr__(self, "word_to_index", {w: i for i, w in enumerate(self.index_to_word)})

    def __len__(self) -> int:
        return len(self.index_to_word)

    def encode(self, words: Sequence[str]) -> list[int]:
        unknown = self.word_to_index[UNKNOWN_WORD]
        return [self.word_to_index.get(w, unknown) for w in words]

    def decode(self, indices: Sequence[int]) -> list[str]:
        return [self.index_to_word[i] if 0 <= i < len(self) else UNKNOWN_WORD for i in indices]


def pad_sequences(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
) -> list[list[int]]:
    """Keras' `pad_sequences`: every sequence cut or padded to `maxlen` (default: the longest).

    `truncating="pre"` drops the start of a long sequence, "post" its end; `padding` puts the `value`s before
    ("pre") or after ("post") a short one. Keras' defaults are "pre" for both.
    """
    for name, where in (("padding", padding), ("truncating", truncating)):
        if where not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {where!r}")
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    if maxlen < 0:
        raise ValueError(f"maxlen must be at least 0, got {maxlen}")
    padded = []
    for seq in sequences:
        seq = list(seq)
        if len(seq) > maxlen:
            seq = seq[len(seq) - maxlen :] if truncating == "pre" else seq[:maxlen]
        fill = [value] * (maxlen - len(seq))
        padded.append(fill + seq if padding == "pre" else seq + fill)
    return padded


class WordTokenizer:
    """The study notes' `word_to_index` with `<UKN/>` as a classifier's tokenizer: one id per word."""

    kind: ClassVar[str] = "words"

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
        return flatten_by_word(self.encode_words(words))

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return self.vocab.decode(ids)


def flatten_by_word(by_word: list[list[int]]) -> tuple[list[int], list[int]]:
    """Ids per word -> all ids in order, and for each id the index of its word."""
    return [i for ids in by_word for i in ids], [word for word, ids in enumerate(by_word) for _ in ids]
