"""Shared fixtures: a small sitcom corpus and labelled texts the tests write, tiny models trained on them, and a
running app serving those models."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import torch

from textlab.chat.config import ChatConfig
from textlab.chat.model import save_chat_model
from textlab.chat.training import train_chat
from textlab.classify.config import ClassifyConfig
from textlab.classify.model import save_classifier
from textlab.classify.training import TaskData, train_classifier
from textlab.data.dialogue import Utterance
from textlab.data.labelled import Example
from textlab.data.sitcoms import load_dialogue
from textlab.listener.config import ListenerConfig
from textlab.listener.model import save_listener
from textlab.listener.training import train_listener
from textlab.neighbours.config import NeighboursConfig
from textlab.neighbours.training import train_word_vectors
from textlab.neighbours.vectors import save_word_vectors
from textlab.training import TrainConfig
from textlab.translate.config import TranslateConfig
from textlab.translate.model import save_translator
from textlab.translate.training import load_pair_data, train_translator

from .browsing import CHROMIUM

REPO = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)  # the tests' models are tiny: one thread is faster and leaves a core for the app

SHELDON = ["Bazinga!", "That is my spot.", "I am not crazy, my mother had me tested.", "Knock knock knock, Penny."]
PENNY = ["Hey guys.", "Sheldon, move over.", "Whatever, I am getting a drink."]
LEONARD = ["Sheldon, please.", "We are going to the comic book store.", "Hi Penny."]


def write_corpus(folder: Path, episodes: int = 20, lines: int = 40, seed: int = 0) -> Path:
    """A tiny sitcom in the TBBT layout: `Speaker: line`, scene headings, stage directions, typographic quotes."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for e in range(1, episodes + 1):
        out = ["Scene: The apartment."]
        for i in range(lines):
            who = ("Sheldon", SHELDON) if i % 2 else rng.choice([("Penny", PENNY), ("Leonard", LEONARD)])
            text = rng.choice(who[1]).replace("'", "\u2019")
            out.append(f"{who[0]}: {text}" if rng.random() > 0.1 else f"{who[0]} (off): (sighs) {text}")
        out.append("(They all sit down.)")
        (folder / f"1_{e}.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def tiny_config(**overrides) -> ChatConfig:
    train = TrainConfig(lr=1e-2, max_epochs=overrides.pop("max_epochs", 8), patience=3)
    base = dict(
        embed_dim=16,
        hidden_size=48,
        num_layers=1,
        dropout=0.0,
        seq_len=64,
        batch_size=16,
        n_valid_episodes=2,
        n_test_episodes=2,
        train=train,
    )
    return ChatConfig(**{**base, **overrides})


# Labelled texts: filler words with two keywords of their class planted in them.
KEYWORDS = {
    "sentiment": {
        "negative": ["awful", "terrible", "boring", "dreadful"],
        "positive": ["wonderful", "superb", "brilliant", "delightful"],
    },
    "news": {
        "comp.graphics": ["pixels", "render", "polygons"],
        "rec.sport.hockey": ["goalie", "puck", "playoffs"],
        "sci.space": ["orbit", "nasa", "shuttle"],
    },
    "reuters": {
        "acq": ["acquire", "merger", "takeover"],
        "crude": ["oil", "barrels", "opec"],
        "earn": ["dividend", "profit", "shr"],
    },
}
FILLER = "the a this that film movie story plot actors it was is and of to in with for on report said".split()


def labelled_examples(keywords: dict[str, list[str]], n: int, seed: int = 0) -> list[Example]:
    rng = random.Random(seed)
    labels = list(keywords)
    examples = []
    for i in range(n):
        label = i % len(labels)
        words = [rng.choice(FILLER) for _ in range(rng.randint(6, 16))]
        for _ in range(2):
            words.insert(rng.randrange(len(words) + 1), rng.choice(keywords[labels[label]]))
        examples.append(Example(" ".join(words).capitalize() + ".", label))
    return examples


def tiny_task_data(task: str) -> TaskData:
    keywords = KEYWORDS[task]
    return TaskData(
        list(keywords),
        labelled_examples(keywords, 400, 1),
        labelled_examples(keywords, 60, 2),
        {"synthetic": labelled_examples(keywords, 90, 3)},
        ["written by the tests"],
    )


def tiny_classify_config(task: str, **overrides) -> ClassifyConfig:
    train = TrainConfig(lr=1e-2, max_epochs=overrides.pop("max_epochs", 6), patience=3)
    base = dict(
        task=task,
        datasets=("synthetic",),
        letters_only=task != "sentiment",
        vocab_size=100,
        max_tokens=32,
        embed_dim=16,
        hidden_size=16,
        dropout=0.0,
        batch_size=16,
        train=train,
    )
    return ClassifyConfig(**{**base, **overrides})


@pytest.fixture(scope="session")
def tiny_classifiers():
    """A tiny classifier per task, trained on labelled texts the tests write (a few seconds each)."""
    return {task: train_classifier(tiny_classify_config(task), tiny_task_data(task)) for task in KEYWORDS}


# Word vectors: sentences that each stay on one topic; "star trek" always comes as a pair, so it becomes a phrase.
TOPICS = {
    "physics": ["quantum", "particle", "electron", "photon", "neutrino", "universe", "physics"],
    "food": ["pizza", "burger", "cheese", "noodles", "salad", "dinner"],
    "friends": ["penny", "leonard", "sheldon", "bazinga", "spock", "brain", "amy"],
}


def planted_sentences(n: int = 3000, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    sentences = []
    for i in range(n):
        topic = list(TOPICS)[i % len(TOPICS)]
        words = [rng.choice(TOPICS[topic]) for _ in range(8)]
        if rng.random() < 0.3:
            words[rng.randrange(8) : 0] = ["star", "trek"]
        sentences.append(words)
    return sentences


@pytest.fixture(scope="session")
def tiny_vectors():
    """word2vec on the planted sentences (about a second); the fastText part is tested on its own."""
    cfg = NeighboursConfig(
        vector_size=16, subword_dims=0, min_count=1, epochs=10, workers=1, phrase_min_count=5, sample=0.0
    )
    return train_word_vectors(cfg, planted_sentences(), ["planted by the tests"])


# Translation: number words -> digits (a toy mapping to learn), and word-for-word toy Spanish.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LEXICON = {
    "the": "el",
    "cat": "gato",
    "dog": "perro",
    "eats": "come",
    "sees": "ve",
    "bread": "pan",
    "fish": "pescado",
    "man": "hombre",
    "king": "rey",
    "has": "tiene",
}


def number_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    digits = ["".join(rng.choice("0123456789") for _ in range(rng.randint(2, 4))) for _ in range(n)]
    return [(" ".join(NUMBER_WORDS[int(d)] for d in number), number) for number in digits]


def toy_spanish_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    words = list(LEXICON)
    pairs = []
    for _ in range(n):
        sentence = [rng.choice(words) for _ in range(rng.randint(2, 5))]
        pairs.append((" ".join(sentence), " ".join(LEXICON[w] for w in sentence)))
    return pairs


def write_pairs(path: Path, pairs: list[tuple[str, str]]) -> Path:
    """The Tatoeba layout: source, target, attribution."""
    path.write_text("".join(f"{s}\t{t}\tCC-BY 2.0 (France) test\n" for s, t in pairs), encoding="utf-8")
    return path


def tiny_translate_config(task: str, **overrides) -> TranslateConfig:
    base = dict(
        embed_dim=16,
        hidden_size=32,
        dropout=0.0,
        batch_size=32,
        n_train=1500,
        n_valid=100,
        n_test=100,
        vocab_size=60,
        train=TrainConfig(lr=1e-2, max_epochs=overrides.pop("max_epochs", 3), patience=2),
    )
    return TranslateConfig(task, **{**base, **overrides})


@pytest.fixture(scope="session")
def tiny_translators(tmp_path_factory):
    """A dates translator trained briefly on generated dates, and an en-es one on toy Spanish (seconds each)."""
    folder = tmp_path_factory.mktemp("pairs")
    spanish = tiny_translate_config(
        "en-es", pairs_file=str(write_pairs(folder / "es.tsv", toy_spanish_pairs(2000))), hidden_size=48, max_epochs=6
    )
    return {
        task: train_translator(cfg, load_pair_data(cfg))
        for task, cfg in (("dates", tiny_translate_config("dates")), ("en-es", spanish))
    }


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def tiny_chat(corpus_dir):
    """A one-layer LSTM trained for a few epochs on the test corpus (a few seconds)."""
    return train_chat(tiny_config(), load_dialogue(corpus_dir))


# Listening: every reply shares a word with the line it answers, and the words come in topics.
ASKED = ["{} or {}?", "Tell me about the {}. And the {}.", "Is the {} better than the {}?", "I found a {} near the {}."]
ANSWERED = ["The {} is {}.", "{}! Always {}.", "Never mention the {} near my {}.", "Obviously the {} wins over {}."]


THINGS = [
    f"{a}{b}"
    for a in ("quar", "zen", "plo", "mib", "tor", "vex", "dun", "kal")
    for b in ("ko", "ix", "um", "ar", "el", "op")
]


def talk_lines(episodes: int = 30, exchanges: int = 30, seed: int = 0) -> list[Utterance]:
    """Episodes of Penny or Leonard asking about two things and Sheldon answering with one of them."""
    rng, lines = random.Random(seed), []
    for e in range(episodes):
        for _ in range(exchanges):
            words = rng.sample(THINGS, 3)
            asker = rng.choice(["Penny", "Leonard"])
            lines.append(Utterance(f"talk_{e}", asker, rng.choice(ASKED).format(words[0], words[1])))
            lines.append(
                Utterance(f"talk_{e}", "Sheldon", rng.choice(ANSWERED).format(words[rng.randrange(2)], words[2]))
            )
    return lines


def tiny_listener_config(**overrides) -> ListenerConfig:
    train = TrainConfig(lr=1e-2, max_epochs=overrides.pop("max_epochs", 8), patience=8)
    base = dict(
        turns=1,
        vocab_size=200,
        embed_dim=16,
        embeddings="random",
        hidden_size=16,
        out_dim=16,
        dropout=0.0,
        temperature=0.1,
        batch_size=32,
        train=train,
    )
    return ListenerConfig(**{**base, **overrides})


@pytest.fixture(scope="session")
def tiny_listener():
    """A small dual encoder trained on the talk episodes (about 10 s); two episodes each for validation and test."""
    lines = talk_lines()
    held = {"valid": {"talk_26", "talk_27"}, "test": {"talk_28", "talk_29"}}
    train = [u for u in lines if u.episode not in held["valid"] | held["test"]]
    valid, test = ([u for u in lines if u.episode in held[name]] for name in ("valid", "test"))
    return train_listener(tiny_listener_config(), train, valid, test)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory, tiny_chat, tiny_listener, tiny_classifiers, tiny_vectors, tiny_translators) -> Path:
    folder = tmp_path_factory.mktemp("models")
    save_chat_model(folder / "chat", tiny_chat)
    save_listener(folder / "listener", tiny_listener)
    save_word_vectors(folder / "neighbours", tiny_vectors)
    save_word_vectors(folder / "show-vectors", tiny_vectors)
    for task, clf in tiny_classifiers.items():
        save_classifier(folder / task, clf)
    for task, tr in tiny_translators.items():
        save_translator(folder / f"translate-{task}", tr)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


APP_PIDS: dict[str, int] = {}  # the process of each app `start_app` serves, by URL


@contextlib.contextmanager
def start_app(models: Path, corpus: Path, scratch: Path, extra_env: dict | None = None):
    """`python app.py` in a subprocess on a free port, until the block ends; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "TEXTLAB_MODELS": str(models),
        "TEXTLAB_TBBT_DIR": str(corpus),
        "TEXTLAB_CACHE": str(scratch / "cache"),
        **(extra_env or {}),
    }
    with open(scratch / f"app-{port}.log", "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "app.py"), "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            APP_PIDS[url] = proc.pid
            deadline = time.monotonic() + 90
            while not _answers(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the app did not start:\n{log.read()[-3000:]}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(models_dir, corpus_dir, tmp_path_factory):
    """The app serving the tiny model, shared by the API and browser tests."""
    with start_app(models_dir, corpus_dir, tmp_path_factory.mktemp("app")) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (see tests/browsing.py), without a sandbox or a GPU."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
