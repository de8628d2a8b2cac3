"""English -> Spanish sentence pairs: the King James Bible beside the Reina-Valera 1909, verse by verse.

Both are public domain and come as Debian packages of SWORD zText modules with the same (KJV) versification, so
verse slot i of one is verse slot i of the other. A zText module is three files per testament:

    ot.bzs  one record per compressed block: offset, size, uncompressed size  (<III)
    ot.bzv  one record per verse slot: block, start, size in the uncompressed block  (<IIH)
    ot.bzz  the zlib-compressed blocks

Verses are OSIS XML: notes are dropped with their text, other tags are dropped and their text kept.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable

from textlab.data.sources import DebianFile, SourceError

ENGLISH = ("sword-text-kjv", "usr/share/sword/modules/texts/ztext/engKJV2006eb")
SPANISH = ("sword-text-sparv", "usr/share/sword/modules/texts/ztext/spaRV1909eb")
_NOTE = re.compile(r"<note\b.*?</note>", re.S)
_TAG = re.compile(r"<[^>]*>")
_SHOUTED_FIRST_WORD = re.compile(r"^([A-ZÁÉÍÓÚÑ]{2,})(?= [a-záéíóúñ])")  # "EN el principio", "AL cabo de"


def read_ztext(read: Callable[[str], bytes]) -> list[str]:
    """Every verse slot of a zText module, Old Testament then New, as raw OSIS ("" for empty slots).

    `read(name)` returns the bytes of one module file, e.g. read("ot.bzv").
    """
    verses = []
    for testament in ("ot", "nt"):
        bzs, bzv, bzz = (read(f"{testament}.{ext}") for ext in ("bzs", "bzv", "bzz"))
        blocks = [struct.unpack_from("<III", bzs, i) for i in range(0, len(bzs) - 11, 12)]
        cache: dict[int, bytes] = {}
        for i in range(0, len(bzv) - 9, 10):
            block, start, size = struct.unpack_from("<IIH", bzv, i)
            if size == 0:
                verses.append("")
                continue
            if block not in cache:
                offset, length, _ = blocks[block]
                cache[block] = zlib.decompress(bzz[offset : offset + length])
            verses.append(cache[block][start : start + size].decode("utf-8", errors="replace"))
    return verses


def plain_verse(osis: str) -> str:
    """The words of one OSIS verse: notes and markup removed, paragraph marks dropped, spaces collapsed."""
    text = _TAG.sub("", _NOTE.sub("", osis)).replace("\u00b6", " ")
    text = " ".join(text.split())
    return _SHOUTED_FIRST_WORD.sub(lambda m: m.group(1).capitalize(), text)


def verse_pairs(english: list[str], spanish: list[str]) -> list[tuple[str, str]]:
    """(English, Spanish) for every verse slot both modules fill."""
    if len(english) != len(spanish):
        raise ValueError(f"the modules do not line up: {len(english)} and {len(spanish)} verse slots")
    pairs = [(plain_verse(e), plain_verse(s)) for e, s in zip(english, spanish, strict=True)]
    return [(e, s) for e, s in pairs if e and s]


def load_bible_pairs() -> tuple[list[tuple[str, str]], str]:
    """All English-Spanish verse pairs and a line saying where they came from (raises SourceError)."""
    modules = []
    for package, folder in (ENGLISH, SPANISH):
        try:
            modules.append(read_ztext(lambda name, p=package, f=folder: DebianFile(p, f"{f}/{name}").fetch()))
        except SourceError as e:
            raise SourceError(
                f"the English-Spanish pairs come from the Debian packages {ENGLISH[0]} and {SPANISH[0]}, which "
                f"could not be read ({e}). Train on your own pairs with --pairs FILE; the dates task needs no "
                "download."
            ) from e
    source = "Debian sword-text-kjv (King James Version) and sword-text-sparv (Reina-Valera 1909)"
    return verse_pairs(*modules), source
