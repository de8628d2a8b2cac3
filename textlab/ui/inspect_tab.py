"""The "Look inside" tab: what the chat's character LSTM computes over a text you paste, character by character and
unit by unit. The computing is in `textlab.inspect`; this module turns its arrays into HTML and SVG."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import gradio as gr
import numpy as np

from textlab.chat.model import ChatModel
from textlab.inspect import (
    PROPERTIES,
    STATES,
    Trace,
    UnitScore,
    drivers,
    find_span,
    find_units,
    property_values,
    read_text,
    regex_property,
    span_units,
    span_values,
    trace,
)
from textlab.inspect.beams import Node, beam_tree
from textlab.inspect.whatif import forced_decode
from textlab.lab.own_model import KEPT_SESSIONS, TRAINED, OwnModel
from textlab.loading import ModelSlot
from textlab.translate.model import MAX_BEAM, Translation
from textlab.translate.tasks import TASKS as TRANSLATE_TASKS
from textlab.ui.common import ready_model, user_error
from textlab.ui.limits import CHAT_MESSAGE_CHARS
from textlab.ui.translate_tab import svg_attention

TITLE = "Look inside"
# The chat model's message limit serves here too: every state of every unit of 2,000 characters is ~30 MB.
INSPECT_CHARS = CHAT_MESSAGE_CHARS
REGEX = "regex"  # the finder's choice for a pattern of your own
FINDER_CHOICES = [(f"{name}: {about}", name) for name, about in PROPERTIES.items()] + [
    ("your regular expression (below)", REGEX)
]
SHOWN_UNITS = 3  # the finder's best units drawn over the text
CHAT, YOURS = "chat", "yours"  # the model choices: the app's chat model, or the one this session trained in the Lab
MODEL_INPUT = f" ('{CHAT}', or '{YOURS}': what this session trained in Lab > Train your own; default '{CHAT}')"
MODEL_CHOICES = [("the chat model", CHAT), ("your model, trained in Lab > Train your own in this session", YOURS)]
EXAMPLE = (
    "Leonard: Sheldon, what are you doing?\n"
    'Sheldon: I am writing "a paper" on string theory. It will take 3 weeks, or 4.\n'
    "Penny: Can I sit in your spot?\n"
    "Sheldon: No.\n"
    "Howard: (laughs) Why not?\n"
    'Sheldon: Because it is my spot. I said "no" twice, Penny.\n'
)
_CSS = (
    "<style>.tl-strip{font-family:ui-monospace,monospace;font-size:15px;line-height:1.9;white-space:pre-wrap;"
    "word-break:break-all}.tl-strip span{position:relative;border-radius:2px}.tl-strip .tl-t{outline:2px solid "
    "#7c3aed}.tl-strip .tl-p{text-decoration:underline 3px #111827;text-underline-offset:3px}"
    ".tl-strip .tl-later{color:#a1a1aa}"
    ".tl-strip span[data-tip]:hover{outline:1px solid #111827}.tl-strip span[data-tip]:hover::after{content:"
    "attr(data-tip);position:absolute;left:0;top:1.7em;z-index:20;white-space:pre;background:#111827;color:#f9fafb;"
    "padding:4px 8px;border-radius:4px;font-size:12px;line-height:1.35}</style>"
)


def character_model(slot: ModelSlot[ChatModel], which: str, session: str | None) -> ChatModel | OwnModel:
    """The model a view reads with: the chat's, or the one `session` trained in the Lab (both have `network` and
    `vocab`)."""
    if which == YOURS:
        own = TRAINED.get(session)
        if own is None:
            raise user_error(
                "This session has no model of yours yet: train one in Lab > Train your own, then come back (the "
                f"server keeps the models of the last {KEPT_SESSIONS} sessions that trained one)."
            )
        return own
    if which not in (CHAT, None):
        raise user_error(f"Unknown model {which!r}; choose {CHAT!r} or {YOURS!r}.")
    return ready_model(slot)


def _reading(
    slot: ModelSlot[ChatModel], text: str, which: str, session: str | None
) -> tuple[ChatModel | OwnModel, Trace]:
    model = character_model(slot, which, session)
    try:
        return model, trace(model.network, read_text(text or "", model.vocab, INSPECT_CHARS))
    except ValueError as e:
        raise user_error(str(e)) from None


def _in_session(handler: Callable[..., Any], slot: ModelSlot[ChatModel]) -> Callable[..., Any]:
    """`handler(slot, *inputs, session=...)` as an event calls it: Gradio passes the request first (the session
    whose own model "yours" means), then the inputs, the model choice last."""

    def run(request: gr.Request, *inputs: Any) -> Any:
        return handler(slot, *inputs, session=getattr(request, "session_hash", None))

    return run


def show_surprisal(slot: ModelSlot[ChatModel], text, which=CHAT, session=None) -> tuple[float, str, str]:
    """Mean bits per character, notes (Markdown) and the strip: each character shaded by its surprisal, its hover
    the model's five likeliest guesses for it."""
    chat, tr = _reading(slot, text, which, session)
    bits, (ids, probs) = tr.surprisal, tr.top(5)
    tips = []
    for k, ch in enumerate(tr.reading.text):
        guesses = "\n".join(f"{_shown(chat.vocab.chars[i])}  {p:.3f}" for i, p in zip(ids[k], probs[k], strict=True))
        tips.append(f"{_shown(ch)}: {bits[k]:.2f} bits (p {2.0 ** -bits[k]:.3f})\nthe model's top 5:\n{guesses}")
    alpha = np.minimum(bits / 8.0, 1.0)
    backgrounds = [f"rgba(220,38,38,{a:.2f})" for a in alpha]
    notes = _reading_notes(tr) + " Darker red: more surprising (8 bits or more is darkest); hover a character."
    return round(tr.bits_per_char, 4), notes, _strip(tr.reading.text, backgrounds, tips)


