import json
import os

import pytest
import torch

from textlab.chat.model import load_chat_model, save_chat_model
from textlab.checkpoints import CheckpointError, load_checkpoint, save_checkpoint


def test_round_trip_keeps_tensors_config_and_extras(tmp_path):
    tensors = {"w": torch.randn(3, 4), "b": torch.arange(5.0)}
    save_checkpoint(tmp_path, "toy", tensors, {"size": 4}, vocab={"chars": "abc"}, metrics={"loss": 1.5})
    ckpt = load_checkpoint(tmp_path, "toy")
    for name in tensors:
        torch.testing.assert_close(ckpt.tensors[name], tensors[name])
    assert ckpt.config == {"size": 4}
    assert ckpt.extras == {"vocab": {"chars": "abc"}, "metrics": {"loss": 1.5}}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json",
        "manifest.json",
        "metrics.json",
        "model.safetensors",
        "vocab.json",
    ]


def test_missing_corrupt_and_foreign_checkpoints_are_reported(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_checkpoint(tmp_path, "toy")
    save_checkpoint(tmp_path, "toy", {"w": torch.ones(2)}, {})
    with pytest.raises(CheckpointError, match="expected 'chat'"):
        load_checkpoint(tmp_path, "chat")

    weights = tmp_path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="does not match its manifest"):
        load_checkpoint(tmp_path, "toy")

    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="unreadable"):
        load_checkpoint(tmp_path, "toy")


def test_half_written_checkpoint_is_caught(tmp_path):
    """New weights on disk but the old manifest: what a kill between the two writes leaves."""
    save_checkpoint(tmp_path, "toy", {"w": torch.ones(2)}, {})
    old_manifest = (tmp_path / "manifest.json").read_bytes()
    save_checkpoint(tmp_path, "toy", {"w": torch.zeros(2)}, {})
    (tmp_path / "manifest.json").write_bytes(old_manifest)
    with pytest.raises(CheckpointError, match="half-written"):
        load_checkpoint(tmp_path, "toy")


def test_chat_model_round_trip(tmp_path, tiny_chat):
    save_chat_model(tmp_path, tiny_chat)
    loaded = load_chat_model(tmp_path)
    assert loaded.vocab == tiny_chat.vocab and loaded.speakers == tiny_chat.speakers
    for name, tensor in tiny_chat.network.state_dict().items():
        torch.testing.assert_close(loaded.network.state_dict()[name], tensor)
    assert loaded.card["test"] == tiny_chat.card["test"]


def test_chat_checkpoint_that_does_not_fit_is_refused(tmp_path, tiny_chat):
    save_chat_model(tmp_path, tiny_chat)
    config = json.loads((tmp_path / "config.json").read_text())
    config["hidden_size"] += 1
    tensors = load_checkpoint(tmp_path, "chat").tensors
    save_checkpoint(tmp_path, "chat", tensors, config, vocab=json.loads((tmp_path / "vocab.json").read_text()))
    with pytest.raises(CheckpointError, match="does not fit"):
        load_chat_model(tmp_path)


WRITER = """
import sys, torch
from textlab.checkpoints import save_checkpoint
step = 0
while True:
    step += 1
    print(f"saving {step}", flush=True)
    save_checkpoint(sys.argv[1], "toy", {"w": torch.full((2_000_000,), float(step))}, {"step": step})
"""


def test_a_writer_killed_mid_save_never_leaves_a_checkpoint_that_loads_wrong(tmp_path):
    """SIGKILL a process while it rewrites a checkpoint: what is left is the previous save whole, or is refused
    (and the app retrains) - never weights that do not match their config."""
    import signal
    import subprocess
    import sys
    import time

    from .conftest import REPO

    interrupted = 0
    for delay in (0, 0.002, 0.005, 0.01, 0.02, 0.04):
        folder = tmp_path / f"kill-{delay}"
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        while proc.stdout.readline().strip() != "saving 3":  # saves 1 and 2 are complete; 3 has begun
            assert proc.poll() is None, "the writer died"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        try:
            ckpt = load_checkpoint(folder, "toy")
        except CheckpointError:
            interrupted += 1  # refused: save 3 was caught half done
            continue
        step = ckpt.config["step"]
        assert step in (2, 3, 4)
        assert torch.equal(ckpt.tensors["w"], torch.full((2_000_000,), float(step)))  # weights match their config
        interrupted += step == 2
    assert interrupted, "no kill landed during a save, so this test proved nothing"


def test_download_files_keep_their_name_and_old_ones_are_removed(monkeypatch):
    from textlab import files, settings

    first = files.download_file("predictions.csv", b"text,label\n")
    second = files.download_file("predictions.csv", b"other\n")
    assert first.name == second.name == "predictions.csv" and first != second
    assert first.read_bytes() == b"text,label\n" and second.read_bytes() == b"other\n"
    old = first.parent.stat().st_mtime - 2 * settings.file_max_age_s()
    os.utime(first.parent, (old, old))
    files.download_file("my-char-model.zip", b"zip")
    assert not first.exists() and second.exists()  # the hour-old one went, the fresh one stays
