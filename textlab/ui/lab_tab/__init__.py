"""The "Lab" tab: the study notes' lessons as tools - preprocessing explorer, model builder, experiments with live
curves, and training a character model on your own text. One module per inner tab."""

from __future__ import annotations

import gradio as gr

from textlab.loading import ModelSlot
from textlab.settings import lab_jobs, lab_time_cap_s
from textlab.ui.lab_tab import builder, experiments, own_model, preprocessing

TITLE = "Lab"


def create_tab(slots: dict[str, ModelSlot]) -> None:
    cap, jobs = lab_time_cap_s(), lab_jobs()
    with gr.Tab(TITLE, id="lab"):
        gr.Markdown(
            "The lessons of the study notes as tools: prepare text, build a model and count its parameters, "
            f"race cells and settings on the same data with live curves (at most {cap:.0f} s each), "
            "or train a character model on your own text."
        )
        with gr.Tab("Preprocessing"):
            preprocessing.create()
        with gr.Tab("Model builder"):
            builder.create()
        with gr.Tab("Experiments"):
            experiments.create(slots["neighbours"], cap, jobs)
        with gr.Tab("Train your own"):
            own_model.create(cap, jobs)
