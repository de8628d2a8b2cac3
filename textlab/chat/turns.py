"""Replies take turns: a few are drawn at once, and while others wait for their turn each draws fewer candidates.

Drawing N candidates costs several times one reply (BENCHMARKS.md, "listen"). When k replies wait in line, each
waits for the ones ahead of it, so the line's waits add up to about (k + 1)^2 / 2 replies' time; a lone visitor waits
for nobody. So a reply that finds k others waiting draws N // (k + 1)^2 candidates, at least one: the line as a
whole waits about as long as one full reply, and a crowd gets quick replies while a lone visitor gets the full choice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

REPLY_STREAMS = 2  # replies drawn at once; the others wait here, so that short requests on other tabs stay fast


class ReplyTurns:
    def __init__(self, streams: int = REPLY_STREAMS):
        self._turns = threading.BoundedSemaphore(streams)
        self._lock = threading.Lock()
        self._waiting = 0

    @contextmanager
    def turn(self) -> Iterator[int]:
        """Wait for a turn to draw a reply; yields how many other replies were still waiting when it came."""
        with self._lock:
            self._waiting += 1
        try:
            self._turns.acquire()
        finally:
            with self._lock:
                self._waiting -= 1
                behind = self._waiting
        try:
            yield behind
        finally:
            self._turns.release()


def candidates_when_busy(n: int, waiting: int) -> int:
    """How many of `n` candidates a reply draws while `waiting` others wait for their turn."""
    return max(1, n // (waiting + 1) ** 2)


REPLY_TURNS = ReplyTurns()  # the app's: every chat reply takes its turn here
