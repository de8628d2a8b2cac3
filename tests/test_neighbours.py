"""Word vectors: tokenising, phrases, planted neighbours on a corpus the test writes, queries, maps, checkpoints."""

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from textlab import cli
from textlab.checkpoints import CheckpointError
from textlab.data.sitcoms import load_dialogue
from textlab.data.sources import SourceError
from textlab.data.wordnet import read_synsets
from textlab.neighbours import TASKS
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.queries import analogy, clusters, most_similar, odd_one_out, similarity, word_map
from textlab.neighbours.training import build_corpus, join_vectors, train_word_vectors
from textlab.neighbours.vectors import NeighboursError, load_word_vectors, save_word_vectors
from textlab.text.words import sentence_tokens, word_tokens

from .conftest import TOPICS, planted_sentences

GROUPS = TOPICS


@pytest.fixture(scope="module")
def vectors(tiny_vectors):
    return tiny_vectors


def test_tokenize_splits_sentences_and_lowercases():
    assert sentence_tokens("Bazinga! Don't touch my SPOT.<br />It's 42.") == [
        ["bazinga"],
        ["don't", "touch", "my", "spot"],
        ["it's", "42"],
    ]


def test_training_and_queries_read_words_alike(tiny_vectors):
    """One tokenizer: what the vectors learn from is what they are asked about ("rock'n'roll" was two tokens in
    training and one at query time)."""
    for text in ("rock'n'roll", "Rock\u2019n\u2019Roll!", "don't", "star_trek", "<b>Spock</b>"):
        assert sentence_tokens(text) == [word_tokens(text)]
    assert word_tokens("rock'n'roll") == ["rock'n'roll"]


def test_planted_neighbours_are_found(vectors):
    top = [w for w, _ in most_similar(vectors, "quantum", k=4)]
    assert set(top) <= set(GROUPS["physics"]), top
    assert similarity(vectors, "pizza", "cheese") > similarity(vectors, "pizza", "electron") + 0.3
    assert odd_one_out(vectors, "penny, sheldon, leonard, photon") == ("photon", [])


def test_joined_vectors_average_the_two_similarities():
    rng = np.random.default_rng(0)
    words, subwords = rng.normal(size=(5, 6)), rng.normal(size=(5, 3))
    joined = join_vectors(words, subwords, 0.2)

    def cosines(table):
        unit = table / np.linalg.norm(table, axis=1, keepdims=True)
        return unit @ unit.T

    assert joined.shape == (5, 9) and np.allclose(np.linalg.norm(joined, axis=1), 1)
    assert np.allclose(joined @ joined.T, 0.8 * cosines(words) + 0.2 * cosines(subwords), atol=1e-6)


def test_word2vec_joined_with_fasttext_keeps_the_planted_neighbours():
    cfg = NeighboursConfig(vector_size=16, subword_dims=8, min_count=1, epochs=10, workers=1, phrases=False, sample=0.0)
    wv = train_word_vectors(cfg, planted_sentences(), ["planted by the tests"])
    assert wv.vectors.vector_size == 24 and wv.card["algorithm"] == "skipgram + fastText CBOW"
    assert set(w for w, _ in most_similar(wv, "quantum", k=4)) <= set(GROUPS["physics"])
    assert wv.vectors.get_vecattr(wv.words[0], "count") > 0


def test_phrases_become_one_token(vectors):
    assert "star_trek" in vectors.words and vectors.card["phrases"] >= 1
    assert vectors.word("Star Trek") == "star_trek"


def test_analogy_follows_the_topics(vectors):
    answers = [w for w, _ in analogy(vectors, "pizza", "burger", "electron", k=3)]  # food : food :: physics : ?
    assert set(answers) & set(GROUPS["physics"]), answers


@pytest.mark.parametrize(
    "query, error",
    [
        ("", "Type a word"),
        ("  !!  ", "Type a word"),
        ("quantm", "not in the vocabulary.*quantum"),
        ("pizza electron", "one word"),
        ("zzzz", "not in the vocabulary"),
    ],
)
def test_bad_words_get_clear_messages(vectors, query, error):
    with pytest.raises(NeighboursError, match=error):
        most_similar(vectors, query)


def test_long_lists_are_capped_and_a_phrase_maps_with_its_neighbours(vectors):
    words, unknown = vectors.word_list(", ".join(["pizza"] + [f"madeup{i}" for i in range(5000)]), minimum=1)
    assert words == ["pizza"] and len(unknown) == 199  # 200 parts read, not 5,001
    phrase_map = word_map(vectors, "Star Trek", "pca", neighbours=5)
    assert phrase_map.words[0] == "star_trek" and len(phrase_map.words) == 6


def test_unknown_algorithms_are_refused():
    with pytest.raises(ValueError, match="skipgram"):
        NeighboursConfig(algorithm="glove")


def test_input_is_forgiving_about_case_and_punctuation(vectors):
    assert vectors.word("  QUANTUM!? ") == "quantum"


@pytest.mark.parametrize("k", [0, 51, "many", None])
def test_k_out_of_range_is_refused(vectors, k):
    with pytest.raises(NeighboursError, match="k must be"):
        most_similar(vectors, "pizza", k)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_word_map_of_a_word_and_of_a_list(vectors, method):
    one = word_map(vectors, "pizza", method, neighbours=6)
    assert one.words[0] == "pizza" and len(one.words) == 7 and one.groups.count("query") == 1
    assert len(one.x) == len(one.y) == 7 and np.isfinite(one.x).all()
    many = word_map(vectors, "pizza, cheese, electron, photon, penny, unknownword", method)
    assert many.words == ["pizza", "cheese", "electron", "photon", "penny"] and "unknownword" in many.notes[0]
    if method == "pca":  # the two food words sit closer to each other than to physics
        xy = np.array([many.x, many.y]).T
        assert np.linalg.norm(xy[0] - xy[1]) < np.linalg.norm(xy[0] - xy[2])
    with pytest.raises(NeighboursError, match="at least 3"):
        word_map(vectors, "pizza, cheese", method)


