"""The Translate tab's endpoint through gradio_client."""

import re

import pytest
from gradio_client import Client

from textlab.translate.model import MAX_BEAM

from .conftest import LEXICON


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_translate_a_date_with_n_best_and_attention(client):
    output, notes, nbest, svg = client.predict("May 3rd, 1999", "dates", 3, api_name="/translate")
    assert nbest["headers"] == ["rank", "output", "score", "probability"]
    rows = nbest["data"]
    assert [r[0] for r in rows] == [1, 2, 3] and rows[0][1] == output
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)
    assert all(0 <= r[3] <= 1 for r in rows)
    assert "Decoded in" in notes
    assert svg.startswith("<svg") and 'aria-label="attention map"' in svg
    source_cells = len("may 3rd, 1999")
    target_rows = len(output) + 1  # and the closing </s>
    assert svg.count("<rect") == source_cells * target_rows
    assert "&lt;/s&gt;" in svg  # the end token labels the last row


def test_translate_english_to_spanish(client):
    output, _, nbest, svg = client.predict("the king sees the dog", "en-es", 2, api_name="/translate")
    words = output.split()  # the tiny model's word-for-word toy Spanish
    assert {"rey", "perro"} <= set(words) <= set(LEXICON.values())
    assert len(nbest["data"]) == 2 and svg.startswith("<svg")


@pytest.mark.parametrize(
    ("text", "task", "beam", "message"),
    [
        ("", "dates", 3, "Type something"),
        ("banana", "dates", 3, "does not look like a date"),
        ("August 29", "dates", 3, "'August 29' has no year"),
        ("29 Aug", "dates", 3, "'29 Aug' has no year"),
        ("the 3rd of May", "dates", 3, "'the 3rd of May' has no year"),
        ("3 May 1999 " * 500, "dates", 3, "characters"),
        ("x" * 5000, "en-es", 3, "at most 300 characters; got 5,000"),
        ("the dog", "klingon", 3, "not in the list of choices"),
    ],
)
def test_bad_input_gets_a_clear_message(client, text, task, beam, message):
    with pytest.raises(Exception, match=re.escape(message)):
        client.predict(text, task, beam, api_name="/translate")


@pytest.mark.parametrize("text", ["August 29, 2024", "29-Aug-58", "the 3rd of May 1999"])
def test_a_whole_date_still_translates(client, text):
    output, notes, nbest, _ = client.predict(text, "dates", 3, api_name="/translate")
    assert output == nbest["data"][0][1] and "has no" not in notes


@pytest.mark.parametrize("beam", [0, 500])
def test_beam_out_of_range_is_refused(client, beam):
    with pytest.raises(Exception, match=rf"(?i)beam|{MAX_BEAM}|range|maximum|minimum"):
        client.predict("May 3rd, 1999", "dates", beam, api_name="/translate")
    output, *_ = client.predict("May 3rd, 1999", "dates", 1, api_name="/translate")  # still serving
    assert output