def show_unit(slot: ModelSlot[ChatModel], text, layer, state, unit, which=CHAT, session=None) -> tuple[str, str]:
    """One unit over the text: the characters coloured by its value (blue below zero, orange above) and a line."""
    _, tr = _reading(slot, text, which, session)
    try:
        values = tr.unit(int(layer or 0), state, int(unit if unit is not None else -1))
    except ValueError as e:
        raise user_error(str(e)) from None
    title = f"layer {int(layer)}, {state}, unit {int(unit)}"
    return _unit_strip(tr.reading.text, values, state), _svg_line(tr.reading.text, values, title)


def find_best_units(
    slot: ModelSlot[ChatModel], text, prop, pattern, which=CHAT, session=None
) -> tuple[list[list], str]:
    """The units of every layer and state that best track a property (or your regular expression), best first, and
    the best few drawn over the text with the property's characters underlined."""
    _, tr = _reading(slot, text, which, session)
    try:
        best = find_units(tr, None, pattern or "", top=10) if prop == REGEX else find_units(tr, prop, top=10)
        marked = regex_property(pattern or "", tr.reading.text) if prop == REGEX else None
    except ValueError as e:
        raise user_error(str(e)) from None
    if marked is None and prop != "line_position":
        marked = property_values(prop, tr.reading.text)
    legend = "<p>Underlined: the characters with the property.</p>" if marked is not None else ""
    return _ranked(tr, best, marked, legend)


def find_span_units(slot: ModelSlot[ChatModel], text, span, which=CHAT, session=None) -> tuple[list[list], str]:
    """The LSTMVis way in: the units on in a span you mark (the first occurrence of `span` in the text as read) and
    off elsewhere, or the other way round, ranked by the finder's AUC for "inside the span"; the best few drawn over
    the text with the span underlined."""
    if len(span or "") > INSPECT_CHARS:
        raise user_error(f"a span has at most {INSPECT_CHARS:,} characters, as the text does; got {len(span):,}")
    _, tr = _reading(slot, text, which, session)
    try:
        start, end = find_span(tr.reading.text, span or "")
        best = span_units(tr, start, end, top=10)
    except ValueError as e:
        raise user_error(str(e)) from None
    n = len(tr.reading.text)
    legend = (
        f"<p>Underlined: the span, characters {start + 1} to {end} of {n:,}. AUC near 1: the unit is higher in the "
        "span than anywhere else; near 0: lower.</p>"
    )
    return _ranked(tr, best, span_values(tr.reading.text, start, end), legend)


