"""Small pieces every tab shows the same way."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import gradio as gr

from textlab.loading import ModelSlot, SlotStatus

T = TypeVar("T")


def status_markdown(status: SlotStatus, card: str = "") -> str:
    """The model card once the model is ready; until then what is happening, with a progress figure."""
    if status.ready:
        return card or status.message
    if status.state == "training" and status.progress is not None:
        return f"**Not ready yet - {status.progress:.0%}.** {status.message}"
    return f"**Not ready yet.** {status.message}"


def ready_model(slot: ModelSlot[T]) -> T:
    """The slot's model, or the slot's status as the error a person sees while it is not ready."""
    model = slot.get()
    if model is None:
        raise gr.Error(slot.status.message)
    return model


def poll_status(slots: Iterable[ModelSlot], refresh: Callable[..., Any], inputs: list, outputs: list) -> None:
    """Refresh `outputs` once a second with `refresh(*inputs)` (one value, or a tuple of them) until every slot has
    settled (ready or failed). Every page starts polling: the first tick brings it up to date with a model that
    became ready after the page was built."""
    slots = list(slots)
    timer = gr.Timer(1.0)

    def tick(*values):
        fresh = refresh(*values)
        return *(fresh if isinstance(fresh, tuple) else (fresh,)), gr.Timer(
            active=not all(s.status.settled for s in slots)
        )

    timer.tick(tick, inputs, [*outputs, timer], api_visibility="private", show_progress="hidden", queue=False)


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


def check_input_types(app: gr.Blocks) -> None:
    """Answer an API call that sends text where a number belongs (or a number or list where text belongs) with a
    message naming the input. Gradio itself reports such a value only as a hidden internal error."""
    for block in app.blocks.values():
        if isinstance(block, gr.Slider | gr.Number):
            block.preprocess = _typed(block, block.preprocess, (int, float), "a number")
        elif isinstance(block, gr.Textbox):
            block.preprocess = _typed(block, block.preprocess, (str,), "text")
        elif isinstance(block, gr.Checkbox):
            block.preprocess = _typed(block, block.preprocess, (bool,), "true or false")


def _typed(
    block: gr.components.Component, preprocess: Callable[[Any], Any], accepts: tuple[type, ...], what: str
) -> Callable[[Any], Any]:
    def checked(payload: Any) -> Any:
        if payload is not None and (
            not isinstance(payload, accepts) or (bool not in accepts and isinstance(payload, bool))
        ):
            shown = repr(payload)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise gr.Error(f"{block.label or 'This input'} takes {what}; got {shown}.")
        return preprocess(payload)

    return checked
