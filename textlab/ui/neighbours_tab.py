"""The "Neighbours" tab: word2vec nearest neighbours, analogies, similarity, odd one out, and a 2-D map."""

from __future__ import annotations

import html
from functools import partial

import gradio as gr

from textlab.loading import ModelSlot
from textlab.neighbours import TASKS
from textlab.neighbours.queries import MAX_K, WordMap, analogy, most_similar, odd_one_out, similarity, word_map
from textlab.neighbours.vectors import NeighboursError, WordVectors, model_card
from textlab.ui.common import poll_status, ready_model, status_markdown, user_error
from textlab.ui.limits import WORD_CHARS

TITLE = "Neighbours"
DEFAULT_VECTORS = "neighbours"
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


def draw_map(slots: dict[str, ModelSlot], text, method, vectors=DEFAULT_VECTORS) -> tuple:
    found = _answer(word_map, _chosen(slots, vectors), text, method)
    rows = [
        [w, round(x, 4), round(y, 4), g] for w, x, y, g in zip(found.words, found.x, found.y, found.groups, strict=True)
    ]
    return svg_map(found), rows, "\n".join(f"- {n}" for n in found.notes)


def solve_analogy(slots: dict[str, ModelSlot], a, b, c, vectors=DEFAULT_VECTORS) -> list[list]:
    return [[w, round(s, 4)] for w, s in _answer(analogy, _chosen(slots, vectors), a, b, c)]


def compare_words(slots: dict[str, ModelSlot], first, second, vectors=DEFAULT_VECTORS) -> float:
    return round(_answer(similarity, _chosen(slots, vectors), first, second), 4)


def odd_word(slots: dict[str, ModelSlot], text, vectors=DEFAULT_VECTORS) -> str:
    word, unknown = _answer(odd_one_out, _chosen(slots, vectors), text)
    return word + (f"  (not in the vocabulary: {', '.join(unknown)})" if unknown else "")


def vectors_status(slots: dict[str, ModelSlot]) -> str:
    """Each set of vectors' card (or status), under what it was learnt from."""
    parts = []
    for name, slot in slots.items():
        wv = slot.get()
        parts.append(f"*{TASKS[name].summary}*  \n{status_markdown(slot.status, model_card(wv) if wv else '')}")
    return "\n\n".join(parts)


def create_tab(slots: dict[str, ModelSlot]) -> None:
    mine = {name: slots[name] for name in TASKS}
    with gr.Tab(TITLE, id="neighbours"):
        status = gr.Markdown(vectors_status(mine), elem_id="neighbours-status")
        _neighbours_section(mine)
        vectors = gr.Radio(
            [(task.summary, name) for name, task in TASKS.items()],
            value=DEFAULT_VECTORS,
            label="Vectors for the map, the analogies, similarity and odd one out",
            elem_id="neighbours-vectors",
        )
        _map_section(mine, vectors)
        with gr.Accordion("Analogies, similarity, odd one out", open=True):
            _relations_section(mine, vectors)
        poll_status(mine.values(), partial(vectors_status, mine), [], [status])


def _neighbours_section(slots: dict[str, ModelSlot]) -> None:
    """The neighbours of one word in every set of vectors, side by side: the same word means what its text made it."""
    with gr.Row():
        with gr.Column(scale=1):
            word = gr.Textbox(label="Word", value="bazinga", elem_id="neighbours-word", max_length=WORD_CHARS)
            k = gr.Slider(1, MAX_K, value=10, step=1, label="How many neighbours")
            find = gr.Button("Find neighbours", variant="primary", elem_id="neighbours-button")
            gr.Examples([[w] for w in WORDS_OF_INTEREST], inputs=[word], label="The study notes' words")
        for name, slot in slots.items():
            with gr.Column(scale=1):
                table = gr.Dataframe(
                    headers=["word", "cosine similarity"],
                    label=f"Nearest neighbours, {TASKS[name].summary}",
                    elem_id=f"neighbours-table-{name}",
                )
            api = "neighbours" if name == DEFAULT_VECTORS else f"neighbours_{name.replace('-', '_')}"
            find.click(
                partial(find_neighbours, slot),
                [word, k],
                table,
                api_name=api,
                api_description=f"The k nearest words by cosine similarity, {TASKS[name].summary}. "
                "Inputs: word, k (1-50).",
            )
            word.submit(partial(find_neighbours, slot), [word, k], table, api_visibility="private")


def _map_section(slots: dict[str, ModelSlot], vectors: gr.Radio) -> None:
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
        partial(draw_map, slots),
        [words, method, vectors],
        [plot, points, notes],
        api_name="word_map",
        api_description="2-D positions of a word and its neighbours, or of a list of words (grouped by k-means). "
        f"Inputs: words, method ('pca' or 'tsne'), vectors ({_names()}).",
    )


def _relations_section(slots: dict[str, ModelSlot], vectors: gr.Radio) -> None:
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
        # Shown once there is an answer: Gradio draws an empty number box as "0", which reads as one.
        score = gr.Number(label="Cosine similarity", precision=3, visible=False, elem_id="neighbours-similarity")
    with gr.Row():
        group = gr.Textbox(
            label="Words (comma-separated)", value="breakfast, cereal, dinner, lunch, physics", max_length=WORD_CHARS
        )
        pick = gr.Button("Odd one out")
        odd = gr.Textbox(label="Does not belong")
    which = f"Last input: vectors ({_names()})."
    solve.click(
        partial(solve_analogy, slots),
        [a, b, c, vectors],
        answers,
        api_name="analogy",
        api_description=f"a is to b as c is to ...? Inputs: a, b, c. {which}",
    )
    compare.click(
        partial(compare_words, slots),
        [first, second, vectors],
        score,
        api_name="similarity",
        api_description=f"Cosine similarity of two words. {which}",
    ).success(lambda: gr.Number(visible=True), None, score, api_visibility="private", queue=False)
    pick.click(
        partial(odd_word, slots),
        [group, vectors],
        odd,
        api_name="odd_one_out",
        api_description=f"The word that does not belong. Input: comma-separated words. {which}",
    )


