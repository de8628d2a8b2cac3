"""Translator pieces: the date generator, the Bible reader, pair files, tokenisers, the network's attention and
masking, greedy and beam decoding, a tiny end-to-end training run, checkpoints, bad input and the CLI."""

import datetime as dt
import json
import math
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
import torch

from textlab import cli
from textlab.checkpoints import CheckpointError
from textlab.data.bible import plain_verse, read_ztext, verse_pairs
from textlab.data.dates import (
    MONTHS,
    NATURAL_TEMPLATES,
    english_date,
    generate_pairs,
    natural_english_pairs,
    ordinal,
    read_form,
    real_date,
    two_digit_source,
)
from textlab.data.pairs import read_eval_file, read_pairs_file
from textlab.decoding import LENGTH_ALPHA, Hypothesis, beam_search, best_possible_score, greedy, length_penalty
from textlab.networks.seq2seq import Memory, Seq2Seq, Seq2SeqConfig
from textlab.text import BOS, EOS, PAD, SPECIALS, UNK
from textlab.text.batches import pad_batch
from textlab.text.chars import CharVocab
from textlab.text.subwords import SentencePieceTokenizer, train_sentencepiece
from textlab.translate.data import date_pairs, split_pairs
from textlab.translate.model import (
    MAX_BEAM,
    TranslateError,
    date_flags,
    date_input_notes,
    evaluate,
    load_translator,
    save_translator,
    translate,
    translate_batch,
)
from textlab.translate.tasks import TASKS
from textlab.translate.training import load_pair_data, train_translator

from .conftest import number_pairs, tiny_translate_config, write_pairs

COMMITTED_DATES = Path(__file__).resolve().parents[1] / "models" / "translate-dates"

# Dates -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    return generate_pairs(20_000, seed=5)


def test_generated_dates_are_well_posed_and_in_range(generated):
    sources = [s for s, _ in generated]
    assert len(set(sources)) == len(sources) == 20_000
    for source, target in generated:
        day = dt.date.fromisoformat(target)
        assert dt.date(1900, 1, 1) <= day <= dt.date(2099, 12, 31)
        assert source == source.lower() and "  " not in source
        if m := re.fullmatch(r"(\d+)([/.])(\d+)\2(\d+)", source):
            first, sep, second, year = m.groups()
            month, dom = (first, second) if sep == "/" else (second, first)  # slashes US, dots German
            assert (int(month), int(dom)) == (day.month, day.day), source
            if len(year) == 2:
                assert dt.date(1969, 1, 1) <= day <= dt.date(2068, 12, 31) and year == f"{day.year % 100:02d}"
            else:
                assert int(year) == day.year
        if re.fullmatch(r"[\d-]+", source):
            assert source == target  # the only dashed numeric layout is ISO


