import importlib
import json
import signal
import subprocess
import sys
import time
import types

import pytest
import torch

from textlab import cli
from textlab.chat.model import load_chat_model
from textlab.cli import main

from .conftest import REPO


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "textlab", *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=300
    )


def test_eval_chat_prints_bits_per_char_as_json_last(models_dir, corpus_dir, capsys):
    transcript = corpus_dir / "1_3.txt"
    assert main(["eval", "chat", "--text", str(transcript), "--model", str(models_dir / "chat")]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["speaker"] == "Sheldon" and result["chars"] > 100 and 0 < result["bits_per_char"] < 2
    assert (
        main(["eval", "chat", "--text", str(transcript), "--model", str(models_dir / "chat"), "--speaker", "Leonard"])
        == 0
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["speaker"] == "Leonard"
    argv = ["eval", "chat", "--text", str(transcript), "--model", str(models_dir / "chat"), "--device", "auto"]
    assert main(argv) == 0  # the best device here (the CPU on a machine without a GPU) gives the same figures
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["bits_per_char"] == pytest.approx(
        result["bits_per_char"], abs=1e-4
    )


def test_eval_errors_are_one_clear_line(models_dir, tmp_path, capsys):
    assert main(["eval", "chat", "--text", str(tmp_path / "missing.txt"), "--model", str(models_dir / "chat")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    assert main(["eval", "chat", "--text", str(tmp_path), "--model", str(tmp_path / "none")]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_train_chat_writes_a_loadable_checkpoint(corpus_dir, tmp_path, capsys):
    out = tmp_path / "chat"
    args = [
        "train",
        "chat",
        "--quick",
        "--corpus",
        str(corpus_dir),
        "--out",
        str(out),
        "--threads",
        "1",
        "--hidden-size",
        "24",
        "--max-epochs",
        "1",
        "--batch-size",
        "8",
    ]
    assert main(args) == 0
    chat = load_chat_model(out)
    assert chat.network.config.hidden_size == 24 and chat.card["config"]["batch_size"] == 8
    assert chat.card["history"]["stopped"] == "reached 1 epochs"
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test"]["chars"] > 0


def test_cli_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("train", "eval", "serve"):
        assert command in result.stdout


def test_train_can_continue_from_a_checkpoint(corpus_dir, tmp_path, capsys):
    base = [
        "train",
        "chat",
        "--quick",
        "--corpus",
        str(corpus_dir),
        "--threads",
        "1",
        "--hidden-size",
        "24",
        "--max-epochs",
        "1",
        "--batch-size",
        "8",
    ]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    first = load_chat_model(tmp_path / "a")
    assert main([*base, "--out", str(tmp_path / "b"), "--init-from", str(tmp_path / "a"), "--lr", "1e-3"]) == 0
    second = load_chat_model(tmp_path / "b")
    assert second.card["earlier_runs"] == [first.card["history"]]
    assert second.card["config"]["train"]["lr"] == 1e-3
    capsys.readouterr()
    other_size = [*base, "--hidden-size", "32", "--out", str(tmp_path / "c"), "--init-from", str(tmp_path / "a")]
    assert main(other_size) == 2
    assert "cannot continue from a model" in capsys.readouterr().err


def test_ctrl_c_stops_training_and_saves_the_best_so_far(corpus_dir, tmp_path):
    out = tmp_path / "chat"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "textlab",
            "train",
            "chat",
            "--corpus",
            str(corpus_dir),
            "--out",
            str(out),
            "--hidden-size",
            "32",
            "--layers",
            "1",
            "--max-epochs",
            "1000",
            "--threads",
            "1",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # past start-up, into the first epochs
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-2000:]
    assert "stopping: validating the weights so far" in stderr
    assert json.loads(stdout.strip().splitlines()[-1])["stopped"] == "stopped on request"
    assert load_chat_model(out).card["history"]["stopped"] == "stopped on request"


def test_bench_without_a_task_runs_every_benchmark_and_quick_writes_its_own_report(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "run_bench", lambda task, argv: calls.append((task, argv)) or (task == "lab"))
    assert cli.main(["bench", "--quick"]) == 1  # "lab" failed: reported, the others still ran
    assert [task for task, _ in calls] == list(cli.BENCHES)
    for task, argv in calls:
        quick = importlib.import_module(f"bench.{task}").QUICK  # each benchmark says what its quick run is
        assert argv[: len(quick)] == quick
        assert argv[-2] == "--out" and argv[-1].endswith(cli.QUICK_REPORT)
    calls.clear()
    monkeypatch.setattr(cli, "run_bench", lambda task, argv: calls.append((task, argv)) or 0)
    assert cli.main(["bench", "translate", "--repeats", "2"]) == 0
    assert calls == [("translate", ["--repeats", "2"])]  # full mode: the script's defaults, BENCHMARKS.md
    with pytest.raises(SystemExit):  # options without a task: argparse asks which benchmark
        cli.main(["bench", "--repeats", "2"])


def test_bench_that_raises_is_reported_and_the_others_still_run(monkeypatch, capsys):
    calls = []

    def run_bench(task, argv):
        calls.append(task)
        if task == "chat":
            raise KeyError("1_13")
        return 0

    monkeypatch.setattr(cli, "run_bench", run_bench)
    assert cli.main(["bench"]) == 1
    assert calls == list(cli.BENCHES)
    err = capsys.readouterr().err
    assert "KeyError: '1_13'" in err and "== bench chat: failed" in err and "failed: chat\n" in err


def test_run_bench_turns_an_exit_message_into_a_failure_and_restores_threads(monkeypatch, capsys):
    def broken(argv):
        sys.exit("error: no corpus here")

    def one_thread(argv):
        torch.set_num_threads(1)
        return 0

    for name, entry in (("broken", broken), ("one_thread", one_thread)):
        module = types.ModuleType(f"bench.{name}")
        module.main = entry
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    assert cli.run_bench("broken", []) == 1
    assert "error: no corpus here" in capsys.readouterr().err
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert cli.run_bench("one_thread", []) == 0
        assert torch.get_num_threads() == 2  # the next benchmark gets the threads the run started with
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("raw, expected", [(None, 60.0), ("", 60.0), ("5", 5.0), (" 2.5 ", 2.5)])
def test_env_number_reads_a_setting_or_falls_back_to_the_default(monkeypatch, raw, expected):
    from textlab.settings import env_number

    if raw is None:
        monkeypatch.delenv("TEXTLAB_X", raising=False)
    else:
        monkeypatch.setenv("TEXTLAB_X", raw)
    assert env_number("TEXTLAB_X", 60, 2) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("abc", "must be a number, got .abc."),
        ("1", "must be at least 2"),
        ("nan", "must be at least 2"),
        ("-5", "must be at least 2"),
    ],
)
def test_env_number_names_the_setting_that_is_wrong(monkeypatch, raw, message):
    from textlab.settings import env_number

    monkeypatch.setenv("TEXTLAB_X", raw)
    with pytest.raises(ValueError, match=f"TEXTLAB_X {message}"):
        env_number("TEXTLAB_X", 60, 2)


def test_serve_runs_torch_on_the_threads_and_device_asked_for(monkeypatch, capsys):
    import textlab.ui.server

    seen, devices = [], []

    def serve(host, port, share, device):
        seen.append(torch.get_num_threads())
        devices.append(device)

    monkeypatch.setattr(textlab.ui.server, "serve", serve)
    monkeypatch.delenv("TEXTLAB_TORCH_THREADS", raising=False)
    monkeypatch.delenv("TEXTLAB_DEVICE", raising=False)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert cli.main(["serve"]) == 0
        monkeypatch.setenv("TEXTLAB_TORCH_THREADS", "2")
        assert cli.main(["serve"]) == 0
        assert cli.main(["serve", "--threads", "3"]) == 0
        assert seen == [1, 2, 3] and devices == ["cpu"] * 3
        monkeypatch.setenv("TEXTLAB_DEVICE", "auto")
        assert cli.main(["serve"]) == cli.main(["serve", "--device", "cpu"]) == 0
        assert devices[3:] == ["auto", "cpu"]
        assert cli.main(["serve", "--threads", "0"]) == 2
        assert "--threads (TEXTLAB_TORCH_THREADS) must be at least 1, got 0" in capsys.readouterr().err
        monkeypatch.setenv("TEXTLAB_TORCH_THREADS", "many")
        assert cli.main(["serve"]) == 2
        assert "TEXTLAB_TORCH_THREADS must be a number, got 'many'" in capsys.readouterr().err
    finally:
        torch.set_num_threads(threads)
