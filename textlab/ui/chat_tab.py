"""The "Sheldon chat" tab: a chat with the character model, the candidate replies the listener chose among, its
sampling controls and model cards."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from textlab.chat.model import (
    DEFAULT_BOT,
    ChatModel,
    clean_speaker,
    conversation,
    generate_reply,
    model_card,
    prompt_for,
)
from textlab.chat.reply import DEFAULT_CANDIDATES, FLUENCY_WEIGHT, MAX_CANDIDATES, Reply, answer
from textlab.chat.turns import REPLY_TURNS, candidates_when_busy
from textlab.listener.model import Listener
from textlab.listener.model import model_card as listener_card
from textlab.loading import ModelSlot
from textlab.sampling import SamplingConfig
from textlab.ui.common import at_most_every, poll_status, ready_model, status_markdown, user_error
from textlab.ui.limits import CHAT_MESSAGE_CHARS, CHAT_TURNS

TITLE = "Sheldon chat"
CHAT_QUEUE = 8  # chat events Gradio runs at once, waiting for their turn in REPLY_TURNS (more queue in Gradio)
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
    "candidates": DEFAULT_CANDIDATES,
}
CANDIDATE_COLUMNS = ["chosen", "candidate", "score", "listener score", "bits per character"]
PARROTS = "no: repeats the conversation"  # the "chosen" column of a candidate passed over for parroting


def send_message(
    slot: ModelSlot[ChatModel],
    listener: ModelSlot[Listener],
    message,
    history,
    user,
    bot,
    temperature,
    top_k,
    top_p,
    max_chars,
    seed,
    candidates,
) -> Iterator[tuple]:
    """The reply to `message` and the candidates it was chosen from, a row each.

    With one candidate the reply streams as it is drawn; with more, they are drawn side by side and the one the
    listener finds answers best is sent whole (while the listener is not ready, the first one is). Replies take
    turns (`textlab.chat.turns`): while others wait, a reply draws fewer candidates.
    """
    chat = ready_model(slot)
    if len(history or []) >= CHAT_TURNS:
        raise user_error(f"This conversation has {len(history):,} messages, the most one keeps; clear it to go on.")
    try:
        sampling = SamplingConfig(
            temperature=float(temperature),
            top_k=int(top_k),
            top_p=float(top_p),
            max_chars=int(max_chars),
            seed=None if seed is None or int(seed) < 0 else int(seed),
        )
        n = int(candidates)
        if not 1 <= n <= MAX_CANDIDATES:
            raise ValueError(f"the number of candidates must be from 1 to {MAX_CANDIDATES}, got {n}")
        turns = conversation(chat, _turns(history), _text(message), str(user or ""), str(bot or ""))
        answerer = clean_speaker(str(bot or ""), chat.vocab)
    except (TypeError, ValueError, OverflowError) as e:
        raise user_error(str(e)) from None
    with REPLY_TURNS.turn() as waiting:
        if n == 1:
            text = ""
            for text in at_most_every(STREAM_INTERVAL_S, generate_reply(chat, prompt_for(turns, answerer), sampling)):
                yield text, gr.skip()
            yield text, {"headers": CANDIDATE_COLUMNS, "data": [["yes", text, None, None, None]]}
            return
        drawn = candidates_when_busy(n, waiting)
        reply = answer(chat, listener.get(), turns, answerer, sampling, drawn)
    yield reply.text, candidate_rows(reply)


def candidate_rows(reply: Reply) -> dict:
    """The candidates table: one row per candidate, the chosen one first, then by score."""
    order = sorted(range(len(reply.candidates)), key=lambda i: (i != reply.chosen, -(reply.candidates[i].score or 0)))
    rows = []
    for i in order:
        c = reply.candidates[i]
        score, listening = (None, None) if c.listening is None else (round(c.score, 3), round(c.listening, 3))
        chosen = "yes" if i == reply.chosen else PARROTS if c.parrots else ""
        rows.append([chosen, c.text, score, listening, round(c.bits_per_char, 2)])
    return {"headers": CANDIDATE_COLUMNS, "data": rows}


def chat_status(slot: ModelSlot[ChatModel], listener: ModelSlot[Listener]) -> tuple:
    """Both models' status (or cards) and both speaker lists, once the model has said who its characters are."""
    chat = slot.get()
    speakers = (gr.Dropdown(**speaker_choices(chat, a)) if chat else gr.skip() for a in (False, True))
    return status_text(slot, listener), *speakers


