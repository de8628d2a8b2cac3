"""Classifier benchmark: each committed GRU beside TF-IDF (word 1-2 grams) + logistic regression trained on the same
training split and scored on the same test split, then latency for one text and batch throughput.
Writes the "classify" section of BENCHMARKS.md.

    python -m bench.classify [--tasks sentiment news reuters] [--repeats 5]   (or: python -m textlab bench classify)

The baseline's C is chosen on the validation split, like the GRU's early stopping; the test split chooses nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bench.report import machine_line, write_section
from textlab.classify import CAPABILITY
from textlab.classify.explain import explain
from textlab.classify.model import encode, predict, predict_token_lists
from textlab.classify.training import TaskData, load_task_data
from textlab.metrics import classification_report

TARGETS = "IMDB GRU >= 89% and not below TF-IDF + LR; 20 Newsgroups >= 80%; one text <= 30 ms p50; >= 300 reviews/s"

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--repeats", "1", "--tasks", "reuters"]


def fit_baseline(data: TaskData):
    """TF-IDF (word 1-2 grams, sublinear tf) + logistic regression; C picked on validation accuracy."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=300_000, sublinear_tf=True)
    x_train = vectorizer.fit_transform([ex.text for ex in data.train])
    x_valid = vectorizer.transform([ex.text for ex in data.valid])
    y_train, y_valid = [ex.label for ex in data.train], [ex.label for ex in data.valid]
    best = None
    for c in (1.0, 4.0, 16.0):
        model = LogisticRegression(C=c, max_iter=3000).fit(x_train, y_train)
        accuracy = float((model.predict(x_valid) == np.array(y_valid)).mean())
        print(f"  TF-IDF + LR, C={c:g}: validation accuracy {accuracy:.4f}", file=sys.stderr)
        if best is None or accuracy > best[0]:
            best = (accuracy, c, model)
    return Pipeline([("tfidf", vectorizer), ("lr", best[2])]), best[1]


def sample_like_training(examples: list, n: int, seed: int) -> list:
    """The subset a quick model trained on (train_classifier draws it the same way), so both see the same texts."""
    return random.Random(seed).sample(examples, n)


def percentiles_ms(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return 1000 * statistics.median(ordered), 1000 * ordered[int(0.95 * (len(ordered) - 1))]


def latency(fn, texts: list[str], repeats: int) -> tuple[float, float]:
    """Median over `repeats` runs of the p50 and p95 of one call per text."""
    fn(texts[0])
    runs = []
    for _ in range(repeats):
        times = []
        for text in texts:
            start = time.perf_counter()
            fn(text)
            times.append(time.perf_counter() - start)
        runs.append(percentiles_ms(times))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def throughput(fn, texts: list[str], repeats: int) -> float:
    """Median texts per second of `fn(texts)` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(texts)
        times.append(time.perf_counter() - start)
    return len(texts) / statistics.median(times)


def speed_row(task: str, clf, sample: list[str], baseline, repeats: int) -> str:
    single = sample[:100]
    tokens = statistics.mean(len(encode(clf, t).ids) for t in single)
    p50, p95 = latency(lambda t: predict(clf, [t]), single, repeats)
    e50, e95 = latency(lambda t: explain(clf, t), single[:50], repeats)
    batch = throughput(lambda texts: predict(clf, texts), sample, max(repeats // 2, 1))
    ids = [encode(clf, t).ids for t in sample]
    network_only = throughput(lambda _: predict_token_lists(clf, ids), sample, max(repeats // 2, 1))
    b50, _ = latency(lambda t: baseline([t]), single, repeats)
    b_batch = throughput(baseline, sample, repeats)
    return (
        f"| {task} | {tokens:.0f} | {p50:.1f} / {p95:.1f} | {e50:.1f} / {e95:.1f} | {batch:,.0f} "
        f"| {network_only:,.0f} | {b50:.2f} | {b_batch:,.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", choices=list(CAPABILITY.tasks), default=list(CAPABILITY.tasks))
    parser.add_argument("--models", type=Path, help="folder holding the task checkpoints (default models/)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    quality, speed = [], []
    for task in args.tasks:
        entry = CAPABILITY.tasks[task]
        clf = CAPABILITY.load(entry, args.models / entry.folder if args.models else None)
        trained = clf.card["config"]
        cfg = dataclasses.replace(entry.config(), datasets=tuple(trained["datasets"]), split_seed=trained["split_seed"])
        data = load_task_data(cfg)
        if trained.get("max_train_examples") and len(data.train) > trained["max_train_examples"]:
            data.train = sample_like_training(data.train, trained["max_train_examples"], cfg.split_seed)
        print(f"{task}: {len(data.train):,} training texts; fitting the baseline...", file=sys.stderr)
        baseline, c = fit_baseline(data)
        for name, examples in data.tests.items():
            truth = [ex.label for ex in examples]
            texts = [ex.text for ex in examples]
            gru = classification_report(truth, predict(clf, texts).argmax(1).tolist(), clf.labels)
            lr = classification_report(truth, baseline.predict(texts).tolist(), clf.labels)
            quality.append(
                f"| {name} | {task} | {len(data.train):,} / {len(data.valid):,} / {len(examples):,} "
                f"| **{gru['accuracy']:.2%}** | {gru['macro_f1']:.3f} | {lr['accuracy']:.2%} (C={c:g}) "
                f"| {lr['macro_f1']:.3f} | {100 * (gru['accuracy'] - lr['accuracy']):+.2f} |"
            )
            print(quality[-1], file=sys.stderr)

        print(f"{task}: timing...", file=sys.stderr)
        speed.append(
            speed_row(
                task, clf, [ex.text for ex in next(iter(data.tests.values()))], baseline.predict_proba, args.repeats
            )
        )
        print(speed[-1], file=sys.stderr)

    body = "\n".join(
        [
            "## Classifiers: embedding + bidirectional GRU beside TF-IDF + logistic regression",
            "",
            machine_line(),
            "",
            "Same split for both models: training / validation / test texts as in the table (test never used to "
            "choose anything). Sentiment pools IMDB and Rotten Tomatoes for training and reports each test split; "
            "the baseline is trained on the same pooled training texts. Accuracy; macro-F1 is the mean F1 over "
            "classes.",
            "",
            "| test set | model | train / valid / test | GRU accuracy | GRU macro-F1 | TF-IDF + LR accuracy "
            "| TF-IDF + LR macro-F1 | GRU - LR (points) |",
            "|---|---|---|---|---|---|---|---|",
            *quality,
            "",
            f"Speed, medians of {args.repeats} runs, texts from the first test set of each model: one text at a time "
            "(p50 / p95 ms, classification alone and with word importance, as the app does it), and a whole test set "
            "in batches of 64 (texts/s, with and without tokenisation).",
            "",
            "| model | tokens per text | one text, ms | with importance, ms | batch, texts/s | network only, texts/s "
            "| TF-IDF + LR one text, ms | TF-IDF + LR batch, texts/s |",
            "|---|---|---|---|---|---|---|---|",
            *speed,
            "",
            f"Targets: {TARGETS}.",
        ]
    )
    write_section(args.out, "classify", body)
    print(f"wrote the classify section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
