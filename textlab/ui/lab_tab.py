"""The "Lab" tab: the seed notes' lessons as tools - preprocessing explorer, model builder, experiments with live
curves, and training a character model on your own text."""

from __future__ import annotations

import logging
import math

import gradio as gr
import pandas as pd

from textlab.checkpoints import CheckpointError
from textlab.config import env_number
from textlab.lab.experiments import (
    ExperimentError,
    Point,
    cell_race,
    dropout_race,
    embedding_race,
    gradient_by_time_step,
    gradient_race,
    word2vec_rows,
)
from textlab.lab.own_model import OwnModelError, checkpoint_zip, generate, read_upload, train_own
from textlab.lab.preprocess import (
    PreprocessError,
    build_vocabulary,
    encode_sentence,
    pad,
    read_text_upload,
    subword_pieces,
    window_table,
)
from textlab.lab.summary import CELLS, BuilderError, ModelSpec, summarize, summary_text
from textlab.loading import ModelSlot
from textlab.neighbours import load_word_vectors

log = logging.getLogger("textlab")
TITLE = "Lab"
LAB_JOBS = int(env_number("TEXTLAB_LAB_JOBS", 1, 1))  # Lab trainings at once; the others wait in the queue
TIME_CAP_S = env_number("TEXTLAB_LAB_TIME_CAP", 60, 10)  # seconds of training per Lab job
SAMPLE_TEXT = (
    "Sheldon: I'm not crazy, my mother had me tested.\nPenny: Sheldon, what are you doing in my apartment?\n"
    "Sheldon: Bazinga! Penny, Penny, Penny.\nLeonard: Our babies will be smart and beautiful.\n"
    "Sheldon: Not to mention imaginary.\n"
)
SEED_MODELS = [  # the four summaries in the seed notes: cell, layers, units, input, input size, embedding, head
    ["LSTM", 1, 128, "features", 10, 300, 1],  # 71,297
    ["GRU", 1, 128, "features", 1, 300, 1],  # 50,049
    ["GRU", 1, 128, "embedding", 80_002, 300, 1],  # 24,165,465
    ["LSTM", 2, 64, "one-hot", 69, 300, 69],  # 71,813
]
EXPERIMENTS = {
    "Cells: adding problem (long range)": "cells-adding",
    "Cells: movie-review sentiment (2,000 reviews)": "cells-sentiment",
    "Exploding gradients: clipping (SGD + momentum)": "gradients-sgd",
    "Exploding gradients: clipping (Adam)": "gradients-adam",
    "Dropout against over-fitting": "dropout",
    "Embeddings: random vs word2vec, frozen vs fine-tuned": "embeddings",
}
_VECTORS = {}


def slots() -> dict[str, ModelSlot]:
    return {}  # the Lab trains its own small models; the embeddings race reads the Neighbours tab's vectors


def create_tab(slots: dict[str, ModelSlot]) -> None:
    with gr.Tab(TITLE, id="lab"):
        gr.Markdown("The lessons of the study notes as tools: prepare text, build a model and count its parameters, "
                    f"race cells and settings on the same data with live curves (at most {TIME_CAP_S:.0f} s each), "
                    "or train a character model on your own text.")
        with gr.Tab("Preprocessing"):
            _preprocessing()
        with gr.Tab("Model builder"):
            _builder()
        with gr.Tab("Experiments"):
            _experiments()
        with gr.Tab("Train your own"):
            _own_model()


def _answer(fn, *args):
    try:
        return fn(*args)
    except (PreprocessError, BuilderError, ExperimentError, OwnModelError) as e:
        raise gr.Error(str(e)) from None


# Preprocessing ---------------------------------------------------------------------------------------------------


