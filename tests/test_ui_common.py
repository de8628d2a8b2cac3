"""The UI's shared pieces that hold logic of their own."""

import itertools

from textlab.ui import common


def test_at_most_every_coalesces_a_fast_stream_and_keeps_the_last_item(monkeypatch):
    clock = itertools.count(0.0, 0.01)  # each item arrives 10 ms after the one before
    monkeypatch.setattr(common.time, "monotonic", lambda: next(clock))
    sent = list(common.at_most_every(0.05, (f"reply {i}" for i in range(100))))
    assert sent[0] == "reply 0" and sent[-1] == "reply 99"
    assert 15 <= len(sent) <= 25  # about a second of stream at 20 updates a second


def test_at_most_every_passes_a_slow_stream_through():
    assert list(common.at_most_every(0.0, iter("abc"))) == ["a", "b", "c"]


def test_at_most_every_sends_nothing_for_an_empty_stream():
    assert list(common.at_most_every(0.05, iter([]))) == []
