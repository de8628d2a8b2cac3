"""The pretrained language model: its network, corpus split, training, checkpoint and `eval lm`."""

import json
import math
import random

import pytest
import torch

from textlab import cli
from textlab.capabilities import Report
from textlab.checkpoints import CheckpointError
from textlab.lm.config import LMConfig
from textlab.lm.corpus import Corpus, build_corpus, held_out_part
from textlab.lm.model import LanguageModel, load_language_model, perplexity, save_language_model, token_stream
from textlab.lm.training import train_language_model
from textlab.networks.word_lm import WordLM, WordLMConfig
from textlab.text import EOS
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.training import TrainConfig

SUBJECTS = "the cat|a dog|my friend|the old man|her sister".split("|")
VERBS = "sat on|ran to|looked at|walked past|waited near".split("|")
PLACES = "the mat|the park|a small house|the river|the station".split("|")


def toy_documents(n: int, seed: int) -> list[str]:
    """Documents of sentences with a grammar a language model can learn: subject, verb, place, full stop."""
    rng = random.Random(seed)
    return [
        " ".join(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)} ." for _ in range(rng.randint(3, 8)))
        for _ in range(n)
    ]


def tiny_lm_config(**overrides) -> LMConfig:
    base = dict(
        vocab_size=60, embed_dim=24, hidden_size=48, batch_size=8, seq_len=24, epoch_s=0, dropout=0.0,
        train=TrainConfig(lr=1e-2, max_epochs=overrides.pop("max_epochs", 3), patience=0),
    )  # fmt: skip
    return LMConfig(**{**base, **overrides})


@pytest.fixture(scope="module")
def toy_corpus() -> Corpus:
    return Corpus(toy_documents(300, 0), toy_documents(20, 1), toy_documents(20, 2), ["toy sentences"])


@pytest.fixture(scope="module")
def tiny_lm(toy_corpus) -> LanguageModel:
    return train_language_model(tiny_lm_config(), toy_corpus, Report())


def test_input_and_output_embeddings_are_one_matrix():
    network = WordLM(WordLMConfig(50, embed_dim=8, hidden_size=16, num_layers=2)).eval()
    x = torch.randint(0, 50, (3, 7))
    logits, (h, c) = network(x)
    features, _ = network.features(x)
    expected = network.project(features) @ network.embed.weight.T + network.bias
    torch.testing.assert_close(logits, expected)
    assert logits.shape == (3, 7, 50) and h.shape == c.shape == (2, 3, 16)
    names = [name for name, _ in network.named_parameters()]
    assert "embed.weight" in names and not any("head" in n or "decoder" in n for n in names)


def test_the_network_rejects_impossible_sizes():
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        WordLMConfig(10, hidden_size=0)
    with pytest.raises(ValueError, match="dropout must be in"):
        WordLMConfig(10, dropout=1.0)


def test_documents_are_held_out_whole_and_stably():
    parts = [held_out_part(f"document number {i}", 50, 0) for i in range(20_000)]
    assert parts.count("valid") / len(parts) == pytest.approx(0.025, abs=0.005)
    assert parts.count("test") / len(parts) == pytest.approx(0.025, abs=0.005)
    assert parts == [held_out_part(f"document number {i}", 50, 0) for i in range(20_000)]
    assert parts != [held_out_part(f"document number {i}", 50, 1) for i in range(20_000)]  # another seed, others


def test_a_corpus_with_no_readable_source_is_an_error():
    from textlab.data.sources import SourceError

    with pytest.raises(SourceError, match="no text to learn a language model from"):
        build_corpus(("no-such-set",), 50, 0)


def test_each_document_ends_with_the_end_of_sequence_id():
    tokenizer = SentencePieceTokenizer(train_sentencepiece(toy_documents(50, 0), 40, sequence_marks=True))
    stream = token_stream(tokenizer, ["the cat sat .", "a dog ran ."])
    assert stream[0] == EOS and (stream == EOS).sum() == 3 and stream[-1] == EOS
    assert token_stream(tokenizer, toy_documents(50, 0), limit=100).numel() == 101


def test_pretraining_lowers_held_out_perplexity_far_below_an_untrained_model(tiny_lm, toy_corpus):
    untrained = LanguageModel(WordLM(tiny_lm.network.config), tiny_lm.tokenizer)
    before, after = perplexity(untrained, toy_corpus.test), perplexity(tiny_lm, toy_corpus.test)
    assert before["perplexity"] > 0.8 * tiny_lm.tokenizer.vocab_size  # about uniform over the subwords
    assert after["perplexity"] < before["perplexity"] / 4
    assert after["bits_per_char"] < before["bits_per_char"] / 2
    epochs = tiny_lm.card["history"]["epochs"]
    assert epochs[-1]["valid_loss"] < epochs[0]["valid_loss"] and tiny_lm.card["test"] == after
    assert tiny_lm.card["tokens"]["read"] > tiny_lm.card["tokens"]["train"]  # several passes


def test_the_checkpoint_round_trips_in_half_precision(tiny_lm, toy_corpus, tmp_path):
    save_language_model(tmp_path / "lm", tiny_lm)
    loaded = load_language_model(tmp_path / "lm")
    for name, tensor in tiny_lm.network.state_dict().items():
        torch.testing.assert_close(loaded.network.state_dict()[name], tensor.half().float())
    assert perplexity(loaded, toy_corpus.valid)["perplexity"] == pytest.approx(
        perplexity(tiny_lm, toy_corpus.valid)["perplexity"], rel=1e-2
    )
    (tmp_path / "lm" / "tokenizer.model").write_bytes(b"not a tokenizer")
    with pytest.raises(CheckpointError):
        load_language_model(tmp_path / "lm")


def test_eval_lm_prints_perplexity_as_json_last(tiny_lm, toy_corpus, tmp_path, capsys):
    save_language_model(tmp_path / "lm", tiny_lm)
    text = tmp_path / "held-out.txt"
    text.write_text("\n".join(toy_corpus.test) + "\n\n", encoding="utf-8")
    assert cli.main(["eval", "lm", "--model", str(tmp_path / "lm"), "--text", str(text), "--device", "auto"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    expected = perplexity(tiny_lm, toy_corpus.test)
    assert result["documents"] == len(toy_corpus.test) and result["vocab_size"] == tiny_lm.tokenizer.vocab_size
    assert result["perplexity"] == pytest.approx(expected["perplexity"], rel=1e-2) and math.isfinite(result["loss"])
    assert cli.main(["eval", "lm", "--model", str(tmp_path / "lm"), "--text", str(text), "--documents", "file"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["documents"] == 1
    (tmp_path / "empty.txt").write_text("\n \n", encoding="utf-8")
    assert cli.main(["eval", "lm", "--model", str(tmp_path / "lm"), "--text", str(tmp_path / "empty.txt")]) == 2
    assert "there is no text to score" in capsys.readouterr().err
