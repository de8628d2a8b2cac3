"""Training a translator: data for its task, tokenisers learnt on the training pairs, teacher forcing with early
stopping on validation, and test figures in the model card."""

from __future__ import annotations

import platform
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import torch
import torch.nn.functional as F

from textlab.config import TranslateConfig
from textlab.data.bible import load_bible_pairs
from textlab.data.dates import generate_pairs, natural_english_pairs
from textlab.data.pairs import read_pairs_file
from textlab.decoding import pad_sources
from textlab.networks.seq2seq import Seq2Seq, Seq2SeqConfig
from textlab.text.sequence_tokens import BOS, EOS, PAD, CharTokenizer, PieceTokenizer, train_pieces
from textlab.training import EpochRecord, Step, fit, length_batches, progress_reporter
from textlab.translate import TITLES, Translator, evaluate

Pairs = list[tuple[str, str]]


@dataclass
class PairData:
    train: Pairs
    valid: Pairs
    tests: dict[str, Pairs]  # name -> pairs never used in training or to choose anything
    source: str
    notes: list[str] = field(default_factory=list)


def split_pairs(pairs: Pairs, n_valid: int, n_test: int, seed: int) -> tuple[Pairs, Pairs, Pairs]:
    """Train, validation and test pairs: one pair per distinct source, shuffled with `seed`."""
    unique = list(dict(pairs).items())
    random.Random(seed).shuffle(unique)
    n_valid, n_test = min(n_valid, len(unique) // 10), min(n_test, len(unique) // 10)
    if len(unique) - n_valid - n_test < 1:
        raise ValueError(f"{len(unique)} distinct pairs are too few to train on")
    return unique[n_valid + n_test :], unique[:n_valid], unique[n_valid : n_valid + n_test]


def load_pair_data(cfg: TranslateConfig) -> PairData:
    if cfg.pairs_file:
        pairs, skipped = read_pairs_file(cfg.pairs_file)
        train, valid, test = split_pairs(pairs, max(cfg.n_valid, 1), max(cfg.n_test, 1), cfg.split_seed)
        notes = [f"skipped {skipped:,} lines that are not `source<TAB>target`"] if skipped else []
        return PairData(train, valid, {"held-out pairs": test}, f"your pairs ({Path(cfg.pairs_file).name})", notes)
    if cfg.task == "dates":
        train = generate_pairs(cfg.n_train, cfg.split_seed)
        seen = {s for s, _ in train}
        valid = generate_pairs(cfg.n_valid, cfg.split_seed + 1, exclude=seen)
        test = generate_pairs(cfg.n_test, cfg.split_seed + 2, exclude=seen | {s for s, _ in valid})
        natural = natural_english_pairs(min(cfg.n_test, 1_000), cfg.split_seed + 3)
        return PairData(train, valid, {"generated test": test, "natural English forms": natural},
                        "dates generated with faker and babel")
    pairs, source = load_bible_pairs()
    short = [(e, s) for e, s in pairs if len(e.split()) <= cfg.max_words and len(s.split()) <= cfg.max_words
             and 0.5 <= len(s) / len(e) <= 2.0]  # length-ratio filter: drops book titles and misaligned slots
    train, valid, test = split_pairs(short, cfg.n_valid, cfg.n_test, cfg.split_seed)
    return PairData(train, valid, {"Bible verses (test split)": test},
                    f"{source}, verses of at most {cfg.max_words} words")


def build_tokenizers(cfg: TranslateConfig, train: Pairs) -> tuple[CharTokenizer | PieceTokenizer, ...]:
    if cfg.task == "dates":
        return CharTokenizer.build(s for s, _ in train), CharTokenizer.build(t for _, t in train)
    return tuple(PieceTokenizer(train_pieces((p[side] for p in train), cfg.vocab_size, cfg.split_seed))
                 for side in (0, 1))


def train_translator(
    cfg: TranslateConfig,
    data: PairData,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Translator:
    source_tok, target_tok = build_tokenizers(cfg, data.train)
    torch.manual_seed(cfg.train.seed)
    network = Seq2Seq(Seq2SeqConfig(
        source_tok.vocab_size, target_tok.vocab_size, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.cell,
        cfg.attention, cfg.dropout,
    ))
    tr = Translator(cfg.task, network, source_tok, target_tok, dates=cfg.task == "dates" and not cfg.pairs_file)
    sources = [tr.encode(s) or [PAD] for s, _ in data.train]
    targets = [target_tok.encode(t) for _, t in data.train]
    rng = random.Random(cfg.train.seed)

    def loss_on(rows: list[int], src: list[list[int]], tgt: list[list[int]]) -> torch.Tensor:
        source, lengths = pad_sources([src[i] for i in rows])
        target_in, _ = pad_sources([[BOS, *tgt[i]] for i in rows])
        target_out, _ = pad_sources([[*tgt[i], EOS] for i in rows])
        logits = network(source, lengths, target_in)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), target_out.reshape(-1), ignore_index=PAD)

    valid_src = [tr.encode(s) or [PAD] for s, _ in data.valid]
    valid_tgt = [target_tok.encode(t) for _, t in data.valid]

    def evaluate_valid() -> dict[str, float]:
        rows = list(range(len(valid_src)))
        losses = [loss_on(rows[i : i + 256], valid_src, valid_tgt).item() for i in range(0, len(rows), 256)]
        figures = {k: v for k, v in evaluate(tr, data.valid).items() if k != "n"}
        return {"loss": sum(losses) / len(losses), **figures}

    history = fit(
        network, cfg.train,
        lambda: length_batches([len(s) for s in sources], cfg.batch_size, rng),
        lambda rows: loss_on(rows, sources, targets),
        evaluate_valid,
        steps_per_epoch=-(-len(sources) // cfg.batch_size),
        on_step=on_step, on_epoch=on_epoch, should_stop=should_stop,
    )
    title, summary = TITLES[cfg.task]
    if cfg.pairs_file:
        title, summary = f"{title} (your pairs)", f"Trained on your own pairs; {tr.source.kind} tokens."
    tr.card = {
        "title": title,
        "summary": summary,
        "source": data.source,
        "notes": data.notes,
        "sizes": {"train": len(data.train), "valid": len(data.valid),
                  "test": {name: len(p) for name, p in data.tests.items()}},
        "tokenizers": {"source": [source_tok.kind, source_tok.vocab_size],
                       "target": [target_tok.kind, target_tok.vocab_size]},
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "decoding": "greedy",
        "valid": evaluate(tr, data.valid),
        "test": {name: evaluate(tr, pairs) for name, pairs in data.tests.items()},
        "trained_on": f"{platform.machine()} {torch.get_num_threads()} threads, torch {torch.__version__}",
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return tr


def quick_trainer(task: str) -> Callable[[Callable[[float, str], None]], Translator]:
    """What the app runs when `models/translate-TASK` is missing or broken: the quick config, reporting progress."""

    def train(progress: Callable[[float, str], None]) -> Translator:
        cfg = TranslateConfig.quick(task)
        progress(0.0, "preparing the training pairs")
        return train_translator(cfg, load_pair_data(cfg), on_step=progress_reporter(progress, cfg.train.max_epochs))

    return train
