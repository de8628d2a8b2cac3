"""The pretrained language model: its network, corpus split, training, checkpoint and `eval lm`."""

import json
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from textlab import cli
from textlab.capabilities import Report
from textlab.checkpoints import CheckpointError
from textlab.classify.explain import explain
from textlab.classify.model import load_classifier, model_card, predict, save_classifier
from textlab.classify.training import train_classifier
from textlab.lm.config import LMConfig
from textlab.lm.corpus import Corpus, build_corpus, held_out_part
from textlab.lm.model import LanguageModel, load_language_model, perplexity, save_language_model, token_stream
from textlab.lm.training import train_language_model
from textlab.networks.lm_classifier import LMClassifier, LMClassifierConfig
from textlab.networks.word_lm import WordLM, WordLMConfig
from textlab.text import EOS
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.training import LayerGroups, TrainConfig, _optimizer, fit, slanted_triangular

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


# ULMFiT: classifiers on the language model


def test_the_slanted_triangular_schedule_rises_fast_and_falls_slowly():
    total = 200
    lrs = [slanted_triangular(step, total) for step in range(total)]
    peak = lrs.index(max(lrs))
    assert lrs[0] == pytest.approx(1 / 32) and max(lrs) == pytest.approx(1.0) and peak == 20  # a tenth of the steps
    assert all(a < b for a, b in zip(lrs[:peak], lrs[1 : peak + 1], strict=True))  # rising
    assert all(a > b for a, b in zip(lrs[peak:-1], lrs[peak + 1 :], strict=True))  # falling
    assert lrs[-1] == pytest.approx(1 / 32, abs=0.01)


def test_training_follows_the_schedule_at_each_layers_own_rate():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 1))
    layers = LayerGroups([list(model[1].parameters()), list(model[0].parameters())], lr_factor=2.0, unfreeze="all")
    optimizer = _optimizer(model, TrainConfig(lr=0.1), layers)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.05]  # the head's rate, then half of it below
    cfg = TrainConfig(lr=0.1, max_epochs=2, patience=0, schedule="slanted")
    batches = [torch.randn(8, 4) for _ in range(10)]
    history = fit(model, cfg, lambda: iter(batches), lambda x: model(x).pow(2).mean(), lambda: {"loss": 1.0}, 10,
                  layers=layers)  # fmt: skip
    assert [e.lr for e in history.epochs] == pytest.approx([0.1 * slanted_triangular(s, 20) for s in (9, 19)])
    with pytest.raises(ValueError, match="needs the number of steps in an epoch"):
        fit(model, cfg, lambda: iter(batches), lambda x: model(x).pow(2).mean(), lambda: {"loss": 1.0})


def test_gradual_unfreezing_trains_the_head_alone_first_then_a_layer_more_each_epoch():
    network = LMClassifier(LMClassifierConfig(30, 2, embed_dim=8, hidden_size=12, num_layers=2, dropout=0.0))
    layers = LayerGroups(network.layer_groups())
    assert len(layers.groups) == 4  # head, top LSTM layer, bottom LSTM layer, embedding
    names = {id(p): n for n, p in network.named_parameters()}
    assert [names[id(p)] for p in layers.groups[1]][0] == "lstm.weight_ih_l1"
    assert sum(map(len, layers.groups)) == len(list(network.parameters()))  # every parameter in one group
    ids, lengths = torch.randint(0, 30, (6, 9)), torch.tensor([9, 7, 5, 9, 3, 1])
    labels = torch.tensor([0, 1, 0, 1, 1, 0]).float()
    before = {n: p.detach().clone() for n, p in network.named_parameters()}

    def loss(_):
        return F.binary_cross_entropy_with_logits(network(ids, lengths)[:, 0], labels)

    seen = {}

    def evaluate():
        seen[len(seen) + 1] = {n: not torch.equal(p, before[n]) for n, p in network.named_parameters()}
        return {"loss": 1.0 / (len(seen) + 1)}

    fit(network, TrainConfig(lr=0.05, max_epochs=4, patience=0), lambda: iter([0, 1]), loss, evaluate, 2,
        layers=layers)  # fmt: skip
    moved = {epoch: {n.split(".")[0] + ("_l1" if n.endswith("l1") else "") for n, m in changed.items() if m}
             for epoch, changed in seen.items()}  # fmt: skip
    assert moved[1] == {"head"}
    assert moved[2] == {"head", "lstm_l1"}
    assert moved[3] == {"head", "lstm_l1", "lstm"}
    assert moved[4] == {"head", "lstm_l1", "lstm", "embed"}
    assert all(p.requires_grad for p in network.parameters())  # thawed again when training ends
    fixed = LayerGroups(network.layer_groups(), unfreeze="none")
    before = {n: p.detach().clone() for n, p in network.named_parameters()}
    fit(network, TrainConfig(lr=0.05, max_epochs=2, patience=0), lambda: iter([0, 1]), loss, evaluate, 2, layers=fixed)
    assert {n for n, p in network.named_parameters() if not torch.equal(p, before[n])} == {"head.weight", "head.bias"}