def _chosen(slots: dict[str, ModelSlot], vectors) -> WordVectors:
    if vectors not in slots:
        raise user_error(f"Unknown vectors {vectors!r}; choose one of: {_names()}.")
    return ready_model(slots[vectors])


def _names() -> str:
    return " or ".join(f"'{name}'" for name in TASKS)


GROUP_COLOURS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00"]  # Okabe-Ito: colour-blind safe
ROLE_COLOURS = {"query": "#d55e00", "neighbour": "#0072b2"}
ROLE_NAMES = {"query": "the word you gave", "neighbour": "its nearest neighbours"}
CHAR_WIDTH, LABEL_HEIGHT = 7.5, 14  # px of a 13 px label, roughly: enough to keep labels apart


def svg_map(found: WordMap, width: int = 860, height: int = 480, margin: int = 24) -> str:
    """The map as an SVG: each word written beside its point where it overlaps no other label, coloured by its group,
    with a legend of the groups."""
    labels = [word.replace("_", " ") for word in found.words]
    right = max(zip(found.x, labels, strict=True))[1]  # the rightmost point's label must fit on the right
    xs = _scale(found.x, margin, width - margin - 8 - CHAR_WIDTH * len(right))
    ys = _scale([-y for y in found.y], margin + LABEL_HEIGHT, height - 60)
    colours = _colours(found.groups)
    placed: list[tuple[float, float, float, float]] = [
        (x - 5, y - 5, x + 5, y + 5) for x, y in zip(xs, ys, strict=True)
    ]
    marks = []
    for label, x, y, group in zip(labels, xs, ys, found.groups, strict=True):
        tx, ty, anchor, box = _place_label(label, x, y, placed, (width, height - 40))
        placed.append(box)
        text = html.escape(label)
        marks.append(
            f'<g><title>{text} ({html.escape(group)})</title><circle cx="{x:.1f}" cy="{y:.1f}" r="5" '
            f'fill="{colours[group]}"/><text x="{tx:.1f}" y="{ty:.1f}" font-size="13" text-anchor="{anchor}" '
            f'fill="currentColor">{text}</text></g>'
        )
    projection = "PCA" if found.method == "pca" else "t-SNE"
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="word map ({projection})" '
        f'style="max-width:{width}px;border:1px solid #e4e4e7;border-radius:8px">{"".join(marks)}'
        f"{_legend(colours, found.groups, margin, height - 34)}"
        f'<text x="{margin}" y="{height - 10}" font-size="11" fill="#71717a">{projection} of the unit-length vectors: '
        "nearby words have similar vectors; the axes themselves mean nothing</text></svg>"
    )


def _scale(values: list[float], low_px: float, high_px: float) -> list[float]:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return [low_px + (v - low) / span * (high_px - low_px) for v in values]


def _colours(groups: list[str]) -> dict[str, str]:
    if set(groups) <= set(ROLE_COLOURS):
        return ROLE_COLOURS
    return {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(dict.fromkeys(groups))}


def _place_label(label: str, x: float, y: float, placed: list, size: tuple[int, int]) -> tuple:
    """Where a label goes: right of its point, else left, above, below, or a line further out, whichever overlaps
    fewest labels and points placed before it and stays inside the map (first wins a tie). Returns the text's
    position, anchor and box."""
    w = CHAR_WIDTH * len(label)
    centred = min(max(x - w / 2, 2), size[0] - w - 2)  # above or below, pushed inside the map
    spots = [(x + 8, y + 4, "start"), (x - 8 - w, y + 4, "start")]
    spots += [(centred, y + dy, "start") for dy in (-10, 19, -24, 33, -38, 47)]
    spots += [(x + 8, y + dy, "start") for dy in (-10, 18)]

    def box(spot: tuple) -> tuple[float, float, float, float]:
        return spot[0], spot[1] - LABEL_HEIGHT + 1, spot[0] + w, spot[1] + 1

    def cost(spot: tuple) -> tuple[bool, int]:
        b = box(spot)
        outside = b[0] < 0 or b[2] > size[0] or b[1] < 0 or b[3] > size[1]
        return outside, sum(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in placed)

    best = min(spots, key=cost)
    return *best, box(best)


def _legend(colours: dict[str, str], groups: list[str], x: float, y: float) -> str:
    names = ROLE_NAMES if colours is ROLE_COLOURS else {}
    items = []
    for group in dict.fromkeys(groups):
        name = html.escape(names.get(group, group))
        items.append(
            f'<circle cx="{x + 5:.1f}" cy="{y - 4}" r="5" fill="{colours[group]}"/>'
            f'<text x="{x + 14:.1f}" y="{y}" font-size="12" fill="currentColor">{name}</text>'
        )
        x += 28 + CHAR_WIDTH * len(name)
    if not names:
        items.append(
            f'<text x="{x:.1f}" y="{y}" font-size="12" fill="#71717a">(groups: k-means on the full vectors)</text>'
        )
    return f'<g aria-label="legend">{"".join(items)}</g>'


def _answer(fn, *args):
    try:
        return fn(*args)
    except NeighboursError as e:
        raise user_error(str(e)) from None
