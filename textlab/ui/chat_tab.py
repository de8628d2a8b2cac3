"""The "Sheldon chat" tab: a streamed chat with the character model, its sampling controls and model card."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from textlab.chat.model import DEFAULT_BOT, ChatModel, build_prompt, generate_reply, model_card
from textlab.loading import ModelSlot
from textlab.sampling import SamplingConfig
from textlab.ui.common import at_most_every, poll_status, ready_model, status_markdown

TITLE = "Sheldon chat"
CHAT_STREAMS = 2  # replies streamed at once; more wait in the queue, so that short requests on other tabs stay fast
STREAM_INTERVAL_S = 0.05  # 20 screen updates a second look smooth; per character, they would load the server
MAIN_CHARACTERS = ["Sheldon", "Leonard", "Penny", "Howard", "Raj", "Amy", "Bernadette", "Stuart"]
EXAMPLES = [  # message, who says it
    ("Sheldon, do you want to come to the movies with us tonight?", "Leonard"),
    ("Can I sit in your spot?", "Penny"),
    ("What do you think of string theory?", "Amy"),
    ("Leonard says you owe him an apology.", "Penny"),
    ("I just got back from the comic book store.", "Howard"),
]
_SAMPLING = SamplingConfig()
DEFAULTS = {
    "temperature": _SAMPLING.temperature,
    "top_k": _SAMPLING.top_k,
    "top_p": _SAMPLING.top_p,
    "max_chars": _SAMPLING.max_chars,
    "seed": -1,
}


def send_message(
    slot: ModelSlot[ChatModel], message, history, user, bot, temperature, top_k, top_p, max_chars, seed
) -> Iterator[str]:
    """The reply to `message`, streamed: the whole text so far, at most 20 times a second."""
    chat = ready_model(slot)
    try:
        sampling = SamplingConfig(
            temperature=float(temperature),
            top_k=int(top_k),
            top_p=float(top_p),
            max_chars=int(max_chars),
            seed=None if seed is None or int(seed) < 0 else int(seed),
        )
        prompt = build_prompt(chat, _turns(history), _text(message), str(user or ""), str(bot or ""))
    except (TypeError, ValueError, OverflowError) as e:
        raise gr.Error(str(e)) from None
    yield from at_most_every(STREAM_INTERVAL_S, generate_reply(chat, prompt, sampling))


def chat_status(slot: ModelSlot[ChatModel]) -> tuple:
    """The status (or model card) and both speaker lists, once the model has said who its characters are."""
    chat = slot.get()
    speakers = (gr.Dropdown(**speaker_choices(chat, a)) if chat else gr.skip() for a in (False, True))
    return status_markdown(slot.status, model_card(chat) if chat else ""), *speakers


def speaker_choices(chat: ChatModel | None, answering: bool) -> dict:
    """Dropdown choices: the loaded model's main characters, else the show's; the answerer first by default."""
    speakers = chat.speakers if chat else MAIN_CHARACTERS
    bot = chat.card.get("speaker", DEFAULT_BOT) if chat else DEFAULT_BOT
    if answering:
        return {"choices": speakers, "value": bot}
    others = [s for s in speakers if s != bot] or speakers
    return {"choices": others, "value": others[0]}


def create_tab(slots: dict[str, ModelSlot]) -> None:
    """Build the tab inside the current `gr.Blocks`; the slots must have been started."""
    slot = slots["chat"]
    with gr.Tab(TITLE, id="chat"):
        status = gr.Markdown(chat_status(slot)[0], elem_id="chat-status")
        with gr.Row():
            user = gr.Dropdown(**speaker_choices(slot.get(), False), allow_custom_value=True, label="You speak as")
            bot = gr.Dropdown(**speaker_choices(slot.get(), True), allow_custom_value=True, label="Who answers")
        with gr.Accordion("Sampling", open=False):
            with gr.Row():
                temperature = gr.Slider(
                    0.0, 2.0, value=DEFAULTS["temperature"], step=0.05, label="Temperature (0 = the likeliest)"
                )
                top_k = gr.Slider(0, 100, value=DEFAULTS["top_k"], step=1, label="Top-k (0 = off)")
                top_p = gr.Slider(0.05, 1.0, value=DEFAULTS["top_p"], step=0.05, label="Top-p")
            with gr.Row():
                max_chars = gr.Slider(10, 1000, value=DEFAULTS["max_chars"], step=10, label="Longest reply (chars)")
                seed = gr.Number(DEFAULTS["seed"], precision=0, label="Seed (-1 = a new reply each time)")

        def respond(message, history, user, bot, temperature, top_k, top_p, max_chars, seed) -> Iterator[str]:
            yield from send_message(slot, message, history, user, bot, temperature, top_k, top_p, max_chars, seed)

        gr.ChatInterface(
            respond,
            additional_inputs=[user, bot, temperature, top_k, top_p, max_chars, seed],
            examples=[[message, user, DEFAULT_BOT, *DEFAULTS.values()] for message, user in EXAMPLES],
            example_labels=[f"{user}: {message}" for message, user in EXAMPLES],
            chatbot=gr.Chatbot(elem_id="chat-window", height=420, buttons=["copy"]),
            textbox=gr.Textbox(placeholder="Say something...", elem_id="chat-input", max_lines=4),
            api_name="chat",
            api_description="Reply as a sitcom character, streamed. Inputs: message, then the additional inputs.",
            fill_height=False,
            concurrency_limit=CHAT_STREAMS,
        )
        poll_status([slot], lambda: chat_status(slot), [], [status, user, bot])


def _text(content) -> str:
    """Chat content as plain text: a string, or Gradio's list of parts (`[{"type": "text", "text": ...}]`)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text(part) for part in content)
    return ""


def _turns(history) -> list[tuple[str, str]]:
    return [(m.get("role", "user"), _text(m.get("content"))) for m in history or [] if isinstance(m, dict)]
