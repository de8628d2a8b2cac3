import pytest

from textlab.data.dialogue import (
    Utterance,
    format_dialogue,
    iter_speaker_spans,
    parse_line,
    read_friends_tab,
    read_transcript_folder,
    split_episodes,
)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Sheldon: Hello.", ("Sheldon", "Hello.")),
        ("Sheldon (off): Penny! Penny, I\u2019m hungry. ", ("Sheldon", "Penny! Penny, I'm hungry.")),
        ("Sheldon (entering, wrapped in duvet): Leonard! (Bends) Ow!", ("Sheldon", "Leonard! Ow!")),
        ("Mrs Wolowitz (off): Howard!", ("Mrs Wolowitz", "Howard!")),
        ("Mr. Rostenkowski: Who are you?", ("Mr. Rostenkowski", "Who are you?")),
        ("Leonard: One across: Aegean.", ("Leonard", "One across: Aegean.")),
        ("\t\t\t\tScene: A corridor at a sperm bank.", None),
        ("(They sit and begin to fill in forms).", None),
        ("Like this:Like Loading...\t\t\t", None),
        ("Credits sequence.", None),
        ("Penny: (laughs)", None),
        ("", None),
    ],
)
def test_parse_line(line, expected):
    assert parse_line(line) == expected


def test_read_folder_orders_episodes_numerically(tmp_path):
    for name in ("1_10", "1_2", "2_1", "notes", "s01e01"):
        (tmp_path / f"{name}.txt").write_text(f"Scene: x\nSheldon: episode {name}\n")
    lines = read_transcript_folder(tmp_path)
    assert [u.episode for u in lines] == ["1_2", "1_10", "2_1", "notes", "s01e01"]
    with pytest.raises(FileNotFoundError):
        read_transcript_folder(tmp_path / "missing")


def test_friends_rows_parse_into_utterances():
    text = (
        "Season\tEpisode\tSeason & Episode\tTitle\tAuthor\tQuote\nd\td\nx\n\n"
        "01\t01\t0101\tPilot\tMonica\t There's nothing to tell!\n01\t01\t0101\tPilot\tJoey\t C'mon!\n"
    )
    assert read_friends_tab(text) == [
        Utterance("0101", "Monica", "There's nothing to tell!"),
        Utterance("0101", "Joey", "C'mon!"),
    ]


def test_split_holds_out_whole_episodes_deterministically():
    names = [f"e{i}" for i in range(20)]
    train, valid, test = split_episodes(names, 3, 2, seed=1)
    assert (len(train), len(valid), len(test)) == (15, 3, 2)
    assert set(train) | set(valid) | set(test) == set(names)
    assert not (set(train) & set(valid)) and not (set(valid) & set(test)) and not (set(train) & set(test))
    assert split_episodes(names, 3, 2, seed=1) == (train, valid, test)
    assert split_episodes(names, 3, 2, seed=2) != (train, valid, test)
    with pytest.raises(ValueError, match="hold out"):
        split_episodes(names[:4], 2, 2)


def test_speaker_spans_point_at_the_line_text():
    lines = [Utterance("e", "Penny", "Hi."), Utterance("e", "Sheldon", "Bazinga!"), Utterance("e", "sheldon", "No.")]
    text = format_dialogue(lines)
    assert text == "Penny: Hi.\nSheldon: Bazinga!\nsheldon: No.\n"
    assert [text[s:e] for s, e in iter_speaker_spans(lines, "SHELDON")] == ["Bazinga!", "No."]
