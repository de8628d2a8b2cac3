"""The Lab's preprocessing explorer: vocabulary, encoding, character windows, padding, SentencePiece pieces."""

from __future__ import annotations

from functools import partial

import gradio as gr
import pandas as pd

from textlab.lab.preprocess import (
    build_vocabulary,
    encode_sentence,
    pad,
    read_text_upload,
    subword_pieces,
    window_table,
)
from textlab.ui.lab_tab.common import answer
from textlab.ui.limits import EXPLORER_JOBS, LAB_TEXT_CHARS

SAMPLE_TEXT = (
    "Sheldon: I'm not crazy, my mother had me tested.\nPenny: Sheldon, what are you doing in my apartment?\n"
    "Sheldon: Bazinga! Penny, Penny, Penny.\nLeonard: Our babies will be smart and beautiful.\n"
    "Sheldon: Not to mention imaginary.\n"
)


def _source(text_value, file_value) -> str:
    return read_text_upload(file_value) if file_value else text_value


def vocabulary(text_value, file_value) -> tuple:
    """The sorted vocabulary (index, word, count) and a note on it."""
    vocab = build_vocabulary(_source(text_value, file_value))
    rows = [[i, w, vocab.counts.get(w, 0)] for i, w in enumerate(vocab.vocab.index_to_word)]
    notes = [
        f"{len(vocab.vocab) - 2:,} distinct words in {vocab.n_words:,}; index 0 is padding and 1 stands "
        "for any word not in the vocabulary (`<UKN/>`)."
    ]
    if vocab.note:
        notes.append(vocab.note)
    return rows[:2000], "\n\n".join(notes)


def encode(text_value, file_value, sentence_value) -> str:
    vocab = build_vocabulary(_source(text_value, file_value)).vocab
    ids, back = encode_sentence(vocab, sentence_value)
    return f"{ids}\n{' '.join(back)}"


def char_windows(text_value, file_value, window_value, step_value) -> tuple:
    pairs, total = window_table(_source(text_value, file_value), int(window_value), int(step_value))
    shown = [[s.replace("\n", "\u21b5"), c.replace("\n", "\u21b5")] for s, c in pairs]
    return shown, f"{total:,} pairs; the first {len(shown)} shown (\u21b5 is a new line)."


def pad_lines(text_value, file_value, sentence_value, maxlen_value, padding_value, truncating_value) -> pd.DataFrame:
    text_value = _source(text_value, file_value)
    vocab = build_vocabulary(text_value).vocab
    lines = [line for line in text_value.splitlines() if line.strip()][:50]
    sequences = [encode_sentence(vocab, line)[0] for line in lines if any(ch.isalnum() for ch in line)]
    rows = pad(sequences, int(maxlen_value), padding_value, truncating_value)
    return pd.DataFrame(rows, columns=[f"t{i + 1}" for i in range(int(maxlen_value))])


def subwords(text_value, file_value) -> tuple:
    pairs, size = subword_pieces(_source(text_value, file_value))
    rows = [[w, " ".join(p)] for w, p in pairs]
    return rows, (
        f"SentencePiece (unigram) learnt {size} pieces from this text; \u2581 marks the start of a "
        "word. Frequent words stay whole, rare ones split into pieces, and no word is unknown."
    )


def create() -> None:
    text, upload = _vocabulary_section()
    sentence = _encode_section(text, upload)
    _windows_section(text, upload)
    _pad_section(text, upload, sentence)
    _pieces_section(text, upload)


def _vocabulary_section() -> tuple:
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(
                SAMPLE_TEXT,
                label="Text (English, or Chinese: it is segmented into words)",
                lines=8,
                elem_id="lab-text",
                max_length=LAB_TEXT_CHARS,
            )
            upload = gr.File(label="...or upload a .txt file (at most 10 MB)", file_types=[".txt"], type="binary")
            button = gr.Button("Build the vocabulary", variant="primary", elem_id="lab-vocab-button")
            notes = gr.Markdown()
        table = gr.Dataframe(headers=["index", "word", "count"], label="index_to_word (sorted)", elem_id="lab-vocab")
    button.click(
        partial(answer, vocabulary),
        [text, upload],
        [table, notes],
        api_name="lab_vocabulary",
        concurrency_id="explorer",
        concurrency_limit=EXPLORER_JOBS,
        api_description="Sorted vocabulary of a text: index, word, count.",
    )
    return text, upload


def _encode_section(text, upload):
    with gr.Row():
        sentence = gr.Textbox("Penny is not crazy", label="Encode a new sentence with this vocabulary")
        button = gr.Button("Encode")
        encoded = gr.Textbox(label="Indices, and the words they read back as", lines=2, elem_id="lab-encoded")
    button.click(
        partial(answer, encode),
        [text, upload, sentence],
        encoded,
        api_name="lab_encode",
        concurrency_id="explorer",
        concurrency_limit=EXPLORER_JOBS,
        api_description="A sentence as indices of the text's vocabulary, and read back.",
    )
    return sentence


def _windows_section(text, upload) -> None:
    with gr.Row():
        window = gr.Slider(1, 60, value=10, step=1, label="chars_window")
        step = gr.Slider(1, 20, value=2, step=1, label="step")
        button = gr.Button("Character windows")
    notes = gr.Markdown()
    windows = gr.Dataframe(
        headers=["sentence", "next_char"], label="(sentence, next_char) pairs", elem_id="lab-windows"
    )
    button.click(
        partial(answer, char_windows),
        [text, upload, window, step],
        [windows, notes],
        api_name="lab_windows",
        concurrency_id="explorer",
        concurrency_limit=EXPLORER_JOBS,
        api_description="The study notes' (sentence, next_char) windows.",
    )


def _pad_section(text, upload, sentence) -> None:
    with gr.Row():
        maxlen = gr.Slider(1, 60, value=8, step=1, label="maxlen")
        padding = gr.Radio(["pre", "post"], value="pre", label="padding")
        truncating = gr.Radio(["pre", "post"], value="pre", label="truncating")
        button = gr.Button("pad_sequences (one sequence per line)")
    padded = gr.Dataframe(label="Padded index sequences (0 is padding, 1 is <UKN/>)", elem_id="lab-padded")
    button.click(
        partial(answer, pad_lines),
        [text, upload, sentence, maxlen, padding, truncating],
        padded,
        api_name="lab_pad",
        concurrency_id="explorer",
        concurrency_limit=EXPLORER_JOBS,
        api_description="Each line encoded and padded with pad_sequences.",
    )


def _pieces_section(text, upload) -> None:
    with gr.Row():
        button = gr.Button("SentencePiece beside words")
    notes = gr.Markdown()
    pieces = gr.Dataframe(headers=["word", "pieces"], label="Words and the subword pieces learnt from this text")
    button.click(
        partial(answer, subwords),
        [text, upload],
        [pieces, notes],
        api_name="lab_subwords",
        concurrency_id="explorer",
        concurrency_limit=EXPLORER_JOBS,
        api_description="SentencePiece pieces beside the words.",
    )
