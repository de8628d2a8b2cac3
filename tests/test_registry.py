"""Tasks are registry entries: a new classifier or translation task is one entry (and its data), and the command
line, the app and its slots pick it up. Also the fixes that came with one shape for every capability."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from textlab import cli
from textlab.capabilities import capabilities, find_task
from textlab.checkpoints import CheckpointError
from textlab.classify import tasks as classify_tasks
from textlab.classify.tasks import ClassifyTask
from textlab.data import labelled
from textlab.data.labelled import Dataset, LabelledSplits
from textlab.data.sources import SourceError
from textlab.loading import ModelSlot
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.training import train_word_vectors
from textlab.translate import tasks as translate_tasks
from textlab.translate.data import PairData
from textlab.translate.model import load_translator, translate
from textlab.translate.tasks import Rules, TranslateTask
from textlab.ui.app import build_app

from .conftest import labelled_examples, planted_sentences

TOY_TOPICS = {"cooking": ["recipe", "oven", "flour"], "sailing": ["boat", "wind", "harbour"]}


def toy_splits(seed: int) -> LabelledSplits:
    return LabelledSplits(
        "toy-topics",
        list(TOY_TOPICS),
        labelled_examples(TOY_TOPICS, 300, seed),
        labelled_examples(TOY_TOPICS, 40, seed + 1),
        labelled_examples(TOY_TOPICS, 60, seed + 2),
        "written by the test",
    )


@pytest.fixture
def toy_classifier_task(monkeypatch):
    """A fourth classifier task: its dataset and its task, one entry each; nothing else is edited."""
    monkeypatch.setitem(labelled.DATASETS, "toy-topics", Dataset("toy-topics", "Toy topics", toy_splits))
    task = ClassifyTask(
        "toy",
        "Toy topics",
        "toy",
        "cooking or sailing?",
        ("toy-topics",),
        {"vocab_size": 60, "max_tokens": 32, "embed_dim": 16, "hidden_size": 16, "letters_only": True},
    )
    monkeypatch.setitem(classify_tasks.TASKS, "toy", task)
    return task


def test_a_new_classifier_task_is_one_registry_entry(toy_classifier_task, tmp_path, capsys):
    out = tmp_path / "toy"
    assert cli.main(["train", "toy", "--max-epochs", "4", "--lr", "0.01", "--out", str(out), "--threads", "1"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["test"]["toy-topics"]["accuracy"] > 0.9
    capability, task = find_task("toy")
    model = capability.load(task, out)
    assert model.labels == ["cooking", "sailing"] and model.card["title"] == "Toy topics"
    assert "Toy topics test split" in capability.card(model)
    data = tmp_path / "eval.csv"
    data.write_text("text,label\nthe recipe needs flour,cooking\nthe boat left the harbour,sailing\n")
    assert cli.main(["eval", "toy", "--model", str(out), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["accuracy"] == 1.0


def test_the_app_offers_a_new_task_without_an_edit_to_the_tab(toy_classifier_task):
    slots = {task: idle_slot(task) for c in capabilities() for task in c.tasks}
    demo = build_app(slots)
    radios = [b for b in demo.blocks.values() if isinstance(b, gr.Radio) and b.label == "Model"]
    assert ("Toy topics", "toy") in radios[0].choices


def test_a_new_translation_task_is_one_registry_entry(monkeypatch, tmp_path, capsys):
    def spelled(cfg):
        words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        pairs = [(" ".join(words[int(d)] for d in f"{n:03d}"), f"{n:03d}") for n in range(1000)]
        return PairData(pairs[:900], pairs[900:950], {"held out": pairs[950:]}, "spelled digits")

    task = TranslateTask(
        "spelled",
        "Spelled digits",
        "translate-spelled",
        "number words -> digits",
        Rules("chars", max_chars=200, max_output_tokens=5, metrics=("exact_match",)),
        spelled,
        {"embed_dim": 16, "hidden_size": 32, "dropout": 0.0},
    )
    monkeypatch.setitem(translate_tasks.TASKS, "spelled", task)
    out = tmp_path / "spelled"
    argv = ["train", "translate", "--task", "spelled", "--max-epochs", "8", "--lr", "0.01", "--out", str(out)]
    assert cli.main([*argv, "--threads", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test"]["held out"]["exact_match"] > 0.5
    model = load_translator("spelled", out)
    assert model.rules == task.rules and model.max_output(40) == 5
    assert len(translate(model, "four two one", beam=3).target_pieces) <= 5  # the entry's own output limit


def idle_slot(name: str) -> ModelSlot:
    return ModelSlot(name, lambda: None, lambda progress: None, lambda model: None)


def test_every_tab_stops_polling_once_its_models_failed():
    """A fix made in one tab's status timer used to miss the others: the chat tab polled forever after a failed
    load. Every tab now polls through one helper that stops once its models have settled."""

    def unusable():
        raise CheckpointError("no checkpoint")

    def no_data(progress):
        raise SourceError("offline")

    slots = {}
    for c in capabilities():
        for name in c.tasks:
            slots[name] = ModelSlot(name, unusable, no_data, lambda model: None).start()
    for slot in slots.values():
        assert slot.wait(10).state == "failed"
    demo = build_app(slots)
    ticks = [f for f in demo.fns.values() if any(isinstance(demo.blocks.get(t[0]), gr.Timer) for t in f.targets)]
    assert len(ticks) >= 4  # chat, classify, neighbours, translate
    for tick in ticks:
        values = [getattr(demo.blocks[i], "value", None) for i in (b._id for b in tick.inputs)]
        timer = tick.fn(*values)[-1]
        assert isinstance(timer, gr.Timer) and timer.active is False


def test_train_chat_takes_its_own_dropout(corpus_dir, tmp_path, capsys):
    """`train chat --dropout` was refused as "applies to the classifiers" although the chat model has dropout."""
    out = tmp_path / "chat"
    argv = [
        "train",
        "chat",
        "--quick",
        "--corpus",
        str(corpus_dir),
        "--out",
        str(out),
        "--threads",
        "1",
        "--hidden-size",
        "16",
        "--layers",
        "2",
        "--dropout",
        "0.3",
        "--max-epochs",
        "1",
        "--batch-size",
        "8",
    ]
    assert cli.main(argv) == 0
    capability, task = find_task("chat")
    chat = capability.load(task, out)
    assert chat.network.config.dropout == 0.3 and chat.card["config"]["dropout"] == 0.3


def test_the_train_budget_also_bounds_the_word_vectors(monkeypatch):
    monkeypatch.setenv("TEXTLAB_TRAIN_BUDGET", "7")
    assert NeighboursConfig().quick().time_budget_s == 7
    cfg = NeighboursConfig(vector_size=8, subword_dims=0, min_count=1, epochs=50, workers=1, time_budget_s=0.0)
    wv = train_word_vectors(cfg, planted_sentences(300), ["planted"])
    assert wv.card["epochs"] == [1]  # stopped after the first pass: its budget was spent


def test_every_card_says_when_and_where_it_was_trained(tiny_chat, tiny_classifiers, tiny_vectors, tiny_translators):
    for model in (tiny_chat, *tiny_classifiers.values(), tiny_vectors, *tiny_translators.values()):
        assert {"trained", "trained_on"} <= set(model.card) and "created" not in model.card
        assert "torch" in model.card["trained_on"]


def test_find_task_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown task 'sentimnet'; choose one of chat, listener, sentiment, news"):
        find_task("sentimnet")


def test_registry_configs_are_fresh_copies():
    """A caller changing a configuration (the benchmarks set time budgets) never changes the registry's."""
    task = translate_tasks.TASKS["en-es"]
    first = task.config()
    first.train.time_budget_s = 1.0
    assert task.config().train.time_budget_s is None
