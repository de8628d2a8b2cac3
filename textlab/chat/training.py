"""Training the chat model on sitcom dialogue, with whole episodes held out for validation and test."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import torch

from textlab.capabilities import Report
from textlab.chat.config import ChatConfig
from textlab.chat.model import DEFAULT_BOT, ChatModel, load_chat_model
from textlab.chat.scoring import speaker_bits_per_char
from textlab.data.dialogue import Utterance, episodes, format_dialogue, split_episodes
from textlab.data.sitcoms import DialogueCorpus, load_dialogue
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.text.batches import batchify
from textlab.text.chars import CharVocab
from textlab.training import EpochRecord, Step, drive, provenance, stream_steps

N_SPEAKERS = 8  # main characters offered in the app


def network_config(cfg: ChatConfig, vocab_size: int) -> CharLMConfig:
    return CharLMConfig(vocab_size, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.dropout)


@dataclass
class EpisodeSplit:
    """A corpus cut into whole episodes: the training text, and the held-out lines."""

    train_text: str
    train_names: list[str]
    valid_names: list[str]
    test_names: list[str]
    valid_lines: list[Utterance]
    test_lines: list[Utterance]
    speakers: list[str]  # the main characters of the training episodes, most lines first
    bot: str  # whose lines the held-out figures score


def split_corpus(cfg: ChatConfig, corpus: DialogueCorpus, extra: DialogueCorpus | None = None) -> EpisodeSplit:
    """Whole episodes held out for validation and test (`cfg`'s n_valid_episodes, n_test_episodes and split_seed;
    the listener's configuration has them too, so both hold out the same episodes); `extra` dialogue joins the
    training text only."""
    by_episode = episodes(corpus.utterances)
    train_names, valid_names, test_names = split_episodes(
        list(by_episode), cfg.n_valid_episodes, cfg.n_test_episodes, cfg.split_seed
    )
    train_text = "".join(format_dialogue(by_episode[n]) for n in train_names)
    if extra is not None:
        train_text += format_dialogue(extra.utterances)
    speakers = [s for s, _ in Counter(u.speaker for n in train_names for u in by_episode[n]).most_common(N_SPEAKERS)]
    bot = DEFAULT_BOT if DEFAULT_BOT in speakers else speakers[0]
    split = EpisodeSplit(
        train_text,
        train_names,
        valid_names,
        test_names,
        [u for n in valid_names for u in by_episode[n]],
        [u for n in test_names for u in by_episode[n]],
        speakers,
        bot,
    )
    for name, lines in (("validation", split.valid_lines), ("test", split.test_lines)):
        if not any(u.speaker.lower() == bot.lower() for u in lines):
            raise ValueError(f"{bot} has no lines in the {name} episodes: give a corpus with more episodes")
    return split


def train_chat(
    cfg: ChatConfig,
    corpus: DialogueCorpus,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    init: ChatModel | None = None,
    extra: DialogueCorpus | None = None,
) -> ChatModel:
    """Train a character LSTM on `corpus`; the returned model's card holds its history and held-out figures.

    With `init`, training continues from that model's weights (same vocabulary and network configuration).
    `extra` adds another show's dialogue to the training text only; validation and test stay in `corpus`.
    """
    split = split_corpus(cfg, corpus, extra)
    vocab = CharVocab.build(split.train_text + "\n")
    torch.manual_seed(cfg.train.seed)
    network, earlier_runs = _network(cfg, vocab, init)
    rows = batchify(torch.tensor(vocab.encode(split.train_text)), cfg.batch_size)
    evaluate = partial(_valid_figures, network, vocab, split.valid_lines, split.bot)
    history = drive(
        stream_steps(network, cfg.train, rows, cfg.seq_len, evaluate, should_stop=should_stop), on_step, on_epoch
    )
    card = {
        "corpus": corpus.name,
        "source": corpus.source,
        "notes": corpus.notes,
        "extra_training_text": extra.source if extra else None,
        "train_chars": len(split.train_text),
        "episodes": {"train": len(split.train_names), "valid": split.valid_names, "test": split.test_names},
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "earlier_runs": earlier_runs,
        "valid": speaker_bits_per_char(network, vocab, split.valid_lines, split.bot),
        "test": speaker_bits_per_char(network, vocab, split.test_lines, split.bot),
        "speaker": split.bot,
        **provenance(),
    }
    return ChatModel(network.cpu(), vocab, split.speakers, card)  # served and saved from the CPU, wherever trained


def _network(cfg: ChatConfig, vocab: CharVocab, init: ChatModel | None) -> tuple[CharLM, list[dict]]:
    """A fresh network for `cfg`, or `init`'s to continue (with the histories of its earlier runs)."""
    wanted = network_config(cfg, len(vocab))
    if init is None:
        return CharLM(wanted), []
    if init.vocab != vocab or init.network.config != wanted:
        raise ValueError(
            f"cannot continue from a model with {init.network.config} and {len(init.vocab)} characters: "
            f"this configuration and corpus give {wanted}"
        )
    return init.network, [*init.card.get("earlier_runs", []), init.card.get("history")]


def _valid_figures(network: CharLM, vocab: CharVocab, lines: list[Utterance], bot: str) -> dict[str, float]:
    figures = speaker_bits_per_char(network, vocab, lines, bot)
    return {
        "loss": figures["all_bits_per_char"] * math.log(2),
        f"{bot.lower()}_bits_per_char": figures["bits_per_char"],
    }


def train(cfg: ChatConfig, report: Report) -> ChatModel:
    """Train on `cfg.corpus` (default The Big Bang Theory), continuing `cfg.init_from` when it is set."""
    init = load_chat_model(Path(cfg.init_from)) if cfg.init_from else None
    corpus = load_dialogue(Path(cfg.corpus) if cfg.corpus else None)
    for note in corpus.notes:
        report.note(f"note: {note}")
    report.note(f"training on {corpus.source}: {len(corpus.utterances):,} lines")
    return train_chat(cfg, corpus, report.steps(cfg.train.max_epochs), report.on_epoch, report.should_stop, init)


def summary(chat: ChatModel) -> dict:
    card = chat.card
    return {"valid": card["valid"], "test": card["test"], "stopped": card["history"]["stopped"]}
