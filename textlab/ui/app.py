"""The whole app: one tab per capability, each built by its own module.

A new tab is a module with `TITLE`, `slots()` (its models by name, each loading or training in the background)
and `create_tab(slots)`; add it to TABS and nothing else changes.
"""

from __future__ import annotations

import gradio as gr

from textlab.loading import ModelSlot
from textlab.ui import chat_tab, classify_tab, lab_tab, neighbours_tab, translate_tab
from textlab.ui.common import check_input_types

TABS = (chat_tab, classify_tab, neighbours_tab, translate_tab, lab_tab)
DESCRIPTION = (
    "# textlab\nRecurrent neural language models, trained on real text, that you can talk to and study. "
    "Every tab is also an API endpoint: see *Use via API* at the bottom of the page."
)


def start_slots() -> dict[str, dict[str, ModelSlot]]:
    """Start loading (or training) every tab's models in the background."""
    return {tab.__name__: {name: s.start() for name, s in tab.slots().items()} for tab in TABS}


def build_app(slots: dict[str, dict[str, ModelSlot]] | None = None) -> gr.Blocks:
    slots = slots or start_slots()
    with gr.Blocks(title="textlab") as demo:
        gr.Markdown(DESCRIPTION)
        with gr.Tabs():
            for tab in TABS:
                tab.create_tab(slots[tab.__name__])
    check_input_types(demo)
    return demo
