"""Pretraining the language model: a tokenizer learnt on a sample of the training documents, then one long token
stream read with truncated backpropagation through time, validated every `epoch_s` seconds."""

from __future__ import annotations

import math
import random
from dataclasses import asdict

import torch

from textlab.capabilities import Report
from textlab.lm.config import LMConfig
from textlab.lm.corpus import Corpus, build_corpus
from textlab.lm.model import LanguageModel, perplexity, stream_nll, token_stream
from textlab.networks.word_lm import WordLM, WordLMConfig
from textlab.text.batches import batchify
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.training import Step, drive, provenance, stream_steps

TOKENIZER_SAMPLE = 200_000  # documents the tokenizer learns from (SentencePiece reads at most this many anyway)


def train_language_model(cfg: LMConfig, corpus: Corpus, report: Report) -> LanguageModel:
    """A language model for `cfg` trained on `corpus.train`; validated on `corpus.valid`, figures of both held-out
    parts in its card."""
    rng = random.Random(cfg.split_seed)
    documents = rng.sample(corpus.train, len(corpus.train))  # sources interleaved in the stream
    sample = documents[:TOKENIZER_SAMPLE]
    tokenizer = SentencePieceTokenizer(train_sentencepiece(sample, cfg.vocab_size, cfg.split_seed, sequence_marks=True))
    report.note(f"tokenizer: {tokenizer.vocab_size:,} subwords; encoding {len(documents):,} documents")
    stream = token_stream(tokenizer, documents, cfg.max_tokens)
    valid = token_stream(tokenizer, corpus.valid, cfg.valid_tokens)
    report.note(f"training on {stream.numel():,} tokens, validating on {valid.numel():,}")
    torch.manual_seed(cfg.train.seed)
    network = WordLM(WordLMConfig(tokenizer.vocab_size, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.dropout))

    def evaluate() -> dict[str, float]:
        loss = float(stream_nll(network, valid).mean())
        return {"loss": loss, "perplexity": math.exp(loss)}

    steps, shown = 0, report.steps(cfg.train.max_epochs)

    def on_step(step: Step) -> None:
        nonlocal steps
        steps += 1
        if shown:
            shown(step)

    rows = batchify(stream, cfg.batch_size)
    events = stream_steps(network, cfg.train, rows, cfg.seq_len, evaluate, cfg.epoch_s or None, report.should_stop)
    history = drive(events, on_step, report.on_epoch)
    lm = LanguageModel(network, tokenizer)
    read = steps * cfg.batch_size * cfg.seq_len
    lm.card = {
        "sources": corpus.sources,
        "tokens": {"train": stream.numel(), "read": read, "per_s": read / max(history.seconds, 1e-9)},
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "valid": perplexity(lm, corpus.valid),
        "test": perplexity(lm, corpus.test),
        **provenance(),
    }
    return lm


def train(cfg: LMConfig, report: Report) -> LanguageModel:
    """Read the sources and pretrain on them."""
    report.note("reading the documents")
    corpus = build_corpus(cfg.sources, cfg.held_out, cfg.split_seed)
    for line in corpus.sources:
        report.note(line)
    report.note(f"{len(corpus.train):,} documents to train on, {len(corpus.valid):,} and {len(corpus.test):,} held out")
    return train_language_model(cfg, corpus, report)


def summary(lm: LanguageModel) -> dict:
    return {
        "valid": lm.card["valid"],
        "test": lm.card["test"],
        "tokens": lm.card["tokens"],
        "stopped": lm.card["history"]["stopped"],
    }
