"""Response selection, the measure of listening: for every line of a speaker that answers someone else, rank the
true line among others of that speaker drawn from the same transcript, each given the conversation before the true
line. Recall@1 of 10 is the share ranked first (chance: 0.10)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from textlab.data.dialogue import Utterance, episodes

Scorer = Callable[[Sequence[Utterance], str, Sequence[str]], np.ndarray]  # (context, bot, candidates) -> scores


@dataclass
class SelectionItem:
    context: list[Utterance]  # the episode so far, before the true line (scorers keep what they read of its end)
    bot: str  # who answers
    candidates: list[str]  # the true line among others of the same speaker
    answer: int  # where the true line is


def selection_items(utterances: Sequence[Utterance], speaker: str, n: int = 10, seed: int = 0) -> list[SelectionItem]:
    """One item per line of `speaker` whose previous line (in its episode) is by someone else; the `n - 1` other
    candidates are drawn, with `seed`, from the speaker's other lines in `utterances`."""
    key = speaker.lower()
    pool = [u.text for u in utterances if u.speaker.lower() == key]
    if len(set(pool)) < n:
        raise ValueError(f"{speaker} has {len(set(pool))} distinct lines here: ranking among {n} needs at least {n}")
    rng, items = random.Random(seed), []
    for lines in episodes(utterances).values():
        for i, u in enumerate(lines):
            if i == 0 or u.speaker.lower() != key or lines[i - 1].speaker.lower() == key:
                continue
            others = set()
            while len(others) < n - 1:
                if (line := rng.choice(pool)) != u.text:
                    others.add(line)
            candidates = sorted(others)
            answer = rng.randrange(n)
            candidates.insert(answer, u.text)
            items.append(SelectionItem(lines[:i], u.speaker, candidates, answer))
    return items


def recall_at_1(items: Sequence[SelectionItem], scorer: Scorer) -> float:
    """The share of items whose true line the scorer ranks first (a tie goes to the candidate listed first)."""
    hits = [int(np.argmax(scorer(item.context, item.bot, item.candidates))) == item.answer for item in items]
    return sum(hits) / max(len(hits), 1)
