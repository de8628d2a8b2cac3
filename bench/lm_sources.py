"""Which English helps the language model: a small LSTM language model trained on each mix of sources for the same
number of tokens, then scored on held-out documents of every source (the same documents for every mix, whichever
sources it read) and on three domains no mix reads (product and restaurant reviews, tweets). Bits per character,
so that mixes with different tokenizers compare. Writes the "lm_sources" section of BENCHMARKS.md.

    python -m bench.lm_sources [--tokens 2000000] [--documents 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.report import machine_line, write_section
from textlab.capabilities import Report
from textlab.data.crossdomain import load_crossdomain
from textlab.lm.config import LMConfig
from textlab.lm.corpus import build_corpus, held_out_part, read_documents
from textlab.lm.model import perplexity
from textlab.lm.training import train_language_model
from textlab.text.words import normalise
from textlab.training import TrainConfig

BASE = ("imdb", "rotten_tomatoes", "sitcoms", "wordnet")  # what the committed models/lm read
NEWS = ("20newsgroups", "reuters-r8")
MIXES = {
    "reviews, sitcoms, WordNet": BASE,
    "+ news (20 Newsgroups, Reuters R8)": (*BASE, *NEWS),
    "+ GCIDE dictionary": (*BASE, "gcide"),
    "+ State of the Union": (*BASE, "sotu"),
    "+ all three": (*BASE, *NEWS, "gcide", "sotu"),
}
SCORED = ("imdb", "rotten_tomatoes", "sitcoms", "wordnet", "20newsgroups", "reuters-r8", "gcide", "sotu")
QUICK = ["--tokens", "20000", "--documents", "5", "--mixes", "1"]


def held_out_documents(cfg: LMConfig, n: int) -> dict[str, list[str]]:
    """Up to `n` validation documents of every scored source (held out by every mix), then the other domains."""
    rng, parts = random.Random(0), {}
    for name in SCORED:
        documents, _ = read_documents(name)
        valid = [
            t for t in map(normalise, documents) if t and held_out_part(t, cfg.held_out, cfg.split_seed) == "valid"
        ]
        parts[name] = rng.sample(valid, min(n, len(valid)))
    for name, examples in load_crossdomain().items():
        parts[f"{name} (never read)"] = [ex.text for ex in examples]
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=2_000_000, help="training tokens of every mix (one pass)")
    parser.add_argument("--documents", type=int, default=200, help="held-out documents of each source scored")
    parser.add_argument("--mixes", type=int, default=len(MIXES), help="the first so many mixes only")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    quick = LMConfig().quick()
    cfg = replace(quick, max_tokens=args.tokens, epoch_s=0.0, train=TrainConfig(lr=quick.train.lr, max_epochs=1))
    parts = held_out_documents(cfg, args.documents)
    header = " | ".join(parts)
    rows = []
    for label, sources in list(MIXES.items())[: args.mixes]:
        print(f"training on {label}...", file=sys.stderr)
        corpus = build_corpus(sources, cfg.held_out, cfg.split_seed)
        started = time.perf_counter()
        lm = train_language_model(replace(cfg, sources=sources), corpus, Report())
        seconds = time.perf_counter() - started
        words = sum(t.count(" ") + 1 for t in corpus.train)
        scores = " | ".join(f"{perplexity(lm, documents)['bits_per_char']:.3f}" for documents in parts.values())
        label += " (train lm's default)" if set(sources) == set(LMConfig().sources) else ""
        rows.append(f"| {label} | {words / 1e6:.1f} M | {seconds / 60:.1f} | {scores} |")
        print(rows[-1], file=sys.stderr)

    section = f"""## Language model: which English helps

{machine_line()}. The language model's quick shape ({cfg.vocab_size:,} SentencePiece subwords learnt from each mix,
{cfg.embed_dim}-d tied embedding, 1 x {cfg.hidden_size} LSTM), trained on each mix of sources for one pass over its
first {args.tokens:,} tokens (documents shuffled, so every source in its share of the words), then scored in bits
per character (lower is better) on {args.documents} held-out documents of every source - documents no mix trains
on - and on three domains no mix reads. The classifiers' sets are their training splits only. Minutes: learning
the tokenizer, the pass, and scoring the mix's own held-out part.

| sources | words available | minutes, all in | {header} |
| --- | --- | --- | {" | ".join("---" for _ in parts)} |
{chr(10).join(rows)}
"""
    write_section(args.out, "lm_sources", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
