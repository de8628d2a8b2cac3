"""The listener: a dual encoder beside TF-IDF that picks the reply that answers; and the chat's choice among
candidates it makes."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch

from textlab import cli
from textlab.chat import reply
from textlab.chat.candidates import Draft
from textlab.chat.model import conversation, generate_reply, prompt_for
from textlab.chat.reply import FLUENCY_WEIGHT, answer, echoes
from textlab.chat.selection import recall_at_1, selection_items
from textlab.data.dialogue import Utterance
from textlab.listener import training
from textlab.listener.config import ListenerConfig
from textlab.listener.model import load_listener, save_listener
from textlab.listener.training import mean_group_recall, reply_pairs
from textlab.networks.dual_encoder import DualEncoder, DualEncoderConfig
from textlab.sampling import SamplingConfig

from .conftest import TOPICS, talk_lines


def test_the_dual_encoder_scores_a_batch_against_itself():
    net = DualEncoder(DualEncoderConfig(vocab_size=30, embed_dim=8, hidden_size=8, out_dim=4))
    context = torch.tensor([[3, 4, 5], [6, 7, 0]])
    replies = torch.tensor([[8, 9], [10, 0]])
    logits = net(context, torch.tensor([3, 2]), replies, torch.tensor([2, 1]))
    assert logits.shape == (2, 2)
    assert torch.allclose(net.encode_replies(replies, torch.tensor([2, 1])).norm(dim=1), torch.ones(2))
    assert logits.abs().max() <= 1 / net.config.temperature + 1e-4  # cosines over the temperature


def test_reply_pairs_take_the_turns_before_a_change_of_speaker():
    lines = [Utterance("e", s, t) for s, t in [("A", "one"), ("B", "two"), ("B", "three"), ("A", "four")]]
    pairs = reply_pairs(lines, turns=2)
    assert [(len(c), r) for c, r in pairs] == [(1, "two"), (2, "four")]
    assert [u.text for u in pairs[1][0]] == ["two", "three"]


def test_a_listener_trained_where_replies_share_a_word_beats_chance(tiny_listener):
    test = tiny_listener.card["test"]
    assert test["n"] >= 40
    assert test["encoder"] > 0.3 and test["combined"] > 0.6  # chance: 0.10
    assert tiny_listener.card["history"]["epochs"][-1]["metrics"]["recall_at_1"] > 0.3


def test_each_group_of_items_counts_as_much_in_the_mix_choice():
    hits = np.array([True, False, False, False])
    assert mean_group_recall(hits, [1, 3]) == 0.5
    assert mean_group_recall(hits, [1, 0, 3]) == 0.5  # an empty group is left out
    assert mean_group_recall(hits, [4]) == 0.25


def test_the_mix_is_chosen_on_other_episodes_than_those_bench_listen_scores(monkeypatch):
    lines = talk_lines(episodes=48, exchanges=6)
    monkeypatch.setitem(training.SHOWS, "toy", lambda: lines)
    items = training.other_show_items(["toy"])
    _, names = training.shuffled_episodes(lines)
    read = {u.episode for item in items for u in item.context}
    assert read <= set(names[training.SCORED_EPISODES : training.SCORED_EPISODES + training.CHOOSING_EPISODES])
    assert len(read) == training.CHOOSING_EPISODES
    assert "Sheldon" in {item.bot for item in items} and len({item.bot for item in items}) == 2
    for item in items:  # each true line hides among lines of the same speaker from its own group of episodes
        assert item.candidates[item.answer] in {u.text for u in lines if u.speaker == item.bot}
    with pytest.raises(ValueError, match="unknown show"):
        training._mix_items(ListenerConfig(mix_shows=("simpsons",)), None)


def test_selection_items_hide_the_true_line_among_the_speaker_s_others():
    items = selection_items(talk_lines(episodes=2), "Sheldon", n=10, seed=1)
    assert len(items) == 60
    for item in items:
        assert len(set(item.candidates)) == 10 and item.context[-1].speaker != "Sheldon"
        assert item.candidates[item.answer] not in [c for i, c in enumerate(item.candidates) if i != item.answer]
    assert {item.answer for item in items} != {items[0].answer}  # the truth is not always in one place
    assert recall_at_1(items, lambda context, bot, candidates: np.zeros(len(candidates))) == pytest.approx(
        np.mean([item.answer == 0 for item in items])
    )


def test_the_listener_round_trips_through_its_checkpoint(tiny_listener, tmp_path):
    save_listener(tmp_path / "listener", tiny_listener)
    loaded = load_listener(tmp_path / "listener")
    context = [Utterance("x", "Penny", "Is the pizza better than the cheese?")]
    candidates = ["The pizza is salad.", "The quantum is photon.", "Bazinga!"]
    np.testing.assert_allclose(loaded.score(context, candidates), tiny_listener.score(context, candidates), atol=2e-3)
    assert loaded.mix == tiny_listener.mix and loaded.reading == tiny_listener.reading
    assert (loaded.sentences is None) == (tiny_listener.sentences is None)


def test_eval_listener_prints_recall_on_a_transcript(tiny_listener, tmp_path, capsys):
    save_listener(tmp_path / "listener", tiny_listener)
    transcript = tmp_path / "talk.txt"
    transcript.write_text("".join(f"{u.speaker}: {u.text}\n" for u in talk_lines(episodes=1, seed=5)))
    argv = ["eval", "listener", "--model", str(tmp_path / "listener"), "--text", str(transcript), "--device", "auto"]
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n_select"] == 30 and result["recall_at_1"] > 0.4


def test_one_candidate_is_the_streamed_reply_and_more_are_chosen_by_the_listener(tiny_chat, tiny_listener):
    turns = conversation(tiny_chat, [], "Knock knock.", "Penny", "Sheldon")
    sampling = SamplingConfig(temperature=0.8, seed=11, max_chars=80)
    *_, streamed = generate_reply(tiny_chat, prompt_for(turns, "Sheldon"), sampling)
    one = answer(tiny_chat, tiny_listener, turns, "Sheldon", sampling, 1)
    assert one.text == streamed and len(one.candidates) == 1
    many = answer(tiny_chat, tiny_listener, turns, "Sheldon", sampling, 6)
    scores = [c.score for c in many.candidates]
    texts = [c.text for c in many.candidates]
    assert 1 < len(scores) <= 6 and len(set(texts)) == len(texts)  # six drawn, a repeated line shown once
    assert many.chosen == int(np.argmax(scores))
    listened = tiny_listener.score(turns, texts)  # the score is the listener's plus a little fluency
    fluency = np.array([c.fluency for c in many.candidates])
    assert np.allclose(scores, listened + FLUENCY_WEIGHT * fluency, atol=1e-6) and 0 < FLUENCY_WEIGHT < 1
    assert many.text == many.candidates[many.chosen].text
    assert answer(tiny_chat, None, turns, "Sheldon", sampling, 6).chosen == 0  # no listener yet: the first draft
    with pytest.raises(ValueError, match="from 1 to 48"):
        answer(tiny_chat, tiny_listener, turns, "Sheldon", sampling, 0)


def test_eval_chat_select_ranks_replies_as_the_chat_chooses(models_dir, tmp_path, capsys):
    transcript = tmp_path / "talk.txt"
    transcript.write_text("".join(f"{u.speaker}: {u.text}\n" for u in talk_lines(episodes=2, seed=9)))
    argv = ["eval", "chat", "--model", str(models_dir / "chat"), "--text", str(transcript)]
    assert cli.main(argv) == 0
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "recall_at_1" not in plain  # without --select, eval chat is as it was
    assert cli.main([*argv, "--select", "10", "--listener", str(models_dir / "listener")]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n_select"] == 60 and result["recall_at_1"] > 0.3  # chance: 0.10
    assert result["bits_per_char"] == plain["bits_per_char"]


def test_a_candidate_that_parrots_the_message_is_passed_over(tiny_chat, monkeypatch):
    assert echoes("What do you think? I think not.", "What do you think of string theory?")
    assert not echoes("I think string theory is elegant.", "What do you think of string theory?")
    assert not echoes("Bazinga.", "Hi")  # fewer than three words: nothing to repeat

    class Overlap:  # a listener that, like the real one's TF-IDF part, prefers the most shared words
        def score(self, turns, texts):
            said = set(turns[-1].text.lower().split())
            return np.array([len(said & set(t.lower().split())) for t in texts], float)

    lines = ["what do you think of string", "string theory is elegant", "No."]
    monkeypatch.setattr(reply, "draw_replies", lambda *args: [Draft(line, -5.0, 10) for line in lines])
    turns = [Utterance("talk", "Amy", "what do you think of string theory")]
    chosen = reply.answer(tiny_chat, Overlap(), turns, "Sheldon", SamplingConfig(seed=0), 3)
    assert chosen.text == "string theory is elegant"  # the best-scored candidate that does not parrot
    assert [c.parrots for c in chosen.candidates] == [True, False, False]
    monkeypatch.setattr(reply, "draw_replies", lambda *args: [Draft(lines[0], -5.0, 10)] * 2)
    assert reply.answer(tiny_chat, Overlap(), turns, "Sheldon", SamplingConfig(seed=0), 2).text == lines[0]


def test_a_candidate_that_says_one_of_his_own_recent_lines_again_is_passed_over(tiny_chat, monkeypatch):
    class Context:  # a listener that, like the real one, finds a line already in the conversation fits it best
        def score(self, turns, texts):
            said = {w for t in turns for w in t.text.lower().split()}
            return np.array([len(said & set(t.lower().split())) for t in texts], float)

    said_before = "You are sitting in my spot."
    turns = [
        Utterance("talk", "Penny", "Hi."),
        Utterance("talk", "Sheldon", said_before),
        Utterance("talk", "Penny", "Can we go out tonight?"),
    ]
    lines = [said_before, "I have a date with my train set.", "No."]
    monkeypatch.setattr(reply, "draw_replies", lambda *args: [Draft(line, -5.0, 10) for line in lines])
    chosen = reply.answer(tiny_chat, Context(), turns, "Sheldon", SamplingConfig(seed=0), 3)
    assert chosen.text == lines[1] and [c.parrots for c in chosen.candidates] == [True, False, False]
    older = [Utterance("talk", "Penny", "Hi."), *turns[1:2], *[Utterance("talk", "Leonard", "Hm.")] * 3]
    assert not reply.parrots_turns(said_before, older)  # said more than three turns ago: he may say it again


def test_the_word2vec_reader_finds_the_message_a_reply_is_about(tiny_vectors):
    from bench.listen import mean_word_vectors, which_message

    pairs = [list(itertools.combinations(TOPICS[name], 2))[:10] for name in ("food", "friends")]
    messages = [" ".join(pairs[i % 2][i // 2]) for i in range(20)]  # the topics in turn, no two alike
    rows = mean_word_vectors(tiny_vectors.vectors, [*messages, "xyzzy plugh"])
    assert np.allclose(np.linalg.norm(rows[:-1], axis=1), 1, atol=1e-5) and not rows[-1].any()  # no known word: 0
    assert which_message(lambda t: mean_word_vectors(tiny_vectors.vectors, t), messages, messages) == 1.0
    other_topic = [messages[(i + 1) % 20] for i in range(20)]  # each reply about the other topic: never its message
    assert which_message(lambda t: mean_word_vectors(tiny_vectors.vectors, t), messages, other_topic) < 0.1