def _ranked(tr: Trace, best: list[UnitScore], marked: np.ndarray | None, legend: str) -> tuple[list[list], str]:
    """The finder's table rows, and its best few units drawn over the text with the `marked` characters underlined."""
    rows = [[r, s.layer, s.state, s.unit, round(s.score, 4), s.measure] for r, s in enumerate(best, 1)]
    parts = []
    for s in best[:SHOWN_UNITS]:
        values = tr.unit(s.layer, s.state, s.unit)
        heading = f"<h4>layer {s.layer}, {s.state}, unit {s.unit}: {s.measure} {s.score:.3f}</h4>"
        parts.append(heading + _unit_strip(tr.reading.text, values, s.state, marked))
    return rows, legend + "".join(parts)


def show_drivers(slot: ModelSlot[ChatModel], text, position, which=CHAT, session=None) -> tuple[str, str]:
    """Notes and the strip: the characters before a prediction shaded by how strongly each moves it (the norm of the
    gradient of its log-probability with respect to their embeddings)."""
    chat, tr = _reading(slot, text, which, session)
    n = len(tr.reading.text)
    where = n - 1 if not position else int(position) - 1
    try:
        found = drivers(chat.network, tr.reading, where)
    except ValueError:
        raise user_error(
            f"character number {int(position)} is outside the text; choose 1 to {n} (0: the last)"
        ) from None
    scale = max(float(found.norms.max(initial=0.0)), found.newline_norm, 1e-12)
    # square root: a few characters near the prediction pull far harder than the rest, which would all look blank
    backgrounds = [f"rgba(124,58,237,{np.sqrt(v / scale):.2f})" for v in found.norms] + [""] * (n - where)
    tips = [f"{_shown(c)}: gradient norm {v:.4f}" for c, v in zip(tr.reading.text, found.norms, strict=False)]
    strip = _strip(tr.reading.text, backgrounds, tips + [""] * (n - where), target=where)
    strongest = np.argsort(-found.norms, kind="stable")[:5]
    pulls = ", ".join(f"{_shown(tr.reading.text[k])} (character {k + 1}, {found.norms[k]:.3g})" for k in strongest)
    notes = (
        f"Predicting {_shown(tr.reading.text[where])} at character {where + 1} of {n}: probability "
        f"{np.exp(found.log_prob):.3f}. Darker purple (square-root scale): that character's embedding moves the "
        "prediction more; hover for its gradient norm. "
        f"Strongest: {pulls or 'none (the first character)'}."
    )
    return notes, strip


def translate_what_if(slots: dict[str, ModelSlot], text, task, forced) -> tuple[str, list[list], str]:
    """The translator left alone beside the translator made to start with `forced`: notes (Markdown), one row
    per output token (its probability, whether it was forced, the model's likeliest tokens at that step) and the
    forced output's attention map (SVG, drawn as the Translate tab draws its own)."""
    if task not in slots:
        raise user_error(f"Unknown task {task!r}; choose one of {', '.join(slots)}.")
    tr = ready_model(slots[task])
    try:
        free, made = forced_decode(tr, text or ""), forced_decode(tr, text or "", forced or "")
    except ValueError as e:
        raise user_error(str(e)) from None
    rows = [
        [t + 1, s.piece, float(f"{s.probability:.3g}"), s.forced, ", ".join(f"{a} {p:.2f}" for a, p in s.alternatives)]
        for t, s in enumerate(made.steps)
    ]
    free_text, made_text, start = (html.escape(t, quote=False) for t in (free.output, made.output, repr(forced or "")))
    notes = (
        f"Left alone (greedy): **{free_text}**, probability {math.exp(free.log_prob):.3g}.  \n"
        f"Made to start with {start}: **{made_text}**, probability {math.exp(made.log_prob):.3g}"
        + ("" if made.finished else " (it reached the length limit without ending)")
        + "."
    )
    pieces = [s.piece for s in made.steps]  # the forced tokens first, the closing </s> included
    drawn = Translation(made.output, [], made.source_pieces, pieces, made.attention, [], False, 0.0)
    return notes, rows, svg_attention(drawn)


