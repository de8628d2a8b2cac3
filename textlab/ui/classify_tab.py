"""The "Classify" tab: sentiment and news-topic probabilities for a text, word importance shown on it, and a batch
mode that turns an uploaded CSV or TXT file into a CSV of predictions."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import gradio as gr

from textlab.classify.explain import explain
from textlab.classify.files import predictions_csv, read_texts_file
from textlab.classify.model import Classifier, ClassifyError, model_card, predict
from textlab.classify.tasks import TASKS
from textlab.files import MAX_UPLOAD_BYTES, download_file
from textlab.loading import ModelSlot
from textlab.ui.common import poll_status, ready_model, status_markdown, user_error
from textlab.ui.limits import CLASSIFY_TEXT_CHARS

TITLE = "Classify"
WEAK, STRONG = 0.15, 0.5  # importance bands, as a share of the strongest word's
BANDS = {  # blue for, orange against: read at once, colour-blind safe, and neither reads as "good" or "bad"
    "strongly for": "#2563eb",
    "for": "#93c5fd",
    "against": "#fdba74",
    "strongly against": "#ea580c",
}
PREVIEW_ROWS = 20
EXAMPLES = [
    (
        "One of the best films I have seen in years. The acting is superb and the story kept me gripped to the very "
        "end; I laughed, I cried, and I will watch it again.",
        "sentiment",
    ),
    (
        "A waste of two hours. The plot makes no sense, the dialogue is wooden and even the usually reliable lead "
        "looks bored. Avoid.",
        "sentiment",
    ),
    ("the performances are uniformly strong, but the script never finds a reason to exist.", "sentiment"),
    (
        "NASA plans another shuttle mission to service the orbiting telescope; the crew will test a new docking "
        "system for the space station and the launch is set for next spring.",
        "news",
    ),
    (
        "The Penguins beat the Rangers 4-2 last night. Lemieux scored twice in the third period and the goalie "
        "stopped 35 shots; the playoffs start next week.",
        "news",
    ),
    (
        "Does anyone know a fast algorithm for rendering shaded 3D polygons? I also need to convert TIFF images to "
        "GIF without losing colour quality.",
        "news",
    ),
    (
        "My doctor thinks the headaches are a side effect of the new medication. Has anyone else had migraines "
        "after starting this drug?",
        "news",
    ),
    (
        "Acme Corp said it agreed to acquire Widget Inc for 120 mln dlrs in cash, subject to approval by "
        "Widget shareholders and regulators.",
        "reuters",
    ),
    (
        "OPEC ministers agreed to cut crude oil output by one mln barrels per day to support prices, the "
        "cartel's president said.",
        "reuters",
    ),
    (
        "Shr 45 cts vs 38 cts; net 12.5 mln vs 10.1 mln; revs 230 mln vs 198 mln. The company declared a "
        "quarterly dividend of ten cts.",
        "reuters",
    ),
]


def classify_text(slots: dict[str, ModelSlot], text, model) -> tuple:
    """Probabilities, the text in pieces marked by how strongly each word pushed the prediction, notes (Markdown),
    and the strongest words' importance in numbers."""
    clf = _ready(slots, model)
    try:
        found = explain(clf, text if isinstance(text, str) else "")
    except ClassifyError as e:
        raise user_error(str(e)) from None
    notes = "\n".join(f"- {n}" for n in found.notes)
    marked = [(piece, importance_band(score)) for piece, score in found.segments]
    return found.probabilities, marked, notes, strongest_words(found.segments)


def importance_band(score: float | None) -> str | None:
    """The legend's name for a word's importance in [-1, 1] (the strongest word is 1 or -1); none for a weak one."""
    if score is None or abs(score) < WEAK:
        return None
    side = "for" if score > 0 else "against"
    return f"strongly {side}" if abs(score) >= STRONG else side


def strongest_words(segments: list[tuple[str, float | None]], n: int = 10) -> list[list]:
    scored = [(piece, score) for piece, score in segments if score is not None]
    return [[piece, score] for piece, score in sorted(scored, key=lambda ps: -abs(ps[1]))[:n]]


def classify_file(slots: dict[str, ModelSlot], path, model) -> tuple:
    """A CSV of predictions for an uploaded file, a preview of its first rows, and notes."""
    clf = _ready(slots, model)
    try:
        texts, file_messages = read_texts_file(*_read_upload(path))
    except ClassifyError as e:
        raise user_error(str(e)) from None
    probs = predict(clf, texts)
    out = str(download_file("predictions.csv", predictions_csv(clf, texts, probs)))
    rows = [
        [t[:200], clf.labels[int(p.argmax())], round(float(p.max()), 4)]
        for t, p in zip(texts[:PREVIEW_ROWS], probs, strict=False)
    ]
    summary = f"Classified {len(texts):,} texts with the {TASKS[model].title} model."
    return out, rows, "\n".join([summary, *(f"- {m}" for m in file_messages)])


