"""Word-vector benchmark: skip-gram vs CBOW and vector sizes on the same corpus, scored on the benchmark files that
gensim ships (WordSim353, SimLex-999, the Google analogies), and the time of a neighbour query.
Writes the "neighbours" section of BENCHMARKS.md.

    python bench/neighbours.py [--repeats 5]        (or: python -m textlab bench neighbours)
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine_line, write_section  # noqa: E402
from textlab.config import NeighboursConfig  # noqa: E402
from textlab.neighbours import load_word_vectors, most_similar  # noqa: E402
from textlab.neighbours_training import build_corpus, detect_phrases, train_word_vectors  # noqa: E402

VARIANTS = [("skipgram", 100), ("cbow", 100), ("skipgram", 50)]
TARGETS = "WordSim353 >= 0.55 (aim 0.65), analogies >= 0.30 of covered, SimLex-999 >= 0.30, a query <= 20 ms"


def query_ms(wv, repeats: int) -> tuple[float, float]:
    words = wv.words[100:300]
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


def row(name: str, wv, seconds: float, repeats: int) -> str:
    e = wv.card["eval"]
    p50, p95 = query_ms(wv, repeats)

    def figure(key: str, fmt: str) -> str:
        return "n/a" if e[key] is None else format(e[key], fmt)

    return (
        f"| {name} | {wv.vectors.vector_size} | {len(wv.words):,} | {seconds:.0f} "
        f"| **{figure('wordsim353', '.3f')}** ({e['wordsim353_coverage']:.0%}) | {figure('simlex999', '.3f')} "
        f"({e['simlex999_coverage']:.0%}) | {figure('analogy_accuracy', '.1%')} ({e['analogy_coverage']:.0%}) "
        f"| {p50:.2f} / {p95:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--variants", nargs="+", default=[f"{a}-{d}" for a, d in VARIANTS],
                        help="ALGORITHM-DIMS pairs to train and compare, e.g. cbow-100 skipgram-200")
    parser.add_argument("--model", type=Path, help="committed vectors to score as well (default models/neighbours)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    base = NeighboursConfig()
    print("reading and tokenising the corpora...", file=sys.stderr)
    sentences, sources = build_corpus(base)
    phrased = detect_phrases(base, sentences)
    rows = []
    try:
        committed = load_word_vectors(args.model)
        rows.append(row(f"committed ({committed.card.get('algorithm')})", committed,
                        committed.card.get("seconds", float("nan")), args.repeats))
    except Exception as e:  # the comparison below stands on its own
        print(f"no committed vectors scored: {e}", file=sys.stderr)
    for variant in args.variants:
        algorithm, size = variant.rsplit("-", 1)
        cfg = dataclasses.replace(base, algorithm=algorithm, vector_size=int(size), phrases=False)
        start = time.monotonic()
        wv = train_word_vectors(cfg, phrased, sources)
        rows.append(row(algorithm, wv, time.monotonic() - start, args.repeats))
        print(rows[-1], file=sys.stderr)

    body = "\n".join([
        "## Word vectors: word2vec on the project's own text",
        "",
        machine_line(),
        "",
        f"Corpus: {'; '.join(sources)}; {sum(map(len, phrased)):,} tokens after phrase detection. "
        f"window {base.window}, min_count {base.min_count}, {base.epochs} epochs, negative {base.negative}, the "
        f"{base.max_words:,} most frequent words kept. Spearman correlation with human judgements (share of pairs "
        "covered); analogy accuracy over the covered questions of the 30,000 most frequent words (share covered); "
        f"neighbour query p50 / p95 over 200 words, median of {args.repeats} runs.",
        "",
        "| vectors | dims | words | train s | WordSim353 | SimLex-999 | analogies | query ms |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Reference, not measured in this run: GloVe 6B 50-d scored WordSim353 0.503 and analogies 49.7% "
        "(restrict_vocab 30,000) on this machine (../shared/notes/datasets.md); it learnt from 6 B tokens.",
        "",
        f"Targets: {TARGETS}.",
    ])
    write_section(args.out, "neighbours", body)
    print(f"wrote the neighbours section of {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
