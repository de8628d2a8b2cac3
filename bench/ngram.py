"""The baseline a user would reach for before an LSTM: an interpolated character n-gram (Witten-Bell smoothing)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict


class CharNGram:
    def __init__(self, order: int, vocab_size: int):
        self.order, self.vocab_size = order, vocab_size
        # counts[n][context] = Counter of next characters after that n-character context
        self.counts: list[dict[str, Counter]] = [defaultdict(Counter) for _ in range(order)]

    def fit(self, text: str) -> CharNGram:
        for n in range(self.order):
            table = self.counts[n]
            for i in range(n, len(text)):
                table[text[i - n : i]][text[i]] += 1
        self.totals = [{ctx: (sum(c.values()), len(c)) for ctx, c in table.items()} for table in self.counts]
        return self

    def prob(self, context: str, char: str) -> float:
        """P(char | the last order-1 characters of context), interpolated from the empty context up."""
        p = 1.0 / self.vocab_size
        for n in range(self.order):
            if n > len(context):
                break
            ctx = context[len(context) - n :]
            seen = self.totals[n].get(ctx)
            if not seen:
                break  # a longer context that was never seen adds nothing
            total, types = seen
            weight = total / (total + types)
            p = weight * self.counts[n][ctx][char] / total + (1 - weight) * p
        return p

    def bits(self, text: str, positions: list[int]) -> float:
        """Mean bits per character over `positions` of `text`, each given the characters before it."""
        return -sum(math.log2(self.prob(text[max(0, i - self.order + 1) : i], text[i])) for i in positions) / len(
            positions
        )
