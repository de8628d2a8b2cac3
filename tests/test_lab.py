"""The Lab's pieces: preprocessing against hand-computed cases, the model builder against the study notes' parameter
counts and real PyTorch modules, the experiments' curves, and training a character model on a text."""

import json
import math
import zipfile

import gradio as gr
import pytest
import torch
from torch import nn

from textlab.lab.data import ExperimentError, adding_problem, sentiment_data
from textlab.lab.experiments import (
    ADDING_ACCURACY,
    Point,
    cell_race,
    dropout_race,
    embedding_race,
    gradient_race,
    word2vec_rows,
)
from textlab.lab.own_model import (
    Check,
    OwnModel,
    OwnModelConfig,
    OwnModelError,
    SessionModels,
    checkpoint_zip,
    generate,
    overfitting,
    read_upload,
    train_own,
)
from textlab.lab.preprocess import (
    SEGMENTED_NOTE,
    PreprocessError,
    build_vocabulary,
    encode_sentence,
    pad,
    read_text_upload,
    subword_pieces,
    window_table,
    words,
)
from textlab.lab.summary import BuilderError, ModelSpec, keras_cell_params, summarize, summary_text
from textlab.lab.vanishing import gradient_by_time_step, step_one_gaps, vanishing_race
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.networks.sequence_model import SequenceModel
from textlab.text.chars import CharVocab
from textlab.ui.lab_tab import builder, experiments, own_model
from textlab.ui.lab_tab.charts import chart, ticks

from .conftest import KEYWORDS, labelled_examples

# Preprocessing ---------------------------------------------------------------------------------------------------


def test_vocabulary_is_sorted_with_padding_and_unknown_first():
    vocab = build_vocabulary("Bazinga! Penny, Penny, Penny. I am not crazy.")
    assert vocab.vocab.index_to_word == ("<PAD/>", "<UKN/>", "am", "bazinga", "crazy", "i", "not", "penny")
    assert vocab.counts["penny"] == 3 and vocab.n_words == 8 and vocab.note is None
    ids, back = encode_sentence(vocab.vocab, "Penny is crazy!")
    assert ids == [7, 1, 4] and back == ["penny", "<UKN/>", "crazy"]


def test_words_split_like_keras_tokenizer_and_chinese_is_segmented():
    assert words("Don't stop-me, NOW!")[0] == ["don't", "stop", "me", "now"]
    tokens, note = words("我爱自然语言处理。")
    assert note == SEGMENTED_NOTE and "自然语言" in tokens and "。" not in tokens and len(tokens) >= 3


def test_character_windows_match_the_seed():
    pairs, total = window_table("abcdefghijklmn", window=10, step=2)
    assert pairs == [("abcdefghij", "k"), ("cdefghijkl", "m")] and total == 2
    with pytest.raises(PreprocessError, match="needs more than the window"):
        window_table("short", 10, 2)
    with pytest.raises(PreprocessError, match="from 1 to 200"):
        window_table("abcdefghijklmn", 0, 2)


def test_pad_sequences_pre_and_post():
    assert pad([[1, 2, 3], [4]], 2, "pre", "pre") == [[2, 3], [0, 4]]
    assert pad([[1, 2, 3], [4]], 4, "post", "post") == [[1, 2, 3, 0], [4, 0, 0, 0]]
    with pytest.raises(PreprocessError, match="maxlen"):
        pad([[1]], 20_000, "pre", "pre")


def test_subwords_beside_words():
    pairs, size = subword_pieces("the cat sat on the mat. the cats sat on the mats.\n" * 30, 40)
    assert [w for w, _ in pairs] == ["the", "cat", "sat", "on", "mat", "cats", "mats"]
    assert all("".join(p).replace("\u2581", "") == w for w, p in pairs) and size > 4


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_refused(text):
    with pytest.raises(PreprocessError, match="Paste or upload"):
        build_vocabulary(text)
    with pytest.raises(PreprocessError, match="no words"):
        build_vocabulary("!!! ... ???")


