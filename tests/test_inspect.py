"""Look inside: the text as the model reads it, the surprisal strip against `eval chat`, the recomputed gates against
nn.LSTM, the unit finder on a hand-built LSTM, and the gradient against finite differences."""

from __future__ import annotations

import json
import re

import gradio as gr
import numpy as np
import pytest
import torch

from textlab.chat import CAPABILITY, EvalOptions
from textlab.chat.model import load_chat_model
from textlab.inspect import (
    PROPERTIES,
    drivers,
    find_span,
    find_units,
    lstm_states,
    property_values,
    read_text,
    regex_property,
    span_units,
    span_values,
    trace,
)
from textlab.inspect.drivers import embedding_gradient, log_prob_of
from textlab.networks.char_lm import CharLM, CharLMConfig
from textlab.text.chars import CharVocab
from textlab.ui import inspect_tab

from .conftest import REPO
from .test_handlers import ready


@pytest.fixture(scope="module")
def committed_chat():
    return load_chat_model(REPO / "models" / "chat")


def test_a_transcript_is_read_as_eval_chat_reads_it(tiny_chat):
    reading = read_text("Scene: The flat.\nSheldon (off): (sighs) Hi.\nPenny: Hey guys.\n", tiny_chat.vocab)
    assert reading.transcript and reading.text == "Sheldon: Hi.\nPenny: Hey guys.\n" and reading.dropped == 1
    assert reading.ids == tiny_chat.vocab.encode("\n" + reading.text)
    plain = read_text("Hi Penny.\nBazinga!\n\u2603", tiny_chat.vocab)
    assert not plain.transcript and plain.text == "Hi Penny.\nBazinga!"
    with pytest.raises(ValueError, match="at most 10 characters"):
        read_text("x" * 11, tiny_chat.vocab, max_chars=10)
    with pytest.raises(ValueError, match="paste some text"):
        read_text(" \n", tiny_chat.vocab)
    # a model trained on a text without line breaks (Train your own) reads from after a space
    unbroken = CharVocab(tuple(" aceht"))
    assert read_text("the cat", unbroken).ids == unbroken.encode(" the cat")


@pytest.mark.parametrize("which", ["tiny", "committed"])
def test_mean_surprisal_is_what_eval_chat_reports(which, tiny_chat, committed_chat, corpus_dir, tmp_path):
    chat = tiny_chat if which == "tiny" else committed_chat
    text = (corpus_dir / "1_3.txt").read_text(encoding="utf-8")[:1500]
    path = tmp_path / "episode.txt"
    path.write_text(text, encoding="utf-8")
    reported = CAPABILITY.evaluate(chat, EvalOptions(text=path))["all_bits_per_char"]
    tr = trace(chat.network, read_text(text, chat.vocab))
    assert abs(tr.bits_per_char - reported) < 1e-4
    ids, probs = tr.top(5)
    assert ids.shape == (len(tr.reading.text), 5) and np.all(np.diff(probs, axis=1) <= 0)
    assert np.allclose(np.exp(tr.log_probs).sum(axis=1), 1, atol=1e-4)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_recomputed_gates_give_nn_lstm_hidden_and_cell_states(num_layers):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(5, 7, num_layers, batch_first=True).double().eval()
    x = torch.randn(12, 5, dtype=torch.float64)
    with torch.no_grad():
        layers = lstm_states(lstm, x)
    state = None
    for t in range(12):  # nn.LSTM one step at a time: (h, c) of every layer after step t
        _, state = lstm(x[None, t : t + 1], state)
        for layer in range(num_layers):
            torch.testing.assert_close(layers[layer]["hidden"][t], state[0][layer, 0])
            torch.testing.assert_close(layers[layer]["cell"][t], state[1][layer, 0])
    for found in layers:  # h = o * tanh(c), and the gates are sigmoids
        torch.testing.assert_close(found["hidden"], found["output"] * torch.tanh(found["cell"]))
        assert all(0 <= float(found[g].min()) and float(found[g].max()) <= 1 for g in ("input", "forget", "output"))