def show_beam_tree(slots: dict[str, ModelSlot], text, task, beam) -> str:
    """Every hypothesis the translator's beam search grew, as a tree (SVG): one column per output step."""
    if task not in slots:
        raise user_error(f"Unknown task {task!r}; choose one of {', '.join(slots)}.")
    tr = ready_model(slots[task])
    if len(text or "") > tr.rules.max_chars:
        raise user_error(f"the {task} model reads at most {tr.rules.max_chars:,} characters; got {len(text):,}")
    try:
        nodes, finished = beam_tree(tr, text or "", int(beam))
    except ValueError as e:
        raise user_error(str(e)) from None
    return svg_tree(nodes, [tr.target.decode(h.output) for h in finished])


TREE_COLOURS = {"best": "#ea580c", "kept": "#2563eb", "finished": "#16a34a", "dropped": "#a1a1aa"}


def svg_tree(nodes: list[Node], outputs: list[str], row: int = 20) -> str:
    """The beam tree: each step a column, each node a token under its parent's line, coloured by what became of it."""
    column = max(64, 8 * max((len(n.piece) for n in nodes), default=1) + 28)  # room for the longest token and a line
    places: dict[int, tuple[float, float]] = {-1: (12.0 + 8 * 5, 30.0)}  # where each node's line leaves from
    counts: dict[int, int] = {}
    marks = []
    for node in nodes:
        k = counts[node.step] = counts.get(node.step, 0) + 1
        x, y = 12 + node.step * column, 16 + k * row
        places[node.id] = (x + 8 * len(node.piece) + 2, y)
        px, py = places[node.parent]
        colour, width = TREE_COLOURS[node.status], 2.5 if node.status == "best" else 1
        marks.append(
            f'<line x1="{px:.0f}" y1="{py - 4:.0f}" x2="{x - 2}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="{width}" stroke-opacity="0.7"/>'
            f'<text x="{x}" y="{y}" font-size="12" fill="{colour}" font-family="monospace">{_label(node.piece)}'
            f"<title>step {node.step}: {html.escape(node.piece)}, {node.status}, log-probability "
            f"{node.log_prob:.2f}</title></text>"
        )
    width = 60 + column * (max(counts, default=0) + 1)
    height = 50 + row * max(counts.values(), default=1)
    legend = ", ".join(f'<tspan fill="{c}">{s}</tspan>' for s, c in TREE_COLOURS.items())
    found = html.escape(" | ".join(outputs[:5]))
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="beam tree" '
        f'style="max-width:{width}px"><text x="12" y="30" font-size="12" fill="currentColor">start</text>'
        f'{"".join(marks)}<text x="12" y="{height - 8}" font-size="11" fill="#71717a">{legend}. Finished, best '
        f"first: {found}</text></svg>"
    )


def _label(piece: str) -> str:
    return html.escape({" ": "\u2423"}.get(piece, piece.replace("\u2581", "_")))


def _reading_notes(tr: Trace) -> str:
    r = tr.reading
    how = "a `Speaker: line` transcript, as `eval chat` reads one" if r.transcript else "plain text"
    dropped = f" ({r.dropped} lines that were not spoken lines left out)" if r.dropped else ""
    return (
        f"Mean **{tr.bits_per_char:.3f} bits per character** over {len(r.text):,} characters, read as {how}{dropped}."
    )


