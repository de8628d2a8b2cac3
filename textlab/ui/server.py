"""Serving the app: `python app.py` and `python -m textlab serve`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from gradio.utils import get_upload_folder
from starlette.middleware import Middleware

from textlab.files import MAX_UPLOAD_BYTES
from textlab.settings import REPO_ROOT, cache_dir, models_dir, on_a_space, sessions
from textlab.ui.app import build_app, start_slots
from textlab.ui.limits import MAX_QUEUE, BodyLimit, KnownEndpoints, endpoint_names

log = logging.getLogger("textlab")


def serve(host: str, port: int, share: bool, device: str = "cpu") -> None:
    """Build the app, start its models loading (onto `device`: cpu, cuda, mps or auto), and serve until
    interrupted."""
    demo = build_app(start_slots(device))
    demo.queue(default_concurrency_limit=4, max_size=MAX_QUEUE)
    _, local_url, share_url = demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        footer_links=["api"],
        prevent_thread_lock=True,
        quiet=True,  # Gradio's own banner tells people to edit `launch()`; the app's way is --share
        max_file_size=MAX_UPLOAD_BYTES,
        blocked_paths=blocked_paths(),
        # Gradio keeps about 0.3 MB per session (a copy of every component's config) for its 10,000 most recent
        # sessions by default, and every API call made without a session hash is a new one: 3 GB at worst.
        state_session_capacity=sessions(),
        app_kwargs={"middleware": [Middleware(BodyLimit), Middleware(KnownEndpoints, names=endpoint_names(demo))]},
    )
    print(f"Serving at {local_url}" + ("" if share else " (a public link: --share)"), flush=True)
    if share:
        if share_url:
            print(f"Public link: {share_url}", flush=True)
        else:
            print(
                f"No public link: {no_share_link_reason()}. Still serving at {local_url}", file=sys.stderr, flush=True
            )
    demo.block_thread()


def no_share_link_reason() -> str:
    """Why Gradio made no share link: it never makes one on a Space, and elsewhere it needs outbound internet."""
    if on_a_space():
        return "this runs on a Hugging Face Space, whose own address is the public link"
    return (
        "Gradio's share servers could not be reached from this machine (a share link needs outbound internet "
        "to gradio.live)"
    )


def blocked_paths() -> list[str]:
    """Folders Gradio must never serve or copy into its cache: the code, the checkpoints and the data cache.

    Gradio would hand out any file a function returns from the working directory or the temp folder. The app only
    returns files it wrote to the temp folder, so these are closed outright in case that ever changes. A folder that
    holds Gradio's own upload folder (`$GRADIO_TEMP_DIR` set inside it) is left open, or no upload would work.
    """
    uploads = Path(get_upload_folder()).resolve()
    folders = (REPO_ROOT, models_dir(), cache_dir())
    return [str(f.resolve()) for f in folders if not uploads.is_relative_to(f.resolve())]
