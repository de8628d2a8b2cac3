"""Serving the app: `python app.py` and `python -m textlab serve`."""

from __future__ import annotations

import logging
import sys

from textlab.ui.app import build_app

log = logging.getLogger("textlab")


def serve(host: str, port: int, share: bool) -> None:
    """Build the app, start its models loading, and serve until interrupted."""
    demo = build_app()
    demo.queue(default_concurrency_limit=4)
    _, local_url, share_url = demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        footer_links=["api"],
        prevent_thread_lock=True,
        max_file_size="10mb",
    )
    if share:
        if share_url:
            print(f"Public link: {share_url}", flush=True)
        else:
            print(
                "No public link: Gradio's share servers could not be reached from this machine "
                f"(it needs outbound internet). Still serving locally at {local_url}",
                file=sys.stderr,
                flush=True,
            )
    demo.block_thread()