def test_generated_dates_cover_many_forms(generated):
    shapes = {re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", s)) for s, _ in generated}
    assert len(shapes) >= 30
    text = " ".join(s for s, _ in generated[:5000])
    for piece in ("3rd", "the ", "of ", "mai", "mayo", "monday", "sept", "/", "."):
        assert piece in text


def test_two_digit_years_beside_a_month_name_follow_the_posix_rule(generated):
    """69-99 -> 19xx, 00-68 -> 20xx, so only days from 1969 to 2068 are written so: "29-Aug-58" is 2058-08-29."""
    assert english_date(dt.date(2058, 8, 29), "{d}-{Mon}-{yy}", random.Random(0)) == "29-Aug-58"
    for source, target in generate_pairs(500, seed=7, write=two_digit_source):
        day = dt.date.fromisoformat(target)
        assert dt.date(1969, 1, 1) <= day <= dt.date(2068, 12, 31), source
        dom, year = re.findall(r"\d+", source)
        month = re.search(r"[a-z]+", source).group()
        assert (int(dom), year) == (day.day, f"{day.year % 100:02d}") and MONTHS[day.month - 1].lower().startswith(
            month
        )
    beside_a_month = [s for s, _ in generated if re.search(r"[a-z]", s) and not re.search(r"\d{4}", s)]
    assert 0.04 < len(beside_a_month) / len(generated) < 0.09  # a few of the pairs, the generator's forms the rest
    assert {re.sub(r"\d+", "9", re.sub(r"[a-z]+", "a", s)) for s in beside_a_month} == {"9-a-9", "a 9, 9", "a 9 9"}


def test_no_held_out_date_is_ever_trained_on():
    """Each held-out set is drawn without the training sources, as the model reads them (case and spaces aside)."""
    cfg = TASKS["dates"].config()
    data = date_pairs(cfg)
    held_out = [read_form(s) for s, _ in data.valid + [p for pairs in data.tests.values() for p in pairs]]
    assert len(set(held_out)) == len(held_out) == cfg.n_valid + cfg.n_test + 1_000
    assert not set(held_out) & {s for s, _ in data.train}
    natural = natural_english_pairs(1_000, cfg.split_seed + 3)  # one of them the generator wrote for training
    assert sum(read_form(s) in {t for t, _ in data.train} for s, _ in natural) == 1
    assert len(set(natural) & set(data.tests["natural English forms"])) == 999


def test_natural_forms_are_never_generated(generated):
    natural = natural_english_pairs(1000, seed=1)
    assert len({s for s, _ in natural}) == 1000
    seen = {s for s, _ in generated}
    assert not any(s.lower() in seen for s, _ in natural)
    used = {t for t in NATURAL_TEMPLATES if any(_matches(t, s) for s, _ in natural)}
    assert len(used) == len(NATURAL_TEMPLATES)


def _matches(template: str, text: str) -> bool:
    pattern = re.escape(template)
    for field in ("Month", "Mon", "d", "ord", "y", "Weekday"):
        pattern = pattern.replace(re.escape("{" + field + "}"), r"\w+")
    return re.fullmatch(pattern, text) is not None


def test_ordinals_and_english_forms():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "31st",
    ]
    day = dt.date(1999, 5, 3)
    assert english_date(day, "the {ord} of {Month}, {y}", random.Random(0)) == "the 3rd of May, 1999"
    assert english_date(day, "{Weekday} the {ord}", random.Random(0)) == "Monday the 3rd"


def test_generate_pairs_refuses_an_ambiguous_format():
    with pytest.raises(ValueError, match="written for both"):
        generate_pairs(50, seed=0, write=lambda day, rng: f"{day.month}/{day.day}")


def test_real_date():
    assert real_date("2020-02-29") and not real_date("2019-02-29") and not real_date("2019-02-30")
    assert not real_date("2019-13-01") and not real_date("banana") and not real_date("")


def test_date_flags():
    assert date_flags("1999-05-03", 0.97) == []
    assert "not a real calendar date" in date_flags("2019-02-30", 0.99)[0]
    assert "Low confidence" in date_flags("1999-05-03", 0.2)[0]


@pytest.fixture(scope="module")
def committed_dates():
    if not (COMMITTED_DATES / "model.safetensors").exists():
        pytest.skip(f"no committed model in {COMMITTED_DATES}")
    return load_translator("dates", COMMITTED_DATES)


def test_the_committed_dates_model_learnt_from_these_splits(committed_dates):
    """It was trained with the task's sizes and seed, so the leakage check above holds for it."""
    cfg, card = TASKS["dates"].config(), committed_dates.card
    settings = ("n_train", "n_valid", "n_test", "split_seed")
    assert {k: card["config"][k] for k in settings} == {k: getattr(cfg, k) for k in settings}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("29-Aug-58", "2058-08-29"),
        ("Aug 29, 69", "1969-08-29"),
        ("03-Dec-99", "1999-12-03"),
        ("June 7 04", "2004-06-07"),
    ],
)
def test_the_committed_dates_model_reads_two_digit_years_by_the_posix_rule(committed_dates, text, iso):
    assert translate_batch(committed_dates, [text]) == [iso]
    assert translate(committed_dates, text, beam=3).output == iso


# The Bible reader --------------------------------------------------------------------------------------------------


