"""Hostile use: no request, and no flood of them, can exhaust the server's memory or hold the Lab for everyone."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from textlab.loading import ModelSlot
from textlab.ui import chat_tab
from textlab.ui.limits import CHAT_TURNS, BodyLimit

from .conftest import APP_PIDS, start_app


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run_apart(coroutine) -> None:
    """Run `coroutine` on an event loop of its own thread: the browser tests leave one running in this thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def call(url: str, endpoint: str, data: list, session: str) -> str:
    body = json.dumps({"data": data, "session_hash": session}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/call{endpoint}", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call{endpoint}/{event_id}", timeout=60) as response:
        return response.read().decode()


def test_a_flood_of_new_sessions_with_the_largest_texts_keeps_memory_bounded(models_dir, corpus_dir, tmp_path):
    with start_app(models_dir, corpus_dir, tmp_path, extra_env={"TEXTLAB_SESSIONS": "5"}) as url:
        text = "a wonderful film " * 5_800  # 98,600 characters: just under the limit, so it is taken
        for _ in range(3):
            assert "complete" in call(url, "/classify", [text, "sentiment"], uuid.uuid4().hex)
        before = rss_mb(APP_PIDS[url])
        for _ in range(30):
            assert "complete" in call(url, "/classify", [text, "sentiment"], uuid.uuid4().hex)
        assert "at most 100,000" in call(url, "/classify", [text + "x" * 2_000, "sentiment"], uuid.uuid4().hex)
        assert rss_mb(APP_PIDS[url]) - before < 80  # 30 sessions x 0.1 MB of text each, and no more kept


def test_a_conversation_is_kept_to_its_most_turns(tiny_chat):
    slot = ModelSlot("chat", lambda: tiny_chat, lambda progress: tiny_chat, lambda m: None).start()
    slot.wait(10)
    listener = ModelSlot("listener", lambda: None, lambda progress: None, lambda m: None)
    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": "hi"} for i in range(CHAT_TURNS)]
    with pytest.raises(gr.Error, match="the most one keeps"):
        list(chat_tab.send_message(slot, listener, "Hi", history, "Penny", "Sheldon", 0.7, 0, 0.95, 50, 1, 1))
    assert list(chat_tab.send_message(slot, listener, "Hi", history[:-1], "Penny", "Sheldon", 0.7, 0, 0.95, 50, 1, 1))


@pytest.mark.parametrize(
    ("path", "size", "refused"),
    [
        ("/gradio_api/call/classify", 2 * 2**20, False),
        ("/gradio_api/call/classify", 2 * 2**20 + 1, True),
        ("/gradio_api/upload", 11 * 2**20, False),
        ("/gradio_api/upload", 11 * 2**20 + 1, True),
    ],
)
def test_a_request_body_is_refused_from_its_declared_length_at_the_limit(path, size, refused):
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": path, "headers": [(b"content-length", str(size).encode())]}
    run_apart(BodyLimit(app)(scope, receive, send))
    assert (bool(sent) and sent[0]["status"] == 413) == refused and bool(reached) == (not refused)


def test_a_body_without_a_length_stops_being_read_at_the_limit():
    chunks = [b"x" * 2**20] * 5
    seen = []

    async def app(scope, receive, send):
        while (message := await receive())["type"] == "http.request":
            seen.append(len(message["body"]))

    async def receive():
        return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}

    scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join", "headers": []}
    run_apart(BodyLimit(app)(scope, receive, lambda message: None))
    assert sum(seen) <= 2 * 2**20  # the third megabyte is never handed to the app


def test_a_cancelled_lab_job_frees_the_lab_for_the_next_one(models_dir, corpus_dir, tmp_path):
    with start_app(models_dir, corpus_dir, tmp_path, extra_env={"TEXTLAB_LAB_TIME_CAP": "30"}) as url:
        client = Client(url, verbose=False)
        long = client.submit("cells-adding", 128, 3, 20, api_name="/lab_experiment")
        time.sleep(3)  # it is training now, and would train for 30 s
        long.cancel()
        start = time.monotonic()
        status, *_ = client.predict("cells-adding", 4, 1, 1, api_name="/lab_experiment")
        assert "Done" in status and time.monotonic() - start < 20


def test_uploads_older_than_the_sweep_age_are_gone(models_dir, corpus_dir, tmp_path):
    env = {"TEXTLAB_FILE_MAX_AGE": "2", "GRADIO_TEMP_DIR": str(tmp_path / "gradio")}
    with start_app(models_dir, corpus_dir, tmp_path, extra_env=env) as url:
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="reviews.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\ntext,label\r\ngreat,positive\r\n--{boundary}--\r\n"
        ).encode()
        request = urllib.request.Request(
            f"{url}gradio_api/upload", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            (uploaded,) = map(Path, json.loads(response.read()))
        assert uploaded.is_file() and uploaded.is_relative_to(tmp_path / "gradio")
        deadline = time.monotonic() + 20
        while uploaded.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not uploaded.exists()  # swept: 2 s old, checked every 2 s
