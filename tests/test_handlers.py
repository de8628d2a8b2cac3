"""The tabs' handlers are plain functions of the slots and the inputs: called here without a running app."""

from __future__ import annotations

import gradio as gr
import pytest

from textlab.loading import ModelSlot
from textlab.ui import chat_tab, classify_tab, neighbours_tab, translate_tab


def ready(model) -> ModelSlot:
    slot = ModelSlot("test", lambda: model, lambda progress: model, lambda m: None).start()
    slot.wait(10)
    return slot


def test_send_message_streams_a_reply(tiny_chat):
    listener = ModelSlot("listener", lambda: None, lambda progress: None, lambda m: None)  # one candidate needs none
    replies = list(
        chat_tab.send_message(ready(tiny_chat), listener, "Hi Sheldon.", [], "Penny", "Sheldon", 0.7, 0, 0.95, 60, 1, 1)
    )
    texts = [text for text, _ in replies]  # each update: the reply so far, and the candidates table
    assert texts and all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:], strict=False))
    assert 0 < len(texts[-1]) <= 60


def test_classify_text_gives_probabilities_pieces_and_notes(tiny_classifiers):
    slots = {"sentiment": ready(tiny_classifiers["sentiment"])}
    probabilities, segments, notes = classify_tab.classify_text(slots, "A wonderful, superb film.", "sentiment")
    assert max(probabilities, key=probabilities.get) == "positive"
    assert "".join(text for text, _ in segments) == "A wonderful, superb film."
    with pytest.raises(gr.Error, match="Unknown model 'news'"):
        classify_tab.classify_text(slots, "text", "news")


def test_find_neighbours_and_translate_text(tiny_vectors, tiny_translators):
    rows = neighbours_tab.find_neighbours(ready(tiny_vectors), "quantum", 3)
    assert len(rows) == 3 and all(-1 <= score <= 1 for _, score in rows)
    slots = {"dates": ready(tiny_translators["dates"])}
    output, notes, nbest, svg = translate_tab.translate_text(slots, "3 May 1999", "dates", 2)
    assert [row[0] for row in nbest] == [1, 2] and nbest[0][1] == output and svg.startswith("<svg")


def test_a_handler_says_what_the_model_is_doing_while_it_is_not_ready():
    slot = ModelSlot("chat", lambda: None, lambda progress: None, lambda m: None)  # never started
    with pytest.raises(gr.Error, match="has not started loading"):
        list(chat_tab.send_message(slot, slot, "Hi", [], "Penny", "Sheldon", 0.7, 0, 0.95, 60, 1, 1))
