"""Small pieces every tab shows the same way."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import gradio as gr

from textlab.loading import ModelSlot, SlotStatus
from textlab.ui.limits import MAX_TEXT_CHARS

T = TypeVar("T")
log = logging.getLogger("textlab")


def status_markdown(status: SlotStatus, card: str = "") -> str:
    """The model card once the model is ready; until then what is happening, with a progress figure."""
    if status.ready:
        return card or status.message
    if status.state == "training" and status.progress is not None:
        return f"**Not ready yet - {status.progress:.0%}.** {status.message}"
    return f"**Not ready yet.** {status.message}"


def user_error(message: str) -> gr.Error:
    """The error a person (or a client) caused, for the page: logged as one line, without a traceback (tracebacks
    are for the app's own faults), control characters shown escaped."""
    log.info("refused: %s", message[:300].encode("unicode_escape").decode("ascii"))
    return gr.Error(message, print_exception=False)


def ready_model(slot: ModelSlot[T]) -> T:
    """The slot's model, or the slot's status as the error a person sees while it is not ready."""
    model = slot.get()
    if model is None:
        raise user_error(slot.status.message)
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
    """Answer an input a person or a client got wrong with a message naming it, before anything is stored: text
    where a number belongs (or a number or list where text belongs), no value, NaN or infinity, text over its
    maximum (`max_length`, else `limits.MAX_TEXT_CHARS`), text that is not valid Unicode, a slider's value outside
    its range (so the page and the API share one set of limits). Gradio itself reports
    such a value only as a bare "Error"."""
    for block in app.blocks.values():
        if isinstance(block, gr.Slider):
            block.preprocess = _checked(block, block.preprocess, (int, float), "a number", _in_range(block))
        elif isinstance(block, gr.Number):
            block.preprocess = _checked(block, block.preprocess, (int, float), "a number", _finite)
        elif isinstance(block, gr.Textbox):
            block.preprocess = _checked(block, block.preprocess, (str,), "text", _text_rules(block))
        elif isinstance(block, gr.Checkbox):
            block.preprocess = _checked(block, block.preprocess, (bool,), "true or false", None)


def check_argument_count(app: gr.Blocks) -> None:
    """Answer a call that sends too few inputs with what the endpoint takes (Gradio's own message is hidden: the
    client sees a bare "Error")."""
    validate = app.validate_inputs

    def counted(block_fn, inputs):
        if len(inputs) < len(block_fn.inputs):
            names = ", ".join(getattr(b, "label", None) or type(b).__name__.lower() for b in block_fn.inputs)
            raise user_error(f"This endpoint takes {len(block_fn.inputs)} inputs ({names}); got {len(inputs)}.")
        return validate(block_fn, inputs)

    app.validate_inputs = counted


def _checked(
    block: gr.components.Component,
    preprocess: Callable[[Any], Any],
    accepts: tuple[type, ...],
    what: str,
    rule: Callable[[Any], str | None] | None,
) -> Callable[[Any], Any]:
    name = block.label or "This input"
    required = isinstance(block, gr.Slider | gr.Textbox)

    def checked(payload: Any) -> Any:
        if payload is None:
            if required:
                raise user_error(f"{name} needs a value ({what}); got none.")
            return preprocess(payload)
        if not isinstance(payload, accepts) or (bool not in accepts and isinstance(payload, bool)):
            shown = repr(payload)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise user_error(f"{name} takes {what}; got {shown}.")
        if rule and (problem := rule(payload)):
            raise user_error(f"{name} {problem}")
        return preprocess(payload)

    return checked


def _finite(value: float) -> str | None:
    return None if math.isfinite(value) else f"takes a finite number; got {value}."


def _in_range(block: gr.Slider) -> Callable[[float], str | None]:
    def rule(value: float) -> str | None:
        if problem := _finite(value):
            return problem
        if not block.minimum <= value <= block.maximum:
            return f"takes a number from {block.minimum:g} to {block.maximum:g}; got {value}."
        return None

    return rule


def _text_rules(block: gr.Textbox) -> Callable[[str], str | None]:
    limit = block.max_length or MAX_TEXT_CHARS

    def rules(text: str) -> str | None:
        if len(text) > limit:
            return f"takes at most {limit:,} characters; got {len(text):,}."
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "holds characters that are not valid Unicode text (a lone surrogate); send UTF-8 text."
        return None

    return rules