def ztext_module(verses: list[str]) -> dict[str, bytes]:
    """A one-testament zText module (as the `ot` files) holding `verses` in two blocks; "" is an empty slot."""
    blocks, index = [b"", b""], []
    for i, verse in enumerate(verses):
        block = i % 2
        data = verse.encode()
        index.append((block, len(blocks[block]), len(data)))
        blocks[block] += data
    bzz, bzs = b"", b""
    for block in blocks:
        compressed = zlib.compress(block)
        bzs += struct.pack("<III", len(bzz), len(compressed), len(block))
        bzz += compressed
    bzv = b"".join(struct.pack("<IIH", b, s, n) for b, s, n in index)
    return {"ot.bzs": bzs, "ot.bzv": bzv, "ot.bzz": bzz, "nt.bzs": b"", "nt.bzv": b"", "nt.bzz": b""}


def test_read_ztext_and_pair_verses():
    english = [
        'In the <w lemma="strong:H7225">beginning</w> God<note type="x">a note</note> created.',
        "",
        "\u00b6 And the earth was <transChange>without</transChange> form.",
        "Jesus wept.",
    ]
    spanish = ['<w lemma="x">EN el principio</w> crió Dios.', "Título", "Y la tierra estaba desordenada.", ""]
    en, es = ztext_module(english), ztext_module(spanish)
    en_verses, es_verses = read_ztext(en.__getitem__), read_ztext(es.__getitem__)
    assert len(en_verses) == 4 and en_verses[1] == ""
    assert plain_verse(en_verses[0]) == "In the beginning God created."
    assert verse_pairs(en_verses, es_verses) == [
        ("In the beginning God created.", "En el principio crió Dios."),
        ("And the earth was without form.", "Y la tierra estaba desordenada."),
    ]
    with pytest.raises(ValueError, match="do not line up"):
        verse_pairs(en_verses, es_verses[:3])


# Pair files ------------------------------------------------------------------------------------------------------


def test_read_pairs_file_in_the_tatoeba_layout(tmp_path):
    path = tmp_path / "spa.txt"
    path.write_text(
        "Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org\nno tab here\n\nHi.\t  Hola.  \n\tempty source\n",
        encoding="utf-8",
    )
    pairs, skipped = read_pairs_file(path)
    assert pairs == [("Go.", "Ve."), ("Hi.", "Hola.")] and skipped == 2
    (tmp_path / "bin").write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(ValueError, match="binary"):
        read_pairs_file(tmp_path / "bin")
    (tmp_path / "none.txt").write_text("just words\n")
    with pytest.raises(ValueError, match="no `source<TAB>target`"):
        read_pairs_file(tmp_path / "none.txt")
    with pytest.raises(ValueError, match="not a file"):
        read_pairs_file(tmp_path / "missing.txt")


def test_read_eval_file_needs_a_header(tmp_path):
    path = tmp_path / "eval.tsv"
    path.write_text("id\tTarget\tSource\n1\t1999-05-03\tMay 3, 1999\n2\t2000-01-01\t\n", encoding="utf-8")
    assert read_eval_file(path) == [("May 3, 1999", "1999-05-03")]
    path.write_text("May 3, 1999\t1999-05-03\n")
    with pytest.raises(ValueError, match="must name `source` and `target`"):
        read_eval_file(path)


def test_split_pairs_keeps_one_target_per_source_and_disjoint_splits():
    pairs = [(f"s{i % 500}", f"t{i}") for i in range(1000)]
    train, valid, test = split_pairs(pairs, 30, 40, seed=0)
    assert (len(train), len(valid), len(test)) == (430, 30, 40)
    sources = [s for s, _ in train + valid + test]
    assert len(sources) == len(set(sources)) == 500


# Tokenisers ------------------------------------------------------------------------------------------------------


def test_char_tokenizer_reserves_specials_and_marks_unknowns():
    tok = CharVocab.build(["may 3", "1999"], SPECIALS)
    ids = tok.encode("may 3")
    assert min(ids) >= 4 and tok.decode(ids) == "may 3"
    assert tok.encode("mäy") == [tok.char_to_index["m"], UNK, tok.char_to_index["y"]] and tok.unknown("mäy!") == [
        "ä",
        "!",
    ]
    assert tok.decode([BOS, *ids, EOS, PAD]) == "may 3"
    assert tok.pieces([BOS, tok.char_to_index["m"], EOS]) == ["<s>", "m", "</s>"]


