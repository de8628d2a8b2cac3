"""The Lab's model builder: a Keras-style summary with Keras' and PyTorch's parameter counts."""

from __future__ import annotations

from functools import partial

import gradio as gr
import pandas as pd

from textlab.lab.summary import CELLS, BuilderError, ModelSpec, summarize, summary_text
from textlab.ui.lab_tab.common import answer

NOTES_MODELS = [  # the four summaries in the study notes: cell, layers, units, input, input size, embedding, head
    ["LSTM", 1, 128, "features", 10, 300, 1],
    ["GRU", 1, 128, "features", 1, 300, 1],
    ["GRU", 1, 128, "embedding", 80_002, 300, 1],
    ["LSTM", 2, 64, "one-hot", 69, 300, 69],
]
NOTES_LABELS = [  # one short line per example: seven columns with the inputs' long labels overflow the page
    "LSTM(128), 10 features per step: 71,297",
    "GRU(128), 1 feature per step: 50,049",
    "GRU(128) over an 80,002 x 300 embedding: 24,165,465",
    "2 x LSTM(64), one-hot over 69 characters, 69 outputs: 71,813",
]
COLUMNS = ["layer", "output shape", "Keras parameters", "PyTorch parameters"]


def summary(
    cell,
    layers,
    units,
    input_kind,
    features,
    embed_dim,
    head,
    timesteps,
    bidirectional,
    dropout,
    recurrent_dropout,
    reset_after,
) -> tuple:
    """The summary's rows (layer, output shape, Keras and PyTorch parameters; shown with thousands separators, as
    the printed text has them, and numbers through the API) and its printed text."""
    spec = ModelSpec(
        cell,
        _whole(layers),
        _whole(units),
        input_kind,
        _whole(features),
        _whole(embed_dim),
        None if timesteps in (None, "", 0) else _whole(timesteps),
        bool(bidirectional),
        float(dropout),
        float(recurrent_dropout),
        _whole(head),
        bool(reset_after),
    )
    rows = summarize(spec)
    frame = pd.DataFrame([[r.layer, r.output_shape, r.keras, r.pytorch] for r in rows], columns=COLUMNS)
    return frame.style.format("{:,}", subset=COLUMNS[2:]), summary_text(spec, rows)


def _whole(value) -> int:
    if value is None or float(value) != int(float(value)):
        raise BuilderError(f"Expected a whole number, got {value!r}.")
    return int(value)


def create() -> None:
    with gr.Row():
        cell = gr.Radio(list(CELLS), value="LSTM", label="Cell")
        layers = gr.Number(1, label="Layers (stacked with return_sequences)", precision=0)
        units = gr.Number(128, label="Units", precision=0)
        input_kind = gr.Radio(["features", "one-hot", "embedding"], value="features", label="Input")
    with gr.Row():
        features = gr.Number(10, label="Features per step, or vocabulary size (one-hot / embedding)", precision=0)
        embed_dim = gr.Number(300, label="Embedding size", precision=0)
        head = gr.Number(1, label="Dense outputs", precision=0)
        timesteps = gr.Number(0, label="Timesteps (0: any length)", precision=0)
    with gr.Row():
        bidirectional = gr.Checkbox(label="Bidirectional")
        dropout = gr.Slider(0, 0.9, value=0, step=0.05, label="dropout")
        recurrent_dropout = gr.Slider(0, 0.9, value=0, step=0.05, label="recurrent_dropout")
        reset_after = gr.Checkbox(label="GRU reset_after=True (Keras 2.3+ layout)")
    build = gr.Button("Summary", variant="primary", elem_id="lab-summary-button")
    gr.Examples(
        NOTES_MODELS,
        [cell, layers, units, input_kind, features, embed_dim, head],
        label="The study notes' models and their parameters (Keras)",
        example_labels=NOTES_LABELS,
        elem_id="lab-examples",
    )
    table = gr.Dataframe(headers=COLUMNS, label="model.summary()", elem_id="lab-summary", interactive=False)
    text = gr.Code(label="As Keras prints it", language=None, elem_id="lab-summary-text")
    build.click(
        partial(answer, summary),
        [
            cell,
            layers,
            units,
            input_kind,
            features,
            embed_dim,
            head,
            timesteps,
            bidirectional,
            dropout,
            recurrent_dropout,
            reset_after,
        ],
        [table, text],
        api_name="lab_summary",
        api_description="Keras-style summary with Keras and PyTorch parameter counts.",
    )
