"""Start-up without a usable checkpoint: the app serves at once, shows training progress, then chats."""

import shutil
import time

import pytest
from gradio_client import Client

from textlab.chat import load_chat_model
from textlab.config import ChatConfig

from .conftest import start_app


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_app_trains_a_model_in_the_background_when_the_checkpoint_is_unusable(
    damage, models_dir, corpus_dir, tmp_path
):
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
                reply = client.predict("Hey guys.", "Penny", "Sheldon", 0.7, 0, 0.95, 100, 1, api_name="/chat")
                break
            except Exception as e:  # not ready yet: the error says what is happening
                assert "Training a quick one" in str(e) or "Loading" in str(e), str(e)
                assert time.monotonic() < deadline, "the quick model never became ready"
                time.sleep(1)
        assert reply
    retrained = load_chat_model(models / "chat")  # saved, and it passes the checks a corrupt file failed
    assert retrained.card["config"]["train"]["time_budget_s"] == 3.0
    assert retrained.network.config.hidden_size == ChatConfig.quick().hidden_size