def test_uploads_keep_their_script_for_the_explorer():
    text = read_text_upload("我爱自然语言处理。".encode())
    assert build_vocabulary(text).note == SEGMENTED_NOTE
    assert read_text_upload("caf\u00e9".encode("utf-16")) == "caf\u00e9"
    with pytest.raises(PreprocessError, match="save it as UTF-8"):
        read_text_upload("caf\u00e9".encode("latin-1"))
    with pytest.raises(PreprocessError, match="binary"):
        read_text_upload(b"\x00\x01 binary")


# Model builder ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "total"),
    [
        (ModelSpec("LSTM", 1, 128, "features", 10), 71_297),
        (ModelSpec("GRU", 1, 128, "features", 1), 50_049),
        (ModelSpec("GRU", 1, 128, "embedding", 80_002, 300), 24_165_465),
        (ModelSpec("LSTM", 2, 64, "one-hot", 69, head_units=69), 71_813),
    ],
)
def test_summaries_reproduce_the_seed_counts(spec, total):
    rows = summarize(spec)
    assert sum(r.keras for r in rows) == total
    assert f"Total params: {total:,}" in summary_text(spec, rows)


def test_pytorch_counts_come_from_real_modules():
    rows = summarize(ModelSpec("GRU", 2, 16, "embedding", 50, 8, bidirectional=True, head_units=3))
    gru1 = nn.GRU(8, 16, bidirectional=True)
    gru2 = nn.GRU(32, 16, bidirectional=True)
    expected = [
        50 * 8,
        sum(p.numel() for p in gru1.parameters()),
        sum(p.numel() for p in gru2.parameters()),
        32 * 3 + 3,
    ]
    assert [r.pytorch for r in rows] == expected
    assert [r.output_shape for r in rows] == ["(None, None, 8)", "(None, None, 32)", "(None, 32)", "(None, 3)"]
    assert rows[1].pytorch - rows[1].keras == 2 * 3 * 16  # a second bias per gate, both directions


def test_gru_reset_after_has_pytorch_layout():
    assert keras_cell_params("GRU", 10, 8, reset_after=True) == sum(p.numel() for p in nn.GRU(10, 8).parameters())
    assert keras_cell_params("SimpleRNN", 1, 128) == 128 * (1 + 128 + 1)


def test_the_summary_table_shows_thousands_separators_and_keeps_numbers():
    table, text = builder.summary("LSTM", 1, 128, "features", 10, 300, 1, 0, False, 0, 0, False)
    shown = gr.Dataframe(interactive=False).postprocess(table)
    assert shown.data[0][2] == 71_168 and shown.metadata["display_value"][0][2] == "71,168"  # as the text prints it
    assert "71,168" in text and shown.metadata["display_value"][0][:2] == ["lstm (LSTM)", "(None, 128)"]
    assert len(builder.NOTES_LABELS) == len(builder.NOTES_MODELS) and all(len(s) <= 64 for s in builder.NOTES_LABELS)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ModelSpec(units=0), "Units must be"),
        (ModelSpec(layers=100), "Layers must be"),
        (ModelSpec(cell="Transformer"), "cell must be"),
        (ModelSpec(dropout=1.0), "dropout rate"),
        (ModelSpec(input="embedding", features=2_000_000), "input size"),
    ],
)
def test_builder_refuses_impossible_models(spec, message):
    with pytest.raises(BuilderError, match=message):
        summarize(spec)


# Experiments -----------------------------------------------------------------------------------------------------


def test_adding_problem_targets_are_the_marked_sums():
    x, y = adding_problem(50, 20, seed=0)
    assert x.shape == (50, 20, 2) and (x[:, :, 1].sum(1) == 2).all()
    assert torch.allclose((x[:, :, 0] * x[:, :, 1]).sum(1), y)


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("recurrent", [0.0, 0.3])
def test_sequence_model_shapes(cell, recurrent):
    model = SequenceModel(cell, 8, 6, layers=2, vocab_size=30, dropout=0.2, recurrent_dropout=recurrent)
    assert model(torch.randint(0, 30, (5, 7))).shape == (5,)