def _preprocessing() -> None:
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(SAMPLE_TEXT, label="Text (English, or Chinese: it is segmented into words)", lines=8,
                              elem_id="lab-text")
            upload = gr.File(label="...or upload a .txt file (at most 5 MB)", file_types=[".txt"], type="binary")
            vocab_button = gr.Button("Build the vocabulary", variant="primary", elem_id="lab-vocab-button")
            vocab_notes = gr.Markdown()
        vocab_table = gr.Dataframe(headers=["index", "word", "count"], label="index_to_word (sorted)",
                                   elem_id="lab-vocab")
    with gr.Row():
        sentence = gr.Textbox("Penny is not crazy", label="Encode a new sentence with this vocabulary")
        encode_button = gr.Button("Encode")
        encoded = gr.Textbox(label="Indices, and the words they read back as", lines=2, elem_id="lab-encoded")
    with gr.Row():
        window = gr.Slider(1, 60, value=10, step=1, label="chars_window")
        step = gr.Slider(1, 20, value=2, step=1, label="step")
        windows_button = gr.Button("Character windows")
    windows_notes = gr.Markdown()
    windows = gr.Dataframe(headers=["sentence", "next_char"], label="(sentence, next_char) pairs",
                           elem_id="lab-windows")
    with gr.Row():
        maxlen = gr.Slider(1, 60, value=8, step=1, label="maxlen")
        padding = gr.Radio(["pre", "post"], value="pre", label="padding")
        truncating = gr.Radio(["pre", "post"], value="pre", label="truncating")
        pad_button = gr.Button("pad_sequences (one sequence per line)")
    padded = gr.Dataframe(label="Padded index sequences (0 is padding, 1 is <UKN/>)", elem_id="lab-padded")
    with gr.Row():
        pieces_button = gr.Button("SentencePiece beside words")
    pieces_notes = gr.Markdown()
    pieces = gr.Dataframe(headers=["word", "pieces"], label="Words and the subword pieces learnt from this text")

    def source(text_value, file_value):
        return read_text_upload(file_value) if file_value else text_value

    def vocabulary(text_value, file_value):
        vocab = build_vocabulary(source(text_value, file_value))
        rows = [[i, w, vocab.counts.get(w, 0)] for i, w in enumerate(vocab.vocab.index_to_word)]
        notes = [f"{len(vocab.vocab) - 2:,} distinct words in {vocab.n_words:,}; index 0 is padding and 1 stands "
                 "for any word not in the vocabulary (`<UKN/>`)."]
        if vocab.note:
            notes.append(vocab.note)
        return rows[:2000], "\n\n".join(notes)

    def encode(text_value, file_value, sentence_value):
        vocab = build_vocabulary(source(text_value, file_value)).vocab
        ids, back = encode_sentence(vocab, sentence_value)
        return f"{ids}\n{' '.join(back)}"

    def char_windows(text_value, file_value, window_value, step_value):
        pairs, total = window_table(source(text_value, file_value), int(window_value), int(step_value))
        shown = [[s.replace("\n", "\u21b5"), c.replace("\n", "\u21b5")] for s, c in pairs]
        return shown, f"{total:,} pairs; the first {len(shown)} shown (\u21b5 is a new line)."

    def pad_lines(text_value, file_value, sentence_value, maxlen_value, padding_value, truncating_value):
        text_value = source(text_value, file_value)
        vocab = build_vocabulary(text_value).vocab
        lines = [line for line in text_value.splitlines() if line.strip()][:50]
        sequences = [encode_sentence(vocab, line)[0] for line in lines if any(ch.isalnum() for ch in line)]
        rows = pad(sequences, int(maxlen_value), padding_value, truncating_value)
        return pd.DataFrame(rows, columns=[f"t{i + 1}" for i in range(int(maxlen_value))])

    def subwords(text_value, file_value):
        pairs, size = subword_pieces(source(text_value, file_value))
        rows = [[w, " ".join(p)] for w, p in pairs]
        return rows, (f"SentencePiece (unigram) learnt {size} pieces from this text; \u2581 marks the start of a "
                      "word. Frequent words stay whole, rare ones split into pieces, and no word is unknown.")

    vocab_button.click(lambda *a: _answer(vocabulary, *a), [text, upload], [vocab_table, vocab_notes],
                       api_name="lab_vocabulary", api_description="Sorted vocabulary of a text: index, word, count.")
    encode_button.click(lambda *a: _answer(encode, *a), [text, upload, sentence], encoded, api_name="lab_encode",
                        api_description="A sentence as indices of the text's vocabulary, and read back.")
    windows_button.click(lambda *a: _answer(char_windows, *a), [text, upload, window, step], [windows, windows_notes],
                         api_name="lab_windows", api_description="The seed's (sentence, next_char) windows.")
    pad_button.click(lambda *a: _answer(pad_lines, *a), [text, upload, sentence, maxlen, padding, truncating], padded,
                     api_name="lab_pad", api_description="Each line encoded and padded with pad_sequences.")
    pieces_button.click(lambda *a: _answer(subwords, *a), [text, upload], [pieces, pieces_notes],
                        api_name="lab_subwords", api_description="SentencePiece pieces beside the words.")


