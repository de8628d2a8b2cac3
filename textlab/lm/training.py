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
from textlab.training import History, Step, TrainConfig, drive, provenance, stream_steps

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
    valid = token_stream(tokenizer, rng.sample(corpus.valid, len(corpus.valid)), cfg.valid_tokens)  # every source
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


def fine_tune(
    lm: LanguageModel, documents: list[str], seconds: float, train: TrainConfig, batch_size: int = 32, seq_len: int = 64
) -> History:
    """ULMFiT's second stage: the language model reads a task's own texts (labels unused) for `seconds`, on
    `train`'s device and seed; one document in twenty is held out, and the weights of the best validation (every
    quarter of the time) are kept."""
    if len(documents) < 20:
        raise ValueError(f"fine-tuning the language model needs at least 20 texts, got {len(documents)}")
    cfg = TrainConfig(
        lr=1e-3, max_epochs=1_000, patience=0, time_budget_s=seconds, seed=train.seed, device=train.device
    )
    valid = token_stream(lm.tokenizer, documents[::20], 50_000)
    rows = batchify(token_stream(lm.tokenizer, [d for i, d in enumerate(documents) if i % 20]), batch_size)

    def evaluate() -> dict[str, float]:
        loss = float(stream_nll(lm.network, valid).mean())
        return {"loss": loss, "perplexity": math.exp(loss)}

    history = drive(stream_steps(lm.network, cfg, rows, seq_len, evaluate, seconds / 4))
    lm.network.eval()
    return history


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