def test_cell_race_gives_curves_for_every_cell():
    updates = list(cell_race("adding", units=8, epochs=2, length=10, time_cap_s=30))
    final = updates[-1]
    assert final.done and [row[0] for row in final.summary] == ["SimpleRNN", "LSTM", "GRU"]
    for cell in ("SimpleRNN", "LSTM", "GRU"):
        for split in ("train", "validation"):
            curve = [p for p in final.points if p.series == cell and p.split == split and p.metric == "loss"]
            assert [p.x for p in curve] == [1, 2]
    fractions = [u.fraction for u in updates]
    assert fractions == sorted(fractions) and len(updates) == 3  # a round of 3 cells per epoch, then done
    assert {p.series for p in updates[0].points} == {"SimpleRNN", "LSTM", "GRU"}  # every curve from the start
    assert final.message.startswith("The table below") and final.message.endswith(ADDING_ACCURACY)
    assert "within 0.04 of the true one" in ADDING_ACCURACY


def test_the_experiment_status_reads_as_sentences():
    *_, (status, loss, accuracy, rows) = experiments.run_experiment(None, 30, "cells-adding", 8, 1, 1)
    assert status.startswith("**Done.** The table below has each run's last validation figures.")
    assert "within 0.04" in status and [row[0] for row in rows] == ["SimpleRNN", "LSTM", "GRU"]
    spec = json.loads(accuracy.plot)
    assert "within 0.04" in spec["title"] and spec["layer"][0]["encoding"]["y"]["title"] == "accuracy"
    assert spec["layer"][0]["encoding"]["x"]["axis"]["values"] == [1]


# Charts: one colour per run, a line style per split, whole-number ticks, no version the browser warns about -----


@pytest.mark.parametrize(
    ("xs", "expected"),
    [
        ([1, 2, 3], [1, 2, 3]),
        ([1, 1.5, 8], list(range(1, 9))),
        ([1, 20], [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]),
        ([1, 50], [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]),
        ([3, 1250], [200, 400, 600, 800, 1000, 1200]),
        ([2], [2]),
        ([], []),
    ],
)
def test_ticks_are_whole_numbers(xs, expected):
    assert ticks(xs) == expected


def test_a_chart_gives_each_run_one_colour_and_dashes_validation():
    points = [
        Point(run, epoch, split, "loss", 1 / epoch + (split == "validation"))
        for run in ("SimpleRNN", "LSTM")
        for split in ("train", "validation")
        for epoch in (1, 2, 3)
    ]
    points.append(Point("LSTM", 4, "validation", "loss", math.nan))  # nothing to validate: left out
    plot = chart(points, "loss", "Loss", "epoch", "loss")
    spec = json.loads(plot.plot)  # json.loads refuses NaN: none got in
    assert plot.type == "altair" and plot.chart == "line" and spec["$schema"].endswith("/vega-lite/v5.json")
    encoding = spec["layer"][0]["encoding"]
    assert encoding["color"]["field"] == "run" and encoding["color"]["scale"]["domain"] == ["SimpleRNN", "LSTM"]
    assert encoding["strokeDash"]["scale"] == {"domain": ["training", "validation"], "range": [[1, 0], [6, 4]]}
    assert encoding["x"]["axis"] == {"values": [1, 2, 3], "format": ",d"}
    assert len(spec["data"]["values"]) == 12 and {row["line"] for row in spec["data"]["values"]} == {
        "training",
        "validation",
    }


