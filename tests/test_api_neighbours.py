"""The Neighbours tab's endpoints through gradio_client."""

import pytest
from gradio_client import Client

from .conftest import TOPICS


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_neighbours_of_a_word(client):
    table = client.predict("Bazinga", 5, api_name="/neighbours")
    assert table["headers"] == ["word", "cosine similarity"]
    words = [row[0] for row in table["data"]]
    scores = [row[1] for row in table["data"]]
    assert len(words) == 5 and set(words) <= set(TOPICS["friends"]) | {"star_trek"}
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)


def test_analogy_similarity_and_odd_one_out(client):
    answers = client.predict("pizza", "burger", "electron", api_name="/analogy")
    assert {row[0] for row in answers["data"]} & set(TOPICS["physics"])
    assert client.predict("pizza", "cheese", api_name="/similarity") > client.predict(
        "pizza", "electron", api_name="/similarity"
    )
    assert client.predict("penny, sheldon, leonard, photon", api_name="/odd_one_out") == "photon"


def test_word_map_gives_points_for_the_word_and_its_neighbours(client):
    svg, points, notes = client.predict("sheldon", "pca", api_name="/word_map")
    assert points["headers"] == ["word", "x", "y", "group"]
    rows = {row[0]: row for row in points["data"]}
    assert rows["sheldon"][3] == "query" and rows["penny"][3] == "neighbour"
    assert len(rows) == 16  # the word and its 15 neighbours
    assert svg.startswith("<svg") and all(f">{word}</text>" in svg for word in rows)  # every point labelled
    sheldon, penny, electron = (rows[w][1:3] for w in ("sheldon", "penny", "electron"))
    assert abs(sheldon[0] - penny[0]) < abs(sheldon[0] - electron[0])  # same topic, same side of the map


@pytest.mark.parametrize(
    "args, api, error",
    [
        (("", 5), "/neighbours", "Type a word"),
        (("pizza electron", 5), "/neighbours", "one word"),
        (("quantm", 5), "/neighbours", "Close spellings: quantum"),
        (("../../etc/passwd", 5), "/neighbours", "one word|not in the vocabulary"),
        (("pizza", 500), "/neighbours", "How many neighbours takes a number from 1 to 50; got 500"),
        (("king", "queen", "zzz"), "/analogy", "not in the vocabulary"),
        (("pizza, cheese",), "/odd_one_out", "at least 3"),
        (("pizza", "cubism"), "/word_map", "cubism|method|choices|not in"),
    ],
)
def test_bad_queries_get_clear_errors_and_the_server_keeps_serving(client, args, api, error):
    with pytest.raises(Exception, match=f"(?i){error}") as info:
        client.predict(*args, api_name=api)
    assert "Traceback" not in str(info.value)
    assert client.predict("pizza", 3, api_name="/neighbours")["data"]


def test_the_shows_own_vectors_answer_beside_the_big_ones(client):
    big = client.predict("pizza", 5, api_name="/neighbours")
    show = client.predict("pizza", 5, api_name="/neighbours_show_vectors")
    assert len(show["data"]) == 5 and {row[0] for row in show["data"]} <= set(TOPICS["food"])
    assert [row[0] for row in big["data"]]  # the same word, asked of both
    assert client.predict("pizza", "cheese", "show-vectors", api_name="/similarity") > client.predict(
        "pizza", "electron", "show-vectors", api_name="/similarity"
    )


def test_word_map_of_a_list_groups_the_words(client):
    svg, points, notes = client.predict(
        "pizza, cheese, burger, electron, photon, neutrino", "pca", api_name="/word_map"
    )
    groups = [row[3] for row in points["data"]]
    assert len(set(groups[:3])) == len(set(groups[3:])) == 1 and groups[0] != groups[3]
    assert 'aria-label="legend"' in svg and ">group 1</text>" in svg
