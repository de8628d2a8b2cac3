"""Training a translator: data for its task, tokenisers learnt on the training pairs, teacher forcing with early
stopping on validation, and test figures in the model card."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict

import torch
import torch.nn.functional as F
from torch import nn

from textlab.capabilities import Report
from textlab.devices import own_share
from textlab.networks.seq2seq import Seq2Seq, Seq2SeqConfig
from textlab.text import BOS, EOS, PAD, SPECIALS
from textlab.text.batches import pad_batch
from textlab.text.chars import CharVocab
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.training import EpochRecord, History, Step, fit, length_batches, place, provenance
from textlab.translate.config import TranslateConfig
from textlab.translate.data import PairData, Pairs
from textlab.translate.model import Tokenizer, Translator, evaluate
from textlab.translate.tasks import TranslateTask, translate_task


def load_pair_data(cfg: TranslateConfig) -> PairData:
    """The pairs `cfg` trains on: its task's data, or the person's own pairs."""
    return translate_task(cfg).data(cfg)


def build_tokenizers(task: TranslateTask, cfg: TranslateConfig, train: Pairs) -> tuple[Tokenizer, Tokenizer]:
    """Source and target tokenizers learnt on the training pairs, of the kind the task's rules name."""
    if task.rules.tokens == "chars":
        return CharVocab.build((s for s, _ in train), SPECIALS), CharVocab.build((t for _, t in train), SPECIALS)
    models = [
        train_sentencepiece(
            (p[side] for p in train), cfg.vocab_size, cfg.split_seed, character_coverage=1.0, sequence_marks=True
        )
        for side in (0, 1)
    ]
    return SentencePieceTokenizer(models[0]), SentencePieceTokenizer(models[1])


def train_translator(
    cfg: TranslateConfig,
    data: PairData,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Translator:
    """A translator for `cfg` trained on `data`; its card holds the history and every test set's figures."""
    task = translate_task(cfg)
    source_tok, target_tok = build_tokenizers(task, cfg, data.train)
    torch.manual_seed(cfg.train.seed)
    network = Seq2Seq(
        Seq2SeqConfig(
            source_tok.vocab_size,
            target_tok.vocab_size,
            cfg.embed_dim,
            cfg.hidden_size,
            cfg.num_layers,
            cfg.cell,
            cfg.attention,
            cfg.dropout,
        )
    )
    tr = Translator(cfg.task, network, source_tok, target_tok, task.rules)
    history = _fit(tr, cfg, data, on_step, on_epoch, should_stop)
    tr.card = {
        "title": task.title,
        "summary": task.summary,
        "source": data.source,
        "notes": data.notes,
        "sizes": {
            "train": len(data.train),
            "valid": len(data.valid),
            "test": {name: len(p) for name, p in data.tests.items()},
        },
        "tokenizers": {
            "source": [source_tok.kind, source_tok.vocab_size],
            "target": [target_tok.kind, target_tok.vocab_size],
        },
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "decoding": "greedy",
        "valid": evaluate(tr, data.valid),
        "test": {name: evaluate(tr, pairs) for name, pairs in data.tests.items()},
        **provenance(),
    }
    return tr


def _fit(
    tr: Translator,
    cfg: TranslateConfig,
    data: PairData,
    on_step: Callable[[Step], None] | None,
    on_epoch: Callable[[EpochRecord], None] | None,
    should_stop: Callable[[], bool] | None,
) -> History:
    """Teacher forcing: the decoder reads the target shifted by one (after <s>) and predicts it (then </s>)."""
    sources = [tr.encode(s) or [PAD] for s, _ in data.train]
    targets = [tr.target.encode(t) for _, t in data.train]
    valid_src = [tr.encode(s) or [PAD] for s, _ in data.valid]
    valid_tgt = [tr.target.encode(t) for _, t in data.valid]
    rng = random.Random(cfg.train.seed)
    placed = place(tr.network, cfg.train)  # under torchrun, each process steps on its share of every batch

    def loss_on(network: nn.Module, rows: list[int], src: list[list[int]], tgt: list[list[int]]) -> torch.Tensor:
        source, lengths = pad_batch([src[i] for i in rows])
        target_in, _ = pad_batch([[BOS, *tgt[i]] for i in rows])
        target_out, _ = pad_batch([[*tgt[i], EOS] for i in rows])
        logits = network(source, lengths, target_in)
        targets = target_out.to(logits.device).reshape(-1)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets, ignore_index=PAD)

    def evaluate_valid() -> dict[str, float]:
        rows = list(range(len(valid_src)))
        losses = [loss_on(tr.network, rows[i : i + 256], valid_src, valid_tgt).item() for i in range(0, len(rows), 256)]
        figures = {k: v for k, v in evaluate(tr, data.valid).items() if k != "n"}
        return {"loss": sum(losses) / len(losses), **figures}

    return fit(
        tr.network,
        cfg.train,
        lambda: length_batches([len(s) for s in sources], cfg.batch_size, rng),
        lambda rows: loss_on(placed.forward, own_share(rows), sources, targets),
        evaluate_valid,
        -(-len(sources) // cfg.batch_size),
        on_step,
        on_epoch,
        should_stop,
        placed.device,
    )


def train(cfg: TranslateConfig, report: Report) -> Translator:
    """Prepare the task's pairs (or the person's own) and train on them."""
    report.note("preparing the training pairs")
    data = load_pair_data(cfg)
    for note in data.notes:
        report.note(f"note: {note}")
    report.note(f"training on {data.source}: {len(data.train):,} pairs, {len(data.valid):,} for validation")
    return train_translator(cfg, data, report.steps(cfg.train.max_epochs), report.on_epoch, report.should_stop)


def summary(tr: Translator) -> dict:
    return {"valid": tr.card["valid"], "test": tr.card["test"], "stopped": tr.card["history"]["stopped"]}
