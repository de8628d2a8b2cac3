"""The pairs a translator learns from: generated dates, Bible verses, or a person's own file; each split into
training, validation and test."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from textlab.data.bible import load_bible_pairs
from textlab.data.dates import generate_pairs, natural_english_pairs
from textlab.data.pairs import read_pairs_file
from textlab.translate.config import TranslateConfig

Pairs = list[tuple[str, str]]


@dataclass
class PairData:
    train: Pairs
    valid: Pairs
    tests: dict[str, Pairs]  # name -> pairs never used in training or to choose anything
    source: str
    notes: list[str] = field(default_factory=list)


def split_pairs(pairs: Pairs, n_valid: int, n_test: int, seed: int) -> tuple[Pairs, Pairs, Pairs]:
    """Train, validation and test pairs: one pair per distinct source, shuffled with `seed`."""
    unique = list(dict(pairs).items())
    random.Random(seed).shuffle(unique)
    n_valid, n_test = min(n_valid, len(unique) // 10), min(n_test, len(unique) // 10)
    if len(unique) - n_valid - n_test < 1:
        raise ValueError(f"{len(unique)} distinct pairs are too few to train on")
    return unique[n_valid + n_test :], unique[:n_valid], unique[n_valid : n_valid + n_test]


def file_pairs(cfg: TranslateConfig) -> PairData:
    """The person's own `source<TAB>target` lines in `cfg.pairs_file`, a tenth held out for validation and test."""
    if not cfg.pairs_file:
        raise ValueError("this task trains on your own pairs: give --pairs FILE")
    pairs, skipped = read_pairs_file(Path(cfg.pairs_file))
    train, valid, test = split_pairs(pairs, max(cfg.n_valid, 1), max(cfg.n_test, 1), cfg.split_seed)
    notes = [f"skipped {skipped:,} lines that are not `source<TAB>target`"] if skipped else []
    return PairData(train, valid, {"held-out pairs": test}, f"your pairs ({Path(cfg.pairs_file).name})", notes)


def date_pairs(cfg: TranslateConfig) -> PairData:
    """Dates generated afresh for each split, and English forms outside the generator's templates as a second test.

    No held-out source is a training source as the model reads it: each held-out set is drawn without them, the
    natural forms too ("Sunday the 8th of October 1944" is one the generator also writes: a weekday, no comma).
    """
    train = generate_pairs(cfg.n_train, cfg.split_seed)
    seen = {s for s, _ in train}
    valid = generate_pairs(cfg.n_valid, cfg.split_seed + 1, exclude=seen)
    test = generate_pairs(cfg.n_test, cfg.split_seed + 2, exclude=seen | {s for s, _ in valid})
    natural = natural_english_pairs(min(cfg.n_test, 1_000), cfg.split_seed + 3, exclude=seen)
    return PairData(
        train, valid, {"generated test": test, "natural English forms": natural}, "dates generated with faker and babel"
    )


def bible_pairs(cfg: TranslateConfig) -> PairData:
    """King James beside Reina-Valera verses of at most `cfg.max_words` words on each side."""
    pairs, source = load_bible_pairs()
    short = [
        (e, s)
        for e, s in pairs
        if len(e.split()) <= cfg.max_words and len(s.split()) <= cfg.max_words and 0.5 <= len(s) / len(e) <= 2.0
    ]  # length-ratio filter: drops book titles and misaligned slots
    train, valid, test = split_pairs(short, cfg.n_valid, cfg.n_test, cfg.split_seed)
    return PairData(
        train, valid, {"Bible verses (test split)": test}, f"{source}, verses of at most {cfg.max_words} words"
    )
