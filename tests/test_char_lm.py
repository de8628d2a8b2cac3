import math

import numpy as np
import pytest
import torch

from textlab.chat.scoring import char_nll
from textlab.networks.char_lm import CharLM, CharLMConfig, CharLMStepper


def make(num_layers=2):
    torch.manual_seed(0)
    return CharLM(CharLMConfig(vocab_size=11, embed_dim=6, hidden_size=10, num_layers=num_layers, dropout=0.1)).eval()


def test_forward_shapes_and_state():
    model = make()
    logits, (h, c) = model(torch.randint(0, 11, (3, 7)))
    assert logits.shape == (3, 7, 11)
    assert h.shape == c.shape == (2, 3, 10)


def test_config_is_checked():
    with pytest.raises(ValueError, match="hidden_size"):
        CharLMConfig(vocab_size=5, hidden_size=0)
    with pytest.raises(ValueError, match="dropout"):
        CharLMConfig(vocab_size=5, dropout=1.0)


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_stepper_matches_the_lstm_forward(num_layers):
    model = make(num_layers)
    ids = torch.randint(0, 11, (1, 12))
    with torch.no_grad():
        expected = model(ids)[0][0]  # (T, V)
    stepper = CharLMStepper(model)
    state = stepper.zero_state()
    for t, char in enumerate(ids[0].tolist()):
        logits, state = stepper.feed([char], state)
        torch.testing.assert_close(torch.from_numpy(logits), expected[t], rtol=1e-4, atol=1e-5)
    logits_all, _ = stepper.feed(ids[0].tolist(), stepper.zero_state())
    torch.testing.assert_close(torch.from_numpy(logits_all), expected[-1], rtol=1e-4, atol=1e-5)
    # rows stepped side by side: each as its own sequence through nn.LSTM
    rows = torch.randint(0, 11, (3, 12))
    with torch.no_grad():
        expected_rows = model(rows)[0]  # (3, T, V)
    zero = stepper.zero_state()
    state = (np.repeat(zero[0][:, None], 3, 1), np.repeat(zero[1][:, None], 3, 1))
    for t in range(12):
        logits, state = stepper.feed_rows(rows[:, t].numpy(), state)
        torch.testing.assert_close(torch.from_numpy(logits), expected_rows[:, t], rtol=1e-4, atol=1e-5)


def test_chunked_scoring_equals_one_pass_when_context_covers_the_stream():
    model = make()
    ids = torch.randint(0, 11, (50,))
    with torch.no_grad():
        logp = torch.log_softmax(model(ids[None, :-1])[0][0], -1)
    expected = -logp.gather(1, ids[1:, None])[:, 0]
    chunked = char_nll(model, ids, chunk=7, context=60, batch=3)
    torch.testing.assert_close(chunked, expected, rtol=1e-4, atol=1e-5)
    # with a short context each chunk starts colder, but the figure stays close
    short = char_nll(model, ids, chunk=7, context=3, batch=4)
    assert abs(short.mean().item() - expected.mean().item()) < 0.05 * math.log(11)
