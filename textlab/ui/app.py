"""The whole app: one tab per capability, each built by its own module.

A new tab is a module with `TITLE` and `create_tab(slots)` (every model's slot, by task name); add it to TABS and
nothing else changes. A new model is a task in its capability's registry: its slot appears here by itself.
"""

from __future__ import annotations

import gradio as gr

from textlab import settings
from textlab.capabilities import capabilities
from textlab.loading import ModelSlot, slot_for
from textlab.ui import chat_tab, classify_tab, inspect_tab, lab_tab, neighbours_tab, translate_tab
from textlab.ui.common import check_argument_count, check_input_types

TABS = (chat_tab, classify_tab, neighbours_tab, translate_tab, inspect_tab, lab_tab)
DESCRIPTION = (
    "# textlab\nRecurrent neural language models, trained on real text, that you can talk to and study. "
    "Every tab is also an API endpoint: see *Use via API* at the bottom of the page."
)


def start_slots(device: str = "cpu") -> dict[str, ModelSlot]:
    """Start loading (or training) every task's model in the background, onto `device` where it can run there."""
    return {
        task.name: slot_for(c, task, device).start() for c in capabilities() if c.in_app for task in c.tasks.values()
    }


def build_app(slots: dict[str, ModelSlot] | None = None) -> gr.Blocks:
    slots = slots or start_slots()
    # Uploads and the files handed out are swept (every 10 minutes at most) once TEXTLAB_FILE_MAX_AGE old, an hour
    # by default: the disk does not fill up.
    max_age = int(settings.file_max_age_s())
    with gr.Blocks(title="textlab", delete_cache=(min(600, max_age), max_age)) as demo:
        gr.Markdown(DESCRIPTION)
        with gr.Tabs():
            for tab in TABS:
                tab.create_tab(slots)
    check_input_types(demo)
    check_argument_count(demo)
    return demo
