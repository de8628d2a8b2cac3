"""The "Neighbours" tab: word2vec nearest neighbours, analogies, similarity, odd one out, and a 2-D map."""

from __future__ import annotations

import html
from functools import partial

import gradio as gr

from textlab.loading import ModelSlot
from textlab.neighbours.queries import MAX_K, WordMap, analogy, most_similar, odd_one_out, similarity, word_map
from textlab.neighbours.vectors import NeighboursError, WordVectors, model_card
from textlab.ui.common import poll_status, ready_model, status_markdown, user_error
from textlab.ui.limits import WORD_CHARS

TITLE = "Neighbours"
WORDS_OF_INTEREST = ["bazinga", "penny", "universe", "spock", "brain"]
ANALOGIES = [
    ("leonard", "penny", "howard"),
    ("boy", "girl", "man"),
    ("walk", "walked", "go"),
    ("windows", "microsoft", "mac"),
    ("good", "better", "bad"),
]


def find_neighbours(slot: ModelSlot[WordVectors], text, k) -> list[list]:
    return [[w, round(s, 4)] for w, s in _answer(most_similar, ready_model(slot), text, k)]


def draw_map(slot: ModelSlot[WordVectors], text, method) -> tuple:
    found = _answer(word_map, ready_model(slot), text, method)
    rows = [
        [w, round(x, 4), round(y, 4), g] for w, x, y, g in zip(found.words, found.x, found.y, found.groups, strict=True)
    ]
    return svg_map(found), rows, "\n".join(f"- {n}" for n in found.notes)


def solve_analogy(slot: ModelSlot[WordVectors], a, b, c) -> list[list]:
    return [[w, round(s, 4)] for w, s in _answer(analogy, ready_model(slot), a, b, c)]


def compare_words(slot: ModelSlot[WordVectors], first, second) -> float:
    return round(_answer(similarity, ready_model(slot), first, second), 4)


def odd_word(slot: ModelSlot[WordVectors], text) -> str:
    word, unknown = _answer(odd_one_out, ready_model(slot), text)
    return word + (f"  (not in the vocabulary: {', '.join(unknown)})" if unknown else "")


def vectors_status(slot: ModelSlot[WordVectors]) -> str:
    wv = slot.get()
    return status_markdown(slot.status, model_card(wv) if wv else "")


def create_tab(slots: dict[str, ModelSlot]) -> None:
    slot = slots["neighbours"]
    with gr.Tab(TITLE, id="neighbours"):
        status = gr.Markdown(vectors_status(slot), elem_id="neighbours-status")
        _neighbours_section(slot)
        _map_section(slot)
        with gr.Accordion("Analogies, similarity, odd one out", open=True):
            _relations_section(slot)
        poll_status([slot], partial(vectors_status, slot), [], [status])


def _neighbours_section(slot: ModelSlot[WordVectors]) -> None:
    with gr.Row():
        with gr.Column():
            word = gr.Textbox(label="Word", value="bazinga", elem_id="neighbours-word", max_length=WORD_CHARS)
            k = gr.Slider(1, MAX_K, value=10, step=1, label="How many neighbours")
            find = gr.Button("Find neighbours", variant="primary", elem_id="neighbours-button")
            gr.Examples([[w] for w in WORDS_OF_INTEREST], inputs=[word], label="Words of interest")
        with gr.Column():
            table = gr.Dataframe(
                headers=["word", "cosine similarity"], label="Nearest neighbours", elem_id="neighbours-table"
            )
    find.click(
        partial(find_neighbours, slot),
        [word, k],
        table,
        api_name="neighbours",
        api_description="The k nearest words by cosine similarity. Inputs: word, k (1-50).",
    )
    word.submit(partial(find_neighbours, slot), [word, k], table, api_visibility="private")


