"""Properties of each character of a text that a unit might track: one value per character, read just after it.

Each is a boolean (a character has it or not), except the position in the line (a count). Quotes, parentheses and
questions reset at the end of a line, as the transcripts' lines stand alone.
"""

from __future__ import annotations

import re

import numpy as np

MAX_PATTERN_CHARS = 200
_TAG = re.compile(r"[A-Z][\w.' -]{0,39}?:")  # the `Speaker:` tag the transcripts' lines start with
# A quantified group holding a quantifier, such as (a+)+ : Python's regular expressions can take exponential time
# on those, so a pattern from a request may not have one.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{?]")

PROPERTIES = {
    "speaker_tag": "inside the `Speaker:` tag that starts a line, colon included",
    "line_position": "how many characters into its line (ranked by correlation, not AUC)",
    "in_quotes": 'inside double quotes: from an opening " up to its closing one',
    "in_parentheses": "inside parentheses: from ( up to its )",
    "after_question": "after a question mark on the same line",
    "word_start": "the first letter or digit of a word",
    "upper_case": "an upper-case letter",
    "digit": "a digit",
}
COUNTS = {"line_position"}  # properties that are numbers, not yes or no


def property_values(name: str, text: str) -> np.ndarray:
    """(len(text),) values of property `name` (see PROPERTIES): booleans, or counts for the position in the line."""
    if name not in PROPERTIES:
        raise ValueError(f"unknown property {name!r}; choose one of: {', '.join(PROPERTIES)}")
    if name == "speaker_tag":
        return _tags(text)
    if name == "line_position":
        return _line_positions(text)
    if name in ("in_quotes", "in_parentheses", "after_question"):
        return _within_lines(text, name)
    chars = np.array(list(text))
    if name == "upper_case":
        return np.array([c.isupper() for c in chars])
    if name == "digit":
        return np.array([c.isdigit() for c in chars])
    word = np.array([c.isalnum() for c in chars])
    before = np.array([False] + [c.isalnum() or c == "'" for c in chars[:-1]])
    return word & ~before


def regex_property(pattern: str, text: str) -> np.ndarray:
    """(len(text),) True for the characters inside a match of `pattern`; raises ValueError with what to fix."""
    if not pattern:
        raise ValueError("type a regular expression, e.g. [aeiou] or \\bSheldon\\b")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"a pattern may have at most {MAX_PATTERN_CHARS} characters, got {len(pattern)}")
    if _NESTED.search(pattern):
        raise ValueError(f"{pattern!r} repeats a group that repeats (such as (a+)+), which can take hours; simplify it")
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise ValueError(f"{pattern!r} is not a regular expression: {e}") from None
    inside = np.zeros(len(text), dtype=bool)
    for match in compiled.finditer(text):
        inside[match.start() : match.end()] = True
    return inside


def find_span(text: str, piece: str) -> tuple[int, int]:
    """(start, end) of the first occurrence of `piece` in `text`, end exclusive; raises ValueError with what to fix."""
    if not piece:
        raise ValueError("mark a span: type a piece of the text, e.g. a quoted phrase or a name")
    start = text.find(piece)
    if start < 0:
        shown = piece if len(piece) <= 40 else piece[:40] + "..."
        raise ValueError(
            f"{shown!r} is not in the text as the model reads it (a transcript's spoken lines, as `Speaker: line`); "
            "copy a piece of the text exactly"
        )
    return start, start + len(piece)


def span_values(text: str, start: int, end: int) -> np.ndarray:
    """(len(text),) True for characters start to end - 1 (from 0); raises ValueError for an empty span, one outside
    the text, or one that is the whole text (nothing left to tell it from)."""
    n = len(text)
    if not 0 <= start < end <= n:
        what = "is empty" if start >= end else "is outside the text"
        raise ValueError(f"the span from character {start + 1} to {end} {what}; choose one within characters 1 to {n}")
    if end - start == n:
        raise ValueError("the span is the whole text, so nothing is left to tell it from; mark part of the text")
    inside = np.zeros(n, dtype=bool)
    inside[start:end] = True
    return inside


def _tags(text: str) -> np.ndarray:
    inside, start = np.zeros(len(text), dtype=bool), 0
    for line in text.split("\n"):
        if match := _TAG.match(line):
            inside[start : start + match.end()] = True
        start += len(line) + 1
    return inside


def _line_positions(text: str) -> np.ndarray:
    positions, column = np.zeros(len(text)), 0
    for k, ch in enumerate(text):
        positions[k] = column
        column = 0 if ch == "\n" else column + 1
    return positions


def _within_lines(text: str, name: str) -> np.ndarray:
    """Quotes toggle, parentheses nest, a question mark holds for the rest of its line; each character's value is
    the one just after it is read (an opening quote is inside, its closing one is not)."""
    values, quoted, depth, asked = np.zeros(len(text), dtype=bool), False, 0, False
    for k, ch in enumerate(text):
        if name == "after_question":
            values[k] = asked  # the question mark itself is not after one
        quoted ^= ch == '"'
        depth = depth + 1 if ch == "(" else max(0, depth - 1) if ch == ")" else depth
        asked |= ch == "?"
        if name != "after_question":
            values[k] = quoted if name == "in_quotes" else depth > 0
        if ch == "\n":
            quoted, depth, asked = False, 0, False
    return values
