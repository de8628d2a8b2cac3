"""The cross-domain sentiment checks: their readers, and the npm source they come from."""

import hashlib
import io
import json
import tarfile

import pytest

from textlab.data.crossdomain import TWEETS_PER_CLASS, read_tweets, read_uci
from textlab.data.sources import NpmFile, SourceError


def test_uci_sentences_keep_their_labels_and_drop_the_empty_last_entry():
    data = json.dumps([{"text": "Good case.", "class": 1}, {"text": "Broke.", "class": 0}, {"text": "", "class": None}])
    examples = read_uci(data.encode())
    assert [(e.text, e.label) for e in examples] == [("Good case.", 1), ("Broke.", 0)]


def test_tweets_are_confident_unique_balanced_and_unescaped():
    rows = ["sentiment,confidence,text"]
    rows += [f"negative,0.9,bad flight {i} &gt; never again" for i in range(TWEETS_PER_CLASS + 50)]
    rows += [f"positive,1.0,great crew #{i}" for i in range(30)]
    rows += ["positive,0.5,not sure about this one", "neutral,1.0,it is a plane", "positive,,no rating"]
    rows += ["positive,0.9,both ways", "negative,0.95,both ways"]
    examples = read_tweets("\n".join(rows).encode("latin-1"))
    by_label = {label: [e.text for e in examples if e.label == label] for label in (0, 1)}
    assert len(by_label[0]) == TWEETS_PER_CLASS and len(by_label[1]) == 30  # every confident positive one
    assert all(t.startswith("great crew") for t in by_label[1])
    assert all("> never again" in t for t in by_label[0])
    assert "both ways" not in by_label[0] + by_label[1]
    assert read_tweets("\n".join(rows).encode("latin-1")) == examples  # the same draw every time


def test_an_npm_file_comes_out_of_its_checked_tarball(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        payload = b'[{"text": "Nice.", "class": 1}]'
        info = tarfile.TarInfo("package/test/fixtures/amazon.json")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    tarball = buffer.getvalue()
    requested = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(url, timeout):
        requested.append(url)
        return Response(tarball)

    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path))
    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    source = NpmFile("sentiment", "5.0.2", hashlib.sha256(tarball).hexdigest(), "package/test/fixtures/amazon.json")
    assert source.fetch() == payload and source.fetch() == payload
    assert requested == ["https://registry.npmjs.org/sentiment/-/sentiment-5.0.2.tgz"]  # then read from the cache
    with pytest.raises(SourceError, match="does not hold package/missing.json"):
        NpmFile("sentiment", "5.0.2", source.sha256, "package/missing.json").fetch()
    with pytest.raises(SourceError, match="does not match"):
        NpmFile("other", "1.0.0", "0" * 64, "package/x.json").fetch()
