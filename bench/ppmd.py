"""PPMd, the compressor baseline for the character model: 7-Zip's PPMd (Debian p7zip-full, run from the cache)
compressing held-out text after the training text. The extra bytes the held-out text costs, as bits per character,
are what an adaptive order-N context model pays for it: the bar a neural character model should clear."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from textlab.data.sources import DebianFile

SEVEN_ZIP = DebianFile("p7zip-full", "usr/lib/p7zip/7za")  # the standalone 7-Zip: PPMd needs no plug-in


def compressed_bytes(text: str, order: int, memory_mb: int) -> int:
    """The size of `text` as a 7z archive compressed with PPMd of that order and model memory."""
    with tempfile.TemporaryDirectory(prefix="textlab-ppmd-") as tmp:
        source, archive = Path(tmp) / "text.txt", Path(tmp) / "text.7z"
        source.write_text(text, encoding="utf-8")
        command = [str(SEVEN_ZIP.path()), "a", "-bd", "-y", f"-m0=PPMd:o={order}:mem={memory_mb}m", str(archive)]
        subprocess.run([*command, str(source)], check=True, capture_output=True, timeout=600)
        return archive.stat().st_size


def bits_per_char(context: str, text: str, order: int = 10, memory_mb: int = 256) -> float:
    """Bits per character of `text` compressed after `context` (the archive's own overhead cancels out)."""
    extra = compressed_bytes(context + text, order, memory_mb) - compressed_bytes(context, order, memory_mb)
    return 8 * extra / len(text)