def test_piece_tokenizer_round_trips_with_the_reserved_ids():
    tok = SentencePieceTokenizer(
        train_sentencepiece(["el gato come pan", "el perro ve el pescado"] * 50, 40, sequence_marks=True)
    )
    assert (tok.processor.pad_id(), tok.processor.unk_id(), tok.processor.bos_id(), tok.processor.eos_id()) == (
        PAD,
        UNK,
        BOS,
        EOS,
    )
    ids = tok.encode("el gato ve el pan")
    assert tok.decode([*ids, EOS]) == "el gato ve el pan"
    assert tok.unknown("el gato 🐈") == ["🐈"]


# The network -----------------------------------------------------------------------------------------------------


def network(attention: str = "bahdanau", cell: str = "gru", seed: int = 0) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(
        Seq2SeqConfig(12, 9, embed_dim=8, hidden_size=10, cell=cell, attention=attention, dropout=0.0)
    ).eval()


@pytest.mark.parametrize("attention", ["bahdanau", "luong", "none"])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_shapes_and_attention_masking(attention, cell):
    model = network(attention, cell)
    source, lengths = pad_batch([[4, 5, 6, 7, 8], [4, 9]])
    memory, state = model.encode(source, lengths)
    assert memory.outputs.shape == (2, 5, 20) and memory.mask.tolist()[1] == [True, True, False, False, False]
    logits, state, weights = model.step(torch.tensor([BOS, BOS]), state, memory)
    assert logits.shape == (2, 9)
    if attention == "none":
        assert weights is None
    else:
        assert weights.shape == (2, 5)
        assert torch.allclose(weights.sum(1), torch.ones(2))
        assert weights[1, 2:].abs().max() == 0  # nothing on the padding
    target_in = torch.tensor([[BOS, 4, 5], [BOS, 6, PAD]])
    assert model(source, lengths, target_in).shape == (2, 3, 9)


@pytest.mark.parametrize("attention", ["bahdanau", "luong", "none"])
def test_a_source_reads_the_same_alone_and_padded_in_a_batch(attention):
    model = network(attention, "lstm")
    target_in = torch.tensor([[BOS, 4, 5]])
    alone = model(*pad_batch([[4, 9]]), target_in)
    batch = model(*pad_batch([[4, 9], [4, 5, 6, 7, 8, 10]]), target_in.repeat(2, 1))
    assert torch.allclose(alone[0], batch[0], atol=1e-6)


def test_config_is_checked():
    with pytest.raises(ValueError, match="attention must be"):
        Seq2SeqConfig(5, 5, attention="dot")
    with pytest.raises(ValueError, match="cell must be"):
        Seq2SeqConfig(5, 5, cell="rnn")
    with pytest.raises(ValueError, match="at least 1"):
        Seq2SeqConfig(5, 5, hidden_size=0)


# Decoding --------------------------------------------------------------------------------------------------------


def test_beam_of_one_is_greedy_and_wider_beams_score_at_least_as_well():
    model = network("luong", seed=3)
    sources = [[4, 5, 6], [7, 8, 9, 10, 11], [6]]
    greedy_hyps = greedy(model, sources, max_len=6)
    for source, g in zip(sources, greedy_hyps, strict=True):
        b1 = beam_search(model, source, beam=1, max_len=6)[0]
        assert b1.tokens == g.tokens and b1.logprob == pytest.approx(g.logprob, abs=1e-5)
        if g.finished:
            assert len(g.attention) == len(g.tokens) and all(len(row) == len(source) for row in g.attention)
        wide = beam_search(model, source, beam=5, max_len=6, n_best=5, alpha=0.0)
        scores = [h.score(0.0) for h in wide]
        assert scores == sorted(scores, reverse=True) and len(wide) == 5
        if g.finished and wide[0].finished:
            assert wide[0].logprob >= g.logprob - 1e-6


def test_beam_search_builds_no_autograd_graph():
    grad_on = []
    with torch.enable_grad():
        beam_search(
            network("luong", seed=3), [4, 5, 6], 3, 6, on_step=lambda _: grad_on.append(torch.is_grad_enabled())
        )
    assert grad_on and not any(grad_on)


