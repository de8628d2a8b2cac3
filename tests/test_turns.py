"""Replies take turns, and a reply that finds others waiting draws fewer candidates."""

import threading
import time
from contextlib import contextmanager

import pytest

from textlab.chat.turns import ReplyTurns, candidates_when_busy
from textlab.ui import chat_tab

from .test_handlers import ready


def test_a_longer_line_draws_fewer_candidates_each():
    assert [candidates_when_busy(32, waiting) for waiting in range(7)] == [32, 8, 3, 2, 1, 1, 1]
    assert candidates_when_busy(1, 0) == 1 and candidates_when_busy(8, 1) == 2


def test_a_turn_says_how_many_wait_behind_it():
    turns = ReplyTurns(streams=1)
    seen = []

    def reply():
        with turns.turn() as waiting:
            seen.append(waiting)

    with turns.turn() as first:
        assert first == 0
        others = [threading.Thread(target=reply) for _ in range(2)]
        for t in others:
            t.start()
        while turns._waiting < 2:  # both queued behind the first
            time.sleep(0.01)
    for t in others:
        t.join(5)
    assert sorted(seen) == [0, 1]  # the one served first had the other behind it


class Busy:
    """Turns that always find `waiting` other replies queued."""

    def __init__(self, waiting: int):
        self.waiting = waiting

    @contextmanager
    def turn(self):
        yield self.waiting


def test_a_busy_server_draws_fewer_candidates(tiny_chat, tiny_listener, monkeypatch):
    monkeypatch.setattr(chat_tab, "REPLY_TURNS", Busy(3))
    args = ("Penny", "Sheldon", 0.9, 0, 0.95, 80, 7, 8)
    *_, (reply, table) = chat_tab.send_message(ready(tiny_chat), ready(tiny_listener), "Hi.", [], *args)
    assert len(table["data"]) == 1  # 8 asked, 3 waiting: 8 // 16 -> at least one
    monkeypatch.setattr(chat_tab, "REPLY_TURNS", Busy(0))
    *_, (_, idle) = chat_tab.send_message(ready(tiny_chat), ready(tiny_listener), "Hi.", [], *args)
    assert len(idle["data"]) > 2
    with pytest.raises(Exception, match="from 1 to 48"):
        list(chat_tab.send_message(ready(tiny_chat), ready(tiny_listener), "Hi.", [], *args[:-1], 0))
