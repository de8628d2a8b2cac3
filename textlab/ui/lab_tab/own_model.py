"""The Lab's "Train your own": a character LSTM trained on an uploaded text with live curves and samples, then
generating from it and downloading it. The model lives in this browser session only."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import gradio as gr

from textlab.lab.own_model import (
    KEPT_SESSIONS,
    TRAINED,
    OwnModel,
    OwnModelError,
    checkpoint_zip,
    generate,
    read_upload,
    train_own,
)
from textlab.ui.common import user_error
from textlab.ui.lab_tab.charts import chart
from textlab.ui.lab_tab.common import answer
from textlab.ui.limits import LAB_PROMPT_CHARS


def train_model(data, budget, request: gr.Request | None = None) -> Iterator[tuple]:
    """Status, the loss curves, the latest sample, the session's model and its zipped checkpoint, as it trains.
    The trained model is also kept for this session's other tabs (Look inside reads it)."""
    if not data:
        raise user_error("Upload a .txt file first.")
    try:
        text = read_upload(data)
        for update in train_own(text, float(budget)):
            plot = chart(update.points, "loss", "Loss per character", "step", "cross-entropy (nats)")
            if update.model is None:
                yield f"**Training - {update.fraction:.0%}.** {update.message}", plot, update.sample, None, None
            else:
                if getattr(request, "session_hash", None):
                    TRAINED.put(request.session_hash, update.model)
                yield (
                    f"**Done.** {update.message}",
                    plot,
                    update.sample,
                    update.model,
                    str(checkpoint_zip(update.model)),
                )
    except OwnModelError as e:
        raise user_error(str(e)) from None


def write_text(model: OwnModel | None, prompt, length, temperature) -> str:
    if model is None:
        raise user_error("Train a model first (upload a text and press Train).")
    return generate(model, prompt, int(length), float(temperature))


def create(cap: float, jobs: int) -> None:
    model_state = gr.State(None)
    with gr.Row():
        with gr.Column():
            upload = gr.File(
                label="A plain-text file to learn from (.txt, at most 10 MB)",
                file_types=[".txt"],
                type="binary",
                elem_id="lab-own-upload",
            )
            budget = gr.Slider(
                5, min(cap, 300), value=min(45, cap), step=5, label="Training time (seconds)", elem_id="lab-own-budget"
            )
            with gr.Row():
                train = gr.Button("Train", variant="primary", elem_id="lab-own-train")
                stop = gr.Button("Stop")
        with gr.Column():
            status = gr.Markdown(elem_id="lab-own-status")
            plot = gr.Plot(label="Loss curves", elem_id="lab-own-plot")
    sample = gr.Textbox(label="A sample, drawn as it trains", lines=5, elem_id="lab-own-sample")
    with gr.Row():
        prompt = gr.Textbox("The ", label="Prompt", max_length=LAB_PROMPT_CHARS)
        length = gr.Slider(20, 1000, value=300, step=10, label="Characters")
        temperature = gr.Slider(0.1, 1.5, value=0.8, step=0.05, label="Temperature")
        write = gr.Button("Generate", elem_id="lab-own-generate")
    generated = gr.Textbox(label="Generated", lines=6, elem_id="lab-own-generated")
    download = gr.File(label="Your model (zipped checkpoint: safetensors + JSON + manifest)", elem_id="lab-own-file")
    gr.Markdown(
        "Your model belongs to this browser session only: it never replaces the app's models, and no other "
        "session can use it. Look inside can read it: choose *your model* there (the server keeps it for that "
        f"until {KEPT_SESSIONS} newer sessions have trained one)."
    )

    event = train.click(
        train_model,
        [upload, budget],
        [status, plot, sample, model_state, download],
        api_name="lab_train_own",
        api_description="Train a character LSTM on an uploaded text for a time budget.",
        concurrency_id="lab",
        concurrency_limit=jobs,
    )
    stop.click(lambda: "**Stopped.**", None, status, cancels=[event], api_visibility="private")
    write.click(
        partial(answer, write_text),
        [model_state, prompt, length, temperature],
        generated,
        api_name="lab_generate",
        api_description="Generate from the model trained in this session.",
    )
