"""Devices and torchrun: a clear error for a device the machine lacks, and two gloo processes that train exactly as
one process on the same global batch, with rank 0 alone writing."""

import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from textlab import cli
from textlab.chat.model import load_chat_model, save_chat_model
from textlab.devices import World, own_rows, own_share, resolve_device

from .conftest import REPO

TINY = [
    "--max-epochs", "1", "--hidden-size", "32", "--embed-dim", "16", "--batch-size", "16", "--seq-len", "32",
    "--n-valid-episodes", "2", "--n-test-episodes", "2", "--dropout", "0",
]  # fmt: skip


def train_chat(corpus, out, processes: int) -> subprocess.CompletedProcess:
    """`train chat` on `corpus`, alone or under torchrun with `processes` gloo processes (one thread each)."""
    launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] if processes > 1 else []
    command = [sys.executable, *launcher, "-m", "textlab", "train", "chat", "--corpus", str(corpus), "--out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(command + TINY, env=env, capture_output=True, text=True, timeout=240, check=True)


def test_two_processes_train_as_one_on_the_same_global_batch(corpus_dir, tmp_path):
    one = train_chat(corpus_dir, tmp_path / "one", 1)
    two = train_chat(corpus_dir, tmp_path / "two", 2)
    weights = [load_file(tmp_path / name / "model.safetensors") for name in ("one", "two")]
    assert weights[0].keys() == weights[1].keys()
    for name, tensor in weights[0].items():
        torch.testing.assert_close(weights[1][name], tensor, atol=1e-5, rtol=1e-4, msg=name)
    summaries = [json.loads(run.stdout.strip().splitlines()[-1]) for run in (one, two)]
    assert summaries[1]["valid"]["bits_per_char"] == pytest.approx(summaries[0]["valid"]["bits_per_char"], abs=1e-4)
    card = json.loads((tmp_path / "two" / "card.json").read_text())
    assert card["history"]["processes"] == 2 and card["history"]["device"] == "cpu"
    assert two.stderr.count("saved ") == 1 and len(two.stdout.strip().splitlines()) == 1  # rank 0 alone writes


def test_each_process_reads_its_own_rows(monkeypatch):
    rows = torch.arange(24).reshape(8, 3)
    monkeypatch.setattr("textlab.devices.world", lambda: World(rank=1, size=2))
    assert own_rows(rows).tolist() == rows[4:].tolist()
    monkeypatch.setattr("textlab.devices.world", lambda: World(rank=0, size=3))
    with pytest.raises(ValueError, match="--batch-size 8 does not split evenly over 3 processes"):
        own_rows(rows)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_device_the_machine_lacks_is_an_error_naming_what_it_has(capsys, corpus_dir, tmp_path, monkeypatch):
    assert resolve_device("auto") == torch.device("cpu") and resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="no CUDA device .* use --device cpu, or auto"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="one of auto, cpu, cuda, mps; got 'tpu'"):
        resolve_device("tpu")
    status = cli.main(["train", "chat", "--corpus", str(corpus_dir), "--out", str(tmp_path), "--device", "cuda", *TINY])
    assert status == 2 and "no CUDA device" in capsys.readouterr().err
    transcript = next(corpus_dir.glob("*.txt"))
    assert cli.main(["eval", "chat", "--text", str(transcript), "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err
    monkeypatch.setenv("TEXTLAB_DEVICE", "cuda")  # the environment's default, when no --device is given
    assert cli.main(["train", "chat", "--corpus", str(corpus_dir), "--out", str(tmp_path), *TINY]) == 2
    assert "no CUDA device" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()


def run_worker(task: str, out, processes: int) -> dict:
    """`tests.ddp_worker` alone or under torchrun with `processes` gloo processes (one thread each); rank 0's line."""
    launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] if processes > 1 else []
    command = [sys.executable, *launcher, "-m", "tests.ddp_worker", task, str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[0])


@pytest.mark.parametrize("task", ["sentiment", "dates"])
def test_classifiers_and_translators_train_as_one_process_under_torchrun(task, tmp_path):
    """Each process steps on its half of every batch; DDP's averaged gradient is the whole batch's."""
    one, two = run_worker(task, tmp_path / "one", 1), run_worker(task, tmp_path / "two", 2)
    assert (one["processes"], two["processes"]) == (1, 2) and two["device"] == "cpu"
    weights = [load_file(tmp_path / name / "model.safetensors") for name in ("one", "two")]
    assert weights[0].keys() == weights[1].keys()
    for name, tensor in weights[0].items():
        torch.testing.assert_close(weights[1][name], tensor, atol=1e-5, rtol=1e-4, msg=name)
    assert two["valid"] == pytest.approx(one["valid"], abs=1e-4)
    assert len(list((tmp_path / "two").iterdir())) == len(list((tmp_path / "one").iterdir()))


def test_each_process_steps_on_its_share_of_a_batch(monkeypatch):
    monkeypatch.setattr("textlab.devices.world", lambda: World(rank=1, size=2))
    assert own_share([5, 6, 7, 8, 9]) == [6, 8]
    monkeypatch.setattr("textlab.devices.world", lambda: World(rank=2, size=3))
    assert own_share([5, 6]) == [5]  # fewer examples than processes: every process still steps


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_every_model_that_runs_on_a_device_says_so_before_reading_any_data(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path / "empty-cache"))  # nothing to read: it must not get that far
    for command in (["train", "sentiment"], ["train", "translate", "--task", "dates"], ["train", "listener"]):
        assert cli.main([*command, "--out", str(tmp_path), "--device", "cuda"]) == 2
        assert "no CUDA device" in capsys.readouterr().err
    assert cli.main(["serve", "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_models_that_train_in_one_process_say_why_under_torchrun(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("WORLD_SIZE", "2")  # as torchrun sets it
    monkeypatch.setenv("RANK", "0")
    assert cli.main(["train", "listener", "--out", str(tmp_path)]) == 2
    assert "listener trains in one process, not under torchrun: its negatives" in capsys.readouterr().err
    assert cli.main(["train", "neighbours", "--out", str(tmp_path)]) == 2
    assert "gensim trains on its own worker threads" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_model_trained_on_cuda_loads_on_the_cpu_with_the_same_tensors(tiny_chat, tmp_path):
    tiny_chat.network.to("cuda")
    expected = {k: v.cpu() for k, v in tiny_chat.network.state_dict().items()}
    save_chat_model(tmp_path / "chat", tiny_chat)
    loaded = load_chat_model(tmp_path / "chat")
    tiny_chat.network.cpu()
    for name, tensor in loaded.network.state_dict().items():
        assert tensor.device.type == "cpu" and torch.equal(tensor, expected[name])