def status_text(slot: ModelSlot[ChatModel], listener: ModelSlot[Listener]) -> str:
    chat, ear = slot.get(), listener.get()
    card = status_markdown(slot.status, model_card(chat) if chat else "")
    heard = status_markdown(listener.status, listener_card(ear) if ear else "")
    return f"{card}  \n{heard}"


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
    slot, listener = slots["chat"], slots["listener"]
    with gr.Tab(TITLE, id="chat"):
        status = gr.Markdown(status_text(slot, listener), elem_id="chat-status")
        with gr.Row():
            user = gr.Dropdown(
                **speaker_choices(slot.get(), False), allow_custom_value=True, label="You speak as", elem_id="chat-user"
            )
            bot = gr.Dropdown(**speaker_choices(slot.get(), True), allow_custom_value=True, label="Who answers")
        inputs = _sampling_controls()
        table = gr.Dataframe(headers=CANDIDATE_COLUMNS, wrap=True, elem_id="chat-candidates", render=False)

        def respond(message, history, user, bot, temperature, top_k, top_p, max_chars, seed, candidates):
            yield from send_message(
                slot, listener, message, history, user, bot, temperature, top_k, top_p, max_chars, seed, candidates
            )

        chatbot = gr.Chatbot(elem_id="chat-window", height="70vh", min_height=320, buttons=["copy"])
        _ChatInterface(
            respond,
            additional_inputs=[user, bot, *inputs],
            additional_outputs=[table],
            # The messages alone (no settings), shown in the empty chat; a click fills in the message and who says it
            examples=[[message] + [None] * (2 + len(inputs)) for message, _ in EXAMPLES],
            example_labels=[f"{speaker}: {message}" for message, speaker in EXAMPLES],
            run_examples_on_click=False,
            chatbot=chatbot,
            textbox=gr.Textbox(
                placeholder="Say something...",
                label="Message",
                show_label=False,
                elem_id="chat-input",
                max_lines=4,
                max_length=CHAT_MESSAGE_CHARS,
            ),
            api_name="chat",
            api_description="Reply as a sitcom character, and the candidates it was chosen from. Inputs: message, "
            "then the additional inputs.",
            fill_height=False,
            concurrency_limit=CHAT_QUEUE,
        )
        chatbot.example_select(example_speaker, None, user, api_visibility="private", queue=False)
        _show_candidates(table)
        poll_status([slot, listener], lambda: chat_status(slot, listener), [], [status, user, bot])


def example_speaker(selected: gr.SelectData) -> str:
    """Who says the example message that was clicked."""
    return EXAMPLES[selected.index][1]


class _ChatInterface(gr.ChatInterface):
    """Gradio's, except that the message box keeps its placeholder: Gradio blanks it while a reply is drawn and never
    puts it back."""

    def _clear_and_save_textbox(self, message):
        return type(self.textbox)("", interactive=False), message


def _sampling_controls() -> list:
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
            candidates = gr.Slider(
                1,
                MAX_CANDIDATES,
                value=DEFAULT_CANDIDATES,
                step=1,
                label="Candidates (the listener picks one; with 1, the model's own reply is sent as it is drawn)",
            )
    return [temperature, top_k, top_p, max_chars, seed, candidates]


def _show_candidates(table: gr.Dataframe) -> None:
    with gr.Accordion("Why this reply: the candidates and the listener's scores", open=False, elem_id="chat-why"):
        gr.Markdown(
            "The character model drew these replies side by side; the listener scored how well each answers the "
            "last turns (a dual encoder's cosine, word overlap and a pretrained sentence encoder's cosine; the model "
            "card above gives the weights). Bits per character: how surprised the character model is by its own line "
            "(lower is more typical of the show). The score is the listener's plus "
            f"{FLUENCY_WEIGHT:g} x the line's log-probability per character (in nats: minus bits per character x "
            "ln 2), and the best was sent. A candidate that repeats three words in a "
            "row of the last three turns (the message, or a line of his own) is passed over while another does not. "
            "A repeated line is shown once; while other people's replies wait their turn, each reply draws fewer "
            "candidates (the slider is the most), so that a crowd still gets quick answers."
        )
        table.render()


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
