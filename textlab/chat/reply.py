"""The chat's answer: `n` replies drawn from the character model, the one that answers the conversation best (the
listener's score, and a little of the character model's fluency), and every candidate with its scores (the tab's
"why this reply")."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from textlab.chat.candidates import Draft, draw_replies, line_logprobs
from textlab.chat.model import ChatModel, generate_reply, prompt_for
from textlab.data.dialogue import Utterance
from textlab.listener.model import Listener
from textlab.sampling import SamplingConfig

# Replies drawn per answer; 1 is the character model alone. Measured on the 391 validation messages (one draw of 64,
# its first 32 or 48 or all): the three readers of bench listen found the message 0.288 of the time on average from
# 32, 0.310 from 48 and 0.306 from 64, while a reply of 64 took 0.82 s p50 (target 1 s); 48 is the most, too, since
# the work per request is what bounds a crowd
DEFAULT_CANDIDATES = 48
MAX_CANDIDATES = 48
ECHO_WORDS = 3  # a candidate that repeats this many consecutive words of a recent turn parrots it
# the turns a candidate must not parrot: the message and the two before it, his own lines among them (the listener's
# parts read these turns too, and score a line said again as one that fits the conversation)
ECHO_TURNS = 3
# How much the character model's fluency (mean log-probability per character, in nats) adds to the listener's score.
# Chosen on the validation messages by three readers' test of listening (bench listen), at 32 candidates: at 0.25 each
# reader (TF-IDF, the sentence encoder, word2vec) found the message as often as at 0 or more often, and the chosen
# replies' bits per character fell from 1.16 to 1.12. At 48 the readers' mean is 0.013 below w = 0's (within noise)
# and bits per character still fall (1.13 to 1.10); from 2 up the shortest, blandest lines win
FLUENCY_WEIGHT = 0.25


@dataclass
class Candidate:
    text: str
    listening: float | None  # the listener's score (None without a listener)
    fluency: float  # the character model's mean log-probability per character of its own line
    parrots: bool = False  # it repeats 3 words in a row of a recent turn: passed over while another does not

    @property
    def bits_per_char(self) -> float:
        return -self.fluency / math.log(2)

    @property
    def score(self) -> float | None:
        """What the choice is made on: the listener's score + FLUENCY_WEIGHT x fluency."""
        return None if self.listening is None else self.listening + FLUENCY_WEIGHT * self.fluency


@dataclass
class Reply:
    text: str
    candidates: list[Candidate]
    chosen: int  # which candidate was answered with


def answer(
    chat: ChatModel,
    listener: Listener | None,
    turns: Sequence[Utterance],
    bot: str,
    sampling: SamplingConfig,
    n: int = DEFAULT_CANDIDATES,
) -> Reply:
    """`n` replies of `bot` to `turns` in one batched pass, and the one that answers best.

    Without a listener (or with `n` = 1) the first draft is the answer. Otherwise the best `Candidate.score` is: the
    listener's, plus a little of the model's fluency. Fluency alone would not do: the model's likelihood picks the
    true reply at chance (BENCHMARKS.md, "listen"). A candidate that parrots the last turns (`parrots`) is passed
    over while another does not: the listener, which measures how well a line fits the conversation, would otherwise
    reward the message said back, or a line of the bot's own said again.
    """
    if not 1 <= n <= MAX_CANDIDATES:
        raise ValueError(f"the number of candidates must be from 1 to {MAX_CANDIDATES}, got {n}")
    prompt = prompt_for(turns, bot)
    if n == 1:  # the streamed reply itself, as the chat wrote before it had a listener
        *_, text = generate_reply(chat, prompt, sampling)
        return Reply(text, [Candidate(text, None, line_logprobs(chat, prompt, [text])[0].fluency)], 0)
    drafts = _unique(draw_replies(chat, prompt, sampling, n))
    texts = [d.text for d in drafts]
    if listener is None:
        return Reply(texts[0], [Candidate(d.text, None, d.fluency) for d in drafts], 0)
    scores = listener.score(turns, texts)
    parrots = [parrots_turns(text, turns) for text in texts]
    candidates = [Candidate(d.text, float(s), d.fluency, p) for d, s, p in zip(drafts, scores, parrots, strict=True)]
    chosen = choose(np.array([c.score for c in candidates]), parrots)
    return Reply(texts[chosen], candidates, chosen)


def choose(scores: np.ndarray, parrots: Sequence[bool]) -> int:
    """The best-scoring candidate among those that do not parrot (among all, if every one does)."""
    return int(np.argmax(np.where(parrots, -np.inf, scores) if not all(parrots) else scores))


def parrots_turns(reply: str, turns: Sequence[Utterance]) -> bool:
    """Whether `reply` repeats words of one of the last ECHO_TURNS turns (see `echoes`)."""
    return any(echoes(reply, turn.text) for turn in turns[-ECHO_TURNS:])


def echoes(reply: str, message: str, n: int = ECHO_WORDS) -> bool:
    """Whether `reply` repeats `n` consecutive words of `message`: parroting, not listening."""
    grams = [{tuple(w[i : i + n]) for i in range(len(w) - n + 1)} for w in map(_words, (reply, message))]
    return bool(grams[0] & grams[1])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _unique(drafts: list[Draft]) -> list[Draft]:
    """The drafts without repeats of a line, in the order drawn: a repeated line is one candidate."""
    unique: dict[str, Draft] = {}
    for draft in drafts:
        unique.setdefault(draft.text, draft)
    return list(unique.values())
