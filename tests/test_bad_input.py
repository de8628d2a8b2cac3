"""Bad input at every endpoint, table-driven: each is answered with a clear message (or a flagged answer), never a
traceback or a server path, and the server answers correctly afterwards."""

import http.client
import json
import re
import urllib.error
import urllib.request

import pytest
from gradio_client import Client, handle_file

CHAT = ("Penny", "Sheldon", 0.7, 0, 0.95, 100, 5, 4)  # ..., seed, candidates
HUGE = "word " * 200_000  # a megabyte
PATHLIKE = "../../etc/passwd"
LINES = "Penny knocks.\nSheldon answers the door, twice.\n"
SUMMARY = ("LSTM", 1, 128, "features", 10, 300, 1, 0, False, 0, 0, False)


def summary(**changes):
    names = (
        "cell",
        "layers",
        "units",
        "input",
        "features",
        "embed",
        "head",
        "timesteps",
        "bidirectional",
        "dropout",
        "recurrent_dropout",
        "reset_after",
    )
    values = dict(zip(names, SUMMARY, strict=True))
    values.update(changes)
    return tuple(values.values())


# (endpoint, arguments, what the answer must say: a regex for an error, or None for an answer)
CASES = [
    ("/chat", ("", *CHAT), "type a message"),
    ("/chat", ("\u4f60\u597d \U0001f600", *CHAT), "no characters the model knows"),
    ("/chat", ("hi", "", *CHAT[1:]), "needs a name"),
    ("/chat", ("hi", *CHAT[:2], -3.0, *CHAT[3:]), "temperature|minimum|takes a number from"),
    ("/chat", ("hi", *CHAT[:5], 0, *CHAT[6:]), "max_chars|minimum|takes a number from"),
    ("/chat", (PATHLIKE, *CHAT), None),
    ("/chat", ("a\x00b\x1b[31m", *CHAT), None),
    ("/classify", ("", "sentiment"), "empty|type|text"),
    ("/classify", ("\x00\x01\x02", "sentiment"), "no (readable )?words|type|text"),
    ("/classify", ("\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d", "news"), "no English words"),
    ("/classify", (HUGE, "sentiment"), "Text takes at most 100,000 characters; got 1,000,000"),
    ("/classify", ("fine " * 20_000, "sentiment"), None),  # 100,000 characters: the most it takes
    ("/classify", ("great film", "klingon"), "not in the list of choices"),
    ("/classify", (PATHLIKE, "reuters"), None),
    ("/neighbours", ("", 10), "type|word|empty"),
    ("/neighbours", ("penny", 0), "takes a number from 1 to 50; got 0"),
    ("/neighbours", ("penny", 10_000), "takes a number from 1 to 50; got 10000"),
    ("/neighbours", ("penny leonard sheldon", 5), "one word|several|single"),
    ("/neighbours", (PATHLIKE, 5), "not in the vocabulary|unknown|no word|one word"),
    ("/neighbours", ("\U0001f600", 5), "not in the vocabulary|unknown|no word|letters|word"),
    ("/analogy", ("", "", ""), "type|word|empty"),
    ("/analogy", ("penny", "zzzzqqq", "sheldon"), "not in the vocabulary|unknown"),
    ("/similarity", ("penny", ""), "type|word|empty"),
    ("/odd_one_out", ("penny",), "at least|three|more words"),
    ("/odd_one_out", (", , ,",), "at least|three|more words|type|word"),
    ("/word_map", ("", "pca"), "type|word|empty"),
    ("/word_map", ("penny", "umap"), "not in the list of choices"),
    ("/translate", ("", "dates", 3), "Type something"),
    ("/translate", ("banana", "dates", 3), "does not look like a date"),
    ("/translate", (HUGE, "en-es", 3), "Input takes at most 300 characters"),
    ("/translate", ("May 3 1999", "dates", 0), "beam|minimum|takes a number from"),
    ("/translate", ("May 3 1999", "dates", 500), "beam|maximum"),
    ("/translate", ("May 3 1999", "klingon", 3), "not in the list of choices"),
    ("/translate", (PATHLIKE, "en-es", 3), None),
    ("/translate", ("\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439 3 1999", "dates", 3), None),
    ("/lab_vocabulary", ("", None), "Paste or upload"),
    ("/lab_vocabulary", ("!!! ??? ...", None), "no words"),
    ("/lab_windows", ("short", None, 10, 2), "needs more than the window"),
    ("/lab_windows", ("long enough text here", None, 0, 2), "from 1 to 200|minimum|takes a number from"),
    ("/lab_encode", ("penny", None, ""), "Paste or upload some sentence"),
    ("/lab_summary", summary(units=0), "Units must be"),
    ("/lab_summary", summary(layers=100), "Layers must be"),
    ("/lab_summary", summary(cell="Transformer"), "not in the list of choices"),
    ("/lab_summary", summary(features=-5), "input size"),
    ("/lab_summary", summary(input="embedding", features=10**9), "input size"),
    ("/lab_experiment", ("rm -rf /", 8, 1, 1), "not in the list of choices|Unknown experiment"),
    ("/lab_generate", ("the", 40, 0.5), "Train a model first"),
    ("/lab_vanishing", (0,), "Units must be|minimum|takes a number from"),
    ("/lab_pad", ("", None, "", 5, "pre", "post"), "Paste or upload"),
    ("/lab_pad", (LINES, None, "", -1, "pre", "post"), "maxlen must be from 0|minimum|takes a number from"),
    ("/lab_pad", (LINES, None, "", 5, "middle", "post"), "not in the list of choices"),
    ("/lab_subwords", ("", None), "Paste or upload"),
    ("/lab_subwords", ("a a a", None), "more varied text"),
    # wrong types: text where a number belongs, a number or a list where text belongs
    ("/neighbours", ("penny", "ten"), "takes a number; got 'ten'"),
    ("/translate", ("May 3 1999", "dates", "three"), "Beam width.* takes a number; got 'three'"),
    ("/chat", ("hi", *CHAT[:2], "hot", *CHAT[3:]), "Temperature.* takes a number; got 'hot'"),
    ("/lab_summary", summary(units="many"), "takes a number; got 'many'"),
    ("/lab_windows", (LINES, None, 10.5, 2), None),  # read as a window of 10,
    ("/classify", (["a", "list"], "sentiment"), r"takes text; got \['a', 'list'\]"),
    ("/translate", (1999, "dates", 3), "takes text; got 1999"),
    # no value, NaN, infinity, text over its limit, text that is not Unicode
    ("/chat", (None, *CHAT), "needs a value"),
    ("/chat", ("x" * 2_001, *CHAT), "at most 2,000 characters; got 2,001"),
    ("/chat", ("Sheldon! " * 222, *CHAT), None),  # 1,998 characters: taken
    ("/chat", ("hi", *CHAT[:7], 0), "candidates|minimum|takes a number from"),
    ("/chat", ("hi", *CHAT[:2], None, *CHAT[3:]), "needs a value"),
    ("/classify", (None, "sentiment"), "needs a value"),
    ("/neighbours", ("w" * 1_001, 5), "at most 1,000 characters"),
    ("/neighbours", ("penny", None), "needs a value"),
    ("/analogy", ("penny", None, "sheldon"), "needs a value"),
    ("/similarity", ("penny", "w" * 5_000), "at most 1,000 characters"),
    ("/odd_one_out", ("a, " * 600,), "at most 1,000 characters"),
    ("/word_map", (None, "pca"), "needs a value"),
    ("/translate", (None, "dates", 3), "needs a value"),
    ("/lab_windows", (LINES, None, 10, None), "needs a value"),
    ("/lab_generate", ("w" * 2_001, 40, 0.5), "at most 2,000 characters"),
    ("/lab_vocabulary", ("w " * 100_001, None), "at most 200,000 characters"),
    ("/lab_encode", ("penny", None, None), "needs a value"),
    ("/lab_subwords", ("penny " * 20_000 + "\nsheldon\n", None), None),  # a line of 120,000 characters
]
# The same, sent as raw JSON the way any HTTP client may send it: NaN, Infinity and lone surrogates, which
# gradio_client refuses to encode.
RAW_CASES = [
    ("/chat", ("hi", *CHAT[:2], float("nan"), *CHAT[3:]), "Temperature.* takes a finite number"),
    ("/chat", ("hi", *CHAT[:6], float("inf"), CHAT[7]), "Seed.* takes a finite number"),
    ("/chat", ("hi", *CHAT[:7], float("nan")), "Candidates.* takes a finite number"),
    ("/chat", ("\ud800 hi", *CHAT), "not valid Unicode"),
    ("/classify", ("bad \udfff film", "sentiment"), "not valid Unicode"),
    ("/neighbours", ("penny", float("nan")), "finite number"),
    ("/neighbours", ("\ud800", 5), "not valid Unicode"),
    ("/translate", ("May 3 1999", "dates", float("nan")), "Beam width.* takes a finite number"),
    ("/translate", ("May 3 1999", "dates", float("-inf")), "finite number"),
    ("/translate", ("God said \ud800", "en-es", 3), "not valid Unicode"),
    ("/lab_windows", (LINES, None, float("nan"), 2), "finite number"),
    ("/lab_pad", (LINES, None, "", float("nan"), "pre", "post"), "finite number"),
    ("/lab_experiment", ("cells-adding", float("nan"), 1, 1), "finite number"),
    ("/lab_experiment", ("cells-adding", 8, 1, float("inf")), "finite number"),
    ("/lab_vanishing", (float("nan"),), "finite number"),
    ("/lab_generate", ("the", float("nan"), 0.5), "finite number"),
    ("/lab_summary", summary(layers=float("nan")), "finite number"),
    ("/lab_summary", summary(features=float("inf")), "finite number"),
    ("/lab_subwords", ("\ud800 text", None), "not valid Unicode"),
    ("/lab_summary", ("LSTM",), "takes 12 inputs .*got 1"),  # too few inputs
    ("/lab_windows", ("some text here, long enough", None), "takes 4 inputs .*got 2"),
    ("/classify", (), "takes 2 inputs .*got 0"),
]
SERVER_PATHS = re.compile(r"/(tmp|work|home|root|usr)/|site-packages|\.py\b|Traceback")


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_there_are_at_least_100_cases_over_every_tab():
    assert len(CASES) + len(RAW_CASES) >= 100
    assert {"/chat", "/classify", "/neighbours", "/translate", "/lab_summary"} <= {c[0] for c in CASES}


