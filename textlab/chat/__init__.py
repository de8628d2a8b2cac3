"""Sheldon chat: a character-level LSTM that answers in the voice of a sitcom character."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, Task
from textlab.chat.config import ChatConfig
from textlab.chat.model import DEFAULT_BOT, ChatModel, load_chat_model, model_card, save_chat_model
from textlab.chat.scoring import speaker_bits_per_char
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


def evaluate(chat: ChatModel, options: EvalOptions) -> dict:
    """Bits per character of a speaker's lines in a transcript, each read after every line before it."""
    lines = parse_transcript(read_text_file(options.text).splitlines(), Path(options.text).stem)
    speaker = options.speaker or chat.card.get("speaker", DEFAULT_BOT)
    return {"speaker": speaker, **speaker_bits_per_char(chat.network, chat.vocab, lines, speaker)}


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
)
