"""Files of texts: an upload to classify in one go (CSV or TXT) and the CSV of predictions it gives back, and the
labelled CSV that `eval` reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from textlab.classify.model import Classifier, ClassifyError
from textlab.data.labelled import Example
from textlab.files import TextFileError, decode_text, read_text_file

MAX_ROWS = 10_000  # texts per batch file


def read_texts_file(name: str, data: bytes, max_rows: int = MAX_ROWS) -> tuple[list[str], list[str]]:
    """The texts of an upload: a CSV with a `text` column, or a TXT file with one text per line.

    Returns (texts, notes); raises ClassifyError saying what is wrong with the file.
    """
    if Path(name).suffix.lower() not in (".csv", ".txt"):
        raise ClassifyError(f"Upload a .csv or .txt file, not {Path(name).suffix or 'a file without an extension'}.")
    text = _decode(data)
    if Path(name).suffix.lower() == ".csv":
        rows = _csv_rows(text)
        column = _column(rows[0] if rows else [], "text")
        texts = [row[column] if column < len(row) else "" for row in rows[1:]]
    else:
        texts = [line.rstrip("\r") for line in text.split("\n")]  # not splitlines(): \x0c, \u2028 stay inside
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise ClassifyError("The file holds no texts.")
    notes = []
    if len(texts) > max_rows:
        notes.append(f"The file holds {len(texts):,} texts; only the first {max_rows:,} were classified.")
        texts = texts[:max_rows]
    return texts, notes


def predictions_csv(clf: Classifier, texts: list[str], probs: np.ndarray) -> bytes:
    """A CSV of `text, prediction, p(label)...`, one row per text, readable by spreadsheets (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "prediction", *(f"p({label})" for label in clf.labels)])
    for text, row in zip(texts, probs, strict=True):
        writer.writerow([_spreadsheet_safe(text), clf.labels[int(row.argmax())], *(f"{p:.4f}" for p in row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_labelled_file(path: Path, labels: list[str]) -> list[Example]:
    """A CSV with a header naming `text` and `label` columns; labels are names (any case) or indices."""
    try:
        rows = _csv_rows(read_text_file(path))
    except TextFileError as e:
        raise ClassifyError(str(e)) from None
    header = rows[0] if rows else []
    text_col, label_col = _column(header, "text"), _column(header, "label")
    index = {label.lower(): i for i, label in enumerate(labels)}
    index.update({str(i): i for i in range(len(labels))})
    examples, unknown = [], set()
    for row in rows[1:]:
        if max(text_col, label_col) >= len(row):
            continue
        label = row[label_col].strip().lower()
        if label in index:
            examples.append(Example(row[text_col], index[label]))
        else:
            unknown.add(row[label_col])
    if unknown:
        known = ", ".join(labels) if len(labels) <= 8 else ", ".join(labels[:8]) + ", ..."
        shown = ", ".join(sorted(map(repr, unknown))[:5])
        raise ClassifyError(f"unknown label(s) {shown}; this model's labels are {known} (or 0-{len(labels) - 1})")
    if not examples:
        raise ClassifyError(f"{path} holds no rows with both a text and a label")
    return examples


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except TextFileError as e:
        raise ClassifyError(str(e)) from None


def _csv_rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text), strict=True))  # lenient parsing would merge rows silently
    except csv.Error as e:
        raise ClassifyError(
            f"The CSV cannot be read ({e}); is a quote left open, or text after a closing quote?"
        ) from None


def _column(header: list[str], name: str) -> int:
    names = [h.strip().lower() for h in header]
    if name not in names:
        found = ", ".join(repr(h) for h in header[:10]) or "none"
        raise ClassifyError(f"The CSV needs a header row with a '{name}' column (columns found: {found}).")
    return names.index(name)


def _spreadsheet_safe(text: str) -> str:
    """Texts starting with = + - @ are formulas to a spreadsheet; a leading apostrophe keeps them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
