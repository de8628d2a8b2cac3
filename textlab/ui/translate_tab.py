"""The "Translate" tab: dates -> ISO dates and English -> Spanish, with the beam's n-best list and the attention map."""

from __future__ import annotations

import html
from functools import partial

import gradio as gr

from textlab.loading import ModelSlot
from textlab.translate.model import MAX_BEAM, TranslateError, Translation, Translator, model_card, translate
from textlab.translate.tasks import TASKS
from textlab.ui.common import poll_status, ready_model, status_markdown, user_error

TITLE = "Translate"
EXAMPLES = [
    ("the 3rd of May 1999", "dates"),
    ("Saturday, July 4th, 2026", "dates"),
    ("3.5.1999", "dates"),
    ("5/3/99", "dates"),
    ("14 juillet 1989", "dates"),
    ("lunes, 3 de mayo de 1999", "dates"),
    ("And God said, Let there be light: and there was light.", "en-es"),
    ("The children of Israel went out of Egypt.", "en-es"),
    ("Blessed are the meek: for they shall inherit the earth.", "en-es"),
    ("And the king said unto him, Go in peace.", "en-es"),
]
# Translations are not queued behind each other (Gradio's default is 4 at a time per event). Under load each of a
# beam search's few hundred small torch ops waits for the GIL, so a 50 ms translation takes over half a second, and
# with 4 at a time the rest queued for seconds (p95 3-4 s in `bench serve`). Unbounded, 120 long ones at beam 10
# slowed every tab (classify p50 1.4 s): 8 at a time, and at most 300 characters of English (`Rules.max_chars`).
TRANSLATE_JOBS = 8


def translate_text(slots: dict[str, ModelSlot], text, task, beam) -> tuple:
    """The translation, notes (Markdown), the n-best rows and the attention map (SVG)."""
    tr = _ready(slots, task)
    try:
        result = translate(tr, text, int(beam))
    except TranslateError as e:
        raise user_error(str(e)) from None
    rows = [
        [rank, c.text, round(c.score, 4), float(f"{c.probability:.3g}")]  # a long sentence's is far below 0.0001
        for rank, c in enumerate(result.candidates, 1)
    ]
    return result.output, _notes(result), rows, svg_attention(result)


def model_status(slots: dict[str, ModelSlot], task: str) -> str:
    slot = slots.get(task) or next(iter(slots.values()))
    tr = slot.get()
    return status_markdown(slot.status, model_card(tr) if tr else "")


def create_tab(slots: dict[str, ModelSlot]) -> None:
    mine = {name: slots[name] for name in TASKS}
    with gr.Tab(TITLE, id="translate"):
        status = gr.Markdown(model_status(mine, "dates"), elem_id="translate-status")
        with gr.Row():
            with gr.Column():
                task = gr.Radio(
                    [(t.title, name) for name, t in TASKS.items()],
                    value="dates",
                    label="Task",
                    elem_id="translate-task",
                )
                source = gr.Textbox(
                    label="Input",
                    value="the 3rd of May 1999",
                    lines=2,
                    elem_id="translate-input",
                    max_length=max(t.rules.max_chars for t in TASKS.values()),
                )
                beam = gr.Slider(1, MAX_BEAM, value=3, step=1, label="Beam width (1 is greedy)")
                button = gr.Button("Translate", variant="primary", elem_id="translate-button")
                gr.Examples([list(e) for e in EXAMPLES if e[1] in TASKS], inputs=[source, task], label="Examples")
            with gr.Column():
                output = gr.Textbox(label="Translation", interactive=False, elem_id="translate-output")
                notes = gr.Markdown(elem_id="translate-notes")
                nbest = gr.Dataframe(  # long outputs wrap in their column, so the numbers stay in view
                    headers=["rank", "output", "score", "probability"],
                    label="n-best list (score: log-probability / length penalty)",
                    elem_id="translate-nbest",
                    wrap=True,
                    column_widths=["12%", "52%", "16%", "20%"],
                )
        gr.Markdown("**Attention:** where the decoder looked in the input while writing each output token.")
        heatmap = gr.HTML(elem_id="translate-attention")

        names = " or ".join(f"'{name}'" for name in TASKS)
        run = partial(translate_text, mine)
        button.click(
            run,
            [source, task, beam],
            [output, notes, nbest, heatmap],
            api_name="translate",
            api_description=f"Translate with beam search. Inputs: text, task ({names}), beam "
            f"width (1-{MAX_BEAM}). Outputs: translation, notes, n-best list, attention "
            "map (SVG).",
            concurrency_limit=TRANSLATE_JOBS,
        )
        source.submit(
            run,
            [source, task, beam],
            [output, notes, nbest, heatmap],
            api_visibility="private",
            concurrency_limit=TRANSLATE_JOBS,
        )
        task.change(partial(model_status, mine), task, status, api_visibility="private", show_progress="hidden")
        poll_status(mine.values(), partial(model_status, mine), [task], [status])


def _notes(result: Translation) -> str:
    lines = [f"- {note}" for note in result.notes]
    head = "**Flagged:** " if result.flagged else ""
    timing = f"Decoded in {result.seconds * 1000:.0f} ms."
    return "\n".join([f"{head}{timing}", *lines])


def svg_attention(result: Translation, cell: int = 22, max_cells: int = 80) -> str:
    """The attention map as an SVG: one row per output token, one column per source token, darker = more weight."""
    if result.attention is None:
        return "<p>This model has no attention: the decoder sees the whole source as one fixed vector.</p>"
    sources = result.source_pieces[:max_cells]
    targets = result.target_pieces[:max_cells]
    left = 90
    top = 16 + 6 * max((len(p) for p in sources), default=1)  # room for the slanted labels, no more
    width, height = max(left + cell * len(sources) + 10, 420), top + cell * len(targets) + 30
    marks = []
    for j, piece in enumerate(sources):
        x = left + j * cell + cell / 2
        marks.append(
            f'<text transform="translate({x:.0f},{top - 6}) rotate(-60)" font-size="12" '
            f'fill="currentColor">{_label(piece)}</text>'
        )
    for i, piece in enumerate(targets):
        y = top + i * cell
        marks.append(
            f'<text x="{left - 6}" y="{y + cell * 0.7:.0f}" font-size="12" text-anchor="end" '
            f'fill="currentColor">{_label(piece)}</text>'
        )
        for j, weight in enumerate(result.attention[i][: len(sources)]):
            marks.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="#2563eb" fill-opacity="{max(weight, 0.02):.3f}">'
                f"<title>{_label(targets[i])} / {_label(sources[j])}: {weight:.2f}</title></rect>"
            )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="attention map" '
        f'style="max-width:{width}px">{"".join(marks)}'
        f'<text x="{left}" y="{height - 8}" font-size="11" fill="#71717a">rows: output tokens; columns: source '
        "tokens; darker: more attention</text></svg>"
    )


def _label(piece: str) -> str:
    return html.escape({" ": "\u2423"}.get(piece, piece.replace("\u2581", "_")))


def _ready(slots: dict[str, ModelSlot], task: str) -> Translator:
    if task not in slots:
        raise user_error(f"Unknown task {task!r}; choose one of {', '.join(slots)}.")
    return ready_model(slots[task])
