"""Small pieces every tab shows the same way."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from textlab.loading import SlotStatus

T = TypeVar("T")


def status_markdown(status: SlotStatus, card: str = "") -> str:
    """The model card once the model is ready; until then what is happening, with a progress figure."""
    if status.ready:
        return card or status.message
    if status.state == "training" and status.progress is not None:
        return f"**Not ready yet - {status.progress:.0%}.** {status.message}"
    return f"**Not ready yet.** {status.message}"


def at_most_every(seconds: float, stream: Iterable[T]) -> Iterator[T]:
    """The latest item of `stream` at most once every `seconds`, and always the last one.

    Each update a handler yields costs Gradio a round of post-processing and a message to the browser, under the
    GIL; a reply streamed one character at a time would otherwise slow every other request on the server.
    """
    pending, last_sent = False, float("-inf")
    for item in stream:
        pending = True
        if time.monotonic() - last_sent >= seconds:
            yield item
            pending, last_sent = False, time.monotonic()
    if pending:
        yield item
