"""What `python -m textlab inspect chat` and the benchmark report for a whole text: bits per character as `eval chat`
counts them, and the best unit for each built-in property."""

from __future__ import annotations

import math

import torch

from textlab.chat.model import ChatModel
from textlab.chat.scoring import char_nll
from textlab.inspect.properties import PROPERTIES
from textlab.inspect.reading import Reading, read_text
from textlab.inspect.trace import Trace, trace
from textlab.inspect.units import find_units

UNIT_CHARS = 20_000  # units are ranked over at most this much text: every state of every unit is ~15 kB a character


def inspect_text(chat: ChatModel, text: str, unit_chars: int = UNIT_CHARS) -> dict:
    """Bits per character of the whole text (each character given all before it, chunked as `eval chat` scores
    it), and the best unit for each property over its first `unit_chars` characters (whole lines)."""
    reading = read_text(text, chat.vocab)
    bits = char_nll(chat.network, torch.tensor(reading.ids)).mean().item() / math.log(2)
    head = first_lines(reading, chat, unit_chars)
    return {
        "bits_per_char": bits,
        "chars": len(reading.text),
        "transcript": reading.transcript,
        "unit_chars": len(head.text),
        "units": best_units(trace(chat.network, head)),
    }


def first_lines(reading: Reading, chat: ChatModel, max_chars: int) -> Reading:
    """The reading cut to its whole lines within `max_chars` characters (all of it if shorter)."""
    if len(reading.text) <= max_chars:
        return reading
    text = reading.text[:max_chars]
    text = text[: text.rfind("\n") + 1] or text
    return Reading(text, chat.vocab.encode("\n" + text), reading.transcript, reading.dropped)


def best_units(tr: Trace) -> list[dict]:
    """For each built-in property, its best unit (layer, state, unit and AUC, or the correlation for a count);
    the units are None, with a note, where the property does not vary over the text."""
    rows = []
    for name in PROPERTIES:
        try:
            best = find_units(tr, name, top=1)[0]
        except ValueError as e:
            rows.append({"property": name, "layer": None, "state": None, "unit": None, "auc": None, "note": str(e)})
            continue
        rows.append(
            {
                "property": name,
                "layer": best.layer,
                "state": best.state,
                "unit": best.unit,
                "auc": round(best.score, 4),
                "measure": best.measure,
            }
        )
    return rows