def _unit_strip(text: str, values: np.ndarray, state: str, marked: np.ndarray | None = None) -> str:
    if state in ("input", "forget", "output"):  # gates, 0 to 1
        backgrounds = [f"rgba(22,163,74,{v:.2f})" for v in values]
    else:
        scale = 1.0 if state == "hidden" else max(float(np.abs(values).max()), 1e-6)
        backgrounds = [
            f"rgba(234,88,12,{v / scale:.2f})" if v >= 0 else f"rgba(37,99,235,{-v / scale:.2f})" for v in values
        ]
    tips = [f"{_shown(c)}: {v:.3f}" for c, v in zip(text, values, strict=True)]
    return _strip(text, backgrounds, tips, marked=marked)


def _strip(
    text: str,
    backgrounds: list[str],
    tips: list[str],
    target: int | None = None,
    marked: np.ndarray | None = None,
) -> str:
    """One span per character: its background, its hover text (`data-tip`), a new line shown as a return sign."""
    spans = []
    for k, ch in enumerate(text):
        classes = " ".join(
            c
            for c, on in (
                ("tl-t", k == target),
                ("tl-p", marked is not None and bool(marked[k])),
                ("tl-later", target is not None and k > target),
            )
            if on
        )
        attributes = f' class="{classes}"' if classes else ""
        attributes += f' style="background:{backgrounds[k]}"' if backgrounds[k] else ""
        attributes += f' data-tip="{html.escape(tips[k])}"' if tips[k] else ""
        shown = "\u21b5" if ch == "\n" else html.escape(ch)
        spans.append(f'<span data-k="{k}"{attributes}>{shown}</span>' + ("\n" if ch == "\n" else ""))
    return f'{_CSS}<div class="tl-strip">{"".join(spans)}</div>'


