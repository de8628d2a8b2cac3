"""Small pieces every tab shows the same way."""

from __future__ import annotations

from textlab.loading import SlotStatus


def status_markdown(status: SlotStatus, card: str = "") -> str:
    """The model card once the model is ready; until then what is happening, with a progress figure."""
    if status.ready:
        return card or status.message
    if status.state == "training" and status.progress is not None:
        return f"**Not ready yet - {status.progress:.0%}.** {status.message}"
    return f"**Not ready yet.** {status.message}"
