"""Training throughput of the chat model: one process against a torchrun job of several (DistributedDataParallel,
gloo on the CPU), on each device this machine has, with the same global batch. Writes the "devices" section of
BENCHMARKS.md.

    python -m bench.devices [--steps 30] [--repeats 3] [--device cuda]    (or: python -m textlab bench devices)

Each run is `python -m bench.devices --worker` in its own process(es): it trains the committed chat model's
configuration on The Big Bang Theory for `--steps` steps after a few warm-up steps, and rank 0 prints characters per
second (the global batch x the window x steps / seconds) and GFLOP/s (about 6 x parameters x characters).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from bench.report import machine_line, write_section
from textlab.chat.config import ChatConfig
from textlab.chat.training import network_config, split_corpus
from textlab.data.sitcoms import load_dialogue
from textlab.devices import DEVICES, resolve_device, world
from textlab.networks.char_lm import CharLM
from textlab.text.batches import batchify
from textlab.text.chars import CharVocab
from textlab.training import stream_steps

QUICK = ["--steps", "4", "--repeats", "1"]
WARM_UP = 3
REPO = Path(__file__).resolve().parents[1]


def worker(steps: int, device: str, bf16: bool) -> dict:
    """Train `steps` steps after the warm-up (in this process, or this rank of a torchrun job); rank 0's figures."""
    cfg = ChatConfig()
    cfg.train.device, cfg.train.bf16, cfg.train.max_epochs, cfg.train.patience = device, bf16, 1, 0
    split = split_corpus(cfg, load_dialogue())
    vocab = CharVocab.build(split.train_text + "\n")
    torch.manual_seed(0)
    network = CharLM(network_config(cfg, len(vocab)))
    rows = batchify(torch.tensor(vocab.encode(split.train_text)), cfg.batch_size)
    events = stream_steps(network, cfg.train, rows, cfg.seq_len, lambda: {"loss": 0.0})
    for _ in range(WARM_UP):
        next(events)
    if torch.cuda.is_available() and device != "cpu":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in itertools.islice(events, steps):
        pass
    if torch.cuda.is_available() and device != "cpu":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    chars = steps * cfg.batch_size * cfg.seq_len
    parameters = sum(p.numel() for p in network.parameters())
    return {"chars_per_s": chars / seconds, "gflops": 6 * parameters * chars / seconds / 1e9}


def run(processes: int, threads: int, steps: int, device: str, bf16: bool) -> dict:
    launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] if processes > 1 else []
    command = [sys.executable, *launcher, "-m", "bench.devices", "--worker", "--steps", str(steps), "--device", device]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(REPO)}
    done = subprocess.run(command + (["--bf16"] if bf16 else []), env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps a run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each setup; medians are reported")
    parser.add_argument("--device", choices=DEVICES, help="only this device (default: each one this machine has)")
    parser.add_argument("--bf16", action="store_true", help="for --worker")
    parser.add_argument("--worker", action="store_true", help="one run (what the benchmark starts)")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.worker:
        figures = worker(args.steps, args.device or "cpu", args.bf16)
        if world().main:
            print(json.dumps(figures))
        return 0

    cores = os.cpu_count() or 1
    devices = [resolve_device(args.device).type] if args.device else ["cpu", resolve_device("auto").type]
    setups = []
    if "cpu" in devices:
        setups += [("cpu", 1, cores, False), ("cpu", 1, 1, False), ("cpu", 2, max(cores // 2, 1), False)]
    for device in sorted(set(devices) - {"cpu"}):
        setups += [(device, 1, 1, False), (device, 1, 1, True)]
    rows = []
    for device, processes, threads, bf16 in setups:
        runs = [run(processes, threads, args.steps, device, bf16) for _ in range(args.repeats)]
        speed = statistics.median(r["chars_per_s"] for r in runs)
        gflops = statistics.median(r["gflops"] for r in runs)
        what = f"{device}{' bf16' if bf16 else ''}, {processes} process{'es' if processes > 1 else ''} x {threads}"
        rows.append(f"| {what} thread{'s' if threads > 1 else ''} | {speed:,.0f} | {gflops:.2f} |")
        print(rows[-1], file=sys.stderr)
    cfg = ChatConfig()
    section = f"""## Training throughput: one process, a torchrun job, each device

{machine_line()}. The committed chat model's configuration ({cfg.num_layers} x {cfg.hidden_size} LSTM, global batch
{cfg.batch_size} x {cfg.seq_len} characters) on The Big Bang Theory, {args.steps} steps after {WARM_UP} of warm-up,
median of {args.repeats} runs. Several processes: `torchrun --standalone --nproc_per_node=N`, DistributedDataParallel
over gloo, each process reading its own rows of the batch. GFLOP/s: about 6 x parameters x characters a second.

| setup | characters / s | GFLOP/s |
| --- | --- | --- |
{chr(10).join(rows)}
"""
    write_section(args.out, "devices", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
