"""The Lab's endpoints through gradio_client."""

import json
import zipfile

import pytest
from gradio_client import Client, handle_file

from textlab.checkpoints import load_checkpoint
from textlab.inspect import read_text, trace
from textlab.lab.own_model import KIND
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.text.chars import CharVocab


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def curves(plot: dict) -> list[dict]:
    """The points of a Lab chart (a Vega-Lite spec): x, value, run, line."""
    assert plot["type"] == "altair"
    return json.loads(plot["plot"])["data"]["values"]


TEXT = "Sheldon: Bazinga!\nPenny: Sheldon, Penny is here.\nLeonard: Hi Penny.\n"


def test_preprocessing_tools(client):
    table, notes = client.predict(TEXT, None, api_name="/lab_vocabulary")
    words = [row[1] for row in table["data"]]
    assert words[:2] == ["<PAD/>", "<UKN/>"] and words[2:] == sorted(words[2:]) and "penny" in words
    assert "index 0 is padding" in notes
    encoded = client.predict(TEXT, None, "Penny likes Sheldon", api_name="/lab_encode")
    assert encoded.splitlines()[1] == "penny <UKN/> sheldon"
    windows, note = client.predict(TEXT, None, 10, 2, api_name="/lab_windows")
    assert windows["data"][0] == ["Sheldon: B", "a"] and "pairs" in note
    padded = client.predict(TEXT, None, "", 5, "pre", "post", api_name="/lab_pad")
    assert len(padded["data"]) == 3 and all(len(row) == 5 for row in padded["data"])
    pieces, note = client.predict(TEXT * 5, None, api_name="/lab_subwords")
    assert pieces["data"] and "SentencePiece" in note


def test_chinese_text_is_segmented(client):
    table, notes = client.predict("我爱自然语言处理。循环神经网络很有趣。", None, api_name="/lab_vocabulary")
    assert "jieba" in notes and "神经网络" in [row[1] for row in table["data"]]


def test_summary_reproduces_the_seed(client):
    table, text = client.predict(
        "GRU", 1, 128, "embedding", 80002, 300, 1, None, False, 0, 0, False, api_name="/lab_summary"
    )
    assert sum(row[2] for row in table["data"]) == 24_165_465  # numbers, shown with separators on the page
    assert table["metadata"]["display_value"][0][2] == "24,000,600"
    assert "Total params: 24,165,465" in text and "PyTorch" in text


@pytest.mark.parametrize(("units", "layers", "message"), [(0, 1, "Units must be"), (128, 100, "Layers must be")])
def test_summary_refuses_impossible_models(client, units, layers, message):
    with pytest.raises(Exception, match=message):
        client.predict("LSTM", layers, units, "features", 10, 300, 1, None, False, 0, 0, False, api_name="/lab_summary")


def test_an_experiment_streams_curves_of_the_right_shape(client):
    job = client.submit("cells-adding", 8, 1, 1, api_name="/lab_experiment")
    updates = list(job)
    status, loss, accuracy, results = job.result()
    assert "Done" in status and len(updates) >= 3
    rows = [row[0] for row in results["data"]]
    assert rows == ["SimpleRNN", "LSTM", "GRU"]
    lines = {(row["run"], row["line"]) for row in curves(loss)}
    assert lines == {(cell, line) for cell in rows for line in ("training", "validation")}
    assert all(row["x"] == 1 for row in curves(loss))  # one epoch each
    assert {(row["run"], row["line"]) for row in curves(accuracy)} == lines
    assert all(0 <= row["value"] <= 1 for row in curves(accuracy))


def test_vanishing_gradients(client):
    status, plot, results = client.predict(8, api_name="/lab_vanishing")  # small cells: the shape, not the lesson
    by_curve = {}
    for row in curves(plot):
        by_curve.setdefault((row["run"], row["line"]), []).append((row["x"], row["value"]))
    assert set(by_curve) == {(cell, line) for cell in ("SimpleRNN", "LSTM", "GRU") for line in ("fresh", "trained")}
    assert all([x for x, _ in v] == list(range(1, 31)) for v in by_curve.values())
    assert all(v[-1][1] > v[0][1] + 3 for (_, line), v in by_curve.items() if line == "fresh")  # vanishing
    assert status.startswith("**Done.** The gradient reaching step 1") and len(results["data"]) == 3


def test_train_your_own_then_generate(client, tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("the cat sat on the mat. the dog sat on the log. " * 40, encoding="utf-8")
    status, plot, sample, checkpoint = client.predict(handle_file(str(path)), 5, api_name="/lab_train_own")
    assert "Done" in status and sample and checkpoint.endswith(".zip")
    train = [row["value"] for row in curves(plot) if row["line"] == "training"]
    assert len(train) >= 2 and train[-1] < train[0]
    text = client.predict("the ", 40, 0.5, api_name="/lab_generate")
    assert text.startswith("the ") and len(text) == 44
    # Look inside reads the model this session trained: the same figure as the downloaded checkpoint gives
    mine, _, strip = client.predict("the dog sat", "yours", api_name="/inspect_surprisal")
    with zipfile.ZipFile(checkpoint) as zf:
        zf.extractall(tmp_path / "own")
    ckpt = load_checkpoint(tmp_path / "own" / "my-char-model", KIND)
    network = CharLM(CharLMConfig(**ckpt.config))
    network.load_state_dict(ckpt.tensors)
    vocab = CharVocab(tuple(ckpt.extras["vocab"]["chars"]))
    assert abs(mine - trace(network, read_text("the dog sat", vocab)).bits_per_char) < 1e-3
    assert strip.count('data-tip="') == len("the dog sat")
    chats, _, _ = client.predict("the dog sat", "chat", api_name="/inspect_surprisal")
    assert abs(chats - mine) > 1e-3
    with pytest.raises(Exception, match="no model of yours yet"):  # another session has trained none
        Client(client.src, verbose=False).predict("the dog sat", "yours", api_name="/inspect_surprisal")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02 binary" * 100, "binary"),
        (b"short", "at least 500"),
    ],
)
def test_train_your_own_refuses_bad_files(client, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(str(path)), 5, api_name="/lab_train_own")


def test_generate_before_training_says_what_to_do(app_url):
    with pytest.raises(Exception, match="Train a model first"):
        Client(app_url, verbose=False).predict("the ", 40, 0.5, api_name="/lab_generate")


def test_an_upload_over_the_size_limit_is_refused(client, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"the cat sat on the mat. " * (11 * 1024 * 1024 // 24 + 1))  # over the app's 10 MB
    with pytest.raises(Exception, match=r"(?i)size|large|limit|413"):
        client.predict(handle_file(str(path)), 5, api_name="/lab_train_own")
    table, _ = client.predict("still serving", None, api_name="/lab_vocabulary")
    assert [row[1] for row in table["data"]][2:] == ["serving", "still"]


def test_the_gradient_experiment_records_a_norm_per_step(client):
    status, loss, norms, results = client.predict("gradients-adam", 8, 1, 1, api_name="/lab_experiment")
    assert "Done" in status
    assert [row[0] for row in results["data"]] == [
        "ADAM, no clipping",
        "ADAM, clip by value 3.0",
        "ADAM, clip by norm 1.0",
    ]
    per_run = {}
    for row in curves(norms):
        per_run.setdefault(row["run"], []).append(row["x"])
        assert row["value"] >= 0
    assert len(per_run) == 3 and all(steps == list(range(1, len(steps) + 1)) for steps in per_run.values())
