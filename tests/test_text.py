import pytest
import torch

from textlab.text.batches import batchify, count_tbptt_batches, tbptt_batches
from textlab.text.chars import CharVocab, char_windows, clean_text


def test_clean_text_straightens_quotes_and_drops_what_the_model_cannot_read():
    assert clean_text("It\u2019s \u201cfine\u201d\u2026 caf\u00e9 \u2013 ok") == 'It\'s "fine"... cafe - ok'
    assert clean_text("hi \U0001f600 \u4f60\u597d\x07!\nbye") == "hi  !\nbye"
    assert clean_text("tab\there") == "tab here"


def test_vocabulary_is_sorted_unique_and_round_trips():
    vocab = CharVocab.build("hello world\n")
    assert vocab.chars == tuple(sorted(set("hello world\n")))
    assert vocab.decode(vocab.encode("hello")) == "hello"
    assert vocab.char_to_index["\n"] == 0
    assert len(vocab) == 9


def test_vocabulary_names_the_unknown_character():
    vocab = CharVocab.build("abc")
    with pytest.raises(KeyError, match="'z'"):
        vocab.encode("abz")
    assert vocab.keep_known("a-b-z-c") == "abc"


def test_vocabulary_rejects_duplicates():
    with pytest.raises(ValueError):
        CharVocab(("a", "a"))


def test_char_windows_match_the_seed_by_hand():
    # chars_window = 3, step = 2 over "abcdefgh": (abc, d), (cde, f), (efg, h)
    assert char_windows("abcdefgh", window=3, step=2) == [("abc", "d"), ("cde", "f"), ("efg", "h")]
    assert char_windows("ab", window=3, step=1) == []
    with pytest.raises(ValueError, match="window"):
        char_windows("abc", window=0)


def test_batchify_lays_rows_side_by_side():
    rows = batchify(torch.arange(13), 3)
    assert rows.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    with pytest.raises(ValueError, match="too short"):
        batchify(torch.arange(3), 3)


def test_tbptt_windows_cover_the_rows_with_targets_shifted_by_one():
    rows = batchify(torch.arange(20), 2)  # two rows of 10
    windows = list(tbptt_batches(rows, 4))
    assert len(windows) == count_tbptt_batches(rows, 4) == 3
    assert [x.shape[1] for x, _ in windows] == [4, 4, 1]
    for x, y in windows:
        assert torch.equal(y, x + 1)
    assert torch.cat([x for x, _ in windows], 1)[0].tolist() == list(range(9))
