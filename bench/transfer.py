"""Transfer-learning benchmark (the study notes' pre-trained embedding lesson, and ULMFiT): the sentiment GRU with its
embedding random, from word2vec learnt on its own training tokens, or from the Neighbours tab's word vectors - each
pre-trained start frozen or fine-tuned - and the pretrained language model (models/lm) under a classifier head,
frozen, fine-tuned with gradual unfreezing, and fine-tuned on the task's texts first; beside TF-IDF + logistic
regression, all on the same split, the same training subset and the same number of epochs.
Writes the "transfer" section of BENCHMARKS.md.

    python -m bench.transfer [--train 8000] [--epochs 3]        (or: python -m textlab bench transfer)

The embedding has as many dimensions as the Neighbours vectors in every run, so that only the start differs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from bench.classify import fit_baseline, sample_like_training
from bench.report import machine_line, sample, sample_tests, write_section
from textlab.classify.tasks import TASKS
from textlab.classify.training import load_task_data, train_classifier
from textlab.data.crossdomain import load_crossdomain
from textlab.neighbours import CAPABILITY as NEIGHBOURS
from textlab.training import TrainConfig

ULMFIT = {"encoder": "lm", "train": TrainConfig(lr=5e-3, max_epochs=3, patience=3, schedule="slanted")}
VARIANTS = {  # name -> the ClassifyConfig fields it changes
    "GRU, random embedding": {},
    "GRU, word2vec on its own tokens, frozen": {"embeddings": "word2vec", "freeze_embeddings": True},
    "GRU, word2vec on its own tokens, fine-tuned": {"embeddings": "word2vec"},
    "GRU, Neighbours vectors, frozen": {"embeddings": "neighbours", "freeze_embeddings": True},
    "GRU, Neighbours vectors, fine-tuned": {"embeddings": "neighbours"},
    "pretrained LM, frozen (the head alone learns)": {**ULMFIT, "unfreeze": "none"},
    "pretrained LM, fine-tuned (gradual unfreezing)": ULMFIT,
    "pretrained LM, fine-tuned on the texts first, then gradual unfreezing": {**ULMFIT, "lm_finetune_s": 300.0},
}

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = ["--train", "1000", "--epochs", "1", "--valid", "500", "--test", "500", "--lm-finetune-s", "20"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=8000, help="training texts (a fixed random subset)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--valid", type=int, help="validate on at most this many texts (default: all)")
    parser.add_argument("--test", type=int, help="score at most this many texts of each test split (default: all)")
    parser.add_argument("--lm-finetune-s", type=float, default=300.0, help="seconds of LM fine-tuning on the texts")
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), help="these variants alone (a trial run)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    dims = NEIGHBOURS.load(NEIGHBOURS.tasks["neighbours"], None).vectors.vector_size
    base = dataclasses.replace(
        TASKS["sentiment"].config(),
        embed_dim=dims,
        max_tokens=args.max_tokens,
        max_train_examples=args.train,
        train=TrainConfig(lr=2e-3, max_epochs=args.epochs, patience=args.epochs),
    )
    data = load_task_data(base)
    data.valid = sample(data.valid, args.valid)
    data.tests = sample_tests({**data.tests, **load_crossdomain()}, args.test)  # other domains: scored, never trained
    baseline, _ = fit_baseline(
        dataclasses.replace(data, train=sample_like_training(data.train, base.max_train_examples, base.split_seed))
        if len(data.train) > base.max_train_examples
        else data
    )

    def accuracy(examples: list) -> str:
        return f"{(baseline.predict([ex.text for ex in examples]) == [ex.label for ex in examples]).mean():.2%}"

    rows = [f"| TF-IDF + logistic regression (words 1-2) | - | {accuracy(data.valid)} | "
            f"{' | '.join(accuracy(examples) for examples in data.tests.values())} | - |"]  # fmt: skip
    for name, changes in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        changes = dict(changes)
        if "train" in changes:
            changes["train"] = dataclasses.replace(changes["train"], max_epochs=args.epochs, patience=args.epochs)
        if "lm_finetune_s" in changes:
            changes["lm_finetune_s"] = args.lm_finetune_s
        cfg = dataclasses.replace(base, **changes)
        print(f"training: {name}...", file=sys.stderr)
        start = time.monotonic()
        clf = train_classifier(cfg, data)
        seconds = time.monotonic() - start
        tests = {test: report["accuracy"] for test, report in clf.card["test"].items()}
        coverage = 1.0 if cfg.encoder == "lm" else clf.card["embeddings"]["word2vec_coverage"]
        rows.append(
            f"| {name} | {'-' if coverage is None else f'{coverage:.0%}'} | {clf.card['valid']['accuracy']:.2%} "
            f"| {' | '.join(f'{acc:.2%}' for acc in tests.values())} | {seconds:.0f} |"
        )
        print(rows[-1], file=sys.stderr)

    tests = {name: len(examples) for name, examples in data.tests.items()}
    body = "\n".join(
        [
            "## Transfer: where the classifier starts",
            "",
            machine_line(),
            "",
            f"The sentiment GRU ({dims}-dimensional embedding, the Neighbours vectors' size) trained on the same "
            f"{min(args.train, len(data.train)):,} training texts (a fixed subset) for {args.epochs} epochs, reading "
            f"the first {args.max_tokens} tokens; the best epoch on validation ({len(data.valid):,} texts) is kept and "
            "scored on the test splits. word2vec on its own tokens: skip-gram on the training texts' SentencePiece ids "
            "first (what the committed classifiers use). Neighbours vectors: the committed word vectors copied onto "
            "the tokens that are whole words (coverage: the share of tokens that got one); the rest start random.",
            "",
            "Pretrained LM (ULMFiT, `--encoder lm`): the committed `models/lm` language model's subwords, embedding "
            "and LSTM under a head on the last, max and mean of its outputs; the slanted triangular schedule peaking "
            f"at {ULMFIT['train'].lr:g} for the head, each layer below at a 2.6th of the one above. Frozen: the head "
            "alone learns. Gradual unfreezing: the head alone in epoch 1, the LSTM too in epoch 2, everything in "
            "epoch 3. Fine-tuned on the texts first: the language model reads the same training texts for "
            f"{args.lm_finetune_s:g} s (labels unused) before the classifier is built on it. TF-IDF + logistic "
            "regression: the same training texts, C chosen on validation. The last three columns are other domains, "
            "scored and never trained on (`data/crossdomain.py`): UCI's Amazon product and Yelp restaurant review "
            "sentences, and 2,000 confidently labelled tweets of each polarity from CrowdFlower's sets (airlines, "
            "Apple, self-driving cars, weather).",
            "",
            f"| embedding start | tokens covered | validation | {' | '.join(f'{t} ({n:,})' for t, n in tests.items())} "
            "| train s |",
            f"|---|---|---|{'---|' * len(tests)}---|",
            *rows,
        ]
    )
    write_section(args.out, "transfer", body)
    print(f"wrote the transfer section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
