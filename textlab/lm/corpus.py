"""The language model's English: whole documents from the project's sources, a few of every thousand held out.

Only the classifiers' training splits are read (with their default split seed), so that no classifier's test text
shapes the model that will sit under it. A document is a review, a forum post, an episode of dialogue, a few
dictionary entries or an address; documents are held out whole, chosen by a hash of their text, so the split does
not move when a source grows.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from textlab.data.dialogue import episodes, format_dialogue
from textlab.data.english import gcide_texts, sotu_texts
from textlab.data.labelled import DATASETS, load_labelled
from textlab.data.sitcoms import load_dialogue, load_friends
from textlab.data.sources import SourceError
from textlab.data.wordnet import wordnet_texts
from textlab.text.words import normalise

log = logging.getLogger("textlab")


@dataclass
class Corpus:
    train: list[str]
    valid: list[str]
    test: list[str]
    sources: list[str] = field(default_factory=list)  # a line per source read: where from, how many words


def sitcom_texts() -> tuple[list[str], str]:
    """One document per episode of the chat's transcripts (and Friends', beside The Big Bang Theory's)."""
    corpus = load_dialogue()
    lines, where = list(corpus.utterances), corpus.source
    if corpus.name == "tbbt":  # the card names the transcripts, never the server folder they were read from
        lines += load_friends()
        where = "The Big Bang Theory transcripts and the Friends transcripts"
    return [format_dialogue(lines) for lines in episodes(lines).values()], f"sitcom dialogue ({where})"


# Sources that are not a classifier's labelled set (those are read by name: their training split only)
TEXTS: dict[str, Callable[[], tuple[list[str], str]]] = {
    "sitcoms": sitcom_texts,
    "wordnet": wordnet_texts,
    "gcide": gcide_texts,
    "sotu": sotu_texts,
}


def read_documents(name: str) -> tuple[list[str], str]:
    """The documents of one source and where they came from; raises SourceError or ValueError."""
    if name in TEXTS:
        return TEXTS[name]()
    if name not in DATASETS:
        raise ValueError(f"unknown source {name!r}; choose from {', '.join([*DATASETS, *TEXTS])}")
    splits = load_labelled(name)
    return [ex.text for ex in splits.train], f"{name} training split ({splits.source})"


def held_out_part(text: str, held_out: int, seed: int) -> str:
    """ "valid", "test" or "train" for a document: `held_out` in every thousand are kept out, half for each."""
    bucket = zlib.crc32(f"{seed}:{text}".encode()) % 1000
    if bucket < held_out // 2:
        return "valid"
    return "test" if bucket < held_out else "train"


def build_corpus(sources: tuple[str, ...], held_out: int, seed: int) -> Corpus:
    """Every readable source's documents, normalised as the classifiers read text (`normalise`), split three
    ways; a source that cannot be read is skipped with a warning, and none at all is a SourceError."""
    corpus = Corpus([], [], [])
    for name in sources:
        try:
            documents, where = read_documents(name)
        except (SourceError, ValueError) as e:
            log.warning("language model: skipping %s: %s", name, e)
            continue
        words = 0
        for document in documents:
            text = normalise(document)
            if text:
                getattr(corpus, held_out_part(text, held_out, seed)).append(text)
                words += text.count(" ") + 1
        corpus.sources.append(f"{where}: {len(documents):,} documents, {words:,} words")
    if not corpus.train:
        raise SourceError("no text to learn a language model from: every source failed (see the log)")
    return corpus
