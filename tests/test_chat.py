import numpy as np
import pytest

from textlab.chat.model import CONTEXT_CHARS, build_prompt, generate_reply, model_card
from textlab.chat.scoring import speaker_bits_per_char
from textlab.data.dialogue import Utterance
from textlab.sampling import SamplingConfig

from .conftest import SHELDON


def test_prompt_is_the_conversation_as_dialogue_lines(tiny_chat):
    history = [("user", "Hi Sheldon."), ("assistant", "Bazinga!")]
    prompt = build_prompt(tiny_chat, history, "Sheldon,   move over.\n", "Penny", "Sheldon")
    assert prompt == "\nPenny: Hi Sheldon.\nSheldon: Bazinga!\nPenny: Sheldon, move over.\nSheldon:"


def test_prompt_cleans_unknown_characters_and_keeps_the_recent_end(tiny_chat):
    prompt = build_prompt(tiny_chat, [], "Hi \U0001f600 Sheldon \u4f60\u597d\x00", "Penny")
    assert prompt == "\nPenny: Hi Sheldon\nSheldon:"
    long = build_prompt(tiny_chat, [], "Sheldon " * 2000, "Penny")
    assert len(long) == CONTEXT_CHARS and long.endswith("\nSheldon:")


@pytest.mark.parametrize(
    "message, user, match",
    [
        ("", "Penny", "type a message"),
        ("   \n", "Penny", "type a message"),
        ("\U0001f600\u4f60", "Penny", "no characters the model knows"),
        ("hi", "", "needs a name"),
        ("hi", "e" * 41, "at most 40"),
    ],
)
def test_prompt_refuses_what_it_cannot_use(tiny_chat, message, user, match):
    with pytest.raises(ValueError, match=match):
        build_prompt(tiny_chat, [], message, user)


def test_reply_streams_one_line_and_is_reproducible(tiny_chat):
    prompt = build_prompt(tiny_chat, [], "Hi Sheldon.", "Penny")
    sampling = SamplingConfig(temperature=0.8, seed=3, max_chars=200)
    steps = list(generate_reply(tiny_chat, prompt, sampling))
    reply = steps[-1]
    assert len(steps) > 1 and all(reply.startswith(partial) for partial in steps)
    assert "\n" not in reply and 0 < len(reply) <= 200
    assert list(generate_reply(tiny_chat, prompt, sampling))[-1] == reply


def test_greedy_reply_is_a_line_sheldon_says_in_the_corpus(tiny_chat):
    """Every Sheldon line in the test corpus is one of four sentences; a trained model repeats one of them."""
    prompt = build_prompt(tiny_chat, [], "Hey guys.", "Penny")
    reply = list(generate_reply(tiny_chat, prompt, SamplingConfig(temperature=0.0)))[-1]
    assert reply in SHELDON


def test_reply_respects_max_chars(tiny_chat):
    prompt = build_prompt(tiny_chat, [], "Hi.", "Penny")
    for seed in range(5):
        reply = list(generate_reply(tiny_chat, prompt, SamplingConfig(temperature=2.0, max_chars=5, seed=seed)))
        assert reply and len(reply[-1]) <= 5


def test_bits_per_char_is_low_on_the_learned_corpus_and_high_on_noise(tiny_chat, corpus_dir):
    from textlab.data.sitcoms import load_dialogue

    lines = load_dialogue(corpus_dir).utterances[:200]
    learned = speaker_bits_per_char(tiny_chat.network, tiny_chat.vocab, lines, "sheldon")
    assert learned["lines"] == sum(u.speaker == "Sheldon" for u in lines)
    assert learned["chars"] == sum(len(u.text) for u in lines if u.speaker == "Sheldon")
    assert learned["bits_per_char"] < 1.0  # uniform over the vocabulary would be log2(V) > 4
    rng = np.random.default_rng(0)
    chars = list("abcdefghijklmnop ")
    noise = [Utterance("x", "Sheldon", "".join(rng.choice(chars, 40))) for _ in range(20)]
    assert speaker_bits_per_char(tiny_chat.network, tiny_chat.vocab, noise)["bits_per_char"] > 3.0
    with pytest.raises(ValueError, match="no lines by 'Howard'"):
        speaker_bits_per_char(tiny_chat.network, tiny_chat.vocab, lines, "Howard")


def test_training_card_and_model_card(tiny_chat):
    card = tiny_chat.card
    assert card["corpus"] == "folder" and card["speaker"] == "Sheldon"
    assert len(card["episodes"]["valid"]) == 2 and len(card["episodes"]["test"]) == 2
    assert not set(card["episodes"]["valid"]) & set(card["episodes"]["test"])
    history = card["history"]["epochs"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert tiny_chat.speakers[0] == "Sheldon" and "Penny" in tiny_chat.speakers
    text = model_card(tiny_chat)
    assert "1 x 48 units" in text and "bits/char (test)" in text
