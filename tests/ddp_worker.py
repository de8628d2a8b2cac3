"""One training of a tiny classifier or translator on the tests' data, for the torchrun tests of test_devices:

    python -m torch.distributed.run --standalone --nproc_per_node=2 -m tests.ddp_worker sentiment OUT

Rank 0 saves the model in OUT; every rank prints its history's device and world size.
"""

import json
import sys
from pathlib import Path

from textlab.classify.model import save_classifier
from textlab.classify.training import train_classifier
from textlab.devices import world
from textlab.translate.model import save_translator
from textlab.translate.training import load_pair_data, train_translator

from .conftest import tiny_classify_config, tiny_task_data, tiny_translate_config


def main(task: str, out: Path) -> None:
    if task == "dates":
        cfg = tiny_translate_config("dates", max_epochs=1, n_train=640)
        model, save = train_translator(cfg, load_pair_data(cfg)), save_translator
    else:
        model, save = train_classifier(tiny_classify_config(task, max_epochs=1), tiny_task_data(task)), save_classifier
    history = model.card["history"]
    if world().main:
        save(out, model)
    print(json.dumps({"device": history["device"], "processes": history["processes"], "valid": model.card["valid"]}))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
