"""BENCHMARKS.md: one section per benchmark, each replaced in place when its script runs again."""

from __future__ import annotations

import os
import platform
import random
import re
from datetime import date
from pathlib import Path

import torch

HEADER = "# Benchmarks\n\nWritten by the scripts in `bench/` (`python -m textlab bench TASK`); do not edit by hand.\n"


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = torch.get_num_threads()
    return (
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), torch {torch.__version__}, "
        f"{threads} thread{'' if threads == 1 else 's'}"
    )


def sample(items: list, n: int | None) -> list:
    """At most `n` of the items, drawn at random with a fixed seed (quick runs); all of them when `n` is None."""
    return random.Random(0).sample(items, n) if n is not None and len(items) > n else items


def sample_tests(tests: dict[str, list], n: int | None) -> dict[str, list]:
    """At most `n` of each test set (see `sample`)."""
    return {name: sample(items, n) for name, items in tests.items()}


def write_section(path: Path, name: str, body: str) -> None:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = path.read_text() if path.exists() else HEADER
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