class TableDecoder:
    """A toy decoder reading a fixed table: the next token's probabilities given the previous token (tokens not in
    a row get 1e-6; a token without a row ends for certain). The source is ignored."""

    def __init__(self, table: dict[int, dict[int, float]]):
        self.table = table

    def eval(self):
        return self

    def encode(self, source, lengths):
        mask = torch.ones_like(source, dtype=torch.bool)
        return Memory(torch.zeros(1, source.size(1), 2), None, mask, torch.zeros(1, 2)), torch.zeros(1, 1, 1)

    def step(self, previous, state, memory):
        rows = []
        for token in previous.tolist():
            p = torch.full((8,), 1e-6)
            for following, probability in self.table.get(token, {EOS: 1.0}).items():
                p[following] = probability
            rows.append(p.log())
        return torch.stack(rows), state, None


# The greedy first step is a trap: 4 (p .6) leads to a spread-out next step (best .35), 5 (p .4) to a certain end.
# Greedy finds 4 ... (.21); the beam finds 5 </s> (.4).
GARDEN_PATH = {BOS: {4: 0.6, 5: 0.4}, 4: {EOS: 0.3, 6: 0.35, 7: 0.35}}
# The dates model's "jul 31, 1974" -> 1974-07 in small: the likely answer 4 6 </s> (.42) needs a token more than two
# unlikely ones cut short, 5 </s> (.36) and 4 </s> (.18), which fill a beam of 2 first. Stopping once a beam's worth
# had finished returned 5 </s>.
CUT_SHORT = {BOS: {4: 0.6, 5: 0.4}, 4: {6: 0.7, EOS: 0.3}, 5: {EOS: 0.9, 7: 0.1}}


def test_beam_search_escapes_the_garden_path():
    greedy_best = beam_search(TableDecoder(GARDEN_PATH), [4], beam=1, max_len=4, alpha=0.0)[0]
    beam_best = beam_search(TableDecoder(GARDEN_PATH), [4], beam=2, max_len=4, alpha=0.0)[0]
    assert greedy_best.tokens[0] in (4,) and beam_best.tokens == [5, EOS]
    assert beam_best.logprob == pytest.approx(torch.tensor(0.4).log().item(), abs=1e-4)


@pytest.mark.parametrize("alpha", [0.0, LENGTH_ALPHA])
def test_beam_search_waits_for_a_likely_answer_that_finishes_after_unlikely_ones(alpha):
    best = beam_search(TableDecoder(CUT_SHORT), [4], beam=2, max_len=4, alpha=alpha)
    assert [h.tokens for h in best] == [[4, 6, EOS], [5, EOS]] and all(h.finished for h in best)
    assert [math.exp(h.logprob) for h in best] == pytest.approx([0.42, 0.36], abs=1e-4)
    assert beam_search(TableDecoder(CUT_SHORT), [4], beam=2, max_len=4, n_best=1, alpha=alpha)[0].tokens == [4, 6, EOS]


def test_length_penalty_and_hypothesis_output():
    assert length_penalty(1, 0.0) == 1 and length_penalty(7, 1.0) == 2
    hyp = Hypothesis([4, 5, EOS], -2.0, finished=True)
    assert hyp.output == [4, 5] and hyp.score(1.0) == pytest.approx(-2.0 / (8 / 6))
    live = Hypothesis([4, 5], -2.0)  # it can end at 3 to 10 tokens: the bound takes the largest penalty
    assert best_possible_score(live, 10, 0.6) == pytest.approx(-2.0 / length_penalty(10, 0.6))
    assert best_possible_score(live, 10, -0.5) == pytest.approx(-2.0 / length_penalty(3, -0.5))
    assert best_possible_score(live, 10, 0.0) == -2.0
    with pytest.raises(ValueError, match="at least 1"):
        beam_search(network(), [4], beam=0, max_len=3)


# Training end to end ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def numbers_translator(tmp_path_factory):
    """Number words -> digits, learnt from pairs in a file (the user's own pairs), character level."""
    path = write_pairs(tmp_path_factory.mktemp("numbers") / "numbers.tsv", number_pairs(3000))
    cfg = tiny_translate_config("dates", pairs_file=str(path), hidden_size=48, n_valid=200, n_test=200, max_epochs=6)
    data = load_pair_data(cfg)
    return train_translator(cfg, data), data


