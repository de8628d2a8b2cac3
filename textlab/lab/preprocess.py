"""The study notes' preprocessing steps, shown on the learner's own text: vocabulary, character windows, encoding a new
sentence with `<UKN/>`, `pad_sequences`, and SentencePiece pieces beside words.

Words are split the way Keras' `Tokenizer` does (lower case, punctuation removed, split on spaces). Chinese has no
spaces between words, so text with Chinese characters is segmented with jieba's dictionary first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from textlab.files import TextFileError, decode_text
from textlab.text.chars import char_windows
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.text.words import WordVocab, pad_sequences

MAX_CHARS = 1_000_000
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_FILTER = str.maketrans({ch: " " for ch in KERAS_FILTERS})
SEGMENTED_NOTE = (
    "Chinese has no spaces between words: the text was segmented with jieba (a dictionary of Chinese "
    "words, and a hidden Markov model for words it does not know) before building the vocabulary."
)


class PreprocessError(ValueError):
    """Text the explorer cannot use; the message says what to change."""


def check_text(text: str, what: str = "text") -> str:
    if not isinstance(text, str) or not text.strip():
        raise PreprocessError(f"Paste or upload some {what} first.")
    if len(text) > MAX_CHARS:
        raise PreprocessError(f"That is {len(text):,} characters; the explorer reads at most {MAX_CHARS:,}.")
    return text


def read_text_upload(data: bytes) -> str:
    """The text of an uploaded file, as written (see `files.decode_text`)."""
    try:
        return decode_text(data)
    except TextFileError as e:
        raise PreprocessError(str(e)) from None


def has_chinese(text: str) -> bool:
    return _HAN.search(text) is not None


def words(text: str) -> tuple[list[str], str | None]:
    """The words of `text` as Keras' Tokenizer sees them (Chinese segmented first), and a note on how."""
    if not has_chinese(text):
        return text.lower().translate(_FILTER).split(), None
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokens = [t.lower() for t in jieba.cut(text.translate(_FILTER)) if t.strip()]
    return [t for t in tokens if not re.fullmatch(r"[\W_]+", t)], SEGMENTED_NOTE


@dataclass
class Vocabulary:
    vocab: WordVocab
    counts: dict[str, int]
    n_words: int  # running words in the text
    note: str | None


def build_vocabulary(text: str) -> Vocabulary:
    """`index_to_word` (sorted unique words, after `<PAD/>` = 0 and `<UKN/>` = 1) of `text`."""
    tokens, note = words(check_text(text))
    if not tokens:
        raise PreprocessError("The text holds no words (only punctuation or spaces).")
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return Vocabulary(WordVocab.build([" ".join(tokens)]), counts, len(tokens), note)


def encode_sentence(vocab: WordVocab, sentence: str) -> tuple[list[int], list[str]]:
    """A new sentence as indices, and those indices read back: unknown words come back as `<UKN/>`."""
    tokens, _ = words(check_text(sentence, "sentence"))
    ids = vocab.encode(tokens)
    return ids, vocab.decode(ids)


def window_table(text: str, window: int = 10, step: int = 2, limit: int = 200) -> tuple[list[tuple[str, str]], int]:
    """The first `limit` (sentence, next_char) pairs of the study notes' character windows, and how many there are."""
    if not 1 <= window <= 200 or not 1 <= step <= 200:
        raise PreprocessError(f"Window and step must be from 1 to 200; got {window} and {step}.")
    text = check_text(text)
    if len(text) <= window:
        raise PreprocessError(f"The text has {len(text)} characters: it needs more than the window of {window}.")
    pairs = char_windows(text, window, step)
    return pairs[:limit], len(pairs)


def pad(sequences: list[list[int]], maxlen: int | None, padding: str, truncating: str) -> list[list[int]]:
    if maxlen is not None and not 0 <= maxlen <= 10_000:
        raise PreprocessError(f"maxlen must be from 0 to 10,000; got {maxlen}.")
    return pad_sequences(sequences, maxlen, padding, truncating)


def _parts(line: str, size: int = 8_000) -> list[str]:
    """A line cut at spaces into parts of about `size` characters: SentencePiece skips any sentence longer than its
    limit (64 KB), which would leave a long line's words unknown."""
    words_of_line, parts, part = line.split(" "), [], ""
    for word in words_of_line:
        if part and len(part) + len(word) > size:
            parts.append(part)
            part = ""
        part += (" " if part else "") + word
    return [*parts, part]


def subword_pieces(text: str, vocab_size: int = 200) -> tuple[list[tuple[str, list[str]]], int]:
    """SentencePiece trained on `text` itself: each distinct word (the first 50) beside its pieces, and how many
    pieces were learnt."""
    tokens, _ = words(check_text(text))
    if len(set("".join(tokens))) < 2:
        raise PreprocessError("SentencePiece needs more varied text to learn pieces from.")
    lines = [part for line in text.lower().splitlines() for part in _parts(line) if part.strip()]
    tokenizer = SentencePieceTokenizer(train_sentencepiece(lines, vocab_size))
    shown = list(dict.fromkeys(tokens))[:50]
    return [
        (w, tokenizer.pieces(ids)) for w, ids in zip(shown, tokenizer.encode_words(shown), strict=True)
    ], tokenizer.vocab_size
