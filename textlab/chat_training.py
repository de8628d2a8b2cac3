"""Training the chat model on sitcom dialogue, with whole episodes held out for validation and test."""

from __future__ import annotations

import math
import platform
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

import torch
import torch.nn.functional as F

from textlab.chat import DEFAULT_BOT, ChatModel, speaker_bits_per_char
from textlab.config import ChatConfig
from textlab.data.dialogue import episodes, format_dialogue, split_episodes
from textlab.data.registry import DialogueCorpus, load_dialogue
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.text.chars import CharVocab
from textlab.text.streams import batchify, count_tbptt_batches, tbptt_batches
from textlab.training import EpochRecord, Step, fit, progress_reporter

N_SPEAKERS = 8  # main characters offered in the app


def network_config(cfg: ChatConfig, vocab_size: int) -> CharLMConfig:
    return CharLMConfig(vocab_size, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.dropout)


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
    by_episode = episodes(corpus.utterances)
    train_names, valid_names, test_names = split_episodes(
        list(by_episode), cfg.n_valid_episodes, cfg.n_test_episodes, cfg.split_seed
    )
    train_text = "".join(format_dialogue(by_episode[n]) for n in train_names)
    if extra is not None:
        train_text += format_dialogue(extra.utterances)
    valid_lines = [u for n in valid_names for u in by_episode[n]]
    test_lines = [u for n in test_names for u in by_episode[n]]

    vocab = CharVocab.build(train_text + "\n")
    speakers = [s for s, _ in Counter(u.speaker for n in train_names for u in by_episode[n]).most_common(N_SPEAKERS)]
    bot = DEFAULT_BOT if DEFAULT_BOT in speakers else speakers[0]
    for split, names in (("validation", valid_names), ("test", test_names)):
        if not any(u.speaker.lower() == bot.lower() for n in names for u in by_episode[n]):
            raise ValueError(f"{bot} has no lines in the {split} episodes: give a corpus with more episodes")

    torch.manual_seed(cfg.train.seed)
    wanted = network_config(cfg, len(vocab))
    network, earlier_runs = CharLM(wanted), []
    if init is not None:
        if init.vocab != vocab or init.network.config != wanted:
            raise ValueError(
                f"cannot continue from a model with {init.network.config} and {len(init.vocab)} characters: "
                f"this configuration and corpus give {wanted}"
            )
        network, earlier_runs = init.network, [*init.card.get("earlier_runs", []), init.card.get("history")]
    rows = batchify(torch.tensor(vocab.encode(train_text)), cfg.batch_size)
    state = None

    def batches():
        nonlocal state
        state = None  # each epoch starts the rows afresh
        return tbptt_batches(rows, cfg.seq_len)

    def step_loss(batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        nonlocal state
        x, y = batch
        if state is not None:
            state = tuple(s.detach() for s in state)  # truncate backpropagation at the window's start
        logits, state = network(x, state)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))

    def evaluate() -> dict[str, float]:
        figures = speaker_bits_per_char(network, vocab, valid_lines, bot)
        return {
            "loss": figures["all_bits_per_char"] * math.log(2),
            f"{bot.lower()}_bits_per_char": figures["bits_per_char"],
        }

    history = fit(
        network, cfg.train, batches, step_loss, evaluate,
        steps_per_epoch=count_tbptt_batches(rows, cfg.seq_len),
        on_step=on_step, on_epoch=on_epoch, should_stop=should_stop,
    )
    valid = speaker_bits_per_char(network, vocab, valid_lines, bot)
    test = speaker_bits_per_char(network, vocab, test_lines, bot)
    card = {
        "corpus": corpus.name,
        "source": corpus.source,
        "notes": corpus.notes,
        "extra_training_text": extra.source if extra else None,
        "train_chars": len(train_text),
        "episodes": {"train": len(train_names), "valid": valid_names, "test": test_names},
        "parameters": sum(p.numel() for p in network.parameters()),
        "config": asdict(cfg),
        "history": history.to_dict(),
        "earlier_runs": earlier_runs,
        "valid": valid,
        "test": test,
        "speaker": bot,
        "trained_on": f"{platform.machine()} {torch.get_num_threads()} threads, torch {torch.__version__}",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return ChatModel(network, vocab, speakers, card)


def train_quick_chat(progress: Callable[[float, str], None], cfg: ChatConfig | None = None) -> ChatModel:
    """What the app trains when `models/chat` is missing or broken: the quick config, reporting progress."""
    cfg = cfg or ChatConfig.quick()
    corpus = load_dialogue()

    return train_chat(cfg, corpus, on_step=progress_reporter(progress, cfg.train.max_epochs))