def _svg_line(text: str, values: np.ndarray, title: str, width: int = 900, height: int = 180) -> str:
    """The unit's value at each character as a line, a grey rule at each new line, zero dashed."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 1e-6)
    left, top, bottom = 48, 12, 24
    dx = (width - left - 8) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * (height - top - bottom)

    points = " ".join(f"{left + k * dx:.1f},{y(v):.1f}" for k, v in enumerate(values))
    rules = "".join(
        f'<line x1="{left + k * dx:.1f}" x2="{left + k * dx:.1f}" y1="{top}" y2="{height - bottom}" stroke="#e4e4e7"/>'
        for k, ch in enumerate(text)
        if ch == "\n"
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{html.escape(title)} over the text">'
        f"{rules}"
        f'<line x1="{left}" x2="{width - 8}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#a1a1aa" stroke-dasharray="4"/>'
        f'<polyline points="{points}" fill="none" stroke="#ea580c" stroke-width="1.5"/>'
        f'<text x="{left - 6}" y="{y(high) + 4:.0f}" font-size="11" text-anchor="end" fill="currentColor">'
        f"{high:.2f}</text>"
        f'<text x="{left - 6}" y="{y(low) + 4:.0f}" font-size="11" text-anchor="end" fill="currentColor">'
        f"{low:.2f}</text>"
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#71717a">{html.escape(title)}: one point per '
        f"character ({len(values):,}); grey rules: new lines</text></svg>"
    )


def _shown(ch: str) -> str:
    return {" ": "\u2423", "\n": "\u21b5"}.get(ch, ch)


def create_tab(slots: dict[str, ModelSlot]) -> None:
    slot = slots["chat"]
    with gr.Tab(TITLE, id="inspect"):
        gr.Markdown(
            "What a character model computes as it reads a text: how surprised it is by each character, what each "
            "unit does, which units track what. The chat's model, or the one you trained in Lab > Train your own. "
            f"At most {INSPECT_CHARS:,} characters."
        )
        model = gr.Radio(MODEL_CHOICES, value=CHAT, label="Model", elem_id="inspect-model")
        text = gr.Textbox(label="Text", value=EXAMPLE, lines=6, max_length=INSPECT_CHARS, elem_id="inspect-text")
        _surprisal_controls(slot, text, model)
        _unit_controls(slot, text, model)
        _finder_controls(slot, text, model)
        _span_controls(slot, text, model)
        _driver_controls(slot, text, model)
        _what_if_controls({name: slots[name] for name in TRANSLATE_TASKS})


def _surprisal_controls(slot: ModelSlot[ChatModel], text: gr.Textbox, model: gr.Radio) -> None:
    button = gr.Button("Read it", variant="primary", elem_id="inspect-read")
    mean = gr.Number(label="Mean bits per character", interactive=False, elem_id="inspect-mean")
    notes = gr.Markdown(elem_id="inspect-notes")
    strip = gr.HTML(elem_id="inspect-surprisal")
    button.click(
        _in_session(show_surprisal, slot),
        [text, model],
        [mean, notes, strip],
        api_name="inspect_surprisal",
        api_description="Each character's surprisal under a character model. Inputs: text (a `Speaker: line` "
        f"transcript or plain), model{MODEL_INPUT}. Outputs: mean bits per character, notes, HTML (one span per "
        "character; data-tip: the top 5).",
    )


def _unit_controls(slot: ModelSlot[ChatModel], text: gr.Textbox, model: gr.Radio) -> None:
    gr.Markdown(
        "### One unit\nColour the text by one unit's value: " + "; ".join(f"**{k}**: {v}" for k, v in STATES.items())
    )
    with gr.Row():
        layer = gr.Number(label="Layer (from 1)", value=1, precision=0, elem_id="inspect-layer")
        state = gr.Dropdown(list(STATES), value="cell", label="State", elem_id="inspect-state")
        unit = gr.Number(label="Unit (from 0)", value=0, precision=0, elem_id="inspect-unit")
        button = gr.Button("Show unit", elem_id="inspect-show-unit")
    strip = gr.HTML(elem_id="inspect-unit-strip")
    plot = gr.HTML(elem_id="inspect-unit-plot")
    button.click(
        _in_session(show_unit, slot),
        [text, layer, state, unit, model],
        [strip, plot],
        api_name="inspect_unit",
        api_description="One unit over the text. Inputs: text, layer (from 1), state "
        f"({', '.join(STATES)}), unit (from 0), model{MODEL_INPUT}. Outputs: the coloured text (HTML), a "
        "line plot (SVG).",
    )


def _finder_controls(slot: ModelSlot[ChatModel], text: gr.Textbox, model: gr.Radio) -> None:
    gr.Markdown(
        "### Unit finder\nEvery unit of every layer and state, ranked by how well it tells the characters with a "
        "property from the rest (ROC AUC far from 0.5; correlation for the position in the line)."
    )
    with gr.Row():
        prop = gr.Dropdown(FINDER_CHOICES, value="in_quotes", label="Property", elem_id="inspect-property")
        pattern = gr.Textbox(label="Regular expression", placeholder=r"e.g. \bSheldon\b", max_length=200)
        button = gr.Button("Find units", elem_id="inspect-find")
    table = gr.Dataframe(
        headers=["rank", "layer", "state", "unit", "score", "measure"], label="Best units", elem_id="inspect-best"
    )
    strips = gr.HTML(elem_id="inspect-best-strips")
    button.click(
        _in_session(find_best_units, slot),
        [text, prop, pattern, model],
        [table, strips],
        api_name="inspect_find_units",
        api_description=f"Rank every unit by a property ({', '.join(PROPERTIES)}, or '{REGEX}' with a pattern). "
        f"Inputs: text, property, pattern, model{MODEL_INPUT}. Outputs: the 10 best units, the best 3 drawn over "
        "the text (HTML).",
    )


def _span_controls(slot: ModelSlot[ChatModel], text: gr.Textbox, model: gr.Radio) -> None:
    gr.Markdown(
        "### Units for a span you mark\nCopy a piece of the text (its first occurrence is the span) to find the "
        "units that are on there and off elsewhere, or off there and on elsewhere: every unit ranked by how well its "
        "values tell the span's characters from the rest of the text (the finder's ROC AUC, with \"inside the "
        'span" as the property).'
    )
    with gr.Row():
        span = gr.Textbox(
            label="Span (a piece of the text)",
            value="a paper",
            max_length=INSPECT_CHARS,
            elem_id="inspect-span",
        )
        button = gr.Button("Find units for the span", elem_id="inspect-find-span")
    table = gr.Dataframe(
        headers=["rank", "layer", "state", "unit", "score", "measure"],
        label="Best units for the span",
        elem_id="inspect-span-best",
    )
    strips = gr.HTML(elem_id="inspect-span-strips")
    button.click(
        _in_session(find_span_units, slot),
        [text, span, model],
        [table, strips],
        api_name="inspect_span_units",
        api_description="Rank every unit by how well it tells a span of the text from the rest (ROC AUC). Inputs: "
        f"text, span (a piece of the text, at most {INSPECT_CHARS:,} characters; its first occurrence in the text "
        f"as read), model{MODEL_INPUT}. Outputs: the 10 best units, the best 3 drawn over the text with the span "
        "underlined (HTML).",
    )


def _driver_controls(slot: ModelSlot[ChatModel], text: gr.Textbox, model: gr.Radio) -> None:
    gr.Markdown("### What drives the next character")
    with gr.Row():
        position = gr.Number(label="Character number (from 1; 0: the last)", value=0, precision=0)
        button = gr.Button("Show what drives it", elem_id="inspect-drive")
    notes = gr.Markdown(elem_id="inspect-drive-notes")
    strip = gr.HTML(elem_id="inspect-drive-strip")
    button.click(
        _in_session(show_drivers, slot),
        [text, position, model],
        [notes, strip],
        api_name="inspect_drivers",
        api_description="Which earlier characters move one prediction: gradient norms of its log-probability "
        f"with respect to their embeddings. Inputs: text, character number (from 1; 0: the last), model{MODEL_INPUT}. "
        "Outputs: notes, HTML.",
    )


def _what_if_controls(slots: dict[str, ModelSlot]) -> None:
    gr.Markdown(
        "### The translator: a forced-token what-if, and the beam tree\nMake the decoder start its output with "
        "tokens you choose: how likely it found each of them, what it writes after them, and where in the input it "
        "looked for each (the attention map, forced tokens in its first rows). Or see every hypothesis its beam "
        "search grew."
    )
    with gr.Row():
        task = gr.Radio(
            [(t.title, name) for name, t in TRANSLATE_TASKS.items()], value="dates", label="Task", elem_id="whatif-task"
        )
        source = gr.Textbox(label="Input", value="the 3rd of May 1999", max_length=300, elem_id="whatif-input")
        forced = gr.Textbox(label="Start the output with", value="1998", max_length=300, elem_id="whatif-forced")
        button = gr.Button("What if", elem_id="whatif-button")
        beam = gr.Slider(1, MAX_BEAM, value=3, step=1, label="Beam width (for the tree)")
        tree_button = gr.Button("Beam tree", elem_id="beam-tree-button")
    notes = gr.Markdown(elem_id="whatif-notes")
    steps = gr.Dataframe(
        headers=["step", "token", "probability", "forced", "the model's likeliest"],
        label="Each output token",
        elem_id="whatif-steps",
        wrap=True,
    )
    attention = gr.HTML(elem_id="whatif-attention")
    button.click(
        partial(translate_what_if, slots),
        [source, task, forced],
        [notes, steps, attention],
        api_name="inspect_translate_what_if",
        api_description="Greedy translation with the output forced to start with your tokens. Inputs: text, task "
        f"({' or '.join(TRANSLATE_TASKS)}), the forced start (may be empty). Outputs: notes (Markdown), one row per "
        "output token: step, token, probability, forced, the likeliest tokens at that step; the attention map of "
        "the forced output (SVG: one row per output token, forced ones first, one column per source token).",
    )
    tree = gr.HTML(elem_id="beam-tree")
    tree_button.click(
        partial(show_beam_tree, slots),
        [source, task, beam],
        [tree],
        api_name="inspect_beam_tree",
        api_description=f"The beam search as a tree. Inputs: text, task, beam width (1-{MAX_BEAM}). Output: SVG, one "
        "column per step; colours: best path, kept, finished, dropped (title: each token's log-probability).",
    )
