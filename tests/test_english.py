import io
import tarfile

import pytest

from textlab.data.english import chunks, clean_gcide, read_sotu
from textlab.data.sources import SourceError
from textlab.lm import corpus

GCIDE_ENTRY = """Abandon \\A*ban"don\\, v. t. [imp. & p. p.
   {Abandoned}; p. pr. & vb. n. {Abandoning}.] [OF.
   abandoner, F. abandonner.]
   1. To cast or drive out; to banish; to expel; to reject.
      [Obs.]
      [1913 Webster]

            That he might . . . abandon them from him. --Udall.
      [1913 Webster]

Adynamia (d`*n"m*), n. (Med.) Considerable debility of the vital powers.
      [1913 Webster]
"""


def test_the_dictionary_reads_as_prose_without_its_markup():
    paragraphs = clean_gcide(GCIDE_ENTRY)
    assert paragraphs == [
        "Abandon , v. t. 1. To cast or drive out; to banish; to expel; to reject.",
        "That he might . . . abandon them from him. --Udall.",
        "Adynamia , n. (Med.) Considerable debility of the vital powers.",
    ]
    assert not any(mark in p for p in paragraphs for mark in "[]{}\\*")


def test_dictionary_documents_join_paragraphs_and_never_split_one():
    paragraphs = ["a" * 30, "b" * 30, "c" * 80, "d" * 10]
    documents = chunks(paragraphs, 70)
    assert documents == ["a" * 30 + "\n" + "b" * 30, "c" * 80, "d" * 10]
    assert chunks([], 70) == []


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_the_addresses_are_read_in_the_order_of_the_years_and_nothing_else():
    data = tarball(
        {
            "package/data/1791_george_washington.txt": b"Second address.",
            "package/data/1790_george_washington.txt": b"First address.",
            "package/data/1790_george_washington_n.json": b'{"text": "First address."}',
            "package/lib/index.js": b"module.exports = 1;",
        }
    )
    assert read_sotu(data) == ["First address.", "Second address."]
    with pytest.raises(SourceError, match="no addresses"):
        read_sotu(tarball({"package/lib/index.js": b""}))
    with pytest.raises(SourceError, match="not the expected tarball"):
        read_sotu(b"not a tarball")


def test_the_language_model_reads_a_text_source_by_name_and_a_labelled_set_by_its_training_split(monkeypatch):
    monkeypatch.setitem(corpus.TEXTS, "sotu", lambda: (["We the people."], "addresses"))
    assert corpus.read_documents("sotu") == (["We the people."], "addresses")
    with pytest.raises(ValueError, match="unknown source 'speeches'; choose from imdb, .*, gcide, sotu"):
        corpus.read_documents("speeches")