def test_a_tiny_model_learns_a_toy_mapping(numbers_translator):
    tr, data = numbers_translator
    history = tr.card["history"]["epochs"]
    assert history[-1]["train_loss"] < history[0]["train_loss"] / 3
    assert tr.card["test"]["held-out pairs"]["exact_match"] >= 0.8
    assert translate_batch(tr, ["four two", "nine nine one"]) == ["42", "991"]
    assert tr.card["sizes"]["test"] == {"held-out pairs": len(data.tests["held-out pairs"])}


def test_translate_gives_n_best_and_an_attention_map(numbers_translator):
    tr, _ = numbers_translator
    result = translate(tr, "seven  three", beam=4)  # spaces collapsed
    assert result.output == "73" and len(result.candidates) == 4
    assert [c.text for c in result.candidates][0] == "73"
    assert result.candidates[0].probability > result.candidates[1].probability
    assert result.source_pieces == list("seven three") and result.target_pieces == ["7", "3", "</s>"]
    assert len(result.attention) == 3 and all(len(row) == 11 for row in result.attention)
    assert all(sum(row) == pytest.approx(1, abs=1e-4) for row in result.attention)
    assert max(range(11), key=result.attention[0].__getitem__) < 5  # "7" looks at "seven"


def test_translate_answers_bad_input_clearly(numbers_translator):
    tr, _ = numbers_translator
    for text, message in [("", "Type something"), ("   ", "Type something"), ("x" * 5000, "5,000 characters")]:
        with pytest.raises(TranslateError, match=message):
            translate(tr, text)
    for beam in (0, 500, -1, True):
        with pytest.raises(TranslateError, match=f"from 1 to {MAX_BEAM}"):
            translate(tr, "one two", beam=beam)
    result = translate(tr, "one ж two")
    assert any("'ж'" in note for note in result.notes)


def test_a_date_without_digits_is_refused(tiny_translators):
    with pytest.raises(TranslateError, match="does not look like a date"):
        translate(tiny_translators["dates"], "banana")
    result = translate(tiny_translators["dates"], "May 3rd, 1999", beam=3)
    assert len(result.candidates) == 3 and result.seconds > 0
    assert result.flagged == bool(date_flags(result.output, result.candidates[0].probability))
    old = translate(tiny_translators["dates"], "14 July 1789")
    assert old.flagged and any("1900 to 2099" in note and "1789" in note for note in old.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("August 29", "'August 29' has no year, and the model would make one up"),
        ("29 Aug", "'29 Aug' has no year"),
        ("the 3rd of May", "e.g. 'the 3rd of May 1999'"),
        ("5/3", "e.g. '5/3/1999'"),
        ("3.5.", "e.g. '3.5.1999'"),
        ("May 1999", "'May 1999' has no day"),
        ("20240829", "not a date the model can read"),
    ],
)
def test_a_date_without_a_year_or_a_day_is_refused_by_name(tiny_translators, text, message):
    with pytest.raises(TranslateError, match=re.escape(message)):
        translate(tiny_translators["dates"], text)


def test_whole_dates_pass_the_rules(tiny_translators, generated):
    for text in ("August 29, 2024", "29-Aug-58", "the 3rd of May 1999", "5/3/99", "1999. május 3.", "3.5.1999"):
        result = translate(tiny_translators["dates"], text)
        assert result.candidates and not any("has no" in note for note in result.notes)
    for source, _ in generated + natural_english_pairs(500, seed=1):  # no written-out date is refused
        assert date_input_notes(source, source.lower()) == []


def test_evaluate_dates_and_sentences(tiny_translators, numbers_translator):
    tr, data = numbers_translator
    pairs = data.tests["held-out pairs"][:50]
    report = evaluate(tr, pairs)
    assert set(report) == {"exact_match", "bleu", "chrf", "n"}  # a model of your own pairs: every metric
    assert report["n"] == 50 and report["exact_match"] >= 0.8
    assert evaluate(tr, pairs, beam=3)["exact_match"] >= report["exact_match"] - 0.05
    spanish = evaluate(tiny_translators["en-es"], [("the cat eats bread", "el gato come pan")])
    assert set(spanish) == {"exact_match", "bleu", "chrf", "n"} and 0 <= round(spanish["bleu"], 6) <= 100
    assert spanish["chrf"] > 50  # word for word: the tiny model learns it


