"""The text as the chat model reads it: a `Speaker: line` transcript formatted as `eval chat` scores it, or plain
text with the characters the model knows."""

from __future__ import annotations

from dataclasses import dataclass

from textlab.chat.scoring import normalise_lines
from textlab.data.dialogue import format_dialogue, parse_line, parse_transcript
from textlab.text.chars import CharVocab, clean_text


@dataclass(frozen=True)
class Reading:
    text: str  # what the model reads after a new line, each character scored given every one before it
    ids: list[int]  # the vocabulary ids of "\n" + text (a space for a model without new lines)
    transcript: bool  # read as `Speaker: line` lines (stage directions and scene headings dropped)
    dropped: int  # lines of a transcript that were not spoken lines


def read_text(text: str, vocab: CharVocab, max_chars: int | None = None) -> Reading:
    """`text` as the model reads it. Where at least half its non-blank lines are `Speaker: line`, it is a
    transcript and is formatted as `eval chat` formats one (so the mean surprisal is its `all_bits_per_char`);
    otherwise plain text with the characters the model does not know left out.

    Raises ValueError for empty text, text over `max_chars` (None: any length), or text with no character the
    model knows.
    """
    if max_chars is not None and len(text) > max_chars:
        raise ValueError(f"the text has {len(text):,} characters; inspect at most {max_chars:,} characters at a time")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("paste some text first: a `Speaker: line` transcript or any English text")
    spoken = sum(parse_line(line) is not None for line in lines)
    if spoken * 2 >= len(lines):
        utterances = normalise_lines(parse_transcript(lines, "inspect"), vocab)
        read, transcript, dropped = format_dialogue(utterances), True, len(lines) - len(utterances)
    else:
        read, transcript, dropped = vocab.keep_known(clean_text(text)).strip("\n"), False, 0
    if not read.strip():
        raise ValueError("the text has no characters the model knows: it learned from English transcripts")
    # the text starts after a new line; a model that never saw one (trained on a text without line breaks in
    # Train your own) starts after a space, as a word does
    start = "\n" if "\n" in vocab else " " if " " in vocab else vocab.chars[0]
    return Reading(read, vocab.encode(start + read), transcript, dropped)