def test_checkpoint_round_trip_in_int8(vectors, tmp_path):
    save_word_vectors(tmp_path / "wv", vectors)
    loaded = load_word_vectors(tmp_path / "wv")
    assert loaded.words == vectors.words
    before, after = vectors.vectors.get_normed_vectors(), loaded.vectors.get_normed_vectors()
    assert np.abs(before @ before[:50].T - after @ after[:50].T).max() < 0.01  # cosine similarities kept
    stored = load_file(tmp_path / "wv" / "model.safetensors")
    assert stored["codes"].dtype == torch.int8 and stored["codes"].shape == before.shape  # a quarter of float32
    for word, score in most_similar(loaded, "quantum", 4):  # near ties may swap places, scores barely move
        assert abs(score - similarity(vectors, "quantum", word)) < 0.01
    assert loaded.card["eval"] == vectors.card["eval"]
    (tmp_path / "wv" / "vocab.json").write_text('{"words": []}')
    with pytest.raises(CheckpointError, match="manifest"):
        load_word_vectors(tmp_path / "wv")


def test_evaluation_reports_scores_with_coverage(vectors):
    figures = vectors.card["eval"]
    for name in ("wordsim353", "simlex999", "analogy_accuracy"):
        assert name in figures
    assert figures["wordsim353_coverage"] < 0.05 and figures["analogy_coverage"] < 0.01  # planted words only


def test_only_the_most_frequent_words_are_kept():
    cfg = NeighboursConfig(vector_size=8, min_count=1, epochs=2, workers=1, phrases=False, max_words=5)
    sentences = [["common"] * 5 + ["rare"]] * 50 + [[f"w{i}" for i in range(10)]] * 10
    wv = train_word_vectors(cfg, sentences, ["test"])
    assert len(wv.words) == 5 and wv.words[:2] == ["common", "rare"]
    assert wv.vectors.get_vecattr("common", "count") == 250


def test_cli_eval_neighbours_prints_json_last(vectors, tmp_path, capsys):
    save_word_vectors(tmp_path / "wv", vectors)
    assert cli.main(["eval", "neighbours", "--model", str(tmp_path / "wv")]) == 0
    import json

    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"wordsim353", "simlex999", "analogy_accuracy", "analogy_coverage"} <= set(figures)


WORDNET_DATA = """\
  1 This software and database is being provided to you, the LICENSEE, by
00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived or known
00002137 03 n 02 abstraction 0 abstract_entity 0 010 @ 00001740 n 0000 | a general concept formed from examples
01383896 00 a 02 galore(ip) 0 in_large_quantity 0 000 | in great quantity; "there were daffodils galore"
"""


def test_wordnet_synsets_are_read_with_their_words_and_glosses():
    assert read_synsets(WORDNET_DATA) == [
        (["entity"], "that which is perceived or known"),
        (["abstraction", "abstract_entity"], "a general concept formed from examples"),
        (["galore", "in_large_quantity"], 'in great quantity; "there were daffodils galore"'),
    ]


def test_the_corpus_can_include_wordnet_and_skips_it_when_missing(monkeypatch):
    from textlab.data import wordnet

    monkeypatch.setattr(wordnet.DebianFile, "fetch", lambda self: WORDNET_DATA.encode())
    sentences, used = build_corpus(NeighboursConfig(datasets=("wordnet",)))
    assert ["abstraction", "abstract", "entity", "a", "general", "concept", "formed", "from", "examples"] in sentences
    assert len(sentences) == 3 * len(wordnet.PARTS) and "WordNet" in used[0]

    def unreachable(self):
        raise SourceError("apt-get download wordnet-base failed")

    monkeypatch.setattr(wordnet.DebianFile, "fetch", unreachable)
    with pytest.raises(SourceError, match="no text to learn word vectors from"):
        build_corpus(NeighboursConfig(datasets=("wordnet",)))


def test_the_shows_own_vectors_read_its_lines_alone(corpus_dir, monkeypatch):
    """As the study notes trained them: the chat's show, no other sitcom, no reviews or newswire."""
    monkeypatch.setenv("TEXTLAB_TBBT_DIR", str(corpus_dir))
    sentences, used = build_corpus(TASKS["show-vectors"].config())
    lines = [u.text for u in load_dialogue(corpus_dir).utterances]
    assert sentences == [s for line in lines for s in sentence_tokens(line)]
    assert len(used) == 1 and "the show's own lines" in used[0]


def test_map_of_a_list_groups_words_by_their_full_vectors(vectors):
    found = word_map(vectors, "pizza, cheese, burger, electron, photon, neutrino", "pca")
    food, physics = set(found.groups[:3]), set(found.groups[3:])
    assert len(food) == len(physics) == 1 and food != physics and found.groups[0] == "group 1"


def test_clusters_are_the_same_whatever_the_run():
    points = np.eye(4)[[0, 0, 1, 1, 2, 3]] + 0.01
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    assert clusters(points, 3) == clusters(points.copy(), 3)
    assert clusters(points, 2)[:2] == [0, 0] and clusters(points, 4) == [0, 0, 1, 1, 2, 3]
