"""The Classify tab's endpoints through gradio_client: one text, and a batch file."""

import csv
import re
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_classify_endpoints_are_listed(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/classify", "/classify_file"} <= set(endpoints)


@pytest.mark.parametrize(
    "model, text, expected",
    [
        ("sentiment", "The plot was superb and the actors brilliant.", "positive"),
        ("sentiment", "A dreadful film, boring from start to end.", "negative"),
        ("news", "The goalie let the puck in during the playoffs.", "rec.sport.hockey"),
        ("reuters", "Opec said oil output would fall by a million barrels.", "crude"),
    ],
)
def test_classify_returns_probabilities_and_word_importance(client, model, text, expected):
    label, words, notes, strongest = client.predict(text, model, api_name="/classify")
    assert label["label"] == expected
    probs = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-4) and probs[expected] > 0.5
    tokens = [(w["token"], w["class_or_confidence"]) for w in words]
    assert "".join(t for t, _ in tokens) == text
    assert {band for _, band in tokens} <= {None, "strongly for", "for", "against", "strongly against"}
    scores = [s for _, s in strongest["data"]]
    assert max(abs(s) for s in scores) == pytest.approx(1.0) and scores == sorted(scores, key=lambda s: -abs(s))
    top = strongest["data"][0][0]  # the strongest word is marked strongly, on the side its sign says
    assert ("strongly for" if strongest["data"][0][1] > 0 else "strongly against") in {b for t, b in tokens if t == top}
    assert isinstance(notes, str)  # plain text over the API, whether the page shows the box or not


def test_classify_file_returns_a_csv_of_predictions(client, tmp_path):
    upload = tmp_path / "reviews.csv"
    upload.write_text('id,text\n1,"superb, brilliant acting"\n2,awful and boring\n3,\n')
    result, preview, notes = client.predict(handle_file(str(upload)), "sentiment", api_name="/classify_file")
    rows = list(csv.reader(Path(result).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["text", "prediction", "p(negative)", "p(positive)"]
    assert [r[1] for r in rows[1:]] == ["positive", "negative"]
    assert "Classified 2 texts" in notes
    assert [r[1] for r in preview["data"]] == ["positive", "negative"]


@pytest.mark.parametrize(
    "text, model, error",
    [
        ("", "sentiment", "Type or paste"),
        ("\u4f60\u597d \U0001f600 42", "news", "Latin letters"),
        ("superb", "weather", "weather"),
    ],
)
def test_bad_text_gets_a_clear_error_and_the_server_keeps_serving(client, text, model, error):
    with pytest.raises(Exception, match=f"(?i){error}") as info:
        client.predict(text, model, api_name="/classify")
    assert "Traceback" not in str(info.value)
    assert client.predict("superb film", "sentiment", api_name="/classify")[0]["label"] == "positive"


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("table.csv", b"title,body\na,b\n", "'text' column"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "binary"),
        ("latin.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), "not UTF-8"),
        ("notes.pdf", b"%PDF-1.4", "csv or .txt|file type|Invalid file"),
    ],
)
def test_bad_files_get_clear_errors(client, tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(Exception, match=f"(?i){error}") as info:
        client.predict(handle_file(str(path)), "sentiment", api_name="/classify_file")
    assert not re.search(r"/(tmp|home|root|work)/|Traceback", str(info.value))  # no server paths


def test_a_huge_file_is_capped_with_a_message(client, tmp_path):
    path = tmp_path / "many.txt"
    path.write_text("superb brilliant film\n" * 10_500)
    result, _, notes = client.predict(handle_file(str(path)), "sentiment", api_name="/classify_file")
    assert "only the first 10,000 were classified" in notes
    assert len(Path(result).read_text(encoding="utf-8-sig").splitlines()) == 10_001


def test_a_long_text_is_cut_to_what_the_model_reads_and_says_so(client):
    label, words, notes, _ = client.predict("superb brilliant " * 5_800, "sentiment", api_name="/classify")  # 98,600
    assert label["label"] == "positive"
    assert "first 32 tokens" in notes
    assert len("".join(w["token"] for w in words)) < 3000
    with pytest.raises(AppError, match="Text takes at most 100,000 characters; got 1,054,000"):
        client.predict("superb brilliant " * 62_000, "sentiment", api_name="/classify")
