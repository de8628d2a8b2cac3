"""The Lab's experiments: races of cells and settings with live curves, and the vanishing gradient per time step."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import NamedTuple

import gradio as gr

from textlab.lab.data import ExperimentError
from textlab.lab.experiments import (
    Update,
    cell_race,
    dropout_race,
    embedding_race,
    gradient_race,
    word2vec_rows,
)
from textlab.lab.vanishing import EPOCHS, LENGTH, METRIC, vanishing_race
from textlab.loading import ModelSlot
from textlab.neighbours.vectors import WordVectors
from textlab.ui.common import user_error
from textlab.ui.lab_tab.charts import chart

log = logging.getLogger("textlab")


class Experiment(NamedTuple):
    label: str  # what a person picks
    loss: str  # the loss, named
    second: str  # the second plot's metric
    second_title: str  # and its title


SUMS = "Accuracy: the share of sums predicted within 0.04 of the true one"  # the adding problem's "solved"
CLASSES = "Accuracy: the share of reviews given their label"
NORMS = "Gradient norm at every step, before clipping"
EXPERIMENTS = {  # what the API takes -> what the page shows
    "cells-adding": Experiment("Cells: adding problem (long range)", "mean squared error", "accuracy", SUMS),
    "cells-sentiment": Experiment(
        "Cells: movie-review sentiment (2,000 reviews)", "binary cross-entropy", "accuracy", CLASSES
    ),
    "gradients-sgd": Experiment(
        "Exploding gradients: clipping (SGD + momentum)", "mean squared error", "gradient norm", NORMS
    ),
    "gradients-adam": Experiment("Exploding gradients: clipping (Adam)", "mean squared error", "gradient norm", NORMS),
    "dropout": Experiment("Dropout against over-fitting", "binary cross-entropy", "accuracy", CLASSES),
    "embeddings": Experiment(
        "Embeddings: random vs word2vec, frozen vs fine-tuned", "binary cross-entropy", "accuracy", CLASSES
    ),
}
VANISHING_NOTE = f"""How to read it: one colour per cell; the dashed line is the freshly initialised cell, the solid
line the same cell trained: the cell race on the adding problem ({LENGTH} steps, whose answer needs a number from the
first half), {EPOCHS} epochs unless the time cap stops it first. The height at step t is log10 of how much the
prediction moves when input t moves, the factor by which backpropagation carries any loss's gradient back to step
t: -6 means a millionth of it, too little to learn from.

Fresh, all three cells lose about six powers of ten over {LENGTH} steps: PyTorch starts an LSTM's forget gate and a
GRU's update gate near 0.5, so at first they shrink the gradient at every step as a SimpleRNN does. What the gates
give is the means to learn to keep it: an LSTM or GRU that solves the task carries as much gradient to step 1 as to
the last step (a flat line), while the SimpleRNN still passes almost none back and does not solve it. The status
says, cell by cell, how much reached step 1 and whether the cell solved the task."""


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
        yield f"**Starting** {name}: preparing the data...", None, None, []
        for update in updates:
            loss, other = _charts(name, update)
            yield f"{_head(update)} {update.message}", loss, other, update.summary
    except ExperimentError as e:
        raise user_error(str(e)) from None
    except (OSError, RuntimeError):  # the reviews could not be read: the reason names server paths
        log.exception("Lab experiment %s failed", name)
        raise user_error(
            "The data for this experiment could not be read; the server log says why. The adding "
            "problem and the gradient experiments need no download."
        ) from None


def _head(update: Update) -> str:
    return "**Done.**" if update.done else f"**Training - {update.fraction:.0%}.**"


def _charts(name: str, update: Update) -> tuple:
    """The loss curves and the second metric's, titled for the experiment."""
    experiment = EXPERIMENTS[name]
    x_title = "step" if experiment.second == "gradient norm" else "epoch"
    return (
        chart(update.points, "loss", f"Loss ({experiment.loss})", x_title, experiment.loss),
        chart(update.points, experiment.second, experiment.second_title, x_title, experiment.second),
    )


def vanishing(cap: float, units) -> Iterator[tuple]:
    """Status, the gradient reaching each step (fresh, then trained) and the training's results, as it goes."""
    try:
        for update in vanishing_race(int(units), time_cap_s=cap):
            plot = chart(
                update.points,
                METRIC,
                "How much gradient reaches each time step",
                "time step (1: the first input)",
                "log10 |d prediction / d input|",
                {"trained": "trained", "fresh": "fresh"},
            )
            yield f"{_head(update)} {update.message}", plot, update.summary
    except ExperimentError as e:
        raise user_error(str(e)) from None


def _results(elem_id: str) -> gr.Dataframe:
    return gr.Dataframe(
        headers=["run", "epochs", "validation loss", "validation accuracy", "parameters", "seconds", "note"],
        label="Results",
        elem_id=elem_id,
    )


def create(vectors: ModelSlot[WordVectors], cap: float, jobs: int) -> None:
    with gr.Row():
        experiment = gr.Dropdown(
            [(experiment.label, key) for key, experiment in EXPERIMENTS.items()],
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
    loss_plot = gr.Plot(label="Loss curves", elem_id="lab-loss-plot")
    second_plot = gr.Plot(label="Accuracy, or gradient norm per step", elem_id="lab-second-plot")
    results = _results("lab-results")

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
    _vanishing_section(units, cap, jobs)


def _vanishing_section(units: gr.Slider, cap: float, jobs: int) -> None:
    with gr.Accordion("Vanishing gradients: how much gradient reaches each time step", open=False):
        gr.Markdown(VANISHING_NOTE, elem_id="lab-vanish-note")
        with gr.Row():
            measure = gr.Button(
                f"Measure: fresh cells, then after training ({LENGTH} steps, Units above)", elem_id="lab-vanish-button"
            )
            stop = gr.Button("Stop")
        status = gr.Markdown(elem_id="lab-vanish-status")
        plot = gr.Plot(label="Gradient per time step", elem_id="lab-vanish-plot")
        results = _results("lab-vanish-results")

    def measure_cells(units):
        yield from vanishing(cap, units)

    event = measure.click(
        measure_cells,
        units,
        [status, plot, results],
        api_name="lab_vanishing",
        api_description="log10 of the gradient reaching each input step, per cell, fresh and after training.",
        concurrency_id="lab",
        concurrency_limit=jobs,
    )
    stop.click(lambda: "**Stopped.**", None, status, cancels=[event], api_visibility="private")