@pytest.fixture(scope="module")
def lm_folder(tiny_lm, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lm")
    save_language_model(folder, tiny_lm)
    return folder


def sentiment_from_lm(lm_folder, **overrides):
    from tests.conftest import tiny_classify_config, tiny_task_data

    cfg = tiny_classify_config("sentiment", encoder="lm", lm=str(lm_folder), max_epochs=6, **overrides)
    return train_classifier(cfg, tiny_task_data("sentiment"))


def test_a_classifier_from_the_language_model_starts_from_its_encoder_weights(lm_folder):
    lm = load_language_model(lm_folder)
    network = LMClassifier(LMClassifierConfig(lm.tokenizer.vocab_size, 3, 24, 48))
    network.load_encoder(lm.network)
    theirs = lm.network.state_dict()
    for name, tensor in network.state_dict().items():
        if name.startswith(("embed.", "lstm.")):
            assert torch.equal(tensor, theirs[name]), name
    assert {n for n in network.state_dict() if not n.startswith(("embed.", "lstm."))} == {"head.weight", "head.bias"}
    with pytest.raises(ValueError, match="do not match"):
        LMClassifier(LMClassifierConfig(lm.tokenizer.vocab_size, 3, 24, 48, num_layers=2)).load_encoder(lm.network)


def test_ulmfit_end_to_end_on_tiny_data(lm_folder, tmp_path):
    from tests.conftest import tiny_task_data

    clf = sentiment_from_lm(lm_folder, lm_finetune_s=2.0)
    assert isinstance(clf.network, LMClassifier)
    assert clf.tokenizer.model == load_language_model(lm_folder).tokenizer.model  # the language model's subwords
    # chance is 0.5; the LM fine-tuning runs for 2 s, so how many steps it takes varies with the machine's load
    assert clf.card["test"]["synthetic"]["accuracy"] > 0.8
    assert clf.card["lm"]["finetune_s"] == 2.0 and clf.card["lm"]["finetuned"]["epochs"] >= 1
    assert "ULMFiT" in model_card(clf)
    save_classifier(tmp_path / "clf", clf)
    loaded = load_classifier("sentiment", tmp_path / "clf")
    texts = [ex.text for ex in tiny_task_data("sentiment").tests["synthetic"][:20]]
    np.testing.assert_allclose(predict(loaded, texts), predict(clf, texts), atol=1e-6)
    explanation = explain(loaded, texts[0])
    assert any(score for _, score in explanation.segments if score)  # word importance works on the LSTM too


def test_the_language_model_encoder_refuses_word2vec_starts_and_a_missing_model(lm_folder, tmp_path):
    with pytest.raises(ValueError, match="leave --embeddings random"):
        sentiment_from_lm(lm_folder, embeddings="word2vec")
    with pytest.raises(ValueError, match="needs the language model in"):
        sentiment_from_lm(tmp_path / "none")


def test_a_classifier_at_another_split_seed_would_test_on_texts_the_language_model_read(lm_folder, tmp_path):
    from tests.conftest import tiny_classify_config, tiny_task_data

    lm = load_language_model(lm_folder)
    lm.card["config"] = {**lm.card.get("config", {}), "sources": ["imdb", "wordnet"]}
    save_language_model(tmp_path / "lm", lm)
    cfg = tiny_classify_config("sentiment", encoder="lm", lm=str(tmp_path / "lm"), datasets=("imdb",), split_seed=3)
    with pytest.raises(ValueError, match="some of its texts are this classifier's test texts"):
        train_classifier(cfg, tiny_task_data("sentiment"))