# Model builder ---------------------------------------------------------------------------------------------------


def _builder() -> None:
    with gr.Row():
        cell = gr.Radio(list(CELLS), value="LSTM", label="Cell")
        layers = gr.Number(1, label="Layers (stacked with return_sequences)", precision=0)
        units = gr.Number(128, label="Units", precision=0)
        input_kind = gr.Radio(["features", "one-hot", "embedding"], value="features", label="Input")
    with gr.Row():
        features = gr.Number(10, label="Features per step, or vocabulary size (one-hot / embedding)", precision=0)
        embed_dim = gr.Number(300, label="Embedding size", precision=0)
        head = gr.Number(1, label="Dense outputs", precision=0)
        timesteps = gr.Number(0, label="Timesteps (0: any length)", precision=0)
    with gr.Row():
        bidirectional = gr.Checkbox(label="Bidirectional")
        dropout = gr.Slider(0, 0.9, value=0, step=0.05, label="dropout")
        recurrent_dropout = gr.Slider(0, 0.9, value=0, step=0.05, label="recurrent_dropout")
        reset_after = gr.Checkbox(label="GRU reset_after=True (Keras 2.3+ layout)")
    build = gr.Button("Summary", variant="primary", elem_id="lab-summary-button")
    gr.Examples(SEED_MODELS, [cell, layers, units, input_kind, features, embed_dim, head],
                label="The seed's models (71,297; 50,049; 24,165,465; 71,813 parameters)")
    table = gr.Dataframe(headers=["layer", "output shape", "Keras parameters", "PyTorch parameters"],
                         label="model.summary()", elem_id="lab-summary")
    text = gr.Code(label="As Keras prints it", language=None, elem_id="lab-summary-text")

    def summary(cell, layers, units, input_kind, features, embed_dim, head, timesteps, bidirectional, dropout,
                recurrent_dropout, reset_after):
        spec = ModelSpec(cell, _whole(layers), _whole(units), input_kind, _whole(features), _whole(embed_dim),
                         None if timesteps in (None, "", 0) else _whole(timesteps), bool(bidirectional),
                         float(dropout), float(recurrent_dropout), _whole(head), bool(reset_after))
        rows = summarize(spec)
        return [[r.layer, r.output_shape, r.keras, r.pytorch] for r in rows], summary_text(spec, rows)

    build.click(lambda *a: _answer(summary, *a),
                [cell, layers, units, input_kind, features, embed_dim, head, timesteps, bidirectional, dropout,
                 recurrent_dropout, reset_after],
                [table, text], api_name="lab_summary",
                api_description="Keras-style summary with Keras and PyTorch parameter counts.")


def _whole(value) -> int:
    if value is None or float(value) != int(float(value)):
        raise BuilderError(f"Expected a whole number, got {value!r}.")
    return int(value)


# Experiments -----------------------------------------------------------------------------------------------------