def raw_call(app_url: str, endpoint: str, args: tuple) -> tuple[str, str]:
    """POST the arguments as raw JSON (NaN and Infinity as JavaScript writes them, surrogates as escapes) to
    Gradio's two-step HTTP API; the event type of the answer ("complete" or "error") and its data."""
    body = json.dumps({"data": list(args)}, allow_nan=True).encode()
    request = urllib.request.Request(
        f"{app_url}gradio_api/call{endpoint}", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call{endpoint}/{event_id}", timeout=60) as response:
        events = re.findall(r"event: (\w+)\ndata: (.*)", response.read().decode())
    return events[-1]


def test_an_unknown_endpoint_is_a_404_that_says_where_the_list_is(app_url):
    request = urllib.request.Request(
        f"{app_url}gradio_api/call/format_disk",
        data=b'{"data": []}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404 and "/gradio_api/info" in refused.value.read().decode()


def test_a_long_line_is_read_whole_by_the_subword_explorer(client):
    """SentencePiece skips a sentence over 64 KB: a long line used to leave its words unknown."""
    rows, _ = client.predict("penny sheldon " * 10_000 + "\nleonard\n", None, api_name="/lab_subwords")
    pieces = {word: pieces for word, pieces in rows["data"]}
    assert "<unk>" not in pieces["penny"] and "<unk>" not in pieces["sheldon"]


@pytest.mark.parametrize(("endpoint", "args", "expected"), RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_raw_json_that_no_client_library_would_send_is_answered_clearly(app_url, endpoint, args, expected):
    kind, data = raw_call(app_url, endpoint, args)
    assert kind == "error" and data != "null", (kind, data)  # never a bare "Error"
    assert re.search(expected, data, re.I), data
    assert not SERVER_PATHS.search(data), data


@pytest.mark.parametrize(("endpoint", "args", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_input_is_answered_clearly(client, endpoint, args, expected):
    if expected is None:  # an answer, flagged where the input was odd, with nothing of the server in it
        answer = client.predict(*args, api_name=endpoint)
        assert answer is not None and not SERVER_PATHS.search(str(answer)), str(answer)[:300]
        return
    with pytest.raises(Exception) as info:
        client.predict(*args, api_name=endpoint)
    message = str(info.value)
    assert re.search(expected, message, re.I), message
    assert not SERVER_PATHS.search(message), message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02\x03 binary" * 50, "binary|not UTF-8"),
        (b"\xff\xfe\xfa invalid utf-8 \xc3\x28" * 20, "UTF-8"),
        (b"", "empty|header row"),
        (b'text\n"an unbalanced quote, never closed\nsecond line\n', "quote left open"),
        (b"title,body\nnice,film\n", "'text' column"),
    ],
)
def test_bad_uploads_are_answered_clearly(client, tmp_path, content, expected):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(Exception) as info:
        client.predict(handle_file(str(path)), "sentiment", api_name="/classify_file")
    assert re.search(expected, str(info.value), re.I) and not SERVER_PATHS.search(str(info.value))


def test_the_server_is_alive_and_correct_afterwards(client):
    # the tiny test models learnt planted words: these answers are certain when the server is sound
    label, *_ = client.predict("A wonderful film, superb and delightful.", "sentiment", api_name="/classify")
    assert label["label"] == "positive"
    label, *_ = client.predict("An awful film, dreadful and boring.", "sentiment", api_name="/classify")
    assert label["label"] == "negative"
    output, *_ = client.predict("May 3rd, 1999", "dates", 1, api_name="/translate")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", output)
    table = client.predict("penny", 3, api_name="/neighbours")
    assert len(table["data"]) == 3


def declared_body(app_url: str, route: str, size: int) -> tuple[int, str]:
    """POST headers declaring a body of `size` bytes, send none of it, and read the server's answer."""
    host, port = app_url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", route)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_an_oversized_upload_is_refused_by_the_client_and_by_the_server(client, app_url, tmp_path):
    big = b"text\n" + b"a fine film\n" * 1_000_000  # 12 MB; the app takes at most 10
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    with pytest.raises(Exception, match="exceeds the maximum file size"):  # gradio_client checks before sending
        client.predict(handle_file(str(path)), "sentiment", api_name="/classify_file")
    for route, size in (("/gradio_api/upload", len(big)), ("/gradio_api/call/classify", 3 * 2**20)):
        # a client that does not check is refused all the same, from its headers, before it sends the body
        status, message = declared_body(app_url, route, size)
        assert status == 413 and "larger than" in message
    label, *_ = client.predict("A wonderful film, superb and delightful.", "sentiment", api_name="/classify")
    assert label["label"] == "positive"
    label, *_ = client.predict("An awful film, dreadful and boring.", "sentiment", api_name="/classify")
    assert label["label"] == "negative"
    output, *_ = client.predict("May 3rd, 1999", "dates", 1, api_name="/translate")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", output)
    table = client.predict("penny", 3, api_name="/neighbours")
    assert len(table["data"]) == 3