def quote_tracker() -> tuple[CharLM, CharVocab]:
    """One LSTM cell that flips at every double quote and holds otherwise: +1 inside quotes, 0 or -1 outside."""
    vocab = CharVocab(tuple(sorted('\n "abc')))
    network = CharLM(CharLMConfig(len(vocab), embed_dim=1, hidden_size=1, num_layers=1, dropout=0.0)).eval()
    k = 20.0
    with torch.no_grad():
        network.embed.weight.zero_()
        network.embed.weight[vocab.char_to_index['"'], 0] = 1.0  # the input says "a quote" or nothing
        lstm = network.lstm
        lstm.weight_ih_l0.copy_(torch.tensor([[2 * k], [-2 * k], [0.0], [0.0]]))  # gates i, f, g, o
        lstm.weight_hh_l0.copy_(torch.tensor([[0.0], [0.0], [-k], [0.0]]))  # g: open if h was not inside
        lstm.bias_ih_l0.copy_(torch.tensor([-k, k, 0.38 * k, k]))  # a quote writes, anything else keeps
        lstm.bias_hh_l0.zero_()
    return network, vocab


def test_the_finder_finds_a_cell_that_tracks_quotes():
    network, vocab = quote_tracker()
    text = 'ab "abc" a b "c a" bb\nc "a" b "bca"\n'
    tr = trace(network, read_text(text, vocab))
    inside = property_values("in_quotes", tr.reading.text)
    assert np.all(tr.unit(1, "cell", 0)[inside] > 0.9) and np.all(tr.unit(1, "cell", 0)[~inside] < 0.1)
    best = find_units(tr, "in_quotes", top=10)
    assert best[0].score == 1.0 and best[0].measure == "auc"
    assert any((s.state, s.score) == ("cell", 1.0) for s in best)


def test_a_span_inside_quotes_ranks_the_quote_cell_first():
    network, vocab = quote_tracker()
    text = 'ab ba "abc" cab bc\nabc c ab\n'  # the span: the first abc, the quoted one
    tr = trace(network, read_text(text, vocab))
    start, end = find_span(tr.reading.text, "abc")
    assert (start, end) == (7, 10)
    best = span_units(tr, start, end)
    # h = o * tanh(c) with the output gate open ranks as the cell does: the quote unit first, its gates after
    assert {(s.layer, s.state, s.unit) for s in best[:2]} == {(1, "cell", 0), (1, "hidden", 0)}
    assert best[0].score == best[1].score > 0.95 and all(s.strength < 0.2 for s in best[2:])
    assert find_units(tr, None, "abc")[0].score < best[0].score  # both abc, one outside quotes


