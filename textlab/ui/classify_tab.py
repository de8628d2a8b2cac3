"""The "Classify" tab: sentiment and news-topic probabilities for a text, word importance shown on it, and a batch
mode that turns an uploaded CSV or TXT file into a CSV of predictions."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from textlab.classify import (
    Classifier,
    ClassifyError,
    classifier_dir,
    explain,
    load_classifier,
    model_card,
    predict,
    predictions_csv,
    read_texts_file,
    save_classifier,
)
from textlab.classify_training import quick_trainer
from textlab.files import download_file
from textlab.loading import ModelSlot
from textlab.ui.common import status_markdown

TITLE = "Classify"
MODELS = {  # key -> what the user picks
    "sentiment": "Sentiment (movie reviews)",
    "news": "News topic (20 Newsgroups)",
    "reuters": "Reuters topic (R8)",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 20
EXAMPLES = [
    ("One of the best films I have seen in years. The acting is superb and the story kept me gripped to the very "
     "end; I laughed, I cried, and I will watch it again.", "sentiment"),
    ("A waste of two hours. The plot makes no sense, the dialogue is wooden and even the usually reliable lead "
     "looks bored. Avoid.", "sentiment"),
    ("the performances are uniformly strong, but the script never finds a reason to exist.", "sentiment"),
    ("NASA plans another shuttle mission to service the orbiting telescope; the crew will test a new docking "
     "system for the space station and the launch is set for next spring.", "news"),
    ("The Penguins beat the Rangers 4-2 last night. Lemieux scored twice in the third period and the goalie "
     "stopped 35 shots; the playoffs start next week.", "news"),
    ("Does anyone know a fast algorithm for rendering shaded 3D polygons? I also need to convert TIFF images to "
     "GIF without losing colour quality.", "news"),
    ("My doctor thinks the headaches are a side effect of the new medication. Has anyone else had migraines "
     "after starting this drug?", "news"),
    ("Acme Corp said it agreed to acquire Widget Inc for 120 mln dlrs in cash, subject to approval by "
     "Widget shareholders and regulators.", "reuters"),
    ("OPEC ministers agreed to cut crude oil output by one mln barrels per day to support prices, the "
     "cartel's president said.", "reuters"),
    ("Shr 45 cts vs 38 cts; net 12.5 mln vs 10.1 mln; revs 230 mln vs 198 mln. The company declared a "
     "quarterly dividend of ten cts.", "reuters"),
]


def slots() -> dict[str, ModelSlot[Classifier]]:
    """One classifier per model: `models/TASK`, or a quick one trained in the background."""
    return {
        task: ModelSlot(
            task,
            lambda task=task: load_classifier(task),
            quick_trainer(task),
            lambda clf, task=task: save_classifier(classifier_dir(task), clf),
        )
        for task in MODELS
    }


def create_tab(slots: dict[str, ModelSlot[Classifier]]) -> None:
    with gr.Tab(TITLE, id="classify"):
        model = gr.Radio([(label, key) for key, label in MODELS.items()], value="sentiment", label="Model")
        status = gr.Markdown(_status(slots, "sentiment"), elem_id="classify-status")
        with gr.Row():
            with gr.Column():
                text = gr.Textbox(lines=7, label="Text", placeholder="Paste a review or a news post...",
                                  elem_id="classify-input")
                button = gr.Button("Classify", variant="primary", elem_id="classify-button")
                gr.Examples([[t, key] for t, key in EXAMPLES], inputs=[text, model], label="Examples")
            with gr.Column():
                label = gr.Label(num_top_classes=5, label="Prediction", elem_id="classify-label")
                words = gr.HighlightedText(
                    label="Word importance: positive values pushed towards the prediction, negative against it",
                    elem_id="classify-words", show_legend=True,
                )
                notes = gr.Markdown(elem_id="classify-notes")
        with gr.Accordion("Batch: classify a file", open=False):
            gr.Markdown(
                "Upload a CSV with a `text` column (other columns are ignored) or a TXT file with one text per line, "
                "UTF-8, at most 10 MB; the first 10,000 texts are classified."
            )
            with gr.Row():
                upload = gr.File(file_types=[".csv", ".txt"], label="Texts (CSV or TXT)", elem_id="classify-upload")
                result = gr.File(label="Predictions (CSV)", elem_id="classify-result")
            run_file = gr.Button("Classify file", elem_id="classify-file-button")
            preview = gr.Dataframe(headers=["text", "prediction", "probability"], wrap=True,
                                   label=f"First {PREVIEW_ROWS} predictions", elem_id="classify-preview")
            file_notes = gr.Markdown()

        def classify(text, model):
            clf = _ready(slots, model)
            try:
                found = explain(clf, text if isinstance(text, str) else "")
            except ClassifyError as e:
                raise gr.Error(str(e)) from None
            return found.probabilities, found.segments, "\n".join(f"- {n}" for n in found.notes)

        def classify_file(path, model):
            clf = _ready(slots, model)
            try:
                texts, file_messages = read_texts_file(*_read_upload(path))
            except ClassifyError as e:
                raise gr.Error(str(e)) from None
            probs = predict(clf, texts)
            out = str(download_file("predictions.csv", predictions_csv(clf, texts, probs)))
            rows = [[t[:200], clf.labels[int(p.argmax())], round(float(p.max()), 4)]
                    for t, p in zip(texts[:PREVIEW_ROWS], probs, strict=False)]
            summary = f"Classified {len(texts):,} texts with the {MODELS[model]} model."
            return out, rows, "\n".join([summary, *(f"- {m}" for m in file_messages)])

        button.click(classify, [text, model], [label, words, notes], api_name="classify",
                     api_description="Class probabilities and word importance for one text. Inputs: text, model "
                                     "('sentiment', 'news' or 'reuters').")
        text.submit(classify, [text, model], [label, words, notes], api_visibility="private")
        run_file.click(classify_file, [upload, model], [result, preview, file_notes], api_name="classify_file",
                       api_description="Predictions for a CSV (`text` column) or TXT file, as a CSV file.")

        # The status line follows the chosen model, and keeps polling until every model is ready.
        model.change(lambda m: _status(slots, m), model, status, api_visibility="private", queue=False)
        timer = gr.Timer(1.0)

        def refresh(model):
            settled = all(s.status.state in ("ready", "failed") for s in slots.values())
            return _status(slots, model), gr.Timer(active=not settled)

        timer.tick(refresh, model, [status, timer], api_visibility="private", show_progress="hidden", queue=False)


def _status(slots: dict[str, ModelSlot[Classifier]], model: str) -> str:
    slot = slots.get(model)
    if slot is None:
        return ""
    clf = slot.get()
    return status_markdown(slot.status, model_card(clf) if clf else "")


def _ready(slots: dict[str, ModelSlot[Classifier]], model) -> Classifier:
    if model not in slots:
        raise gr.Error(f"Unknown model {model!r}; choose one of: {', '.join(MODELS)}.")
    clf = slots[model].get()
    if clf is None:
        raise gr.Error(slots[model].status.message)
    return clf


def _read_upload(path) -> tuple[str, bytes]:
    if not path:
        raise ClassifyError("Upload a CSV or TXT file first.")
    file = Path(path)
    if file.suffix.lower() not in (".csv", ".txt"):
        raise ClassifyError(f"Upload a .csv or .txt file, not {file.suffix or 'a file without an extension'}.")
    if file.stat().st_size > MAX_UPLOAD_BYTES:
        raise ClassifyError(f"The file is {file.stat().st_size / 1e6:.1f} MB; the limit is 10 MB.")
    return file.name, file.read_bytes()