def test_a_character_model_of_your_own_pairs_is_not_held_to_the_dates_rules(numbers_translator, tmp_path):
    """`train translate --task dates --pairs FILE` trains characters on your data: none of the date generator's
    limits (an ISO date's 12 tokens, digits required, calendar checks) apply to it, before or after saving."""
    tr, _ = numbers_translator
    save_translator(tmp_path / "numbers", tr)
    for model in (tr, load_translator("dates", tmp_path / "numbers")):
        assert model.source.kind == "chars" and not model.rules.dates and not model.rules.lowercase
        assert model.max_output(30) == 70  # twice the input and ten: long outputs are possible
        assert not translate(model, "seven eight nine").flagged  # no calendar check on "789"
        translate(model, "no digits here")  # a date model would refuse this text


def test_checkpoint_round_trip_and_damage(tmp_path, numbers_translator, tiny_translators):
    tr, _ = numbers_translator
    save_translator(tmp_path / "dates", tr)
    loaded = load_translator("dates", tmp_path / "dates")
    assert translate(loaded, "five six").output == translate(tr, "five six").output
    save_translator(tmp_path / "es", tiny_translators["en-es"])
    es = load_translator("en-es", tmp_path / "es")
    assert es.source.kind == "sentencepiece"
    assert (
        translate(es, "the dog sees the fish").output
        == translate(tiny_translators["en-es"], "the dog sees the fish").output
    )
    with pytest.raises(CheckpointError, match="not 'en-es'"):
        load_translator("en-es", tmp_path / "dates")
    weights = tmp_path / "dates" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(CheckpointError, match="does not match its manifest"):
        load_translator("dates", tmp_path / "dates")


# CLI -------------------------------------------------------------------------------------------------------------


def test_cli_trains_on_your_pairs_and_evaluates(tmp_path, capsys):
    pairs = write_pairs(tmp_path / "numbers.tsv", number_pairs(600, seed=2))
    out = tmp_path / "model"
    code = cli.main(
        [
            "train",
            "translate",
            "--task",
            "dates",
            "--pairs",
            str(pairs),
            "--out",
            str(out),
            "--max-epochs",
            "1",
            "--hidden-size",
            "16",
            "--embed-dim",
            "8",
            "--threads",
            "1",
        ]
    )
    assert code == 0
    trained = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(trained) == {"valid", "test", "stopped"}
    data = tmp_path / "eval.tsv"
    data.write_text("source\ttarget\tnote\none two\t12\tx\nthree\t3\ty\n", encoding="utf-8")
    assert cli.main(["eval", "translate", "--task", "dates", "--data", str(data), "--model", str(out)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["n"] == 2 and 0 <= report["exact_match"] <= 1 and report["beam"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "translate", "--pooling", "max", "--task", "dates"], "unrecognized arguments: --pooling max"),
        (["train", "translate"], "required: --task"),
        (["train", "sentiment", "--attention", "none"], "unrecognized arguments: --attention none"),
        (["eval", "translate", "--task", "dates"], "required: --data"),
        (["train", "translate", "--task", "fr-de"], "invalid choice: 'fr-de'"),
    ],
)
def test_cli_refuses_what_does_not_apply(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_without_the_debian_packages_en_es_says_why_and_dates_still_work(monkeypatch, tmp_path):
    from textlab.data import sources
    from textlab.data.sources import SourceError

    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path / "empty-cache"))

    def no_apt(cmd, cwd):
        raise SourceError("`apt-get` is not installed")

    monkeypatch.setattr(sources, "_run", no_apt)
    with pytest.raises(SourceError, match="sword-text-kjv and sword-text-sparv.*--pairs FILE"):
        load_pair_data(tiny_translate_config("en-es"))
    data = load_pair_data(tiny_translate_config("dates", n_train=200, n_valid=20, n_test=20))
    assert len(data.train) == 200 and set(data.tests) == {"generated test", "natural English forms"}