def model_status(slots: dict[str, ModelSlot], model: str) -> str:
    slot = slots.get(model)
    if slot is None:
        return ""
    clf = slot.get()
    return status_markdown(slot.status, model_card(clf) if clf else "")


def create_tab(slots: dict[str, ModelSlot]) -> None:
    mine = {name: slots[name] for name in TASKS}
    with gr.Tab(TITLE, id="classify"):
        model = gr.Radio([(task.title, name) for name, task in TASKS.items()], value="sentiment", label="Model")
        status = gr.Markdown(model_status(mine, "sentiment"), elem_id="classify-status")
        with gr.Row():
            with gr.Column():
                text = gr.Textbox(
                    lines=7,
                    label="Text",
                    placeholder="Paste a review or a news post...",
                    elem_id="classify-input",
                    max_length=CLASSIFY_TEXT_CHARS,
                )
                button = gr.Button("Classify", variant="primary", elem_id="classify-button")
                gr.Examples([[t, key] for t, key in EXAMPLES if key in TASKS], inputs=[text, model], label="Examples")
            with gr.Column():
                outputs = _result_column()
        names = " or ".join(f"'{name}'" for name in TASKS)
        classified = button.click(
            partial(classify_text, mine),
            [text, model],
            outputs,
            api_name="classify",
            api_description="Class probabilities, the text marked by word importance, notes, and the strongest words' "
            f"importance in [-1, 1]. Inputs: text, model ({names}).",
        )
        submitted = text.submit(partial(classify_text, mine), [text, model], outputs, api_visibility="private")
        notes = outputs[2]
        for event in (classified, submitted):
            event.then(_shown_if_any, notes, notes, api_visibility="private", queue=False)
        _batch_section(mine, model)
        model.change(partial(model_status, mine), model, status, api_visibility="private", queue=False)
        poll_status(mine.values(), partial(model_status, mine), [model], [status])


def _result_column() -> list:
    """The prediction, the marked text, the notes and the word scores: `classify_text`'s outputs."""
    label = gr.Label(num_top_classes=5, label="Prediction", elem_id="classify-label")
    words = gr.HighlightedText(
        label="Which words decided it: for the prediction (blue) or against it (orange)",
        elem_id="classify-words",
        color_map=BANDS,
        show_legend=True,
    )
    notes = gr.Markdown(elem_id="classify-notes", visible=False)
    with gr.Accordion("Word importance in numbers", open=False):
        scores = gr.Dataframe(
            headers=["word", "importance"],
            label="The strongest words (1 = the strongest for the prediction, -1 against it)",
            elem_id="classify-scores",
        )
    return [label, words, notes, scores]


def _batch_section(slots: dict[str, ModelSlot], model: gr.Radio) -> None:
    with gr.Accordion("Batch: classify a file", open=False):
        gr.Markdown(
            "Upload a CSV with a `text` column (other columns are ignored) or a TXT file with one text per line, "
            f"UTF-8, at most {MAX_UPLOAD_BYTES // 2**20} MB; the first 10,000 texts are classified."
        )
        with gr.Row():
            upload = gr.File(file_types=[".csv", ".txt"], label="Texts (CSV or TXT)", elem_id="classify-upload")
            result = gr.File(label="Predictions (CSV)", elem_id="classify-result")
        run_file = gr.Button("Classify file", elem_id="classify-file-button")
        preview = gr.Dataframe(
            headers=["text", "prediction", "probability"],
            wrap=True,
            label=f"First {PREVIEW_ROWS} predictions",
            elem_id="classify-preview",
        )
        file_notes = gr.Markdown()
    run_file.click(
        partial(classify_file, slots),
        [upload, model],
        [result, preview, file_notes],
        api_name="classify_file",
        api_description="Predictions for a CSV (`text` column) or TXT file, as a CSV file.",
    )


def _shown_if_any(notes: str) -> gr.Markdown:
    """The notes box only when there is something to say (a hidden box also keeps the API's answer plain text)."""
    return gr.Markdown(visible=bool(notes))


def _ready(slots: dict[str, ModelSlot], model) -> Classifier:
    if model not in slots:
        raise user_error(f"Unknown model {model!r}; choose one of: {', '.join(slots)}.")
    return ready_model(slots[model])


def _read_upload(path) -> tuple[str, bytes]:
    if not path:
        raise ClassifyError("Upload a CSV or TXT file first.")
    file = Path(path)
    if file.stat().st_size > MAX_UPLOAD_BYTES:
        raise ClassifyError(
            f"The file is {file.stat().st_size / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB."
        )
    return file.name, file.read_bytes()
