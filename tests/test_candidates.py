"""Candidate replies drawn side by side, and the model's likelihood of given lines."""

from __future__ import annotations

import math

import torch

from textlab.chat.candidates import draw_replies, line_logprobs
from textlab.chat.model import build_prompt, generate_reply
from textlab.chat.scoring import char_nll
from textlab.sampling import SamplingConfig


def test_drafts_are_seeded_lines_of_known_characters(tiny_chat):
    prompt = build_prompt(tiny_chat, [], "Hi Sheldon.", "Penny", "Sheldon")
    sampling = SamplingConfig(temperature=0.9, seed=3, max_chars=80)
    drafts = draw_replies(tiny_chat, prompt, sampling, 6)
    assert len(drafts) == 6 and all(d.text and "\n" not in d.text for d in drafts)
    assert all(set(d.text) <= set(tiny_chat.vocab.chars) and d.logprob < 0 for d in drafts)
    assert [d.text for d in draw_replies(tiny_chat, prompt, sampling, 6)] == [d.text for d in drafts]
    assert len({d.text for d in drafts}) > 1  # sampled, not six copies


def test_a_greedy_draft_is_the_greedy_reply(tiny_chat):
    """At temperature 0 every row is the model's likeliest line: the one the streamed reply writes."""
    prompt = build_prompt(tiny_chat, [], "Knock knock.", "Leonard", "Sheldon")
    sampling = SamplingConfig(temperature=0.0, max_chars=60, seed=0)
    streamed = list(generate_reply(tiny_chat, prompt, sampling))[-1]
    assert {d.text for d in draw_replies(tiny_chat, prompt, sampling, 3)} == {streamed}


def test_line_logprobs_match_the_scorer_of_eval_chat(tiny_chat):
    prompt = build_prompt(tiny_chat, [], "Hey guys.", "Penny", "Sheldon")
    lines = ["Bazinga!", "That is my spot."]
    drafts = line_logprobs(tiny_chat, prompt, lines)
    for draft, line in zip(drafts, lines, strict=True):
        ids = torch.tensor(tiny_chat.vocab.encode(prompt + " " + line + "\n"))
        nll = char_nll(tiny_chat.network, ids)[len(prompt) :]
        assert draft.chars == len(line) + 1
        assert math.isclose(-draft.logprob, nll.sum().item(), rel_tol=1e-4)
    assert drafts[0].fluency == drafts[0].logprob / drafts[0].chars