def _frames(points: list[Point], second: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [(p.x, p.value, f"{p.series} \u00b7 {p.split}", p.metric) for p in points]
    frame = pd.DataFrame(rows, columns=["x", "value", "curve", "metric"])
    return frame[frame.metric == "loss"].drop(columns="metric"), frame[frame.metric == second].drop(columns="metric")


def _experiments() -> None:
    with gr.Row():
        experiment = gr.Dropdown(list(EXPERIMENTS.items()), value="cells-adding", label="Experiment",
                                 elem_id="lab-experiment")
        units = gr.Slider(4, 128, value=32, step=4, label="Units")
        layers = gr.Slider(1, 3, value=1, step=1, label="Layers (cell races)")
        epochs = gr.Slider(1, 20, value=8, step=1, label="Epochs", elem_id="lab-epochs")
    with gr.Row():
        run = gr.Button("Run", variant="primary", elem_id="lab-run")
        stop = gr.Button("Stop", elem_id="lab-stop")
    status = gr.Markdown(elem_id="lab-status")
    progress_plot = gr.LinePlot(x="x", y="value", color="curve", title="Loss", x_title="epoch (or step)",
                                y_title="loss", elem_id="lab-loss-plot")
    second_plot = gr.LinePlot(x="x", y="value", color="curve", title="Accuracy, or gradient norm per step",
                              x_title="epoch (or step)", elem_id="lab-second-plot")
    results = gr.Dataframe(headers=["run", "epochs", "validation loss", "validation accuracy", "parameters",
                                    "seconds", "note"], label="Results", elem_id="lab-results")
    with gr.Accordion("Vanishing gradients: how much gradient reaches each time step", open=False):
        vanish_button = gr.Button("Measure (100 steps, fresh cells)")
        vanish_plot = gr.LinePlot(x="x", y="value", color="curve", title="log10 |d loss / d input_t|",
                                  x_title="time step", elem_id="lab-vanish-plot")

    def run_experiment(name, units, layers, epochs):
        units, layers, epochs = int(units), int(layers), int(epochs)
        try:
            if name.startswith("cells"):
                updates = cell_race("adding" if name == "cells-adding" else "sentiment", units=units,
                                    layers=layers, epochs=epochs, time_cap_s=TIME_CAP_S)
                second = "accuracy"
            elif name.startswith("gradients"):
                updates = gradient_race(name.split("-")[1], units=units, epochs=min(epochs, 3),
                                        time_cap_s=TIME_CAP_S)
                second = "gradient norm"
            elif name == "dropout":
                updates, second = dropout_race(units=units, epochs=epochs, time_cap_s=TIME_CAP_S), "accuracy"
            elif name == "embeddings":
                vectors = _word_vectors()
                updates = embedding_race(lambda vocab: word2vec_rows(vocab, vectors), units=units, epochs=epochs,
                                         time_cap_s=TIME_CAP_S)
                second = "accuracy"
            else:
                raise ExperimentError(f"Unknown experiment {name!r}.")
            yield f"**Starting** {name}: preparing the data...", None, None, []
            for update in updates:
                loss, other = _frames(update.points, second)
                head = "**Done.**" if update.done else f"**Training - {update.fraction:.0%}.**"
                yield f"{head} {update.message}", loss, other, update.summary
        except ExperimentError as e:
            raise gr.Error(str(e)) from None
        except (OSError, RuntimeError):  # the reviews could not be read: the reason names server paths
            log.exception("Lab experiment %s failed", name)
            raise gr.Error("The data for this experiment could not be read; the server log says why. The adding "
                           "problem and the gradient experiments need no download.") from None

    event = run.click(run_experiment, [experiment, units, layers, epochs],
                      [status, progress_plot, second_plot, results], api_name="lab_experiment",
                      api_description="Run a Lab experiment (see the dropdown's values) and stream its curves.",
                      concurrency_id="lab", concurrency_limit=LAB_JOBS)
    stop.click(lambda: "**Stopped.** The curves so far stay.", None, status, cancels=[event],
               api_visibility="private")

    def vanishing(units):
        points = gradient_by_time_step(units=int(units))
        for p in points:
            p.value = -30.0 if p.value <= 0 else math.log10(p.value)  # 0: below what float32 can hold
        return _frames([Point(p.series, p.x, "fresh", "loss", p.value) for p in points], "loss")[0]

    vanish_button.click(lambda u: _answer(vanishing, u), units, vanish_plot, api_name="lab_vanishing",
                        api_description="log10 of the gradient reaching each of 100 input steps, per cell.")


def _word_vectors():
    if "vectors" not in _VECTORS:
        try:
            _VECTORS["vectors"] = load_word_vectors().vectors
        except CheckpointError:
            raise gr.Error("The word2vec vectors (models/neighbours) are not available yet: the Neighbours tab "
                           "trains them when they are missing; try again when it is ready.") from None
    return _VECTORS["vectors"]


# Train your own --------------------------------------------------------------------------------------------------


def _own_model() -> None:
    model_state = gr.State(None)
    with gr.Row():
        with gr.Column():
            upload = gr.File(label="A plain-text file to learn from (.txt, at most 5 MB)", file_types=[".txt"],
                             type="binary", elem_id="lab-own-upload")
            budget = gr.Slider(5, min(TIME_CAP_S, 300), value=min(45, TIME_CAP_S), step=5,
                               label="Training time (seconds)", elem_id="lab-own-budget")
            with gr.Row():
                train = gr.Button("Train", variant="primary", elem_id="lab-own-train")
                stop = gr.Button("Stop")
        with gr.Column():
            status = gr.Markdown(elem_id="lab-own-status")
            plot = gr.LinePlot(x="x", y="value", color="curve", title="Loss per character", x_title="step",
                               elem_id="lab-own-plot")
    sample = gr.Textbox(label="A sample, drawn as it trains", lines=5, elem_id="lab-own-sample")
    with gr.Row():
        prompt = gr.Textbox("The ", label="Start with")
        length = gr.Slider(20, 1000, value=300, step=10, label="Characters")
        temperature = gr.Slider(0.1, 1.5, value=0.8, step=0.05, label="Temperature")
        write = gr.Button("Generate", elem_id="lab-own-generate")
    generated = gr.Textbox(label="Generated", lines=6, elem_id="lab-own-generated")
    download = gr.File(label="Your model (zipped checkpoint: safetensors + JSON + manifest)", elem_id="lab-own-file")
    gr.Markdown("Your model lives in this browser session only: it never replaces the app's models, and it is gone "
                "when you close the page.")

    def run(data, budget):
        if not data:
            raise gr.Error("Upload a .txt file first.")
        try:
            text = read_upload(data)
            for update in train_own(text, float(budget)):
                frame = _frames(update.points, "loss")[0]
                if update.model is None:
                    yield f"**Training - {update.fraction:.0%}.** {update.message}", frame, update.sample, None, None
                else:
                    yield (f"**Done.** {update.message}", frame, update.sample, update.model,
                           str(checkpoint_zip(update.model)))
        except OwnModelError as e:
            raise gr.Error(str(e)) from None

    event = train.click(run, [upload, budget], [status, plot, sample, model_state, download], api_name="lab_train_own",
                        api_description="Train a character LSTM on an uploaded text for a time budget.",
                        concurrency_id="lab", concurrency_limit=LAB_JOBS)
    stop.click(lambda: "**Stopped.**", None, status, cancels=[event], api_visibility="private")

    def write_text(model, prompt, length, temperature):
        if model is None:
            raise gr.Error("Train a model first (upload a text and press Train).")
        return generate(model, prompt, int(length), float(temperature))

    write.click(lambda *a: _answer(write_text, *a), [model_state, prompt, length, temperature], generated,
                api_name="lab_generate", api_description="Generate from the model trained in this session.")

