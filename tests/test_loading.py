import threading

import torch

from textlab.checkpoints import CheckpointError
from textlab.data.sources import SourceError
from textlab.loading import ModelSlot
from textlab.settings import training_threads


def test_slot_loads_a_good_checkpoint_without_training():
    trained = []
    slot = ModelSlot("toy", load=lambda: "loaded", train=lambda p: trained.append(1), save=lambda m: None)
    assert slot.get() is None and slot.status.state == "waiting"
    assert slot.start().wait(10).ready
    assert slot.get() == "loaded" and not trained


def test_slot_trains_saves_and_reports_progress_when_the_checkpoint_is_unusable():
    release, saved, seen = threading.Event(), [], []

    def load():
        raise CheckpointError("models/toy/model.safetensors does not match its manifest")

    def train(progress):
        progress(0.5, "epoch 1")
        release.wait(10)
        return "trained"

    slot = ModelSlot("toy", load, train, saved.append).start()
    for _ in range(200):
        if slot.status.state == "training":
            break
        threading.Event().wait(0.01)
    status = slot.status
    seen.append(status)
    assert status.state == "training" and status.progress == 0.5
    assert "missing or damaged" in status.message and "models/toy" not in status.message and slot.get() is None
    release.set()
    assert slot.wait(10).ready
    assert slot.get() == "trained" and saved == ["trained"]
    assert "trained just now" in slot.status.message


def test_a_failed_training_is_reported_not_raised(caplog):
    def load():
        raise CheckpointError("no checkpoint")

    def train(progress):
        raise RuntimeError("training diverged in /srv/secret/train.py")

    def unreachable(progress):
        raise SourceError("no dialogue corpus could be read from /srv/secret/tbbt or https://pypi.org/...")

    slot = ModelSlot("toy", load, train, lambda m: None).start()
    status = slot.wait(10)
    assert status.state == "failed" and "could not be trained" in status.message and slot.get() is None
    assert "/srv/secret" not in status.message  # the page gets the gist, the log gets the reason
    assert "training diverged in /srv/secret/train.py" in caplog.text

    status = ModelSlot("toy", load, unreachable, lambda m: None).start().wait(10)
    assert status.state == "failed" and "training data could not be fetched" in status.message
    assert "/srv/secret" not in status.message and "pypi.org/" not in status.message
    assert "/srv/secret/tbbt" in caplog.text


def test_background_trainings_take_turns():
    import threading
    import time

    running, overlaps = [], []
    lock = threading.Lock()

    def train(progress):
        with lock:
            overlaps.append(len(running))
            running.append(1)
        time.sleep(0.2)
        with lock:
            running.pop()
        return "model"

    def load():
        raise CheckpointError("no checkpoint")

    slots = [ModelSlot(f"toy{i}", load, train, lambda m: None).start() for i in range(3)]
    assert all(s.wait(10).ready for s in slots)
    assert overlaps == [0, 0, 0]


def test_a_model_that_cannot_be_saved_is_still_served():
    def load():
        raise CheckpointError("no checkpoint")

    def save(model):
        raise TypeError("not serialisable")

    slot = ModelSlot("toy", load, lambda p: "trained", save).start()
    assert slot.wait(10).ready and slot.get() == "trained"


def test_an_unexpected_load_error_trains_but_keeps_the_files():
    saved = []

    def load():
        raise MemoryError("out of memory")

    slot = ModelSlot("toy", load, lambda p: "trained", saved.append).start()
    assert slot.wait(10).ready and slot.get() == "trained" and saved == []


def test_background_training_uses_every_core_and_then_gives_them_back():
    serving = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app serves
    try:
        seen = []

        def missing():
            raise CheckpointError("no checkpoint")

        def train(progress):
            seen.append(torch.get_num_threads())
            return "model"

        slot = ModelSlot("toy", load=missing, train=train, save=lambda model: None).start()
        assert slot.wait(10).ready
        assert seen == [training_threads()] and training_threads() >= 1
        later = []
        fresh = threading.Thread(target=lambda: later.append(torch.get_num_threads()))
        fresh.start()
        fresh.join()
        assert later == [1]  # a thread that starts using torch afterwards gets the serving count again
    finally:
        torch.set_num_threads(serving)
