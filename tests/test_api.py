"""The running app, through gradio_client, as another program would use it."""

import math

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from textlab.chat.reply import FLUENCY_WEIGHT, parrots_turns
from textlab.data.dialogue import Utterance
from textlab.ui.chat_tab import PARROTS

from .conftest import SHELDON

DEFAULTS = ("Penny", "Sheldon", 0.7, 0, 0.95, 300, 5, 4)  # ..., seed, candidates


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_chat_endpoint_is_listed(client):
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_one_candidate_streams_the_model_s_own_reply(client):
    job = client.submit("Hey guys.", "Penny", "Sheldon", 0.0, 0, 1.0, 200, -1, 1, api_name="/chat")
    partials = [reply for reply, _ in job]
    reply, candidates = job.result()
    assert partials and all(reply.startswith(p) for p in partials)  # updates are coalesced to 20 a second
    assert reply in SHELDON  # greedy decoding of the tiny model repeats a line Sheldon says in the test corpus
    assert candidates["data"] == [["yes", reply, None, None, None]]


def test_the_reply_is_chosen_among_candidates_and_says_why(app_url):
    client = Client(app_url, verbose=False)  # a new conversation: the message is all it holds
    reply, candidates = client.predict("Knock knock, Penny.", *DEFAULTS[:-1], 6, api_name="/chat")
    assert candidates["headers"] == ["chosen", "candidate", "score", "listener score", "bits per character"]
    rows = candidates["data"]
    assert 2 <= len(rows) <= 6 and len({r[1] for r in rows}) == len(rows)  # 6 drawn, a repeat shown once
    assert rows[0][0] == "yes" and {r[0] for r in rows[1:]} <= {"", PARROTS} and rows[0][1] == reply
    scores = [r[2] for r in rows]
    fresh = [r[2] for r in rows if r[0] != PARROTS]  # a candidate that repeats the message is passed over
    assert all(isinstance(s, float) for s in scores) and scores[0] == max(fresh)  # the best score is sent
    assert all(r[0] != PARROTS or parrots_turns(r[1], [Utterance("", "Penny", "Knock knock, Penny.")]) for r in rows)
    assert all(r[4] > 0 for r in rows)
    # the score: the listener's + FLUENCY_WEIGHT x log-probability per character (bits per character x -ln 2)
    assert all(abs(r[2] - (r[3] - FLUENCY_WEIGHT * r[4] * math.log(2))) < 0.01 for r in rows)


def test_same_seed_same_reply(app_url):
    first, again = (Client(app_url, verbose=False).predict("Hi Sheldon.", *DEFAULTS, api_name="/chat") for _ in "ab")
    assert first[0] and again == first  # two new conversations: the same seed gives the same reply


@pytest.mark.parametrize(
    "message, overrides, error",
    [
        ("", {}, "type a message"),
        ("   ", {}, "type a message"),
        ("\U0001f600\U0001f600 \u4f60\u597d", {}, "no characters the model knows"),
        ("hi", {"user": ""}, "needs a name"),
        ("hi", {"temperature": 50.0}, "temperature|maximum"),
        ("hi", {"top_p": -1.0}, "Top-p takes a number from 0.05 to 1; got -1"),
        ("hi", {"max_chars": 10**9}, "Longest reply .* from 10 to 1000; got 1000000000"),
        ("hi", {"candidates": 0}, "candidates|minimum"),
        ("hi", {"candidates": 49}, "candidates|maximum"),
    ],
)
def test_bad_input_gets_a_clear_error_and_the_server_keeps_serving(client, message, overrides, error):
    names = ("user", "bot", "temperature", "top_k", "top_p", "max_chars", "seed", "candidates")
    values = dict(zip(names, DEFAULTS, strict=True))
    values.update(overrides)
    with pytest.raises(Exception, match=f"(?i){error}") as info:
        client.predict(message, *values.values(), api_name="/chat")
    assert "Traceback" not in str(info.value)
    assert client.predict("Hi Sheldon.", *DEFAULTS, api_name="/chat")


def test_long_and_odd_messages_still_get_replies(client):
    assert client.predict("Sheldon " * 250, *DEFAULTS, api_name="/chat")  # 2,000 characters: the most a message takes
    with pytest.raises(AppError, match="Message takes at most 2,000 characters; got 2,008"):
        client.predict("Sheldon " * 251, *DEFAULTS, api_name="/chat")
    assert client.predict("Hi \x00\x07 Sheldon \U0001f600\u202e", *DEFAULTS, api_name="/chat")
