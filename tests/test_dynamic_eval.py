import json

import pytest
import torch

from textlab import cli
from textlab.chat.dynamic import DynamicConfig, dynamic_char_nll
from textlab.chat.model import save_chat_model
from textlab.chat.scoring import char_nll
from textlab.networks.char_lm import CharLM, CharLMConfig


def make() -> CharLM:
    torch.manual_seed(0)
    return CharLM(CharLMConfig(vocab_size=11, embed_dim=6, hidden_size=16, num_layers=2, dropout=0.1)).eval()


def test_the_first_segment_is_scored_by_the_trained_weights_and_the_model_is_left_unchanged():
    model = make()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ids = torch.randint(0, 11, (200,), generator=torch.Generator().manual_seed(1))
    dynamic = dynamic_char_nll(model, ids, DynamicConfig(lr=1e-2, segment=20))
    static = char_nll(model, ids)
    assert dynamic.shape == static.shape
    torch.testing.assert_close(dynamic[:20], static[:20], rtol=1e-4, atol=1e-5)  # no step taken yet
    assert not torch.allclose(dynamic[20:], static[20:])  # later segments are read by adapted weights
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), name


def test_it_learns_a_pattern_the_model_never_saw():
    model = make()
    ids = torch.tensor([1, 4, 2, 8, 5, 7] * 100)
    static = char_nll(model, ids).mean().item()
    dynamic = dynamic_char_nll(model, ids, DynamicConfig(lr=1e-2, segment=16))
    assert dynamic[-120:].mean().item() < 0.2 * static  # it predicts the repeats it has read
    assert dynamic.mean().item() < 0.5 * static


def test_a_character_is_predicted_from_what_came_before_it_only():
    model = make()
    ids = torch.randint(0, 11, (100,), generator=torch.Generator().manual_seed(2))
    changed = ids.clone()
    changed[60] = (ids[60] + 1) % 11
    cfg = DynamicConfig(lr=1e-2, segment=8)
    a, b = dynamic_char_nll(model, ids, cfg), dynamic_char_nll(model, changed, cfg)
    torch.testing.assert_close(a[:59], b[:59])  # nll[i] is the cost of ids[i + 1]: up to ids[59] nothing moved
    assert not torch.allclose(a[59:], b[59:])


def test_config_is_checked():
    for bad in ({"lr": 0}, {"beta": 1.0}, {"segment": 0}):
        with pytest.raises(ValueError):
            DynamicConfig(**bad)


def test_eval_chat_dynamic_adds_its_figures(tiny_chat, tmp_path, capsys):
    save_chat_model(tmp_path / "chat", tiny_chat)
    transcript = tmp_path / "talk.txt"
    transcript.write_text("Leonard: Are you coming?\nSheldon: I am not. I am in my spot.\n" * 30)
    argv = ["eval", "chat", "--model", str(tmp_path / "chat"), "--text", str(transcript)]
    assert cli.main(argv) == 0
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "dynamic_bits_per_char" not in plain  # without --dynamic, eval chat is as it was
    assert cli.main([*argv, "--dynamic"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["bits_per_char"] == plain["bits_per_char"]
    # a transcript that repeats itself is learnt as it is read
    assert result["dynamic_all_bits_per_char"] < 0.9 * result["all_bits_per_char"]
    assert result["dynamic_bits_per_char"] < result["bits_per_char"]
