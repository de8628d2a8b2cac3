"""WordNet 3.0 (Debian package `wordnet-base`): every synset as one text, its words and then its definition and
examples - "car auto automobile machine motorcar a motor vehicle with four wheels; usually propelled by ...".

Dictionary text for the word vectors: reviews and forum posts rarely say what a word means, a dictionary always
does, and it puts synonyms side by side. Read straight from the package's `data.*` files (format: wndb(5WN)).
"""

from __future__ import annotations

import re

from textlab.data.sources import DebianFile

PACKAGE = "wordnet-base"
PARTS = ("noun", "verb", "adj", "adv")
_MARKER = re.compile(r"\([a-z]+\)$")  # adjective position markers: "galore(ip)"


def read_synsets(data: str) -> list[tuple[list[str], str]]:
    """(words, gloss) of every synset in a WordNet `data.*` file; multi-word lemmas keep their underscores."""
    synsets = []
    for line in data.splitlines():
        if line.startswith("  ") or " | " not in line:  # the licence at the top is indented by two spaces
            continue
        head, gloss = line.split(" | ", 1)
        fields = head.split()
        count = int(fields[3], 16)
        synsets.append(([_MARKER.sub("", fields[4 + 2 * i]).lower() for i in range(count)], gloss.strip()))
    return synsets


def wordnet_texts() -> tuple[list[str], str]:
    """One text per synset of every part of speech, and where they came from; raises SourceError."""
    texts = []
    for part in PARTS:
        data = DebianFile(PACKAGE, f"usr/share/wordnet/data.{part}").fetch().decode("latin-1")
        texts += [f"{' '.join(w.replace('_', ' ') for w in words)} {gloss}" for words, gloss in read_synsets(data)]
    return texts, f"WordNet 3.0 definitions and examples (Debian package {PACKAGE})"