def _map_section(slot: ModelSlot[WordVectors]) -> None:
    with gr.Row():
        method = gr.Radio([("PCA", "pca"), ("t-SNE", "tsne")], value="pca", label="Map projection")
        words = gr.Textbox(
            label="Map: one word (with its neighbours) or a list of words",
            value="penny, leonard, sheldon, physics, chemistry, biology, pizza, burger, cheese",
            elem_id="neighbours-map-words",
        )
        draw = gr.Button("Draw map", elem_id="neighbours-map-button")
    plot = gr.HTML(label="Map of the vector space", elem_id="neighbours-map")
    notes = gr.Markdown()
    with gr.Accordion("Map coordinates", open=False):
        points = gr.Dataframe(headers=["word", "x", "y", "group"], elem_id="neighbours-points")
    draw.click(
        partial(draw_map, slot),
        [words, method],
        [plot, points, notes],
        api_name="word_map",
        api_description="2-D positions of a word and its neighbours, or of a list of words. "
        "Inputs: words, method ('pca' or 'tsne').",
    )


def _relations_section(slot: ModelSlot[WordVectors]) -> None:
    with gr.Row():
        a = gr.Textbox(label="a", value="leonard", max_length=WORD_CHARS)
        b = gr.Textbox(label="is to b", value="penny", max_length=WORD_CHARS)
        c = gr.Textbox(label="as c is to ...", value="howard", max_length=WORD_CHARS)
        solve = gr.Button("Solve analogy", elem_id="analogy-button")
    answers = gr.Dataframe(headers=["word", "score"], label="b - a + c (3CosMul)", elem_id="analogy-table")
    gr.Examples([list(t) for t in ANALOGIES], inputs=[a, b, c], label="Analogies")
    with gr.Row():
        first = gr.Textbox(label="Word", value="penny", max_length=WORD_CHARS)
        second = gr.Textbox(label="Other word", value="leonard", max_length=WORD_CHARS)
        compare = gr.Button("Similarity")
        score = gr.Number(label="Cosine similarity", precision=3)
    with gr.Row():
        group = gr.Textbox(
            label="Words (comma-separated)", value="breakfast, cereal, dinner, lunch, physics", max_length=WORD_CHARS
        )
        pick = gr.Button("Odd one out")
        odd = gr.Textbox(label="Does not belong")
    solve.click(
        partial(solve_analogy, slot),
        [a, b, c],
        answers,
        api_name="analogy",
        api_description="a is to b as c is to ...? Inputs: a, b, c.",
    )
    compare.click(
        partial(compare_words, slot),
        [first, second],
        score,
        api_name="similarity",
        api_description="Cosine similarity of two words.",
    )
    pick.click(
        partial(odd_word, slot),
        group,
        odd,
        api_name="odd_one_out",
        api_description="The word that does not belong. Input: comma-separated words.",
    )


def svg_map(found: WordMap, width: int = 860, height: int = 480, margin: int = 40) -> str:
    """The map as an SVG: every word written beside its point; the query words in orange."""

    def scale(values: list[float], size: int) -> list[float]:
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        return [margin + (v - low) / span * (size - 2 * margin) for v in values]

    xs, ys = scale(found.x, width - 80), scale([-y for y in found.y], height)  # room on the right for labels
    marks = []
    for word, x, y, group in zip(found.words, xs, ys, found.groups, strict=True):
        colour = "#f97316" if group == "query" else "#2563eb"
        label = html.escape(word.replace("_", " "))
        marks.append(
            f'<g><title>{label}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
            f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="13" fill="currentColor">{label}</text></g>'
        )
    projection = "PCA" if found.method == "pca" else "t-SNE"
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="word map ({projection})" '
        f'style="max-width:{width}px;border:1px solid #e4e4e7;border-radius:8px">{"".join(marks)}'
        f'<text x="{margin}" y="{height - 10}" font-size="11" fill="#71717a">{projection} of the unit-length '
        f"vectors; orange: the words you gave, blue: their nearest neighbours</text></svg>"
    )


def _answer(fn, *args):
    try:
        return fn(*args)
    except NeighboursError as e:
        raise user_error(str(e)) from None
