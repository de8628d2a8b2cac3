"""Sheldon chat: a character-level LSTM that answers in the voice of a sitcom character."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, Task, network_to
from textlab.chat.config import ChatConfig
from textlab.chat.dynamic import DynamicConfig
from textlab.chat.model import DEFAULT_BOT, ChatModel, load_chat_model, model_card, save_chat_model
from textlab.chat.scoring import normalise_lines, speaker_bits_per_char
from textlab.chat.selection import recall_at_1, selection_items
from textlab.chat.training import summary, train
from textlab.data.dialogue import parse_transcript
from textlab.files import read_text_file


@dataclass(frozen=True)
class ChatTask(Task):
    def config(self) -> ChatConfig:
        return ChatConfig()

    def quick(self) -> ChatConfig:
        return ChatConfig.quick()


TASKS = {"chat": ChatTask("chat", "Sheldon chat", "chat")}


@dataclass
class EvalOptions:
    text: Path  # a `Speaker: line` transcript to score
    speaker: str | None = None  # whose lines to score (default: the model's, Sheldon)
    select: int = 0  # also rank each reply of the speaker among this many of their lines, as the chat chooses
    listener: Path | None = None  # the listener that chooses (default models/listener)
    dynamic: bool = False  # also score with dynamic evaluation: the model learns from the transcript as it reads


def evaluate(chat: ChatModel, options: EvalOptions) -> dict:
    """Bits per character of a speaker's lines in a transcript, each read after every line before it (with
    `dynamic`, also as the model learns from the transcript); with `select`, the serving system's recall@1 at
    picking each reply among `select` of the speaker's lines."""
    lines = parse_transcript(read_text_file(options.text).splitlines(), Path(options.text).stem)
    speaker = options.speaker or chat.card.get("speaker", DEFAULT_BOT)
    network = chat.network
    figures = {"speaker": speaker, **speaker_bits_per_char(network, chat.vocab, lines, speaker)}
    if options.dynamic:
        adapted = speaker_bits_per_char(network, chat.vocab, lines, speaker, DynamicConfig())
        figures |= {
            "dynamic_bits_per_char": adapted["bits_per_char"],
            "dynamic_all_bits_per_char": adapted["all_bits_per_char"],
        }
    if options.select:
        from textlab.listener import CAPABILITY as LISTENER

        listener = LISTENER.load(LISTENER.tasks["listener"], options.listener)
        items = selection_items(normalise_lines(lines, chat.vocab), speaker, options.select)
        figures["recall_at_1"] = recall_at_1(
            items, lambda context, bot, candidates: listener.score(context, candidates)
        )
        figures["n_select"] = len(items)
    return figures


CAPABILITY = Capability(
    name="chat",
    tasks=TASKS,
    load=lambda task, folder=None: load_chat_model(folder or task.path()),
    save=save_chat_model,
    train=train,
    summary=summary,
    evaluate=evaluate,
    eval_options=EvalOptions,
    card=model_card,
    to_device=network_to,
)
