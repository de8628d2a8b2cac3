"""The running app, through gradio_client, as another program would use it."""

import pytest
from gradio_client import Client

from .conftest import SHELDON

DEFAULTS = ("Penny", "Sheldon", 0.7, 0, 0.95, 300, 5)


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_chat_endpoint_is_listed(client):
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_chat_streams_a_reply_in_character(client):
    job = client.submit("Hey guys.", "Penny", "Sheldon", 0.0, 0, 1.0, 200, -1, api_name="/chat")
    partials = list(job)
    reply = job.result()
    assert partials and all(reply.startswith(p) for p in partials)  # updates are coalesced to 20 a second
    assert reply in SHELDON  # greedy decoding of the tiny model repeats a line Sheldon says in the test corpus


def test_same_seed_same_reply(client):
    first = client.predict("Hi Sheldon.", *DEFAULTS, api_name="/chat")
    assert first and client.predict("Hi Sheldon.", *DEFAULTS, api_name="/chat") == first


@pytest.mark.parametrize(
    "message, overrides, error",
    [
        ("", {}, "type a message"),
        ("   ", {}, "type a message"),
        ("\U0001f600\U0001f600 \u4f60\u597d", {}, "no characters the model knows"),
        ("hi", {"user": ""}, "needs a name"),
        ("hi", {"temperature": 50.0}, "temperature|maximum"),
        ("hi", {"top_p": -1.0}, "top_p|minimum"),
        ("hi", {"max_chars": 10**9}, "max_chars|maximum"),
    ],
)
def test_bad_input_gets_a_clear_error_and_the_server_keeps_serving(client, message, overrides, error):
    values = dict(zip(("user", "bot", "temperature", "top_k", "top_p", "max_chars", "seed"), DEFAULTS, strict=True))
    values.update(overrides)
    with pytest.raises(Exception, match=f"(?i){error}") as info:
        client.predict(message, *values.values(), api_name="/chat")
    assert "Traceback" not in str(info.value)
    assert client.predict("Hi Sheldon.", *DEFAULTS, api_name="/chat")


def test_long_and_odd_messages_still_get_replies(client):
    assert client.predict("Sheldon " * 1250, *DEFAULTS, api_name="/chat")  # 10,000 characters
    assert client.predict("Hi \x00\x07 Sheldon \U0001f600\u202e", *DEFAULTS, api_name="/chat")
