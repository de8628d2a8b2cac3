"""The Lab's experiments: races of cells and settings with live curves, and the vanishing gradient per time step."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from functools import partial

import gradio as gr

from textlab.lab.data import ExperimentError
from textlab.lab.experiments import (
    Point,
    Update,
    cell_race,
    dropout_race,
    embedding_race,
    gradient_by_time_step,
    gradient_race,
    word2vec_rows,
)
from textlab.loading import ModelSlot
from textlab.neighbours.vectors import WordVectors
from textlab.ui.common import user_error
from textlab.ui.lab_tab.common import answer, frames

log = logging.getLogger("textlab")
EXPERIMENTS = {  # what the API takes -> (what a person picks, the second plot's metric)
    "cells-adding": ("Cells: adding problem (long range)", "accuracy"),
    "cells-sentiment": ("Cells: movie-review sentiment (2,000 reviews)", "accuracy"),
    "gradients-sgd": ("Exploding gradients: clipping (SGD + momentum)", "gradient norm"),
    "gradients-adam": ("Exploding gradients: clipping (Adam)", "gradient norm"),
    "dropout": ("Dropout against over-fitting", "accuracy"),
    "embeddings": ("Embeddings: random vs word2vec, frozen vs fine-tuned", "accuracy"),
}


def _updates(
    name: str, units: int, layers: int, epochs: int, cap: float, vectors: ModelSlot[WordVectors]
) -> Iterator[Update]:
    if name in ("cells-adding", "cells-sentiment"):
        return cell_race(name.split("-")[1], units=units, layers=layers, epochs=epochs, time_cap_s=cap)
    if name in ("gradients-sgd", "gradients-adam"):
        return gradient_race(name.split("-")[1], units=units, epochs=min(epochs, 3), time_cap_s=cap)
    if name == "dropout":
        return dropout_race(units=units, epochs=epochs, time_cap_s=cap)
    if name == "embeddings":
        wv = vectors.get()
        if wv is None:
            raise ExperimentError(
                "The word2vec vectors of the Neighbours tab are not ready yet: "
                f"{vectors.status.message} Try again when they are."
            )
        return embedding_race(
            lambda vocab: word2vec_rows(vocab, wv.vectors), units=units, epochs=epochs, time_cap_s=cap
        )
    raise ExperimentError(f"Unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}.")


def run_experiment(vectors: ModelSlot[WordVectors], cap: float, name, units, layers, epochs) -> Iterator[tuple]:
    """Status, loss curves, second curves and the results table, after every round of the race."""
    try:
        updates = _updates(name, int(units), int(layers), int(epochs), cap, vectors)
        second = EXPERIMENTS[name][1]
        yield f"**Starting** {name}: preparing the data...", None, None, []
        for update in updates:
            loss, other = frames(update.points, second)
            head = "**Done.**" if update.done else f"**Training - {update.fraction:.0%}.**"
            yield f"{head} {update.message}", loss, other, update.summary
    except ExperimentError as e:
        raise user_error(str(e)) from None
    except (OSError, RuntimeError):  # the reviews could not be read: the reason names server paths
        log.exception("Lab experiment %s failed", name)
        raise user_error(
            "The data for this experiment could not be read; the server log says why. The adding "
            "problem and the gradient experiments need no download."
        ) from None


def vanishing(units) -> object:
    """log10 of the gradient reaching each of 100 input steps, per cell, as a plot frame."""
    points = gradient_by_time_step(units=int(units))
    for p in points:
        p.value = -30.0 if p.value <= 0 else math.log10(p.value)  # 0: below what float32 can hold
    return frames([Point(p.series, p.x, "fresh", "loss", p.value) for p in points], "loss")[0]


def _plot(title: str, x_title: str, elem_id: str) -> gr.LinePlot:
    return gr.LinePlot(x="x", y="value", color="curve", title=title, x_title=x_title, elem_id=elem_id)


def create(vectors: ModelSlot[WordVectors], cap: float, jobs: int) -> None:
    with gr.Row():
        experiment = gr.Dropdown(
            [(label, key) for key, (label, _) in EXPERIMENTS.items()],
            value="cells-adding",
            label="Experiment",
            elem_id="lab-experiment",
        )
        units = gr.Slider(4, 128, value=32, step=4, label="Units")
        layers = gr.Slider(1, 3, value=1, step=1, label="Layers (cell races)")
        epochs = gr.Slider(1, 20, value=8, step=1, label="Epochs", elem_id="lab-epochs")
    with gr.Row():
        run = gr.Button("Run", variant="primary", elem_id="lab-run")
        stop = gr.Button("Stop", elem_id="lab-stop")
    status = gr.Markdown(elem_id="lab-status")
    loss_plot = _plot("Loss", "epoch (or step)", "lab-loss-plot")
    second_plot = _plot("Accuracy, or gradient norm per step", "epoch (or step)", "lab-second-plot")
    results = gr.Dataframe(
        headers=["run", "epochs", "validation loss", "validation accuracy", "parameters", "seconds", "note"],
        label="Results",
        elem_id="lab-results",
    )

    def race(name, units, layers, epochs):
        yield from run_experiment(vectors, cap, name, units, layers, epochs)

    event = run.click(
        race,
        [experiment, units, layers, epochs],
        [status, loss_plot, second_plot, results],
        api_name="lab_experiment",
        api_description="Run a Lab experiment (see the dropdown's values) and stream its curves.",
        concurrency_id="lab",
        concurrency_limit=jobs,
    )
    stop.click(lambda: "**Stopped.** The curves so far stay.", None, status, cancels=[event], api_visibility="private")
    with gr.Accordion("Vanishing gradients: how much gradient reaches each time step", open=False):
        vanish_button = gr.Button("Measure (100 steps, fresh cells)")
        vanish_plot = _plot("log10 |d loss / d input_t|", "time step", "lab-vanish-plot")
    vanish_button.click(
        partial(answer, vanishing),
        units,
        vanish_plot,
        api_name="lab_vanishing",
        api_description="log10 of the gradient reaching each of 100 input steps, per cell.",
    )
