"""Translator benchmark: attention vs no attention on the same data and time budget, the committed models' exact
match on generated and on natural English dates, English -> Spanish BLEU / chrF, and decode latency.
Writes the "translate" section of BENCHMARKS.md.

    python -m bench.translate [--budget-dates 300] [--budget-en-es 900] [--repeats 5]
    (or: python -m textlab bench translate ...)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.report import machine_line, sample_tests, write_section
from textlab.translate import CAPABILITY
from textlab.translate.config import TranslateConfig
from textlab.translate.model import evaluate, translate
from textlab.translate.tasks import TASKS
from textlab.translate.training import load_pair_data, train_translator

TARGETS = (
    "dates exact match >= 99.5% on generated test data and >= 97% on natural English forms; attention "
    "clearly ahead of no attention on en-es; a date decodes in <= 50 ms with beam 3"
)

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--budget-dates", "10", "--budget-en-es", "15", "--repeats", "1", "--test", "200"]


def figures(report: dict) -> str:
    if "exact_match" in report:
        return f"{report['exact_match']:.2%}"
    return f"BLEU {report['bleu']:.1f} / chrF {report['chrf']:.1f}"


def compare(task: str, budget: float, test: int | None) -> list[str]:
    """Train attention and no-attention models on the same data for the same time; score both."""
    rows = []
    for attention in ("bahdanau", "none"):
        cfg = TASKS[task].config()
        cfg.attention, cfg.train.time_budget_s = attention, budget
        data = load_pair_data(cfg)
        data.tests = sample_tests(data.tests, test)
        start = time.monotonic()
        tr = train_translator(cfg, data)
        seconds = time.monotonic() - start
        history = tr.card["history"]
        cells = " | ".join(figures(report) for report in tr.card["test"].values())
        if len(tr.card["test"]) == 1:
            cells += " | -"
        rows.append(
            f"| {task} | {attention} | {len(history['epochs'])} | {seconds:.0f} | "
            f"{history['epochs'][history['best_epoch'] - 1]['valid_loss']:.3f} | {cells} |"
        )
        print(rows[-1], file=sys.stderr)
    return rows


def latency_ms(tr, texts: list[str], beam: int, repeats: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeats):
        times = sorted(translate(tr, text, beam).seconds for text in texts)
        runs.append((1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))]))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def committed(task: str, repeats: int, test: int | None) -> list[str]:
    tr = CAPABILITY.load(TASKS[task], None)
    cfg = TranslateConfig(**{**tr.card["config"], "train": TASKS[task].config().train})
    data = load_pair_data(cfg)  # the same seeds rebuild the model's own splits: its test sets were never seen
    rows = []
    for name, pairs in sample_tests(data.tests, test).items():
        greedy, beam3 = evaluate(tr, pairs, beam=1), evaluate(tr, pairs, beam=3)
        texts = [s for s, _ in pairs[:200]]
        p50, p95 = latency_ms(tr, texts, 3, repeats)
        rows.append(
            f"| {task} | {name} | {len(pairs):,} | {figures(greedy)} | **{figures(beam3)}** | {p50:.1f} / {p95:.1f} |"
        )
        print(rows[-1], file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget-dates", type=float, default=300, help="training seconds per dates variant")
    parser.add_argument("--budget-en-es", type=float, default=900, help="training seconds per en-es variant")
    parser.add_argument("--repeats", type=int, default=5, help="latency runs (the median is reported)")
    parser.add_argument("--test", type=int, help="score at most this many pairs of each test set (default: all)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    comparison = compare("dates", args.budget_dates, args.test) + compare("en-es", args.budget_en_es, args.test)
    models = committed("dates", args.repeats, args.test) + committed("en-es", args.repeats, args.test)
    body = "\n".join(
        [
            "## Translation: encoder-decoder with and without attention",
            "",
            machine_line(),
            "",
            "### Attention vs the fixed-vector bottleneck (same data, same time budget)",
            "",
            f"Each variant trained for at most {args.budget_dates:.0f} s (dates) or {args.budget_en_es:.0f} s "
            "(en-es) with the committed model's settings; test figures with greedy decoding"
            f"{'' if args.test is None else f' on at most {args.test:,} pairs of each test set'}. Dates columns: "
            "generated test set, natural English forms; en-es: the held-out verse pairs.",
            "",
            "| task | attention | epochs | train s | best valid loss | test | natural English forms |",
            "|---|---|---|---|---|---|---|",
            *comparison,
            "",
            "### The committed models",
            "",
            "Test sets rebuilt from the model's own seeds, never used in training or to choose anything. Decode time "
            f"of one input with beam 3 (p50 / p95 over 200 inputs, median of {args.repeats} runs).",
            "",
            "| task | test set | n | greedy | beam 3 | ms per input (beam 3) |",
            "|---|---|---|---|---|---|",
            *models,
            "",
            f"Targets: {TARGETS}.",
        ]
    )
    write_section(args.out, "translate", body)
    print(f"wrote the translate section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
