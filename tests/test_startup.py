"""Start-up without a usable checkpoint: the app serves at once, shows training progress, then chats."""

import shutil
import time

import pytest
from gradio_client import Client

from textlab.chat.config import ChatConfig
from textlab.chat.model import load_chat_model

from .conftest import start_app


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_app_trains_a_model_in_the_background_when_the_checkpoint_is_unusable(damage, models_dir, corpus_dir, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(models_dir, models)  # the classifiers stay: this is about the chat model
    if damage == "missing":
        shutil.rmtree(models / "chat")
    else:
        weights = models / "chat" / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:-100])  # a truncated file, as a crash mid-write leaves
    with start_app(models, corpus_dir, tmp_path, extra_env={"TEXTLAB_TRAIN_BUDGET": "3"}) as url:
        client = Client(url, verbose=False)
        deadline = time.monotonic() + 120
        while True:
            try:
                reply, _ = client.predict("Hey guys.", "Penny", "Sheldon", 0.7, 0, 0.95, 100, 1, 4, api_name="/chat")
                break
            except Exception as e:  # not ready yet: the error says what is happening
                assert "Training a quick one" in str(e) or "Loading" in str(e), str(e)
                assert time.monotonic() < deadline, "the quick model never became ready"
                time.sleep(1)
        assert reply
    retrained = load_chat_model(models / "chat")  # saved, and it passes the checks a corrupt file failed
    assert retrained.card["config"]["train"]["time_budget_s"] == 3.0
    assert retrained.network.config.hidden_size == ChatConfig.quick().hidden_size


def test_share_without_a_link_says_why_and_keeps_serving(models_dir, corpus_dir, tmp_path):
    """`--share` (here `TEXTLAB_SHARE=1`): a public link is printed, or, offline as here, the reason there is none,
    and the app serves either way."""
    import urllib.request

    with start_app(models_dir, corpus_dir, tmp_path, extra_env={"TEXTLAB_SHARE": "1"}) as url:
        log = next(tmp_path.glob("app-*.log"))
        deadline = time.monotonic() + 90
        while "Public link: https://" not in log.read_text() and "No public link: " not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.5)
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200
    text = log.read_text()
    assert "Public link: https://" in text or f"Still serving at {url}" in text
    assert "Traceback" not in text


def test_no_share_link_reason_names_the_space_or_the_network(monkeypatch):
    from textlab.ui.server import no_share_link_reason

    monkeypatch.delenv("SPACE_ID", raising=False)
    assert "outbound internet" in no_share_link_reason()
    monkeypatch.setenv("SPACE_ID", "someone/textlab")
    assert "Hugging Face Space" in no_share_link_reason()