def test_a_span_is_checked():
    text = 'Amy: Is it "2 pm"?'
    assert span_values(text, 11, 16).nonzero()[0].tolist() == list(range(11, 16))
    for (start, end), message in [
        ((5, 5), "from character 6 to 5 is empty; choose one within characters 1 to 18"),
        ((10, 40), "from character 11 to 40 is outside the text"),
        ((-1, 3), "outside the text"),
        ((0, len(text)), "the span is the whole text"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            span_values(text, start, end)
    with pytest.raises(ValueError, match="mark a span"):
        find_span(text, "")
    with pytest.raises(ValueError, match="'Sheldon' is not in the text as the model reads it"):
        find_span(text, "Sheldon")


def test_properties_of_each_character():
    text = 'Amy: Is it "2 pm"? (yes) ok\nRaj: no'
    values = {name: property_values(name, text) for name in PROPERTIES}
    at = {name: "".join(c for c, v in zip(text, values[name], strict=True) if v) for name in PROPERTIES}
    assert at["speaker_tag"] == "Amy:Raj:"
    assert at["in_quotes"] == '"2 pm'
    assert at["in_parentheses"] == "(yes"
    assert at["after_question"] == " (yes) ok\n"
    assert at["word_start"] == "AIi2pyoRn"
    assert at["upper_case"] == "AIR" and at["digit"] == "2"
    assert values["line_position"][[0, 4, 27, 28]].tolist() == [0, 4, 27, 0]
    assert "".join(c for c, v in zip(text, regex_property(r"\bit\b", text), strict=True) if v) == "it"
    for pattern, message in [("(", "not a regular expression"), ("(a+)+b", "repeats a group"), ("", "type a")]:
        with pytest.raises(ValueError, match=message):
            regex_property(pattern, text)
    with pytest.raises(ValueError, match="unknown property 'vowels'"):
        property_values("vowels", text)


def test_a_property_that_does_not_vary_is_refused(tiny_chat):
    tr = trace(tiny_chat.network, read_text("Sheldon: Bazinga!\n", tiny_chat.vocab))
    with pytest.raises(ValueError, match="no character of the text has this property"):
        find_units(tr, "digit")


def test_gradient_norms_match_finite_differences():
    torch.manual_seed(0)
    network = CharLM(CharLMConfig(6, embed_dim=3, hidden_size=5, num_layers=2, dropout=0.0)).double().eval()
    ids = torch.tensor([0, 3, 1, 5, 2, 4, 1])
    log_prob, grad = embedding_gradient(network, ids)
    x = network.embed(ids[:-1]).detach()
    numeric, eps = torch.zeros_like(x), 1e-6
    with torch.no_grad():
        for j in range(x.shape[0]):
            for e in range(x.shape[1]):
                up, down = x.clone(), x.clone()
                up[j, e] += eps
                down[j, e] -= eps
                numeric[j, e] = (log_prob_of(network, up, ids[-1]) - log_prob_of(network, down, ids[-1])) / (2 * eps)
        assert abs(log_prob - float(log_prob_of(network, x, ids[-1]))) < 1e-12
    torch.testing.assert_close(grad, numeric, rtol=1e-5, atol=1e-8)
    assert not any(p.grad is not None for p in network.parameters())  # the shared model's gradients untouched


def test_drivers_of_a_prediction(tiny_chat):
    reading = read_text("Sheldon: Bazinga!\nPenny: Hey guys.\n", tiny_chat.vocab)
    found = drivers(tiny_chat.network, reading, 20)
    assert found.norms.shape == (20,) and np.all(found.norms >= 0) and found.log_prob < 0
    with pytest.raises(ValueError, match="choose 0 to"):
        drivers(tiny_chat.network, reading, len(reading.text))


def test_the_tab_handlers(tiny_chat):
    slot = ready(tiny_chat)
    text = "Penny: Hey guys.\nSheldon: Bazinga! Hi Penny.\n"
    mean, notes, strip = inspect_tab.show_surprisal(slot, text)
    assert strip.count("data-tip=") == len(text) and "top 5" in strip and f"{mean:.3f}" in notes
    unit_strip, plot = inspect_tab.show_unit(slot, text, 1, "forget", 3)
    assert unit_strip.count("<span data-k=") == len(text) and plot.startswith("<svg")
    rows, strips = inspect_tab.find_best_units(slot, text, "upper_case", "")
    assert len(rows) == 10 and strips.count("<h4>") == inspect_tab.SHOWN_UNITS
    rows, _ = inspect_tab.find_best_units(slot, text, inspect_tab.REGEX, "Penny")
    assert rows[0][4] != 0.5
    rows, strips = inspect_tab.find_span_units(slot, text, "Bazinga!")
    assert len(rows) == 10 and strips.count("<h4>") == inspect_tab.SHOWN_UNITS
    assert strips.count('class="tl-p"') == inspect_tab.SHOWN_UNITS * len("Bazinga!") and "27 to 34 of" in strips
    notes, strip = inspect_tab.show_drivers(slot, text, 10)
    assert "at character 10 of" in notes and 'class="tl-t"' in strip
    for call, message in [
        (lambda: inspect_tab.show_unit(slot, text, 3, "cell", 0), "no layer 3"),
        (lambda: inspect_tab.show_unit(slot, text, 1, "cell", 999), "unit 999 does not exist"),
        (lambda: inspect_tab.show_drivers(slot, text, 999), "outside the text"),
        (lambda: inspect_tab.find_best_units(slot, text, inspect_tab.REGEX, "("), "not a regular expression"),
        (lambda: inspect_tab.find_span_units(slot, text, ""), "mark a span"),
        (lambda: inspect_tab.find_span_units(slot, text, "Howard"), "not in the text"),
        (lambda: inspect_tab.show_surprisal(slot, "x" * (inspect_tab.INSPECT_CHARS + 1)), "at most 2,000"),
    ]:
        with pytest.raises(gr.Error, match=message):
            call()


def test_inspect_command_prints_bits_and_best_units_as_json_last(models_dir, corpus_dir, capsys):
    from textlab import cli

    path = corpus_dir / "1_4.txt"
    assert cli.main(["eval", "chat", "--text", str(path), "--model", str(models_dir / "chat")]) == 0
    reported = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["all_bits_per_char"]
    assert cli.main(["inspect", "chat", "--text", str(path), "--model", str(models_dir / "chat")]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert abs(report["bits_per_char"] - reported) < 1e-6 and report["transcript"]
    units = {row["property"]: row for row in report["units"]}
    assert set(units) == set(PROPERTIES)
    assert units["digit"]["unit"] is None and "no character" in units["digit"]["note"]  # the corpus has no digits
    assert units["upper_case"]["layer"] == 1 and 0 <= units["upper_case"]["auc"] <= 1
    assert units["line_position"]["measure"] == "correlation"


def test_forced_start_what_if_on_the_translator(tiny_translators):
    from textlab.decoding import greedy
    from textlab.inspect.whatif import forced_decode

    tr = tiny_translators["dates"]
    text = "3 May 1999"
    free = forced_decode(tr, text)
    (hyp,) = greedy(tr.network, [tr.encode(text)], tr.max_output(len(tr.encode(text))))
    assert free.output == tr.target.decode(hyp.output) and abs(free.log_prob - hyp.logprob) < 1e-4
    assert not any(s.forced for s in free.steps)
    made = forced_decode(tr, text, "18")
    assert made.output.startswith("18") and [s.forced for s in made.steps[:3]] == [True, True, False]
    assert all(0 <= s.probability <= 1 and len(s.alternatives) == 3 for s in made.steps)
    assert made.log_prob <= free.log_prob + 1e-6  # greedy's first steps are each the likeliest
    with pytest.raises(ValueError, match="never writes"):
        forced_decode(tr, text, "\u00e9")
    assert len(made.attention) == len(made.steps) and made.source_pieces == tr.source.pieces(tr.encode(text))
    assert all(len(row) == len(made.source_pieces) and abs(sum(row) - 1) < 1e-4 for row in made.attention)
    slots = {"dates": ready(tr)}
    notes, rows, svg = inspect_tab.translate_what_if(slots, text, "dates", "18")
    assert "Left alone" in notes and rows[0][3] is True and rows[0][1] == "1"
    assert svg.startswith("<svg") and 'aria-label="attention map"' in svg
    assert svg.count("<rect") == len(made.source_pieces) * len(made.steps)  # source tokens x output tokens
    labels = re.findall(r'text-anchor="end" fill="currentColor">([^<]*)</text>', svg)  # one per row, top down
    assert labels[:2] == ["1", "8"] and len(labels) == len(made.steps)
    with pytest.raises(gr.Error, match="Unknown task 'klingon'"):
        inspect_tab.translate_what_if(slots, text, "klingon", "")


@pytest.mark.parametrize(("task", "text"), [("dates", "3 May 1999"), ("en-es", "the king sees the dog")])
def test_the_beam_tree_finds_what_beam_search_returns(tiny_translators, task, text):
    from textlab.decoding import beam_search
    from textlab.inspect.beams import beam_tree

    tr = tiny_translators[task]
    source = tr.encode(text)
    for beam in (1, 3):
        nodes, finished = beam_tree(tr, text, beam)
        returned = beam_search(tr.network, source, beam, tr.max_output(len(source)))
        assert [h.tokens for h in finished] == [h.tokens for h in returned if h.finished]
        assert all(-1 <= n.parent < n.id and n.step >= 1 for n in nodes)
        best = [n for n in nodes if n.status == "best"]
        assert [n.step for n in best] == list(range(1, len(best) + 1)) and best[-1].piece == "</s>"
        assert [n.piece for n in best] == tr.target.pieces(finished[0].tokens)  # the path is the best output
        assert all(best[k].parent == best[k - 1].id for k in range(1, len(best)))
        assert len({n.step for n in nodes}) == max(n.step for n in nodes)
        for step in {n.step for n in nodes}:
            looked = [n for n in nodes if n.step == step]
            alive = [n for n in looked if n.status == "kept" or (n.status == "best" and n.piece != "</s>")]
            assert len(looked) <= 2 * beam and len(alive) <= beam
    svg = inspect_tab.show_beam_tree({task: ready(tr)}, text, task, 3)
    assert svg.startswith("<svg") and svg.count("<line") == len(nodes)
