"""Every limit on what a request may send, in one place (the README's "Limits" table lists them), and the
middleware that applies them before Gradio reads a request.

A request body larger than its route's limit is refused with HTTP 413 before Gradio reads it; a text input longer
than its stated maximum is refused by name before anything is stored in the session. So no request costs more
memory than these allow, however many sessions send them.
"""

from __future__ import annotations

import json

from textlab.files import MAX_UPLOAD_BYTES

MAX_BODY_BYTES = 2 * 1024 * 1024  # any request but an upload: the longest text input, as JSON, with room to spare
MAX_UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024  # one file at the upload limit, and its multipart wrapping
MAX_TEXT_CHARS = 10_000  # a text input that states no maximum of its own
CHAT_MESSAGE_CHARS = 2_000  # the model reads the last 400 characters of the conversation
CHAT_TURNS = 200  # messages of one conversation: the server keeps its history per session (at most ~0.5 MB)
CLASSIFY_TEXT_CHARS = 100_000  # a classifier reads at most its first 400 tokens
LAB_TEXT_CHARS = 200_000  # the preprocessing explorer's text (an upload may hold more; it is read up to 1,000,000)
LAB_PROMPT_CHARS = 2_000  # a model of your own reads the last 400 characters of its prompt
WORD_CHARS = 1_000  # a word or a list of words on the Neighbours tab
MAX_QUEUE = 128  # requests waiting in Gradio's queue; one more is told the queue is full
EXPLORER_JOBS = 2  # the Lab's preprocessing explorer at once (segmenting 200,000 Chinese characters takes 2-3 s)


class BodyLimit:
    """ASGI middleware: refuse a request body over the limit of its route with 413 and a message saying why."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES, upload_limit: int = MAX_UPLOAD_BODY_BYTES):
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        limit = self.upload_limit if scope["path"].endswith("/upload") else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _refuse(send, limit)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:  # a body without a length (chunked) that runs past the limit: stop reading it
                return {"type": "http.disconnect"}
            return message

        return await self.app(scope, counted, send)


class KnownEndpoints:
    """ASGI middleware: a call to an API name the app does not have is a 404 saying where the list is (Gradio
    answers it with a bare 500)."""

    def __init__(self, app, names: set[str]):
        self.app, self.names = app, names

    async def __call__(self, scope, receive, send):
        parts = scope.get("path", "").split("/") if scope["type"] == "http" else []
        if len(parts) >= 4 and parts[1:3] == ["gradio_api", "call"] and parts[3] not in self.names:
            message = f"There is no endpoint /{parts[3]}; the endpoints are listed at /gradio_api/info."
            return await _answer(send, 404, message)
        return await self.app(scope, receive, send)


def endpoint_names(app) -> set[str]:
    """The API names of a Gradio app's events."""
    return {fn.api_name for fn in app.fns.values() if isinstance(fn.api_name, str)}


async def _refuse(send, limit: int) -> None:
    await _answer(send, 413, f"The request is larger than {limit / 2**20:.0f} MB; send less.")


async def _answer(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
