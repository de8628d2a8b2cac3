"""Translation pairs from files people bring: the Tatoeba / Anki layout for training, a headed TSV for evaluation."""

from __future__ import annotations

import csv
from pathlib import Path

from textlab.files import read_text_file


def read_pairs_file(path: Path) -> tuple[list[tuple[str, str]], int]:
    """(source, target) pairs from `source<TAB>target[<TAB>anything]` lines, and how many lines were skipped
    (fewer than two fields, or an empty side). Raises ValueError when no line is a pair."""
    pairs, skipped = [], 0
    for line in read_text_file(path).splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0].strip() and fields[1].strip():
            pairs.append((" ".join(fields[0].split()), " ".join(fields[1].split())))
        elif line.strip():
            skipped += 1
    if not pairs:
        raise ValueError(f"{path} holds no `source<TAB>target` lines")
    return pairs, skipped


def read_eval_file(path: Path) -> list[tuple[str, str]]:
    """(source, target) pairs from a tab-separated file whose header names `source` and `target` columns (other
    columns are ignored). Raises ValueError saying what is missing."""
    rows = list(csv.reader(read_text_file(path).splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [name.strip().lower() for name in rows[0]]
    if "source" not in header or "target" not in header:
        raise ValueError(f"{path}: the header row must name `source` and `target` columns, found {rows[0]}")
    s, t = header.index("source"), header.index("target")
    pairs = [(row[s].strip(), row[t].strip()) for row in rows[1:] if len(row) > max(s, t) and row[s].strip()]
    if not pairs:
        raise ValueError(f"{path} has a header but no rows with a source")
    return pairs