def test_gradient_race_records_every_step_and_the_gradients_explode():
    final = list(gradient_race("sgd", length=50, units=32, epochs=1, time_cap_s=60))[-1]
    series = {p.series for p in final.points}
    assert series == {"SGD, no clipping", "SGD, clip by value 3.0", "SGD, clip by norm 1.0"}
    steps = [p.x for p in final.points if p.series == "SGD, no clipping" and p.metric == "gradient norm"]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) == -(-4000 // 32)
    norms = [p.value for p in final.points if p.metric == "gradient norm"]
    assert max(norms) > 10  # the scaled-up recurrent weights explode


def test_gradients_of_a_long_sequence_are_measured_without_rounding_to_zero():
    x, _ = adding_problem(16, 100, seed=0)
    for cell in ("SimpleRNN", "LSTM", "GRU"):
        torch.manual_seed(0)
        values = gradient_by_time_step(SequenceModel(cell, 2, 32), x)
        assert len(values) == 100 and all(math.isfinite(v) for v in values)  # float32 gave 0 (log: -inf) early on
        assert values[0] < values[-1] - 15  # fresh: more than 15 powers of ten lost over 100 steps


def test_vanishing_gradients_behave_as_the_page_says():
    """The page's reading, measured: fresh, every cell passes almost nothing back to step 1; after training on the
    adding problem the LSTM and GRU carry as much to step 1 as to the last step, and the SimpleRNN still does not."""
    updates = list(vanishing_race(time_cap_s=600))
    assert updates[0].points and {p.split for p in updates[0].points} == {"fresh"}  # drawn before training starts
    final = updates[-1]
    gaps = step_one_gaps(final.points)
    for cell in ("SimpleRNN", "LSTM", "GRU"):
        assert gaps[cell, "fresh"] < -5  # of 30 steps
    assert gaps["LSTM", "trained"] > -1 and gaps["GRU", "trained"] > -1
    assert gaps["SimpleRNN", "trained"] < -3
    accuracy = {row[0]: row[3] for row in final.summary}
    assert accuracy["LSTM"] > 0.5 and accuracy["GRU"] > 0.5 and accuracy["SimpleRNN"] < 0.2
    assert "SimpleRNN 10^-" in final.message and "did not solve the task" in final.message
    for word in ("dashed line is the freshly initialised", "solid", "log10", "forget gate"):
        assert word in experiments.VANISHING_NOTE


@pytest.fixture(scope="module")
def review_slice():
    examples = labelled_examples(KEYWORDS["sentiment"], 300)
    return sentiment_data(n_train=240, n_valid=60, maxlen=30, examples=examples)


def test_dropout_and_embedding_races(review_slice):
    final = list(dropout_race(((0.0, 0.0), (0.3, 0.3)), units=8, epochs=2, data=review_slice))[-1]
    assert [row[0] for row in final.summary] == ["dropout 0.0, recurrent 0.0", "dropout 0.3, recurrent 0.3"]

    def vectors(vocab):
        table = torch.randn(len(vocab), 6)
        table[:2] = 0
        return table, 0.5

    updates = list(embedding_race(vectors, units=8, epochs=2, data=review_slice))
    assert [row[0] for row in updates[-1].summary] == ["random", "word2vec, frozen", "word2vec, fine-tuned"]
    assert "covered 50%" in updates[-1].message


def test_word2vec_rows_fill_known_words(review_slice, tiny_vectors):
    table, coverage = word2vec_rows(review_slice.vocab, tiny_vectors.vectors)
    assert table.shape == (len(review_slice.vocab), tiny_vectors.vectors.vector_size)
    assert table[0].abs().sum() == 0 and 0 <= coverage <= 1


def test_experiments_refuse_bad_settings():
    with pytest.raises(ExperimentError, match="Units"):
        next(cell_race("adding", units=0))
    with pytest.raises(ExperimentError, match="Layers"):
        next(cell_race("adding", layers=100))
    with pytest.raises(ExperimentError, match="Epochs"):
        next(cell_race("adding", units=4, epochs=0, length=5))
    with pytest.raises(ExperimentError, match="optimizer"):
        next(gradient_race("rmsprop"))


# Train your own --------------------------------------------------------------------------------------------------


def test_train_your_own_model_then_generate_and_download(tmp_path):
    text = "the cat sat on the mat. the dog sat on the log. " * 40
    updates = list(train_own(text, budget_s=5, cfg=OwnModelConfig(hidden_size=16, sample_every_s=1)))
    final = updates[-1]
    assert final.model is not None and final.fraction == 1.0 and len(updates) >= 2
    losses = [p.value for p in final.points if p.split == "train"]
    assert losses[-1] < losses[0]
    assert any(p.split == "validation" for p in final.points)
    out = generate(final.model, "the ", 50, 0.5, seed=1)
    assert out.startswith("the ") and len(out) == 54 and set(out) <= set(text)
    with zipfile.ZipFile(checkpoint_zip(final.model)) as zf:
        assert {"my-char-model/model.safetensors", "my-char-model/manifest.json"} <= set(zf.namelist())


def test_the_status_of_a_finished_model_reads_once():
    text = "the cat sat on the mat. the dog sat on the log. " * 40
    *_, (status, _, _, model, path) = own_model.train_model(text.encode(), 5)
    assert status.startswith(f"**Done.** {len(text):,} characters") and "done" not in status.lower().split("**")[2]
    assert model is not None and path.endswith(".zip")


def checks(train: list[float], valid: list[float]) -> list[Check]:
    return [Check(100 * (i + 1), t, v) for i, (t, v) in enumerate(zip(train, valid, strict=True))]


@pytest.mark.parametrize(
    ("train", "valid", "over"),
    [
        # the run: validation flattens at about 2.0 while training goes on down to 1.1
        ([3.1, 2.5, 2.0, 1.7, 1.5, 1.35, 1.25, 1.15, 1.1], [3.0, 2.5, 2.2, 2.05, 2.0, 1.99, 2.0, 2.01, 2.02], True),
        ([3.0, 2.4, 2.0, 1.7, 1.4, 1.2], [3.0, 2.5, 2.2, 2.3, 2.5, 2.8], True),  # validation rising
        ([3.0, 2.5, 2.2, 2.0, 1.9, 1.8], [3.1, 2.6, 2.3, 2.1, 2.0, 1.9], False),  # both still falling
        ([3.0, 2.5, 2.1, 2.1, 2.09, 2.08], [3.1, 2.6, 2.2, 2.2, 2.21, 2.2], False),  # a plateau, not over-fitting
        ([3.0, 2.0, 1.5], [3.0, 2.5, 2.6], False),  # too few checks to tell
    ],
)
def test_overfitting_rule(train, valid, over):
    assert bool(overfitting(checks(train, valid), OwnModelConfig())) is over


def test_overfitting_message_says_what_happened_and_what_to_do():
    message = overfitting(
        checks([3.1, 2.5, 2.0, 1.7, 1.5, 1.35, 1.25, 1.15, 1.1], [3.0, 2.5, 2.2, 2.05, 2.0, 1.99, 2.0, 2.01, 2.02]),
        OwnModelConfig(),
    )
    assert "Over-fitting" in message and "since step 600 (1.990; now 2.020)" in message
    assert "(1.350 to 1.100)" in message
    assert "more text" in message and "dropout" in message and "smaller model" in message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01binary" * 100, "binary"),
        (b"a" * (10 * 1024 * 1024 + 1), "the limit is 10 MB"),
        (b"too short", "at least 500"),
    ],
)
def test_bad_uploads_are_refused(data, message):
    with pytest.raises(OwnModelError, match=message):
        read_upload(data)


def test_session_models_keep_the_latest_per_session_and_forget_the_oldest():
    models = SessionModels(capacity=2)
    first, second, third = (OwnModel(CharLM(CharLMConfig(5, 2, 3, 1, 0.0)), CharVocab(tuple("abcd\n"))) for _ in "123")
    models.put("a", first)
    models.put("b", second)
    models.put("a", third)  # a newer model for "a": it replaces the first and is now the most recent
    assert models.get("a") is third and models.get("b") is second
    models.put("c", first)
    assert models.get("b") is None and models.get("a") is third and models.get("c") is first
    assert models.get(None) is None and models.get("unknown") is None
