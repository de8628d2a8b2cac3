"""The Look inside tab's endpoints through gradio_client, on the tiny chat model."""

import html
import re

import pytest
from gradio_client import Client

from textlab.chat.model import load_chat_model
from textlab.inspect import read_text, span_units, trace
from textlab.ui.inspect_tab import INSPECT_CHARS

TEXT = "Penny: Hey guys.\nSheldon: Bazinga! Hi Penny.\nLeonard: Sheldon, please.\n"


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_surprisal_strip_and_mean(client, models_dir):
    mean, notes, strip = client.predict(TEXT, api_name="/inspect_surprisal")
    chat = load_chat_model(models_dir / "chat")
    assert abs(mean - trace(chat.network, read_text(TEXT, chat.vocab)).bits_per_char) < 1e-3
    tips = re.findall(r'data-tip="([^"]*)"', strip)
    assert len(tips) == len(TEXT) and all(tip.count("\n") == 6 for tip in tips)  # the character, a heading, 5 guesses
    assert "transcript" in notes


def test_one_unit_coloured_and_plotted(client):
    strip, plot = client.predict(TEXT, 1, "output", 2, api_name="/inspect_unit")
    values = [float(v) for v in re.findall(r'data-tip="[^"]*: (-?[\d.]+)"', strip)]
    assert len(values) == len(TEXT) and all(0 <= v <= 1 for v in values)  # a gate
    assert plot.startswith("<svg") and plot.count("<polyline") == 1


def test_unit_finder_by_property_and_by_pattern(client):
    table, strips = client.predict(TEXT, "upper_case", "", api_name="/inspect_find_units")
    assert table["headers"] == ["rank", "layer", "state", "unit", "score", "measure"]
    rows = table["data"]
    assert len(rows) == 10 and all(r[5] == "auc" and 0 <= r[4] <= 1 for r in rows)
    assert [abs(r[4] - 0.5) for r in rows] == sorted((abs(r[4] - 0.5) for r in rows), reverse=True)
    assert strips.count("<h4>") == 3
    table, _ = client.predict(TEXT, "line_position", "", api_name="/inspect_find_units")
    assert table["data"][0][5] == "correlation"
    table, _ = client.predict(TEXT, "regex", r"\bSheldon\b", api_name="/inspect_find_units")
    assert len(table["data"]) == 10


def test_units_for_a_span_you_mark(client, models_dir):
    table, strips = client.predict(TEXT, "Bazinga!", api_name="/inspect_span_units")
    assert table["headers"] == ["rank", "layer", "state", "unit", "score", "measure"]
    rows = table["data"]
    chat = load_chat_model(models_dir / "chat")
    tr = trace(chat.network, read_text(TEXT, chat.vocab))
    start = tr.reading.text.index("Bazinga!")
    best = span_units(tr, start, start + len("Bazinga!"))
    assert [(r[1], r[2], r[3]) for r in rows] == [(s.layer, s.state, s.unit) for s in best]
    assert all(abs(r[4] - s.score) < 1e-3 for r, s in zip(rows, best, strict=True))
    assert strips.count("<h4>") == 3 and strips.count('class="tl-p"') == 3 * len("Bazinga!")


def test_what_drives_a_prediction(client):
    notes, strip = client.predict(TEXT, 20, api_name="/inspect_drivers")
    assert "at character 20 of" in notes and strip.count("gradient norm") == 19


@pytest.mark.parametrize(
    ("endpoint", "args", "message"),
    [
        ("/inspect_surprisal", ("x" * (INSPECT_CHARS + 1),), f"at most {INSPECT_CHARS:,} characters"),
        ("/inspect_surprisal", ("",), "paste some text"),
        ("/inspect_unit", (TEXT, 9, "cell", 0), "no layer 9"),
        ("/inspect_unit", (TEXT, 1, "cell", 4096), "unit 4096 does not exist"),
        ("/inspect_find_units", (TEXT, "digit", ""), "no character of the text has this property"),
        ("/inspect_find_units", (TEXT, "regex", "(a+)+"), "repeats a group"),
        ("/inspect_span_units", (TEXT, ""), "mark a span"),
        ("/inspect_span_units", (TEXT, "Howard"), "'Howard' is not in the text as the model reads it"),
        ("/inspect_span_units", (TEXT, TEXT), "the span is the whole text"),
        ("/inspect_span_units", (TEXT, "x" * (INSPECT_CHARS + 1)), f"at most {INSPECT_CHARS:,} characters"),
        (
            "/inspect_drivers",
            (
                TEXT,
                5000,
            ),
            "outside the text",
        ),
    ],
)
def test_bad_input_is_refused_by_name(client, endpoint, args, message):
    with pytest.raises(Exception, match=re.escape(message)):
        client.predict(*args, api_name=endpoint)


def test_translator_what_if(client):
    notes, steps, attention = client.predict("3 May 1999", "dates", "17", api_name="/inspect_translate_what_if")
    assert steps["headers"] == ["step", "token", "probability", "forced", "the model's likeliest"]
    rows = steps["data"]
    assert [r[1] for r in rows[:2]] == ["1", "7"] and [r[3] for r in rows[:3]] == [True, True, False]
    assert "Left alone" in notes and "Made to start with '17'" in notes
    drawn = [html.unescape(t) for t in re.findall(r'text-anchor="end" fill="currentColor">([^<]*)</text>', attention)]
    assert drawn == [r[1] for r in rows]  # one row of the map per output token, the forced ones first
    columns = len(re.findall(r"rotate\(-60\)", attention))  # one slanted label per source token
    assert columns > 0 and attention.count("<rect") == columns * len(rows)


def test_translator_beam_tree(client):
    svg = client.predict("3 May 1999", "dates", 3, api_name="/inspect_beam_tree")
    assert svg.startswith("<svg") and 'aria-label="beam tree"' in svg and "Finished, best first" in svg
    with pytest.raises(Exception, match="at most 100 characters"):
        client.predict("3 May 1999 " * 20, "dates", 3, api_name="/inspect_beam_tree")
