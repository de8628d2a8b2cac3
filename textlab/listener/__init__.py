"""The listener: which candidate reply answers the conversation. It chooses among the chat's drawn replies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textlab.capabilities import Capability, Task, network_to
from textlab.chat.model import DEFAULT_BOT
from textlab.chat.selection import recall_at_1, selection_items
from textlab.data.dialogue import parse_transcript
from textlab.files import read_text_file
from textlab.listener.config import ListenerConfig
from textlab.listener.model import Listener, load_listener, model_card, save_listener
from textlab.listener.training import summary, train


@dataclass(frozen=True)
class ListenerTask(Task):
    def config(self) -> ListenerConfig:
        return ListenerConfig()

    def quick(self) -> ListenerConfig:
        return ListenerConfig().quick()


TASKS = {"listener": ListenerTask("listener", "listener", "listener")}


@dataclass
class EvalOptions:
    text: Path  # a `Speaker: line` transcript: each reply of the speaker ranked among 9 other lines of theirs
    speaker: str = DEFAULT_BOT  # whose replies are ranked


def evaluate(listener: Listener, options: EvalOptions) -> dict:
    """Recall@1 of 10 of the listener alone on a transcript."""
    lines = parse_transcript(read_text_file(options.text).splitlines(), Path(options.text).stem)
    items = selection_items(lines, options.speaker)
    return {
        "speaker": options.speaker,
        "recall_at_1": recall_at_1(items, lambda c, b, x: listener.score(c, x)),
        "n_select": len(items),
    }


CAPABILITY = Capability(
    name="listener",
    tasks=TASKS,
    load=lambda task, folder=None: load_listener(Path(folder or task.path())),
    save=save_listener,
    train=train,
    summary=summary,
    evaluate=evaluate,
    eval_options=EvalOptions,
    card=model_card,
    to_device=network_to,
    one_process="its negatives are the other replies of each batch, which a share of the batch would cut",
)
