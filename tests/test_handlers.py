"""The tabs' handlers are plain functions of the slots and the inputs: called here without a running app."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest
import torch

from textlab.inspect import read_text, trace
from textlab.lab.own_model import TRAINED, OwnModel
from textlab.loading import ModelSlot
from textlab.neighbours.queries import WordMap
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.text.chars import CharVocab
from textlab.ui import chat_tab, classify_tab, inspect_tab, neighbours_tab, translate_tab


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
    probabilities, segments, notes, strongest = classify_tab.classify_text(
        slots, "A wonderful, superb film.", "sentiment"
    )
    assert max(probabilities, key=probabilities.get) == "positive"
    assert "".join(text for text, _ in segments) == "A wonderful, superb film."
    assert {band for _, band in segments} - {None} <= set(classify_tab.BANDS)  # every band has its legend colour
    assert all(word in "A wonderful, superb film." for word, _ in strongest) and abs(strongest[0][1]) == 1.0
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


def test_map_labels_do_not_overlap_and_the_legend_names_each_colour():
    near = WordMap(
        ["sheldon", "penny", "leonard", "amy", "physics", "biology", "chemistry"],
        [0.0, 0.001, 0.02, 0.01, 1.0, 1.001, 0.999],
        [0.0, 0.01, 0.001, 0.02, 1.0, 1.0, 1.001],
        ["group 1"] * 4 + ["group 2"] * 3,
        "pca",
        [],
    )
    svg = neighbours_tab.svg_map(near)
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="13" text-anchor="(\w+)"[^>]*>([^<]+)</text>', svg)
    assert [label[3] for label in labels] == near.words
    boxes = []
    for x, y, anchor, word in labels:
        width = neighbours_tab.CHAR_WIDTH * len(word)
        left = float(x) - {"start": 0, "middle": width / 2, "end": width}[anchor]
        boxes.append((left, float(y) - 13, left + width, float(y) + 1))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    assert 'aria-label="legend"' in svg and svg.count(">group 1</text>") == svg.count(">group 2</text>") == 1
    assert len(set(re.findall(r'fill="(#[0-9a-f]{6})"/>', svg))) == 2  # one colour a group


def test_similarity_and_the_vectors_chosen(tiny_vectors):
    slots = {"neighbours": ready(tiny_vectors), "show-vectors": ready(tiny_vectors)}
    assert neighbours_tab.compare_words(slots, "pizza", "pizza", "show-vectors") == pytest.approx(1.0)
    with pytest.raises(gr.Error, match="Unknown vectors 'glove'"):
        neighbours_tab.compare_words(slots, "pizza", "cheese", "glove")


@pytest.mark.parametrize(
    "score, band",
    [
        (1.0, "strongly for"),
        (0.5, "strongly for"),
        (0.49, "for"),
        (0.15, "for"),
        (0.14, None),
        (None, None),
        (-0.2, "against"),
        (-0.5, "strongly against"),
        (-1.0, "strongly against"),
    ],
)
def test_importance_bands(score, band):
    assert classify_tab.importance_band(score) == band


def test_look_inside_reads_the_model_this_session_trained(tiny_chat):
    slot, text = ready(tiny_chat), "the cat sat on the mat"
    with pytest.raises(gr.Error, match="no model of yours yet"):
        inspect_tab.show_surprisal(slot, text, inspect_tab.YOURS, "session-without-one")
    torch.manual_seed(3)
    vocab = CharVocab(tuple(sorted(set(text + "\n"))))
    own = OwnModel(CharLM(CharLMConfig(len(vocab), 4, 6, 1, 0.0)), vocab)
    TRAINED.put("session-1", own)
    mine, _, strip = inspect_tab.show_surprisal(slot, text, inspect_tab.YOURS, "session-1")
    assert mine == round(trace(own.network, read_text(text, vocab)).bits_per_char, 4)
    chats, *_ = inspect_tab.show_surprisal(slot, text, inspect_tab.CHAT, "session-1")
    assert chats != mine  # the chat's model is still the default, for this session too
    cells, _ = inspect_tab.show_unit(slot, text, 1, "cell", 5, inspect_tab.YOURS, "session-1")
    assert cells.count("<span") >= len(text)
    with pytest.raises(gr.Error, match="unit"):  # the own model has 6 units: 0 to 5
        inspect_tab.show_unit(slot, text, 1, "cell", 6, inspect_tab.YOURS, "session-1")
    rows, _ = inspect_tab.find_best_units(slot, text, "word_start", "", inspect_tab.YOURS, "session-1")
    assert {row[1] for row in rows} == {1} and all(0 <= row[3] < 6 for row in rows)
    notes, _ = inspect_tab.show_drivers(slot, text, 0, inspect_tab.YOURS, "session-1")
    assert f"of {len(text)}" in notes and np.isfinite(mine)
