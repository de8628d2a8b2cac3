"""Lab benchmark: how long each experiment takes at its default settings, and how much a Lab job slows the other
tabs (translation and classification latency while an experiment trains in the same process, beside idle).
Writes the "lab" section of BENCHMARKS.md.

    python -m bench.lab [--repeats 3]        (or: python -m textlab bench lab)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import torch

from bench.report import machine_line, write_section
from textlab.classify import CAPABILITY as CLASSIFY
from textlab.classify.explain import explain
from textlab.lab.experiments import cell_race, dropout_race, gradient_race
from textlab.translate import CAPABILITY as TRANSLATE
from textlab.translate.model import translate

DATES = [
    "the 3rd of May 1999",
    "Saturday, July 4th, 2026",
    "3.5.1999",
    "5/3/99",
    "14 juillet 1989",
    "lunes, 3 de mayo de 1999",
    "Dec 25, 2000",
    "the 1st of January 1900",
]
REVIEW = (
    "One of the best films I have seen in years. The acting is superb and the story kept me gripped to the "
    "very end; I laughed, I cried, and I will watch it again."
)

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--repeats", "1", "--experiments", "adding"]


def run_to_end(updates) -> tuple[float, str]:
    start = time.monotonic()
    *_, last = updates
    notes = {row[-1] for row in last.summary if row[-1]}
    return time.monotonic() - start, ", ".join(sorted(notes)) or "all epochs"


def latency_ms(fn, seconds: float) -> float:
    """Median milliseconds of `fn()` called repeatedly for `seconds`."""
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


EXPERIMENTS = {  # --experiments key -> (row name, the experiment at its default settings)
    "adding": ("cells: adding problem", lambda: cell_race("adding")),
    "sentiment": ("cells: movie-review sentiment", lambda: cell_race("sentiment")),
    "gradients": ("exploding gradients (SGD)", lambda: gradient_race("sgd")),
    "dropout": ("dropout", dropout_race),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs per experiment (the median is reported)")
    parser.add_argument("--experiments", nargs="+", choices=list(EXPERIMENTS), default=list(EXPERIMENTS))
    parser.add_argument("--threads", type=int, default=1, help="torch threads, as the app serves with (default 1)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    rows = []
    for name, make in (EXPERIMENTS[key] for key in args.experiments):
        runs = [run_to_end(make()) for _ in range(args.repeats)]
        rows.append(f"| {name} | {statistics.median(r[0] for r in runs):.1f} | {runs[-1][1]} |")
        print(rows[-1], file=sys.stderr)

    dates = TRANSLATE.load(TRANSLATE.tasks["dates"], None)
    sentiment = CLASSIFY.load(CLASSIFY.tasks["sentiment"], None)
    services = {
        "translate a date (beam 3)": lambda: [translate(dates, d, 3) for d in DATES],
        "classify a review with word importance": lambda: explain(sentiment, REVIEW),
    }
    load_rows = []
    for name, fn in services.items():
        idle = statistics.median(latency_ms(fn, 5) for _ in range(args.repeats))
        busy = []
        for _ in range(args.repeats):
            job = threading.Thread(target=run_to_end, args=(cell_race("adding"),))
            job.start()
            time.sleep(2)  # past the data preparation, into training
            busy.append(latency_ms(fn, 5))
            job.join()
        loaded = statistics.median(busy)
        per = " (8 dates)" if "date" in name else ""
        load_rows.append(f"| {name}{per} | {idle:.1f} | {loaded:.1f} | {loaded / idle:.2f}x |")
        print(load_rows[-1], file=sys.stderr)

    body = "\n".join(
        [
            "## Lab: experiment times and the other tabs while a Lab job trains",
            "",
            machine_line(),
            "",
            f"Wall time of each experiment at its default settings (the app caps a job at 60 s and, like this run, "
            f"uses {args.threads} torch thread{'' if args.threads == 1 else 's'}), median of "
            f"{args.repeats} runs; the note says whether every run finished its epochs or reached its share of the "
            "cap.",
            "",
            "| experiment | seconds | runs ended by |",
            "|---|---|---|",
            *rows,
            "",
            "Latency of the other tabs' work in the same process, idle and while the adding-problem cell race trains "
            f"(median over 5 s of calls, median of {args.repeats} repeats). Target: at most 2x idle.",
            "",
            "| call | idle ms | during a Lab job ms | ratio |",
            "|---|---|---|---|",
            *load_rows,
        ]
    )
    write_section(args.out, "lab", body)
    print(f"wrote the lab section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
