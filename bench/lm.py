"""The pretrained language model against the compressor a user would reach for, on the same held-out documents:
perplexity and bits per character of the LSTM beside 7-Zip's PPMd compressing the documents after the training
text; the same on a domain it never read (20 Newsgroups, when it did not); and training speed beside this
machine's matmul ceiling. Writes the "lm" section of BENCHMARKS.md.

    python -m bench.lm [--model models/lm] [--documents 2000] [--context-chars 8000000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

import torch

from bench.chat import lm_step_seconds, lstm_macs, matmul_gflops
from bench.ppmd import bits_per_char as ppmd_bits
from bench.report import machine_line, write_section
from textlab.data.labelled import load_labelled
from textlab.lm import CAPABILITY
from textlab.lm.corpus import build_corpus
from textlab.lm.model import perplexity, token_stream
from textlab.networks.word_lm import WordLM
from textlab.text.batches import batchify, tbptt_batches
from textlab.text.words import normalise

QUICK = ["--documents", "40", "--context-chars", "200000", "--repeats", "1"]


def macs_per_token(network: WordLM) -> int:
    """Multiply-adds of one token's forward pass: the LSTM, the projection and the tied softmax."""
    cfg = network.config
    lstm = lstm_macs(cfg.embed_dim, cfg.hidden_size, cfg.num_layers)
    return lstm + cfg.hidden_size * cfg.embed_dim + cfg.embed_dim * cfg.vocab_size


def training_speed(network: WordLM, ids: torch.Tensor, batch: int, seq_len: int, repeats: int) -> float:
    """Tokens a second of forward + backward + Adam on windows of the stream (median of `repeats` steps)."""
    batches = itertools.cycle(tbptt_batches(batchify(ids, batch), seq_len))
    return batch * seq_len / lm_step_seconds(network, batches, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="checkpoint folder (default models/lm)")
    parser.add_argument("--documents", type=int, default=2000, help="held-out documents of each part scored at most")
    parser.add_argument("--context-chars", type=int, default=8_000_000, help="training text PPMd reads first")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    lm = CAPABILITY.load(CAPABILITY.tasks["lm"], args.model)
    cfg = lm.card["config"]
    corpus = build_corpus(tuple(cfg["sources"]), cfg["held_out"], cfg["split_seed"])
    rng = random.Random(0)
    parts = {
        "valid": rng.sample(corpus.valid, min(args.documents, len(corpus.valid))),
        "test": rng.sample(corpus.test, min(args.documents, len(corpus.test))),
    }
    if "20newsgroups" not in cfg["sources"]:  # a domain it never read (its held-out parts cover it otherwise)
        news = [t for t in (normalise(ex.text) for ex in load_labelled("20newsgroups").train) if t]
        parts["20 Newsgroups (never read)"] = rng.sample(news, min(args.documents, len(news)))
    context = "".join(d + "\n" for d in rng.sample(corpus.train, len(corpus.train)))[-args.context_chars :]
    rows = []
    for name, documents in parts.items():
        print(f"scoring {name}...", file=sys.stderr)
        started = time.perf_counter()
        figures = perplexity(lm, documents)
        seconds = time.perf_counter() - started
        ppmd = ppmd_bits(context, "".join(d + "\n" for d in documents))
        rows.append(
            f"| {name} | {figures['documents']:,} | {figures['tokens']:,} | {figures['perplexity']:.1f} | "
            f"{figures['bits_per_char']:.3f} | {ppmd:.3f} | {figures['tokens'] / seconds:,.0f} |"
        )
        print(rows[-1], file=sys.stderr)

    network = lm.network
    speed = training_speed(
        network, token_stream(lm.tokenizer, corpus.valid, 40_000), cfg["batch_size"], cfg["seq_len"], args.repeats
    )
    ceiling = matmul_gflops(args.repeats)
    achieved = 6 * macs_per_token(network) * speed / 1e9
    history, tokens = lm.card["history"], lm.card["tokens"]
    params = sum(p.numel() for p in network.parameters())
    section = f"""## Language model (pretraining for the classifiers)

{machine_line()}. The committed `models/lm`: {lm.tokenizer.vocab_size:,} SentencePiece subwords, {cfg["embed_dim"]}-d
tied embedding, {cfg["num_layers"]} x {cfg["hidden_size"]} LSTM, {params:,} parameters. It read
{tokens["read"]:,} tokens ({tokens["read"] / tokens["train"]:.2f} passes over {tokens["train"]:,}) in
{history["seconds"] / 60:.0f} min ({tokens["per_s"]:,.0f} tokens/s; stopped: {history["stopped"]}).
Sources (training splits only):
{chr(10).join(f"- {line}" for line in lm.card["sources"])}

Held-out documents (whole documents chosen by a hash of their text; at most {args.documents:,} of each part, the
same ones for both models). PPMd: 7-Zip's PPMd (order 10, 256 MB) compressing the documents after the last
{len(context):,} characters of the training text; its bits per character are the extra bytes they cost. Both
read the text as the classifiers do (lower case, single spaces).

| held-out text | documents | subwords | LSTM perplexity | LSTM bits/char | PPMd bits/char | LSTM subwords/s scored |
| --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Training speed: {speed:,.0f} tokens/s (batch {cfg["batch_size"]} x {cfg["seq_len"]}, forward + backward + Adam,
median of {args.repeats} steps): about {achieved:.0f} GFLOP/s (6 x {macs_per_token(network):,} multiply-adds a
token) against {ceiling:.0f} GFLOP/s for a 1024 x 1024 matmul in the same run.
"""
    write_section(args.out, "lm", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
